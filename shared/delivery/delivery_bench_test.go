package delivery_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fooddelivery/serverless-food-delivery/shared/delivery"
	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	domainevents "github.com/fooddelivery/serverless-food-delivery/shared/events"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/metrics"
	"github.com/fooddelivery/serverless-food-delivery/shared/queue"
	"github.com/fooddelivery/serverless-food-delivery/shared/store/memstore"
)

// BenchmarkAssignCourier50 is one PaymentConfirmed message through the SQS
// consumer and the assignment service with 50 free couriers within about
// 2 km of the pickup, in the in-memory store: decode, read the order, search
// the rings, rank, claim the nearest. Between iterations (untimed) the
// courier is released and a new paid order is stored, so every iteration
// sees the same 50 free couriers.
func BenchmarkAssignCourier50(b *testing.B) {
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo})).With("function", "bench"))
	b.Cleanup(func() { slog.SetDefault(prev) })
	// The EMF metric lines too: encoded as in production, then discarded, so that they do not land in the middle of
	// go test's result lines, which bench/gobench parses.
	prevMetrics := metrics.SetDefault(metrics.NewEmitter(io.Discard, time.Now))
	b.Cleanup(func() { metrics.SetDefault(prevMetrics) })

	ctx := context.Background()
	s := memstore.New()
	pickup := domain.LatLng{Lat: 52.5262, Lng: 13.4019}
	for i := 0; i < 50; i++ { // a spiral out to about 2 km
		angle, dist := float64(i)*2.4, 0.0004*float64(i+1)
		at := domain.LatLng{Lat: pickup.Lat + dist*math.Sin(angle), Lng: pickup.Lng + 1.6*dist*math.Cos(angle)}
		if _, err := s.CreateCourier(ctx, domain.Courier{ID: fmt.Sprintf("courier-%02d", i), Status: domain.CourierAvailable, Location: at}); err != nil {
			b.Fatal(err)
		}
	}
	handle := queue.ConsumeAttempts(delivery.NewService(s, time.Now, delivery.DefaultGiveUpAfter).HandleEvent)
	newOrder := func(i int) events.SQSEvent {
		o := domain.Order{ID: fmt.Sprintf("order-%d", i), CustomerID: "c-1", Status: domain.StatusPaid, Version: 2,
			PickupLocation: pickup, DeliveryLocation: domain.LatLng{Lat: 52.53, Lng: 13.41}, TotalMinor: 2349, Currency: "EUR"}
		if err := s.CreateOrder(ctx, o); err != nil {
			b.Fatal(err)
		}
		e, _ := domainevents.FromOrder(o)
		body, _ := json.Marshal(map[string]any{"id": "eb-" + o.ID, "detail-type": e.Type, "source": domainevents.Source, "detail": e})
		return events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m-" + o.ID, Body: string(body)}}}
	}
	release := func(i int) {
		o, err := s.GetOrder(ctx, fmt.Sprintf("order-%d", i))
		if err != nil || o.Status != domain.StatusCourierAssigned {
			b.Fatalf("order-%d: %s %v", i, o.Status, err)
		}
		o.Status, o.Version = domain.StatusDelivered, o.Version+1
		if err := s.ReleaseCourier(ctx, o, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	msg := newOrder(0)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := handle(ctx, msg)
		if err != nil || len(resp.BatchItemFailures) != 0 {
			b.Fatalf("failures %+v, err %v", resp.BatchItemFailures, err)
		}
		b.StopTimer()
		release(i)
		msg = newOrder(i + 1)
		b.StartTimer()
	}
}
