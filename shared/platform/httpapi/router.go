package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/platform/logging"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/metrics"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/tracecontext"
)

// Access says who may call a route.
type Access int

const (
	// Public routes need no token.
	Public Access = iota
	// Authenticated routes need a valid token; the handler checks ownership.
	Authenticated
)

// HandlerFunc serves one route. p is the zero Principal on public routes.
type HandlerFunc func(ctx context.Context, r Request, p Principal, params map[string]string) (Response, error)

type route struct {
	method   string
	segments []string
	access   Access
	handler  HandlerFunc
}

// Router dispatches API Gateway requests by method and path pattern, such as
// "GET /orders/{id}". It matches on the path rather than trusting routeKey so
// the same function also works behind a catch-all route.
type Router struct {
	routes []route
}

// Handle registers a route like "POST /orders".
func (rt *Router) Handle(pattern string, access Access, h HandlerFunc) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		panic(fmt.Sprintf("route %q needs a method and a path", pattern))
	}
	rt.routes = append(rt.routes, route{method: method, segments: split(path), access: access, handler: h})
}

// RouteInfo describes a registered route.
type RouteInfo struct {
	Method string // e.g. GET
	Path   string // e.g. /orders/{id}
	Access Access
}

// Routes lists the registered routes in the order they were added, so tests
// can compare them with the API description and the CDK app's routes.
func (rt *Router) Routes() []RouteInfo {
	out := make([]RouteInfo, len(rt.routes))
	for i, r := range rt.routes {
		out[i] = RouteInfo{Method: r.method, Path: "/" + strings.Join(r.segments, "/"), Access: r.access}
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
	if rte.access == Authenticated && !authenticated {
		// API Gateway's authorizer already refuses missing tokens; this guards
		// against a route wired without it.
		return Error(http.StatusUnauthorized, "unauthorized", "a valid token is required", "")
	}
	if authenticated {
		ctx = logging.With(ctx, "caller", principal.Subject)
	}
	routeName := rte.method + " /" + strings.Join(rte.segments, "/")
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
