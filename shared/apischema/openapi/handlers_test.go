package openapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/apiroutes"
	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/notify/notifyapi"
	opsapi "github.com/fooddelivery/serverless-food-delivery/shared/ops"
	"github.com/fooddelivery/serverless-food-delivery/shared/orders"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/httpapi"
	"github.com/fooddelivery/serverless-food-delivery/shared/store/memstore"
	"github.com/fooddelivery/serverless-food-delivery/shared/tracking"
)

func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil))) // the handlers log every refusal
	os.Exit(m.Run())
}

// api is both functions' routers over one in-memory store, dispatched the way
// API Gateway does: by the route each router registers.
type api struct {
	routers []*httpapi.Router
	store   *memstore.Store
}

func newAPI(t *testing.T) *api {
	t.Helper()
	s := memstore.New()
	ctx := context.Background()
	hours := []domain.OpeningHours{}
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		hours = append(hours, domain.OpeningHours{Day: d, Open: "00:00", Close: "24:00"})
	}
	if err := s.PutMenu(ctx, domain.Menu{
		Currency: domain.Currency,
		Restaurant: domain.Restaurant{ID: "r1", Name: "R1", Cuisine: "Italian", Address: "Str. 1",
			Location: domain.LatLng{Lat: 52.52, Lng: 13.40}, TimeZone: "Europe/Berlin", Hours: hours},
		Items: []domain.MenuItem{
			{ID: "pizza", Name: "Pizza", Category: "Pizza", PriceMinor: 950, Available: true, OptionGroups: []domain.OptionGroup{
				{ID: "size", Name: "Size", Min: 1, Max: 1, Choices: []domain.OptionChoice{
					{ID: "regular", Name: "Regular", Available: true}, {ID: "large", Name: "Large", PriceMinor: 300, Available: true},
				}},
			}},
			{ID: "soup", Name: "Soup", Description: "Hot", PriceMinor: 450, Available: false},
		},
	}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"k1", "k2"} {
		if _, err := s.CreateCourier(ctx, domain.Courier{ID: id, Name: strings.ToUpper(id), Status: domain.CourierAvailable,
			Location: domain.LatLng{Lat: 52.52, Lng: 13.41}, UpdatedAt: clock}); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	tick := clock
	now := func() time.Time { tick = tick.Add(time.Second); return tick }
	ids := func() string { n++; return fmt.Sprintf("o-%d", n) }
	return &api{
		routers: []*httpapi.Router{
			ordersRouter(s, now, ids),
			tracking.NewRouter(tracking.NewService(s, now)),
			opsapi.NewRouter(newOpsService(s)), // ops_handlers_test.go
		},
		store: s,
	}
}

// ordersRouter is functions/order-api's router: the order routes and the customer's notification routes.
func ordersRouter(s *memstore.Store, now func() time.Time, ids func() string) *httpapi.Router {
	rt := orders.NewRouter(orders.NewService(s, now, ids))
	notifyapi.AddRoutes(rt, s, now)
	return rt
}

var clock = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// caller is who sends a request: a subject, its Cognito groups and, when the
// account has one, the given_name claim.
type caller struct{ sub, groups, givenName string }

// everyone is every caller of the test; a response to one must not carry the
// subject of another.
var everyone = []caller{customer, stranger, courier1, courier2, ops}

// leakIn names what a body sent to who must not carry: a payment token, the
// name of a field that holds one or a party's id, or another caller's subject.
func leakIn(body string, who caller) string {
	for _, bad := range []string{"tok_", `"payment_token"`, `"customer_id"`, `"courier_id"`} {
		if strings.Contains(body, bad) {
			return bad
		}
	}
	for _, other := range everyone {
		if other.sub != who.sub && strings.Contains(body, `"`+other.sub+`"`) {
			return "the id of " + other.sub
		}
	}
	return ""
}

