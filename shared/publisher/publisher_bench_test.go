package publisher_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/metrics"
	"github.com/fooddelivery/serverless-food-delivery/shared/publisher"
	"github.com/fooddelivery/serverless-food-delivery/shared/store"
)

// BenchmarkStreamPublisherBatch10 is one stream batch of 10 order status
// changes (PLACED -> PAID) through the handler and our EventBridge adapter,
// whose client is a fake that accepts every entry: decoding the images,
// building the envelopes, encoding the details, one PutEvents.
func BenchmarkStreamPublisherBatch10(b *testing.B) {
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo})).With("function", "bench"))
	b.Cleanup(func() { slog.SetDefault(prev) })
	// The EMF metric lines too: encoded as in production, then discarded, so that they do not land in the middle of
	// go test's result lines, which bench/gobench parses.
	prevMetrics := metrics.SetDefault(metrics.NewEmitter(io.Discard, time.Now))
	b.Cleanup(func() { metrics.SetDefault(prevMetrics) })

	batch := events.DynamoDBEvent{}
	for i := 0; i < 10; i++ {
		oldImage, newImage := benchOrderImages(b, fmt.Sprintf("order-%02d", i))
		batch.Records = append(batch.Records, events.DynamoDBEventRecord{EventName: "MODIFY", Change: events.DynamoDBStreamRecord{
			SequenceNumber: fmt.Sprint(1000 + i), OldImage: oldImage, NewImage: newImage, StreamViewType: "NEW_AND_OLD_IMAGES",
		}})
	}
	client := &benchPutEvents{}
	h := publisher.NewHandler(publisher.NewEventBridgeBus(client, "bench-bus"))
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := h.Handle(ctx, batch)
		if err != nil || len(resp.BatchItemFailures) != 0 {
			b.Fatalf("failures %+v, err %v", resp.BatchItemFailures, err)
		}
	}
	b.StopTimer()
	if client.entries != 10*b.N {
		b.Fatalf("%d entries published in %d batches, want 10 each", client.entries, b.N)
	}
}

// benchPutEvents accepts every entry.
type benchPutEvents struct{ entries int }

func (c *benchPutEvents) PutEvents(_ context.Context, in *eventbridge.PutEventsInput, _ ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error) {
	c.entries += len(in.Entries)
	return &eventbridge.PutEventsOutput{Entries: make([]ebtypes.PutEventsResultEntry, len(in.Entries))}, nil
}

// benchOrderImages returns the stream images of an order before and after
// payment, as the DynamoDB store writes them (captured from its PutItem calls,
// so they follow the store's item format whatever it becomes).
func benchOrderImages(b *testing.B, id string) (oldImage, newImage map[string]events.DynamoDBAttributeValue) {
	b.Helper()
	loc := domain.LatLng{Lat: 52.521, Lng: 13.401}
	menu := domain.Menu{
		Restaurant: domain.Restaurant{ID: "r1", Name: "R1", Location: domain.LatLng{Lat: 52.52, Lng: 13.40}},
		Items: []domain.MenuItem{
			{ID: "pizza", Name: "Pizza", PriceMinor: 950, Available: true},
			{ID: "soup", Name: "Soup", PriceMinor: 450, Available: true},
		},
	}
	menu.Restaurant.TimeZone = "UTC"
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		menu.Restaurant.Hours = append(menu.Restaurant.Hours, domain.OpeningHours{Day: d, Open: "00:00", Close: "24:00"})
	}
	req := domain.PlaceOrderRequest{RestaurantID: "r1", DeliveryLocation: &loc, DeliveryAddress: "Rosenthaler Str. 1",
		Items: []domain.RequestedItem{{ItemID: "pizza", Quantity: 2}, {ItemID: "soup", Quantity: 1}}}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	order, err := domain.NewOrder(id, "customer-1", req, menu, now)
	if err != nil {
		b.Fatal(err)
	}
	db := &benchCaptureDB{}
	table := store.New(db, "bench-table")
	ctx := context.Background()
	if err := table.CreateOrder(ctx, order); err != nil {
		b.Fatal(err)
	}
	if err := order.Transition(domain.StatusPaid, "evt-placed", now.Add(time.Second)); err != nil {
		b.Fatal(err)
	}
	if err := table.UpdateOrder(ctx, order); err != nil {
		b.Fatal(err)
	}
	if len(db.items) != 2 {
		b.Fatalf("captured %d writes, want 2", len(db.items))
	}
	return benchStreamImage(b, db.items[0]), benchStreamImage(b, db.items[1])
}

// benchCaptureDB records the items the store puts; any other call panics
// (the embedded interface is nil).
type benchCaptureDB struct {
	store.DynamoDBAPI
	items []map[string]types.AttributeValue
}

func (d *benchCaptureDB) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	d.items = append(d.items, in.Item)
	return &dynamodb.PutItemOutput{}, nil
}

func benchStreamImage(b *testing.B, item map[string]types.AttributeValue) map[string]events.DynamoDBAttributeValue {
	image, err := store.StreamImage(item)
	if err != nil {
		b.Fatal(err)
	}
	return image
}
