package orders_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/orders"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/metrics"
	"github.com/fooddelivery/serverless-food-delivery/shared/store/memstore"
)

// BenchmarkPlaceOrder is POST /orders through the router, wired as
// functions/order-api wires it (menu cache on), with the in-memory store:
// decode, schema check, validation, pricing, one store write, the response.
// Logs are encoded as in production but written nowhere.
func BenchmarkPlaceOrder(b *testing.B) {
	benchDiscardLogs(b)
	ctx := context.Background()
	s := memstore.New()
	var hours []domain.OpeningHours
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		hours = append(hours, domain.OpeningHours{Day: d, Open: "00:00", Close: "24:00"})
	}
	if err := s.PutMenu(ctx, domain.Menu{
		Restaurant: domain.Restaurant{ID: "r1", Name: "R1", Location: domain.LatLng{Lat: 52.52, Lng: 13.40},
			TimeZone: "Europe/Berlin", Hours: hours},
		Items: []domain.MenuItem{
			{ID: "pizza", Name: "Pizza", PriceMinor: 950, Available: true},
			{ID: "soup", Name: "Soup", PriceMinor: 450, Available: true},
		},
	}); err != nil {
		b.Fatal(err)
	}
	svc := orders.NewService(s, time.Now, platform.NewID)
	svc.CacheMenus(time.Hour)
	rt := orders.NewRouter(svc)
	body, _ := json.Marshal(map[string]any{
		"restaurant_id":     "r1",
		"items":             []map[string]any{{"item_id": "pizza", "quantity": 2}, {"item_id": "soup", "quantity": 1}},
		"delivery_location": map[string]float64{"lat": 52.521, "lng": 13.401},
		"delivery_address":  "Rosenthaler Str. 1, Berlin",
	})
	event, _ := json.Marshal(map[string]any{
		"version": "2.0", "routeKey": "$default", "rawPath": "/orders", "body": string(body),
		"headers": map[string]string{"content-type": "application/json"},
		"requestContext": map[string]any{"requestId": "req-1", "http": map[string]string{"method": "POST", "path": "/orders"},
			"authorizer": map[string]any{"jwt": map[string]any{"claims": map[string]any{"sub": "c-1", "cognito:groups": []string{"customer"}}}}},
	})
	place := func() {
		resp, err := rt.Serve(ctx, event)
		if err != nil || resp.StatusCode != http.StatusCreated {
			b.Fatalf("POST /orders: %d %s %v", resp.StatusCode, resp.Body, err)
		}
	}
	place() // once untimed: compiles the request schemas and fills the menu cache, as the first request after init does
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		place()
	}
}

// benchDiscardLogs makes the default logger encode JSON as logging.Setup's
// does, into io.Discard, for the duration of the benchmark.
func benchDiscardLogs(b *testing.B) {
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo})).With("function", "bench"))
	b.Cleanup(func() { slog.SetDefault(prev) })
	// The EMF metric lines too: encoded as in production, then discarded, so that they do not land in the middle of
	// go test's result lines, which bench/gobench parses.
	prevMetrics := metrics.SetDefault(metrics.NewEmitter(io.Discard, time.Now))
	b.Cleanup(func() { metrics.SetDefault(prevMetrics) })
}
