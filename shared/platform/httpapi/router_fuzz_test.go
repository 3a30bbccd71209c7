package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/apischema/openapi"
	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/orders"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/httpapi"
	"github.com/fooddelivery/serverless-food-delivery/shared/store/memstore"
	"github.com/fooddelivery/serverless-food-delivery/shared/tracking"
)

// FuzzRouterServe sends arbitrary API Gateway events to the two functions'
// real routers, over an in-memory store with a restaurant, an order and its
// courier. Serve must never panic and never return a Go error (Lambda would
// turn it into a 500 without our error body); nothing may answer 5xx (every
// failure of these handlers over this store is the client's); and whatever a
// documented route answers must match openapi.yaml. `go test` runs the seeds;
// `make fuzz` fuzzes.
func FuzzRouterServe(f *testing.F) {
	customer := `{"sub":"c-1","cognito:groups":["customer"]}`
	courier := `{"sub":"k1","cognito:username":"anna","cognito:groups":"[courier]"}`
	order := `{"restaurant_id":"r1","items":[{"item_id":"pizza","quantity":2,"options":["large"]}],"delivery_location":{"lat":52.521,"lng":13.401}}`
	for _, e := range []json.RawMessage{
		event("GET", "/restaurants", "", ""),
		event("GET", "/restaurants/r1/menu", "", ""),
		event("POST", "/orders", order, customer),
		event("POST", "/orders", order, courier),
		event("GET", "/orders", "", customer),
		event("GET", "/orders/o-1", "", customer),
		event("POST", "/orders/o-1/cancel", "", customer),
		event("GET", "/orders/o-1/notifications", "", `{"sub":"ops-1","cognito:groups":"ops"}`),
		event("GET", "/couriers/me", "", courier),
		event("POST", "/couriers/me/location", `{"positions":[{"lat":52.52,"lng":13.40}]}`, courier),
		event("POST", "/orders/o-1/status", `{"status":"PICKED_UP"}`, courier),
		event("GET", "/orders/o-1/tracking", "", courier),
		event("DELETE", "/orders/o-1", "", customer),
		event("GET", "/nowhere", "", ""),
		json.RawMessage(`{"rawPath":"/orders","queryStringParameters":{"limit":"1","cursor":"o-1"},"requestContext":{"http":{"method":"GET"},"authorizer":{"jwt":{"claims":{"sub":"c-1"}}}}}`),
		json.RawMessage(`{"routeKey":"POST /orders","rawPath":"/orders","isBase64Encoded":true,"body":"e30=","headers":{"Idempotency-Key":"abcdefgh1"},"requestContext":{"authorizer":{"jwt":{"claims":{"sub":7,"cognito:groups":null}}}}}`),
		json.RawMessage(`{"requestContext":{"authorizer":{"jwt":null}}}`),
		json.RawMessage(`{"rawPath":"//orders//","requestContext":{"http":{"method":"get"}}}`),
		json.RawMessage(`[]`), json.RawMessage(`null`), json.RawMessage(`{`), json.RawMessage(``),
	} {
		f.Add([]byte(e))
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil))) // the handlers log every refusal
	spec, err := loadSpec()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		routers := fuzzRouters(t)
		// Only events that decode can come from API Gateway; the others get a
		// 400 the description does not list (bad_request), which is fine.
		var req httpapi.Request
		fromGateway := json.Unmarshal(raw, &req) == nil
		for _, rt := range routers {
			resp, err := rt.Serve(context.Background(), raw)
			if err != nil {
				t.Fatalf("Serve returned an error: %v", err)
			}
			if resp.StatusCode < 200 || resp.StatusCode >= 500 {
				t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
			}
			if !fromGateway {
				continue
			}
			if op, _ := spec.Match(req.Method(), req.Path()); op != nil && resp.StatusCode != http.StatusMethodNotAllowed && servesRoute(rt, op) {
				header := http.Header{}
				for k, v := range resp.Headers {
					header.Set(k, v)
				}
				if _, err := spec.Check(req.Method(), req.Path(), resp.StatusCode, header, []byte(resp.Body)); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
}

var loadSpec = sync.OnceValues(func() (*openapi.Spec, error) { return openapi.Load("../../../openapi.yaml") })

// servesRoute reports whether rt is the function API Gateway sends op to.
func servesRoute(rt *httpapi.Router, op *openapi.Operation) bool {
	for _, r := range rt.Routes() {
		if r.Method == op.Method && r.Path == op.Path {
			return true
		}
	}
	return false
}

// fuzzRouters builds both functions' routers over a fresh store, so every
// input starts from the same state: restaurant r1, order o-1 of customer c-1
// assigned to courier k1, courier k2 free.
func fuzzRouters(t *testing.T) []*httpapi.Router {
	t.Helper()
	ctx := context.Background()
	clock := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	s := memstore.New()
	var hours []domain.OpeningHours
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		hours = append(hours, domain.OpeningHours{Day: d, Open: "00:00", Close: "24:00"})
	}
	err := s.PutMenu(ctx, domain.Menu{
		Currency: domain.Currency,
		Restaurant: domain.Restaurant{ID: "r1", Name: "R1", Cuisine: "Italian", Address: "Str. 1",
			Location: domain.LatLng{Lat: 52.52, Lng: 13.40}, TimeZone: "Europe/Berlin", Hours: hours},
		Items: []domain.MenuItem{{ID: "pizza", Name: "Pizza", PriceMinor: 950, Available: true, OptionGroups: []domain.OptionGroup{
			{ID: "size", Name: "Size", Min: 1, Max: 1, Choices: []domain.OptionChoice{
				{ID: "regular", Name: "Regular", Available: true}, {ID: "large", Name: "Large", PriceMinor: 300, Available: true}}},
		}}},
	})
	if err == nil {
		_, err = s.CreateCourier(ctx, domain.Courier{ID: "k1", Name: "Anna", Status: domain.CourierAssigned, OrderID: "o-1",
			Location: domain.LatLng{Lat: 52.52, Lng: 13.41}, UpdatedAt: clock})
	}
	if err == nil {
		_, err = s.CreateCourier(ctx, domain.Courier{ID: "k2", Name: "Ben", Status: domain.CourierAvailable,
			Location: domain.LatLng{Lat: 52.53, Lng: 13.42}, UpdatedAt: clock})
	}
	if err == nil {
		err = s.CreateOrder(ctx, domain.Order{ID: "o-1", CustomerID: "c-1", RestaurantID: "r1", RestaurantName: "R1",
			PickupLocation: domain.LatLng{Lat: 52.52, Lng: 13.40}, DeliveryLocation: domain.LatLng{Lat: 52.521, Lng: 13.401},
			Lines:         []domain.OrderLine{{ItemID: "pizza", Name: "Pizza", Quantity: 1, UnitPrice: 950, LineTotal: 950}},
			SubtotalMinor: 950, DeliveryFeeMinor: 199, TaxMinor: 80, TotalMinor: 1229, Currency: domain.Currency,
			Status: domain.StatusCourierAssigned, CourierID: "k1", PaymentToken: domain.DefaultPaymentToken,
			Version: 3, CreatedAt: clock, UpdatedAt: clock})
	}
	if err != nil {
		t.Fatal(err)
	}
	n := 1
	tick := clock
	now := func() time.Time { tick = tick.Add(time.Second); return tick }
	ids := func() string { n++; return fmt.Sprintf("o-%d", n) }
	return []*httpapi.Router{
		orders.NewRouter(orders.NewService(s, now, ids)),
		tracking.NewRouter(tracking.NewService(s, now)),
	}
}
