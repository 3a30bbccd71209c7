package queue_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	domainevents "github.com/fooddelivery/serverless-food-delivery/shared/events"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/queue"
)

const goodBody = `{"version":"0","id":"eb-1","detail-type":"OrderPlaced","source":"food-delivery.orders",
	"detail":{"id":"evt-1","type":"OrderPlaced","version":"1","occurred_at":"2026-11-23T12:00:00Z",
	"order_id":"o-1","correlation_id":"o-1","data":{"status":"PLACED","customer_id":"c-1","total_minor":100}}}`

func TestConsumeReportsOnlyTheFailedMessages(t *testing.T) {
	var handled []string
	handler := queue.Consume(func(_ context.Context, e domainevents.Envelope) error {
		handled = append(handled, e.ID)
		if e.OrderID == "o-2" {
			return errors.New("transient")
		}
		return nil
	})
	second := `{"detail":{"id":"evt-2","type":"OrderPlaced","order_id":"o-2"}}`
	resp, err := handler(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m1", Body: goodBody},
		{MessageId: "m2", Body: second},
		{MessageId: "m3", Body: "not json"},
		{MessageId: "m4", Body: `{"detail":{"id":"evt-4"}}`},
	}})
	if err != nil {
		t.Fatal(err)
	}
	var failed []string
	for _, f := range resp.BatchItemFailures {
		failed = append(failed, f.ItemIdentifier)
	}
	if len(failed) != 3 || failed[0] != "m2" || failed[1] != "m3" || failed[2] != "m4" {
		t.Fatalf("failed %v, want m2 (handler error) and m3, m4 (poison)", failed)
	}
	if len(handled) != 2 || handled[0] != "evt-1" {
		t.Fatalf("handled %v", handled)
	}
}

func TestDecodeMarksPoison(t *testing.T) {
	if _, err := queue.Decode("{"); !errors.Is(err, queue.ErrPoison) {
		t.Fatalf("err %v", err)
	}
	e, err := queue.Decode(goodBody)
	if err != nil || e.Data.CustomerID != "c-1" || e.Data.TotalMinor != 100 {
		t.Fatalf("envelope %+v err %v", e, err)
	}
}
