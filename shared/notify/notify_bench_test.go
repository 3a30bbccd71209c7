package notify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	domainevents "github.com/fooddelivery/serverless-food-delivery/shared/events"
	"github.com/fooddelivery/serverless-food-delivery/shared/notify"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/metrics"
	"github.com/fooddelivery/serverless-food-delivery/shared/queue"
	"github.com/fooddelivery/serverless-food-delivery/shared/store/memstore"
)

// BenchmarkNotification is one customer-facing event (PaymentConfirmed)
// through the SQS consumer and the inbox channel with the in-memory store:
// decode, claim, read preferences and the order, render the message from its
// templates, record it once. Every iteration
// delivers an event not seen before; the store is replaced (untimed) every
// benchPool events so that it does not grow without bound.
func BenchmarkNotification(b *testing.B) {
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo})).With("function", "bench"))
	b.Cleanup(func() { slog.SetDefault(prev) })
	// The EMF metric lines too: encoded as in production, then discarded, so that they do not land in the middle of
	// go test's result lines, which bench/gobench parses.
	prevMetrics := metrics.SetDefault(metrics.NewEmitter(io.Discard, time.Now))
	b.Cleanup(func() { metrics.SetDefault(prevMetrics) })

	const benchPool = 1024
	msgs := make([]events.SQSEvent, benchPool)
	orders := make([]domain.Order, benchPool)
	for i := range msgs {
		o := domain.Order{ID: fmt.Sprintf("order-%04d", i), CustomerID: "c-1", Status: domain.StatusPaid, Version: 2,
			RestaurantName: "Sakura Sushi", Lines: []domain.OrderLine{{ItemID: "roll", Name: "California roll", Quantity: 2}},
			TotalMinor: 2349, Currency: "EUR", UpdatedAt: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
		orders[i] = o
		e, ok := domainevents.FromOrder(o)
		if !ok || !notify.CustomerFacing(e.Type) {
			b.Fatalf("%s is not customer-facing", e.Type)
		}
		body, _ := json.Marshal(map[string]any{"id": "eb-" + o.ID, "detail-type": e.Type, "source": domainevents.Source, "detail": e})
		msgs[i] = events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m-" + o.ID, Body: string(body)}}}
	}
	ctx := context.Background()
	var s *memstore.Store
	var handle func(context.Context, events.SQSEvent) (events.SQSEventResponse, error)
	reset := func() {
		s = memstore.New()
		for _, o := range orders {
			if err := s.CreateOrder(ctx, o); err != nil {
				b.Fatal(err)
			}
		}
		svc := notify.NewService(domain.ChannelInbox, s, notify.Inbox{W: s, Now: time.Now}, notify.Render, time.Minute, time.Now)
		handle = queue.Consume(svc.HandleEvent)
	}
	reset()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i > 0 && i%benchPool == 0 {
			b.StopTimer()
			reset()
			b.StartTimer()
		}
		resp, err := handle(ctx, msgs[i%benchPool])
		if err != nil || len(resp.BatchItemFailures) != 0 {
			b.Fatalf("failures %+v, err %v", resp.BatchItemFailures, err)
		}
	}
	b.StopTimer()
	if got, _ := s.ListNotifications(ctx, "order-0000"); len(got) != 1 {
		b.Fatalf("%d notifications of order-0000, want 1", len(got))
	}
}
