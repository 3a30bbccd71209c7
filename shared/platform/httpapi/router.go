package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/apiroutes"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/logging"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/metrics"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/tracecontext"
)

// HandlerFunc serves one route. p is the zero Principal on public routes.
type HandlerFunc func(ctx context.Context, r Request, p Principal, params map[string]string) (Response, error)

type route struct {
	method   string
	segments []string
	public   bool
	handler  HandlerFunc
}

// Router dispatches API Gateway requests by method and path pattern, such as
// "GET /orders/{id}". It matches on the path rather than trusting routeKey so
// the same function also works behind a catch-all route.
type Router struct {
	table  []apiroutes.Route
	routes []route
}

// NewRouter serves the routes of table (one function's rows of the route
// table, apiroutes.Of), each once Handle has given it a handler.
func NewRouter(table []apiroutes.Route) *Router {
	return &Router{table: table}
}

// Handle gives the table's route key (e.g. "POST /orders") its handler.
// Whether the route needs a token is the table's, as is the list of routes:
// a key the table lacks, or one handled twice, panics when the function starts.
func (rt *Router) Handle(key string, h HandlerFunc) {
	i := slices.IndexFunc(rt.table, func(r apiroutes.Route) bool { return r.Key() == key })
	if i < 0 {
		panic(fmt.Sprintf("route %q is not in the router's route table (shared/apiroutes)", key))
	}
	if slices.ContainsFunc(rt.routes, func(r route) bool { return r.method+" "+r.path() == key }) {
		panic(fmt.Sprintf("route %q handled twice", key))
	}
	row := rt.table[i]
	rt.routes = append(rt.routes, route{method: row.Method, segments: split(row.Path), public: row.Public, handler: h})
}

func (r route) path() string { return "/" + strings.Join(r.segments, "/") }

// RouteInfo describes a route with a handler.
type RouteInfo struct {
	Method string // e.g. GET
	Path   string // e.g. /orders/{id}
	Public bool
}

// Routes lists the routes with a handler in the order they were added.
func (rt *Router) Routes() []RouteInfo {
	out := make([]RouteInfo, len(rt.routes))
	for i, r := range rt.routes {
		out[i] = RouteInfo{Method: r.method, Path: r.path(), Public: r.public}
	}
	return out
}

// Unhandled lists the keys of the table's routes that have no handler, so a
// test of a function's wiring can prove it serves every route of its table.
func (rt *Router) Unhandled() []string {
	var out []string
	for _, row := range rt.table {
		if !slices.ContainsFunc(rt.routes, func(r route) bool { return r.method+" "+r.path() == row.Key() }) {
			out = append(out, row.Key())
		}
	}
	return out
}

func split(path string) []string {
	return strings.Split(strings.Trim(path, "/"), "/")
}

// Serve is the Lambda handler.
func (rt *Router) Serve(ctx context.Context, raw json.RawMessage) (Response, error) {
	var r Request
	if err := json.Unmarshal(raw, &r); err != nil {
		logging.From(ctx).Error("undecodable API Gateway event", "error", err)
		return Error(http.StatusBadRequest, "bad_request", "the request could not be read", ""), nil
	}
	// request_id is the Lambda invocation's (shared/platform/observe); this is API Gateway's own id.
	ctx = logging.With(ctx, "api_request_id", r.RequestContext.RequestID)
	ctx = tracecontext.With(ctx, requestSpan(r))
	method, segments := r.Method(), split(r.Path())
	pathMatched := false
	for _, rte := range rt.routes {
		params, ok := match(rte.segments, segments)
		if !ok {
			continue
		}
		pathMatched = true
		if rte.method != method {
			continue
		}
		return rt.serveRoute(ctx, rte, r, params), nil
	}
	if pathMatched {
		return Error(http.StatusMethodNotAllowed, "method_not_allowed", "method not allowed on this path", ""), nil
	}
	return Error(http.StatusNotFound, "not_found", "no such route", ""), nil
}

func (rt *Router) serveRoute(ctx context.Context, rte route, r Request, params map[string]string) Response {
	principal, authenticated := r.Principal()
	if !rte.public && !authenticated {
		// API Gateway's authorizer already refuses missing tokens; this guards
		// against a route wired without it.
		return Error(http.StatusUnauthorized, "unauthorized", "a valid token is required", "")
	}
	if authenticated {
		ctx = logging.With(ctx, "caller", principal.Subject)
	}
	routeName := rte.method + " " + rte.path()
	span, _ := tracecontext.From(ctx)
	if id := params["id"]; id != "" && rte.segments[0] == "orders" {
		// A request about an order belongs to the order's trace, which only the stored order knows: the
		// handlers log its trace_id once they have read it (and the write continues it).
		ctx = logging.With(ctx, "order_id", id)
	} else {
		ctx = logging.With(ctx, "trace_id", span.TraceIDString())
	}
	start := time.Now()
	resp, err := rte.handler(ctx, r, principal, params)
	metrics.Duration(routeName, time.Since(start), nil)
	if err != nil {
		resp = FromError(err)
		if resp.StatusCode >= 500 {
			logging.From(ctx).Error("request failed", "route", routeName, "error", err)
		} else {
			logging.From(ctx).Info("request refused", "status", resp.StatusCode, "error", err)
		}
	}
	return resp
}

func match(pattern, path []string) (map[string]string, bool) {
	if len(pattern) != len(path) {
		return nil, false
	}
	var params map[string]string
	for i, seg := range pattern {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			if path[i] == "" {
				return nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			params[seg[1:len(seg)-1]] = path[i]
			continue
		}
		if seg != path[i] {
			return nil, false
		}
	}
	return params, true
}

// requestSpan is the span of one API request: a child of the caller's
// traceparent header when it sent one (a traced client), else one in the
// trace X-Ray started for this invocation (active tracing on AWS, so the
// X-Ray trace of POST /orders has the order's trace id), else a new trace.
func requestSpan(r Request) tracecontext.SpanContext {
	if parent, ok := tracecontext.Parse(r.Header(tracecontext.Header)); ok {
		return tracecontext.Child(parent)
	}
	if sc, ok := tracecontext.FromXRay(os.Getenv("_X_AMZN_TRACE_ID")); ok {
		return sc
	}
	return tracecontext.New()
}
