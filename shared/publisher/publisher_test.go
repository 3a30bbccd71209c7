package publisher_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	domainevents "github.com/fooddelivery/serverless-food-delivery/shared/events"
	"github.com/fooddelivery/serverless-food-delivery/shared/publisher"
)

// fakeBus records published events; rejectID makes the bus refuse one event.
type fakeBus struct {
	published []domainevents.Envelope
	rejectID  string
	down      bool
}

func (b *fakeBus) Publish(_ context.Context, evts []domainevents.Envelope) ([]error, error) {
	if b.down {
		return nil, errors.New("bus unavailable")
	}
	results := make([]error, len(evts))
	for i, e := range evts {
		if e.ID == b.rejectID {
			results[i] = errors.New("InternalFailure")
			continue
		}
		b.published = append(b.published, e)
	}
	return results, nil
}

func s(v string) events.DynamoDBAttributeValue { return events.NewStringAttribute(v) }
func n(v string) events.DynamoDBAttributeValue { return events.NewNumberAttribute(v) }

// orderImage is an order item as the stream carries it.
func orderImage(id, status string, version string) map[string]events.DynamoDBAttributeValue {
	return map[string]events.DynamoDBAttributeValue{
		"PK": s("ORDER#" + id), "SK": s("ORDER"), "type": s("order"),
		"order_id": s(id), "customer_id": s("c-1"), "restaurant_id": s("r-1"), "restaurant_name": s("R"),
		"pickup_lat": n("52.5"), "pickup_lng": n("13.4"), "delivery_lat": n("52.51"), "delivery_lng": n("13.41"),
		"lines": events.NewListAttribute([]events.DynamoDBAttributeValue{events.NewMapAttribute(map[string]events.DynamoDBAttributeValue{
			"item_id": s("pizza"), "name": s("Pizza"), "quantity": n("2"), "unit_price_minor": n("950"), "line_total_minor": n("1900"),
		})}),
		"subtotal_minor": n("1900"), "delivery_fee_minor": n("199"), "total_minor": n("2099"), "currency": s("EUR"),
		"status": s(status), "correlation_id": s(id), "causation_id": s("evt-0"), "version": n(version),
		"created_at": s("2026-11-23T12:00:00Z"), "updated_at": s("2026-11-23T12:00:01Z"),
	}
}

func record(seq, name string, oldImage, newImage map[string]events.DynamoDBAttributeValue) events.DynamoDBEventRecord {
	return events.DynamoDBEventRecord{EventName: name, Change: events.DynamoDBStreamRecord{
		SequenceNumber: seq, OldImage: oldImage, NewImage: newImage,
	}}
}

func TestStatusChangesBecomeEventsWithStableIDs(t *testing.T) {
	bus := &fakeBus{}
	h := publisher.NewHandler(bus)
	notification := map[string]events.DynamoDBAttributeValue{"PK": s("ORDER#o-1"), "SK": s("NOTIFICATION#x"), "type": s("notification")}
	batch := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
		record("1", "INSERT", nil, orderImage("o-1", "PLACED", "1")),
		record("2", "MODIFY", orderImage("o-1", "PLACED", "1"), orderImage("o-1", "PAID", "2")),
		record("3", "INSERT", nil, notification),                                              // not an order
		record("4", "MODIFY", orderImage("o-1", "PAID", "2"), orderImage("o-1", "PAID", "3")), // status unchanged
		record("5", "REMOVE", orderImage("o-1", "PAID", "3"), nil),                            // removal
	}}
	resp, err := h.Handle(context.Background(), batch)
	if raw, _ := json.Marshal(resp); err != nil || string(raw) != `{"batchItemFailures":[]}` {
		t.Fatalf("resp %s err %v: want an empty list, never null", raw, err)
	}
	if len(bus.published) != 2 {
		t.Fatalf("published %d events, want 2: %+v", len(bus.published), bus.published)
	}
	placed, paid := bus.published[0], bus.published[1]
	if placed.Type != domainevents.OrderPlaced || paid.Type != domainevents.PaymentConfirmed {
		t.Fatalf("types %s, %s", placed.Type, paid.Type)
	}
	if paid.ID != domainevents.EventID("o-1", 2) || paid.CausationID != "evt-0" || paid.CorrelationID != "o-1" {
		t.Fatalf("envelope %+v", paid)
	}
	if paid.Data.TotalMinor != 2099 || paid.Data.CustomerID != "c-1" || paid.Data.PickupLocation != (domain.LatLng{Lat: 52.5, Lng: 13.4}) {
		t.Fatalf("data %+v", paid.Data)
	}
	if want := time.Date(2026, 11, 23, 12, 0, 1, 0, time.UTC); !paid.OccurredAt.Equal(want) {
		t.Fatalf("occurred_at %v", paid.OccurredAt)
	}
	// Redelivery of the same records republishes the same ids.
	bus.published = nil
	_, _ = h.Handle(context.Background(), batch)
	if bus.published[1].ID != paid.ID {
		t.Fatal("event ids must be stable across redelivery")
	}
}

func TestFailuresReportTheFirstUnpublishedRecord(t *testing.T) {
	batch := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
		record("10", "INSERT", nil, orderImage("o-1", "PLACED", "1")),
		record("11", "INSERT", nil, orderImage("o-2", "PLACED", "1")),
		record("12", "INSERT", nil, orderImage("o-3", "PLACED", "1")),
	}}
	bus := &fakeBus{rejectID: domainevents.EventID("o-2", 1)}
	resp, _ := publisher.NewHandler(bus).Handle(context.Background(), batch)
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "11" {
		t.Fatalf("failures %+v, want the rejected record 11", resp.BatchItemFailures)
	}
	resp, _ = publisher.NewHandler(&fakeBus{down: true}).Handle(context.Background(), batch)
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "10" {
		t.Fatalf("failures %+v, want the first record", resp.BatchItemFailures)
	}
	bad := orderImage("o-4", "PLACED", "1")
	bad["version"] = s("not a number")
	batch.Records = append(batch.Records[:1], record("13", "INSERT", nil, bad))
	bus = &fakeBus{}
	resp, _ = publisher.NewHandler(bus).Handle(context.Background(), batch)
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "13" || len(bus.published) != 1 {
		t.Fatalf("undecodable record: failures %+v, published %d", resp.BatchItemFailures, len(bus.published))
	}
}
