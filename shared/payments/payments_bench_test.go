package payments_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	domainevents "github.com/fooddelivery/serverless-food-delivery/shared/events"
	"github.com/fooddelivery/serverless-food-delivery/shared/payments"
	"github.com/fooddelivery/serverless-food-delivery/shared/payments/simprovider"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/metrics"
	"github.com/fooddelivery/serverless-food-delivery/shared/queue"
	"github.com/fooddelivery/serverless-food-delivery/shared/store/memstore"
)

// BenchmarkPaymentCharge is one OrderPlaced message through the SQS consumer
// and the payment service with the in-memory store, the simulated provider
// (in-memory books, no added latency) and the S3 receipt adapter over a fake
// client: decode, read the order, open the ledger entry, charge, encode the
// receipt, settle. Every iteration charges an order not charged before; the
// store is replaced (untimed) every benchPool orders.
func BenchmarkPaymentCharge(b *testing.B) {
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo})).With("function", "bench"))
	b.Cleanup(func() { slog.SetDefault(prev) })
	// The EMF metric lines too: encoded as in production, then discarded, so that they do not land in the middle of
	// go test's result lines, which bench/gobench parses.
	prevMetrics := metrics.SetDefault(metrics.NewEmitter(io.Discard, time.Now))
	b.Cleanup(func() { metrics.SetDefault(prevMetrics) })

	const benchPool = 1024
	ctx := context.Background()
	placed := make([]domain.Order, benchPool)
	msgs := make([]events.SQSEvent, benchPool)
	for i := range placed {
		o := domain.Order{ID: fmt.Sprintf("order-%04d", i), CustomerID: "c-1", RestaurantName: "R1", Status: domain.StatusPlaced, Version: 1,
			Lines:         []domain.OrderLine{{ItemID: "pizza", Name: "Pizza", Quantity: 2, UnitPrice: 950, LineTotal: 1900}},
			SubtotalMinor: 1900, DeliveryFeeMinor: 199, TotalMinor: 2099, Currency: "EUR", PaymentToken: domain.DefaultPaymentToken,
			CreatedAt: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
		e, ok := domainevents.FromOrder(o)
		if !ok {
			b.Fatal("no OrderPlaced event")
		}
		body, _ := json.Marshal(map[string]any{"id": "eb-" + o.ID, "detail-type": e.Type, "source": domainevents.Source, "detail": e})
		placed[i], msgs[i] = o, events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m-" + o.ID, Body: string(body)}}}
	}
	var s *memstore.Store
	var handle func(context.Context, events.SQSEvent) (events.SQSEventResponse, error)
	reset := func() {
		s = memstore.New()
		for _, o := range placed {
			if err := s.CreateOrder(ctx, o); err != nil {
				b.Fatal(err)
			}
		}
		provider := simprovider.New(simprovider.NewMemoryBooks(), simprovider.Config{Hang: time.Second}, time.Now)
		receipts := payments.NewS3Receipts(benchS3{}, "bench-receipts")
		handle = queue.ConsumeAttempts(payments.NewService(s, provider, receipts, time.Now).HandleEvent)
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
	if o, _ := s.GetOrder(ctx, "order-0000"); o.Status != domain.StatusPaid {
		b.Fatalf("order-0000 is %s, want PAID", o.Status)
	}
}

// benchS3 reads the receipt body, as the SDK would to send it, and accepts it.
type benchS3 struct{}

func (benchS3) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	_, err := io.Copy(io.Discard, in.Body)
	return &s3.PutObjectOutput{}, err
}
