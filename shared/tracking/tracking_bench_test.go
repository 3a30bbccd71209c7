package tracking_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/store/memstore"
	"github.com/fooddelivery/serverless-food-delivery/shared/tracking"
)

// BenchmarkTrackingLocationReport is POST /couriers/me/location through the
// router, as a courier carrying an order, with the in-memory store: decode,
// schema check, pick the newest of three fixes, move the courier, record the
// position on the order.
func BenchmarkTrackingLocationReport(b *testing.B) {
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo})).With("function", "bench"))
	b.Cleanup(func() { slog.SetDefault(prev) })

	ctx := context.Background()
	s := memstore.New()
	if _, err := s.CreateCourier(ctx, domain.Courier{ID: "k1", Status: domain.CourierAssigned, OrderID: "o-1",
		Location: domain.LatLng{Lat: 52.52, Lng: 13.40}}); err != nil {
		b.Fatal(err)
	}
	if err := s.CreateOrder(ctx, domain.Order{ID: "o-1", CustomerID: "c-1", CourierID: "k1",
		Status: domain.StatusCourierAssigned, Version: 3}); err != nil {
		b.Fatal(err)
	}
	rt := tracking.NewRouter(tracking.NewService(s, time.Now))
	body, _ := json.Marshal(map[string]any{"positions": []map[string]float64{
		{"lat": 52.5201, "lng": 13.4001}, {"lat": 52.5202, "lng": 13.4002}, {"lat": 52.5203, "lng": 13.4003},
	}})
	event, _ := json.Marshal(map[string]any{
		"version": "2.0", "routeKey": "$default", "rawPath": "/couriers/me/location", "body": string(body),
		"headers": map[string]string{"content-type": "application/json"},
		"requestContext": map[string]any{"requestId": "req-1", "http": map[string]string{"method": "POST", "path": "/couriers/me/location"},
			"authorizer": map[string]any{"jwt": map[string]any{"claims": map[string]any{"sub": "k1", "cognito:groups": []string{"courier"}}}}},
	})
	report := func() {
		resp, err := rt.Serve(ctx, event)
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("POST /couriers/me/location: %d %s %v", resp.StatusCode, resp.Body, err)
		}
	}
	report() // once untimed: compiles the request schemas, as the first request after init does
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		report()
	}
	b.StopTimer()
	if pos, err := s.GetTracking(ctx, "o-1"); err != nil || pos.Location.Lat != 52.5203 {
		b.Fatalf("tracking %+v %v", pos, err)
	}
}
