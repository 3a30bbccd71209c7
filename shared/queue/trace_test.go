package queue_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	domainevents "github.com/fooddelivery/serverless-food-delivery/shared/events"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/logging"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/metrics"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/tracecontext"
	"github.com/fooddelivery/serverless-food-delivery/shared/queue"
	"github.com/fooddelivery/serverless-food-delivery/shared/store/memstore"
)

// TestConsumerContinuesTheOrdersTrace: the consumer's log lines carry the envelope's trace id, the order version it
// writes keeps that trace id and names the consumer's span as its parent, and each message's handling time is a
// HandlerDuration metric of its event type; failed messages count as batch item failures.
func TestConsumerContinuesTheOrdersTrace(t *testing.T) {
	var logs, emf bytes.Buffer
	logging.SetupTo(&logs, "payment")
	old := metrics.SetDefault(metrics.NewEmitter(&emf, time.Now))
	defer metrics.SetDefault(old)
	metrics.Default().SetFunction("payment")

	const tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00000000000000a1-01"
	store := memstore.New()
	ctx := context.Background()
	order := domain.Order{ID: "o-1", Status: domain.StatusPlaced, Version: 1, TraceParent: tp}
	if err := store.CreateOrder(tracecontext.With(ctx, mustParse(t, tp)), order); err != nil {
		t.Fatal(err)
	}
	body := `{"detail":{"id":"evt-1","type":"OrderPlaced","version":"1","order_id":"o-1","correlation_id":"o-1","traceparent":"` + tp + `"}}`
	handler := queue.Consume(func(ctx context.Context, e domainevents.Envelope) error {
		if e.OrderID == "o-2" {
			return errors.New("transient")
		}
		o, err := store.GetOrder(ctx, e.OrderID)
		if err != nil {
			return err
		}
		if err := o.Transition(domain.StatusPaid, e.ID, time.Now()); err != nil {
			return err
		}
		logging.From(ctx).Info("charged")
		return store.UpdateOrder(ctx, o)
	})
	resp, _ := handler(ctx, events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m1", Body: body},
		{MessageId: "m2", Body: `{"detail":{"id":"evt-2","type":"OrderCancelled","order_id":"o-2"}}`}}})
	if len(resp.BatchItemFailures) != 1 {
		t.Fatalf("failures %v", resp.BatchItemFailures)
	}

	charged := lineWith(t, logs.String(), "msg", "charged")
	if charged["trace_id"] != "4bf92f3577b34da6a3ce929d0e0e4736" || charged["correlation_id"] != "o-1" {
		t.Fatalf("consumer log line %v", charged)
	}
	spanID, _ := charged["span_id"].(string)
	if len(spanID) != 16 || spanID == "00000000000000a1" {
		t.Fatalf("span_id %q: want a new span of this delivery", spanID)
	}
	paid, _ := store.GetOrder(ctx, "o-1")
	if paid.TraceParent != "00-4bf92f3577b34da6a3ce929d0e0e4736-"+spanID+"-01" {
		t.Fatalf("written version's traceparent %q, want the order's trace under span %s", paid.TraceParent, spanID)
	}
	// An event without a traceparent (published before they existed) still joins its order's derived trace.
	failed := lineWith(t, logs.String(), "msg", "event not handled; it will be retried")
	if failed["trace_id"] != tracecontext.ForOrder("o-2").TraceIDString() {
		t.Fatalf("trace of an event without traceparent: %v", failed)
	}

	var durations []string
	for _, line := range strings.Split(strings.TrimSpace(emf.String()), "\n") {
		var doc map[string]any
		if err := json.Unmarshal([]byte(line), &doc); err != nil {
			t.Fatalf("EMF line %q: %v", line, err)
		}
		if v, ok := doc[metrics.HandlerDuration].(float64); ok && v >= 0 && doc["Function"] == "payment" {
			durations = append(durations, doc["EventType"].(string))
		}
	}
	if strings.Join(durations, ",") != "OrderPlaced,OrderCancelled" {
		t.Fatalf("HandlerDuration lines by event type: %v in %s", durations, emf.String())
	}
	emf.Reset()
	metrics.Default().Flush(nil)
	var counts map[string]any
	if err := json.Unmarshal(emf.Bytes(), &counts); err != nil {
		t.Fatalf("EMF line %q: %v", emf.String(), err)
	}
	if counts[metrics.BatchItemFailures] != 1.0 {
		t.Fatalf("batch failures counted: %v", counts)
	}
}

func mustParse(t *testing.T, tp string) tracecontext.SpanContext {
	t.Helper()
	sc, ok := tracecontext.Parse(tp)
	if !ok {
		t.Fatalf("bad traceparent %q", tp)
	}
	return sc
}

func lineWith(t *testing.T, logs, key, value string) map[string]any {
	t.Helper()
	for _, line := range strings.Split(logs, "\n") {
		var l map[string]any
		if json.Unmarshal([]byte(line), &l) == nil && l[key] == value {
			return l
		}
	}
	t.Fatalf("no line with %s=%q in %s", key, value, logs)
	return nil
}