var (
	anonymous   = caller{}
	customer    = caller{sub: "c-1", groups: `["customer"]`}
	customerAda = caller{sub: "c-1", groups: `["customer"]`, givenName: "Ada"} // the same account, its token with a given_name
	stranger    = caller{sub: "c-2", groups: `["customer"]`}
	courier1    = caller{sub: "k1", groups: `["courier"]`}
	courier2    = caller{sub: "k2", groups: `["courier"]`}
	ops         = caller{sub: "ops-1", groups: `["ops"]`}
)

func (a *api) serve(t *testing.T, method, target string, who caller, body string, headers ...string) httpapi.Response {
	t.Helper()
	path, query, _ := strings.Cut(target, "?")
	qs := map[string]string{}
	for _, kv := range strings.Split(query, "&") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			qs[k] = v
		}
	}
	h := map[string]string{"content-type": "application/json"}
	for i := 0; i+1 < len(headers); i += 2 {
		h[strings.ToLower(headers[i])] = headers[i+1]
	}
	event := map[string]any{
		"version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": query,
		"headers": h, "queryStringParameters": qs, "body": body,
		"requestContext": map[string]any{"requestId": "r-1", "http": map[string]any{"method": method, "path": path}},
	}
	if who.sub != "" {
		claims := map[string]any{"sub": who.sub, "cognito:groups": json.RawMessage(who.groups)}
		if who.givenName != "" {
			claims["given_name"] = who.givenName
		}
		event["requestContext"].(map[string]any)["authorizer"] = map[string]any{"jwt": map[string]any{"claims": claims}}
	}
	raw, err := json.Marshal(event)
	if err != nil {
		t.Fatal(err)
	}
	for _, rt := range a.routers {
		for _, r := range rt.Routes() {
			if r.Method != method || !sameTemplate(r.Path, path) {
				continue
			}
			resp, err := rt.Serve(context.Background(), raw)
			if err != nil {
				t.Fatalf("%s %s: %v", method, target, err)
			}
			return resp
		}
	}
	t.Fatalf("no router serves %s %s", method, path)
	return httpapi.Response{}
}

func sameTemplate(template, path string) bool {
	ts, ps := strings.Split(strings.Trim(template, "/"), "/"), strings.Split(strings.Trim(path, "/"), "/")
	if len(ts) != len(ps) {
		return false
	}
	for i := range ts {
		if ts[i] != ps[i] && !strings.HasPrefix(ts[i], "{") {
			return false
		}
	}
	return true
}

// TestRoutersServeTheRouteTable: each function's router, wired as its main.go wires it, has a handler for
// every route the table gives that function (the router itself refuses a handler for a route the table lacks),
// and for no other function's; openapi.yaml and the CDK routes are held to the same table
// (shared/apiroutes, infra TestRoutes).
func TestRoutersServeTheRouteTable(t *testing.T) {
	a := newAPI(t)
	fns := map[string]*httpapi.Router{apiroutes.OrderAPI: a.routers[0], apiroutes.Tracking: a.routers[1], apiroutes.OpsAPI: a.routers[2]}
	for fn, rt := range fns {
		if missing := rt.Unhandled(); len(missing) > 0 {
			t.Errorf("%s's router has no handler for %v", fn, missing)
		}
		var served, want []string
		for _, r := range rt.Routes() {
			served = append(served, fmt.Sprintf("%s %s public=%v", r.Method, r.Path, r.Public))
		}
		for _, r := range apiroutes.Of(fn) {
			want = append(want, fmt.Sprintf("%s public=%v", r.Key(), r.Public))
		}
		slices.Sort(served)
		slices.Sort(want)
		if !slices.Equal(served, want) {
			t.Errorf("%s's router serves\n  %s\nthe table gives it\n  %s", fn, strings.Join(served, "\n  "), strings.Join(want, "\n  "))
		}
	}
}

