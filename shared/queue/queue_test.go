package queue_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	domainevents "github.com/fooddelivery/serverless-food-delivery/shared/events"
	"github.com/fooddelivery/serverless-food-delivery/shared/queue"
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

type failureLog struct{ got []queue.Failure }

func (l *failureLog) RecordFailure(_ context.Context, f queue.Failure) error {
	l.got = append(l.got, f)
	return nil
}

func TestConsumeRecordsWhyAMessageFailed(t *testing.T) {
	log := &failureLog{}
	var attempts []int
	handler := queue.ConsumeAttempts(func(_ context.Context, e domainevents.Envelope, attempt int) error {
		attempts = append(attempts, attempt)
		if e.OrderID == "o-2" {
			return errors.New("order o-2: not found")
		}
		return nil
	}, queue.RecordFailures(log, "payment"))
	second := `{"detail":{"id":"evt-2","type":"OrderPlaced","order_id":"o-2"}}`
	_, err := handler(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m1", Body: goodBody, Attributes: map[string]string{"ApproximateReceiveCount": "1"}},
		{MessageId: "m2", Body: second, Attributes: map[string]string{"ApproximateReceiveCount": "3"}},
		{MessageId: "m3", Body: "not json"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(attempts) != 2 || attempts[0] != 1 || attempts[1] != 3 {
		t.Fatalf("attempts seen by the handler %v, want [1 3]", attempts)
	}
	if len(log.got) != 2 {
		t.Fatalf("failures %+v, want m2 and m3", log.got)
	}
	f := log.got[0]
	if f.MessageID != "m2" || f.Consumer != "payment" || f.OrderID != "o-2" || f.EventType != "OrderPlaced" ||
		f.EventID != "evt-2" || f.ReceiveCount != 3 || f.Reason != "order o-2: not found" || f.FailedAt.IsZero() {
		t.Fatalf("failure %+v", f)
	}
	if p := log.got[1]; p.MessageID != "m3" || p.ReceiveCount != 1 || !strings.Contains(p.Reason, "poison message") {
		t.Fatalf("poison failure %+v", p)
	}
}

func TestLongReasonsAreTruncated(t *testing.T) {
	log := &failureLog{}
	handler := queue.Consume(func(context.Context, domainevents.Envelope) error {
		return errors.New(strings.Repeat("é", queue.MaxReasonBytes))
	}, queue.RecordFailures(log, "x"))
	if _, err := handler(context.Background(), events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m", Body: goodBody}}}); err != nil {
		t.Fatal(err)
	}
	r := log.got[0].Reason
	if len(r) > queue.MaxReasonBytes+len("…") || !utf8.ValidString(r) {
		t.Fatalf("reason of %d bytes, valid UTF-8 %v", len(r), utf8.ValidString(r))
	}
}

func TestAttemptDefaultsToOne(t *testing.T) {
	var attempts []int
	handler := queue.ConsumeAttempts(func(_ context.Context, _ domainevents.Envelope, attempt int) error {
		attempts = append(attempts, attempt)
		return nil
	})
	_, _ = handler(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m1", Body: goodBody},
		{MessageId: "m2", Body: goodBody, Attributes: map[string]string{"ApproximateReceiveCount": "4"}},
	}})
	if len(attempts) != 2 || attempts[0] != 1 || attempts[1] != 4 {
		t.Fatalf("attempts %v, want [1 4]", attempts)
	}
}

// TestSuccessEncodesAnEmptyFailureList pins the wire shape: an empty list,
// never null, which MiniStack cannot iterate (it then deletes nothing).
func TestSuccessEncodesAnEmptyFailureList(t *testing.T) {
	handler := queue.Consume(func(context.Context, domainevents.Envelope) error { return nil })
	resp, _ := handler(context.Background(), events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m1", Body: goodBody}}})
	raw, _ := json.Marshal(resp)
	if string(raw) != `{"batchItemFailures":[]}` {
		t.Fatalf("response %s", raw)
	}
}
