package publisher_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	domainevents "github.com/fooddelivery/serverless-food-delivery/shared/events"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/metrics"
	"github.com/fooddelivery/serverless-food-delivery/shared/publisher"
)

const orderTrace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00000000000000a2-01"

func tracedImage(status, version, updatedAt string) map[string]events.DynamoDBAttributeValue {
	img := orderImage("o-1", status, version)
	img["trace_parent"] = s(orderTrace)
	img["updated_at"] = s(updatedAt)
	return img
}

// TestPublishedEventsCarryTheTraceAndMakeTheBusinessMetrics: every event carries the order's traceparent, and
// each published status change writes its business metrics once, under the Service dimension only, with the
// order id and trace id as properties (never dimensions).
func TestPublishedEventsCarryTheTraceAndMakeTheBusinessMetrics(t *testing.T) {
	var emf bytes.Buffer
	old := metrics.SetDefault(metrics.NewEmitter(&emf, time.Now))
	defer metrics.SetDefault(old)
	metrics.Default().SetFunction("stream-publisher")
	bus := &fakeBus{}
	h := publisher.NewHandler(bus)
	placed := tracedImage("PLACED", "1", "2026-11-23T12:00:00Z")
	paid := tracedImage("PAID", "2", "2026-11-23T12:00:01Z")
	delivered := tracedImage("DELIVERED", "5", "2026-11-23T12:25:00Z")
	pickedUp := tracedImage("PICKED_UP", "4", "2026-11-23T12:10:00Z")
	_, _ = h.Handle(context.Background(), events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
		record("1", "INSERT", nil, placed),
		record("2", "MODIFY", placed, paid),
		record("3", "MODIFY", pickedUp, delivered),
	}})
	for _, e := range bus.published {
		if e.TraceParent != orderTrace {
			t.Errorf("%s carries traceparent %q, want the order's", e.Type, e.TraceParent)
		}
	}
	got := map[string]float64{}
	for _, line := range strings.Split(strings.TrimSpace(emf.String()), "\n") {
		var doc map[string]any
		if err := json.Unmarshal([]byte(line), &doc); err != nil {
			t.Fatalf("EMF line %q: %v", line, err)
		}
		dir := doc["_aws"].(map[string]any)["CloudWatchMetrics"].([]any)[0].(map[string]any)
		dims := dir["Dimensions"].([]any)[0].([]any)
		if doc["Service"] == nil { // the batch's HandlerDuration
			if doc["EventType"] != publisher.StreamBatch {
				t.Errorf("unexpected line %s", line)
			}
			continue
		}
		if len(dims) != 1 || dims[0] != "Service" || doc["order_id"] != "o-1" || doc["trace_id"] != "4bf92f3577b34da6a3ce929d0e0e4736" {
			t.Errorf("business line %s", line)
		}
		for _, m := range dir["Metrics"].([]any) {
			name := m.(map[string]any)["Name"].(string)
			got[name] += doc[name].(float64)
		}
	}
	want := map[string]float64{
		metrics.OrdersPlaced: 1, metrics.OrdersPaid: 1, metrics.RevenueMinor: 2099,
		metrics.OrdersDelivered: 1, metrics.PlacedToDelivered: (25 * time.Minute).Seconds() * 1000,
	}
	if len(got) != len(want) {
		t.Fatalf("business metrics %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
}

type recordingPutEvents struct{ in *eventbridge.PutEventsInput }

func (c *recordingPutEvents) PutEvents(_ context.Context, in *eventbridge.PutEventsInput, _ ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error) {
	c.in = in
	return &eventbridge.PutEventsOutput{Entries: make([]ebtypes.PutEventsResultEntry, len(in.Entries))}, nil
}

// TestBusHandsTheTraceToEventBridge: the X-Ray form of the order's trace goes in PutEvents' TraceHeader, which
// EventBridge passes on to its SQS targets when tracing is active.
func TestBusHandsTheTraceToEventBridge(t *testing.T) {
	client := &recordingPutEvents{}
	bus := publisher.NewEventBridgeBus(client, "food-delivery")
	evt := domainevents.Envelope{ID: "e-1", Type: domainevents.OrderPlaced, OrderID: "o-1", TraceParent: orderTrace}
	if _, err := bus.Publish(context.Background(), []domainevents.Envelope{evt}); err != nil {
		t.Fatal(err)
	}
	got := client.in.Entries[0].TraceHeader
	if got == nil || *got != "Root=1-4bf92f35-77b34da6a3ce929d0e0e4736;Parent=00000000000000a2;Sampled=1" {
		t.Fatalf("TraceHeader %v", got)
	}
}