// TestHandlersAnswerAsDescribed runs the handlers in process, through a
// customer's and a courier's whole journey and the usual mistakes, and checks
// every response against openapi.yaml: drift shows up in `go test`, before
// the deployed-stack tests see it.
func TestHandlersAnswerAsDescribed(t *testing.T) {
	spec := load(t)
	a := newAPI(t)
	covered := map[string][]int{}
	expect := func(want int, method, target string, who caller, body string, headers ...string) map[string]any {
		t.Helper()
		resp := a.serve(t, method, target, who, body, headers...)
		h := http.Header{}
		for k, v := range resp.Headers {
			h.Set(k, v)
		}
		op, err := spec.Check(method, target, resp.StatusCode, h, []byte(resp.Body))
		if err != nil {
			t.Error(err)
		}
		if resp.StatusCode != want {
			t.Errorf("%s %s: %d %s, want %d", method, target, resp.StatusCode, resp.Body, want)
		}
		if leak := leakIn(resp.Body, who); leak != "" {
			t.Errorf("%s %s to %s: the body carries %s: %s", method, target, who.sub, leak, resp.Body)
		}
		if op != nil && !slices.Contains(covered[op.Key()], resp.StatusCode) {
			covered[op.Key()] = append(covered[op.Key()], resp.StatusCode)
		}
		var parsed map[string]any
		_ = json.Unmarshal([]byte(resp.Body), &parsed)
		return parsed
	}
	order := `{"restaurant_id":"r1","items":[{"item_id":"pizza","quantity":2,"options":["large"]},{"item_id":"pizza","quantity":1,"options":["regular"]}],
		"delivery_location":{"lat":52.521,"lng":13.401},"delivery_address":"Invalidenstr. 1","payment_token":"tok_mastercard"}`

	// Catalogue.
	expect(200, "GET", "/restaurants", anonymous, "")
	expect(200, "GET", "/restaurants/r1/menu", anonymous, "")
	expect(404, "GET", "/restaurants/nope/menu", anonymous, "")

	// Placing orders.
	placed := expect(201, "POST", "/orders", customerAda, order, "Idempotency-Key", "key-0001")
	id, _ := placed["id"].(string)
	expect(200, "POST", "/orders", customer, order, "Idempotency-Key", "key-0001")
	expect(409, "POST", "/orders", customer, strings.Replace(order, `"quantity":1`, `"quantity":3`, 1), "Idempotency-Key", "key-0001")
	expect(400, "POST", "/orders", customer, `{"restaurant_id":"r1","items":[{"item_id":"soup","quantity":1}],"delivery_location":{"lat":52.5,"lng":13.4}}`)
	expect(400, "POST", "/orders", customer, `{"items":`)
	expect(400, "POST", "/orders", customer, order, "Idempotency-Key", "short")
	expect(403, "POST", "/orders", courier1, order)
	expect(401, "POST", "/orders", anonymous, order) // the router's own guard
	second := expect(201, "POST", "/orders", customer, strings.Replace(order, `,"delivery_address":"Invalidenstr. 1"`, ``, 1))
	second2, _ := second["id"].(string)

	// Reading them.
	page := expect(200, "GET", "/orders?limit=1", customer, "")
	cursor, _ := page["next_cursor"].(string)
	expect(200, "GET", "/orders?limit=1&cursor="+cursor, customer, "")
	expect(200, "GET", "/orders", stranger, "")
	expect(400, "GET", "/orders?limit=x", customer, "")
	expect(403, "GET", "/orders", courier1, "")
	expect(200, "GET", "/orders/"+id, customer, "")
	expect(200, "GET", "/orders/"+id, ops, "")
	expect(404, "GET", "/orders/"+id, stranger, "")
	expect(200, "GET", "/orders/"+id+"/notifications", customer, "")
	expect(404, "GET", "/orders/nope/notifications", customer, "")
	expect(200, "GET", "/orders/"+id+"/tracking", customer, "")
	expect(404, "GET", "/orders/"+id+"/tracking", stranger, "")

	// The saga, played by the test: paid, then courier k1 assigned.
	ctx := context.Background()
	o, err := a.store.GetOrder(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Transition(domain.StatusPaid, "evt-1", clock); err != nil {
		t.Fatal(err)
	}
	if err := a.store.UpdateOrder(ctx, o); err != nil {
		t.Fatal(err)
	}
	if err := o.Transition(domain.StatusCourierAssigned, "evt-2", clock); err != nil {
		t.Fatal(err)
	}
	o.CourierID, o.CourierName, o.ETA = "k1", "K1", clock.Add(20*time.Minute) // as the assignment writes them
	if err := a.store.AssignCourier(ctx, o, "k1", clock); err != nil {
		t.Fatal(err)
	}
	if got := expect(200, "GET", "/orders/"+id, customer, ""); got["eta"] == nil {
		t.Errorf("the assigned order's response has no eta: %v", got)
	}
	if _, err := a.store.RecordNotification(ctx, domain.Notification{OrderID: id, EventID: "evt-2", EventType: "CourierAssigned",
		CustomerID: "c-1", Channel: "inbox", Subject: "Courier on the way", Body: "A courier is heading to the restaurant.", SentAt: clock}); err != nil {
		t.Fatal(err)
	}
	expect(200, "GET", "/orders/"+id+"/notifications", customer, "")

	// The courier's side.
	expect(200, "GET", "/couriers/me", courier1, "")
	expect(403, "GET", "/couriers/me", customer, "")
	expect(403, "GET", "/couriers/me", caller{sub: "k9", groups: `["courier"]`}, "") // in the group, not registered
	fixes := fmt.Sprintf(`{"positions":[{"lat":52.522,"lng":13.402,"recorded_at":%q},{"lat":52.5222,"lng":13.4022,"recorded_at":%q}]}`,
		clock.Add(-10*time.Second).Format(time.RFC3339), clock.Add(-5*time.Second).Format(time.RFC3339))
	expect(200, "POST", "/couriers/me/location", courier1, fixes)
	expect(200, "POST", "/couriers/me/location", courier2, fixes)
	expect(400, "POST", "/couriers/me/location", courier1, `{"positions":[]}`)
	expect(400, "POST", "/couriers/me/location", courier1, `{"positions":[{"lat":52.5,"lng":13.4,"recorded_at":"2999-01-01T00:00:00Z"}]}`)
	expect(400, "POST", "/couriers/me/location", courier1, `{"positions":[{"lat":52.5,"lng":13.4}]}`) // recorded_at is required
	expect(400, "POST", "/couriers/me/location", courier1, fmt.Sprintf(`{"positions":[{"lat":53.5,"lng":13.4,"recorded_at":%q}]}`,
		clock.Format(time.RFC3339))) // 110 km from the last fix in 5 s
	expect(403, "POST", "/couriers/me/location", customer, fixes)
	expect(200, "GET", "/orders/"+id+"/tracking", customer, "") // now with a position
	expect(200, "GET", "/orders/"+id+"/tracking", courier1, "")
	expect(404, "POST", "/orders/"+id+"/status", courier2, `{"status":"PICKED_UP"}`) // another courier's: as if missing
	expect(404, "GET", "/orders/"+id+"/tracking", courier2, "")
	expect(403, "POST", "/orders/"+id+"/status", customer, `{"status":"PICKED_UP"}`)
	expect(404, "POST", "/orders/nope/status", courier1, `{"status":"PICKED_UP"}`)
	expect(400, "POST", "/orders/"+id+"/status", courier1, `{"status":"CANCELLED"}`)
	expect(409, "POST", "/orders/"+id+"/status", courier1, `{"status":"DELIVERED"}`)
	job := expect(200, "POST", "/orders/"+id+"/status", courier1, `{"status":"PICKED_UP"}`)
	if job["customer_first_name"] != "Ada" || job["items_count"] != float64(3) || job["restaurant_name"] != "R1" {
		t.Errorf("the courier's view of the job: %v", job)
	}
	if tracked := expect(200, "GET", "/orders/"+id+"/tracking", customer, ""); tracked["courier_name"] != "K1" {
		t.Errorf("the customer's tracking view names no courier: %v", tracked)
	}
	expect(409, "POST", "/orders/"+id+"/cancel", customer, "")
	expect(200, "POST", "/orders/"+id+"/status", courier1, `{"status":"DELIVERED"}`)
	expect(404, "POST", "/orders/"+id+"/status", courier1, `{"status":"DELIVERED"}`) // delivery ended its access
	expect(404, "GET", "/orders/"+id+"/tracking", courier1, "")
	expect(200, "GET", "/orders/"+id+"/tracking", customer, "")
	expect(200, "GET", "/couriers/me", courier1, "") // available again, no order_id
	expect(200, "GET", "/me/home", customer, "")
	expect(200, "GET", "/me/home", stranger, "")
	expect(403, "GET", "/me/home", courier1, "")

	// Cancelling.
	expect(404, "POST", "/orders/"+second2+"/cancel", stranger, "")
	expect(403, "POST", "/orders/"+second2+"/cancel", courier1, "")
	expect(200, "POST", "/orders/"+second2+"/cancel", customer, "")
	expect(200, "POST", "/orders/"+second2+"/cancel", customer, "")

	// The customer's notification preferences and inbox (shared/notify).
	expect(200, "GET", "/me/preferences", customer, "")
	expect(403, "GET", "/me/preferences", courier1, "")
	prefsBody := `{"email":"c1@example.com","phone":"+4915112345678","locale":"de","channels":{"inbox":{"updates":true,"outcomes":true},` +
		`"email":{"updates":false,"outcomes":true},"sms":{"updates":false,"outcomes":true}}}`
	expect(200, "PUT", "/me/preferences", customer, prefsBody)
	expect(400, "PUT", "/me/preferences", customer, strings.Replace(prefsBody, "+4915112345678", "0151", 1))
	expect(400, "PUT", "/me/preferences", customer, strings.Replace(prefsBody, "c1@example.com", "c1", 1))
	expect(403, "PUT", "/me/preferences", ops, prefsBody)
	for i, at := range []time.Time{clock.Add(time.Minute), clock.Add(2 * time.Minute)} {
		if _, err := a.store.RecordNotification(context.Background(), domain.Notification{OrderID: id, EventID: fmt.Sprintf("e-%d", i),
			EventType: "OrderDelivered", CustomerID: customer.sub, Channel: "inbox", Subject: "Delivered", Body: "Enjoy", SentAt: at}); err != nil {
			t.Fatal(err)
		}
	}
	inbox := expect(200, "GET", "/me/notifications?limit=1", customer, "")
	expect(200, "GET", "/me/notifications?limit=1&cursor="+fmt.Sprint(inbox["next_cursor"]), customer, "")
	expect(400, "GET", "/me/notifications?limit=500", customer, "")
	expect(200, "GET", "/me/notifications", stranger, "")
	expect(200, "POST", "/me/notifications/read", customer, `{"ids":["e-1"]}`)
	expect(200, "POST", "/me/notifications/read", customer, `{"up_to":"2030-01-01T00:00:00Z"}`)
	expect(400, "POST", "/me/notifications/read", customer, `{}`)
	expect(403, "POST", "/me/notifications/read", courier1, `{"ids":["e-1"]}`)
	if after := expect(200, "GET", "/me/notifications", customer, ""); after["unread"] != float64(0) {
		t.Errorf("unread after marking every one read: %v", after["unread"])
	}
	exerciseOps(expect, second2)

	for _, op := range spec.Operations() {
		if len(covered[op.Key()]) == 0 {
			t.Errorf("%s was not exercised", op.Key())
		}
	}
	t.Logf("statuses checked per operation: %v", covered)
	// The check on every body must be able to fail.
	if leakIn(`{"order_id":"o-1","k":"k1"}`, customer) == "" || leakIn(`{"x":"tok_visa"}`, customer) == "" {
		t.Error("leakIn misses a courier's id or a payment token")
	}
}
