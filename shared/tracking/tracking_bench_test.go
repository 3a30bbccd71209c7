package tracking_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/metrics"
	"github.com/fooddelivery/serverless-food-delivery/shared/store/memstore"
	"github.com/fooddelivery/serverless-food-delivery/shared/tracking"
	"github.com/fooddelivery/serverless-food-delivery/shared/tracking/cadence"
)

// BenchmarkTrackingLocationReport is POST /couriers/me/location through the
// router, as a courier carrying an order, with the in-memory store: decode,
// schema check, validate a batch of cadence.SendEvery / cadence.RecordEvery
// fixes (bounds, age, order, speed from the last stored fix), move the courier,
// record the newest position on the order. Each request carries the next
// batch, as a device sends them (building it, about a microsecond, is timed
// too): a batch sent again would take the shorter path of a retry.
func BenchmarkTrackingLocationReport(b *testing.B) {
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo})).With("function", "bench"))
	b.Cleanup(func() { slog.SetDefault(prev) })
	// The EMF metric lines too: encoded as in production, then discarded, so that they do not land in the middle of
	// go test's result lines, which bench/gobench parses.
	prevMetrics := metrics.SetDefault(metrics.NewEmitter(io.Discard, time.Now))
	b.Cleanup(func() { metrics.SetDefault(prevMetrics) })

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
	clock := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	rt := tracking.NewRouter(tracking.NewService(s, func() time.Time { return clock }))
	perBatch := int(cadence.SendEvery / cadence.RecordEvery)
	// The API Gateway event around the body, which sits in it as a JSON string.
	head, _ := json.Marshal(map[string]any{
		"version": "2.0", "routeKey": "$default", "rawPath": "/couriers/me/location", "body": "BODY",
		"headers": map[string]string{"content-type": "application/json"},
		"requestContext": map[string]any{"requestId": "req-1", "http": map[string]string{"method": "POST", "path": "/couriers/me/location"},
			"authorizer": map[string]any{"jwt": map[string]any{"claims": map[string]any{"sub": "k1", "cognito:groups": []string{"courier"}}}}},
	})
	before, after, _ := strings.Cut(string(head), "BODY")
	buf := make([]byte, 0, 2048)
	next := func() []byte { // the next batch: fixes RecordEvery apart, the newest at the clock
		clock = clock.Add(cadence.SendEvery)
		buf = append(buf[:0], before...)
		buf = append(buf, `{\"positions\":[`...)
		for k := 0; k < perBatch; k++ {
			if k > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, `{\"lat\":52.5203,\"lng\":13.4003,\"recorded_at\":\"`...)
			buf = clock.Add(-time.Duration(perBatch-1-k)*cadence.RecordEvery).AppendFormat(buf, time.RFC3339)
			buf = append(buf, `\"}`...)
		}
		buf = append(buf, `]}`...)
		return append(buf, after...)
	}
	report := func() {
		resp, err := rt.Serve(ctx, next())
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
	if pos, err := s.GetTracking(ctx, "o-1"); err != nil || pos.Location.Lat != 52.5203 || !pos.RecordedAt.Equal(clock) {
		b.Fatalf("tracking %+v %v, want the newest fix at %s", pos, err, clock)
	}
}
