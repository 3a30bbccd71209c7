// Package apiroutes is the HTTP API's route table, the one list of its routes: for each, the function that
// serves it, whether it needs a token and how tightly API Gateway throttles it. The functions' routers
// (shared/platform/httpapi.NewRouter) and the CDK app's routes (infra/api.go) are both built from it, and a test
// holds openapi.yaml, which stays hand-written documentation, to it. Adding a route is one row here, a handler
// and its description.
//
// It imports nothing, so the CDK app and the Lambda functions share it without either pulling in the other's
// dependencies.
package apiroutes

// The functions behind the HTTP API (functions/<name>, and infra's function ids).
const (
	OrderAPI = "order-api"
	Tracking = "tracking"
	OpsAPI   = "ops-api"
)

// Throttle is a route's throttle class; infra/edge.go gives each class its rate and burst.
type Throttle int

const (
	// Reads are limited by the stage's default (catalogue, orders, tracking, the courier's own status).
	Reads Throttle = iota
	// Writes are the routes that write and cost the most (an order starts a saga; a location batch is three
	// writes), limited more tightly.
	Writes
)

// Route is one row of the table.
type Route struct {
	Method   string // upper case, e.g. GET
	Path     string // the template, e.g. /orders/{id}
	Function string // the function serving it: OrderAPI, Tracking or OpsAPI
	// Public routes need no token; every other route goes through the Cognito JWT authorizer. Which Cognito
	// group may call an authenticated route is the handler's check (a JWT authorizer checks scopes, and
	// Cognito groups are not scopes), as is ownership.
	Public   bool
	Throttle Throttle
}

// Key is "METHOD /path", API Gateway's route key.
func (r Route) Key() string { return r.Method + " " + r.Path }

// HTTP is every route of the HTTP API.
var HTTP = []Route{
	{"GET", "/restaurants", OrderAPI, true, Reads},
	{"GET", "/restaurants/{id}/menu", OrderAPI, true, Reads},
	{"POST", "/orders", OrderAPI, false, Writes},
	{"GET", "/orders", OrderAPI, false, Reads},
	{"GET", "/orders/{id}", OrderAPI, false, Reads},
	{"POST", "/orders/{id}/cancel", OrderAPI, false, Writes},
	{"GET", "/orders/{id}/notifications", OrderAPI, false, Reads},
	{"GET", "/me/preferences", OrderAPI, false, Reads},
	{"PUT", "/me/preferences", OrderAPI, false, Reads},
	{"GET", "/me/notifications", OrderAPI, false, Reads},
	{"POST", "/me/notifications/read", OrderAPI, false, Reads},
	{"GET", "/me/home", OrderAPI, false, Reads},

	{"GET", "/couriers/me", Tracking, false, Reads},
	{"POST", "/couriers/me/location", Tracking, false, Writes},
	{"POST", "/orders/{id}/status", Tracking, false, Writes},
	{"GET", "/orders/{id}/tracking", Tracking, false, Reads},

	{"GET", "/ops/orders", OpsAPI, false, Reads},
	{"GET", "/ops/orders/{id}/timeline", OpsAPI, false, Reads},
	{"GET", "/ops/dlqs", OpsAPI, false, Reads},
	{"POST", "/ops/dlqs/{queue}/redrive", OpsAPI, false, Reads},
	{"GET", "/ops/sweeps", OpsAPI, false, Reads},
}

// Of is the routes one function serves, in the table's order.
func Of(function string) []Route {
	var out []Route
	for _, r := range HTTP {
		if r.Function == function {
			out = append(out, r)
		}
	}
	return out
}

// Functions is every function the table names, in the table's order.
func Functions() []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range HTTP {
		if !seen[r.Function] {
			seen[r.Function] = true
			out = append(out, r.Function)
		}
	}
	return out
}
