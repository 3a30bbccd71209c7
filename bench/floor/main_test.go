package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// captureLog sends the floor's log lines to a buffer for the test.
func captureLog(t *testing.T) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	saved := log
	log = slog.New(slog.NewJSONHandler(&buf, nil))
	t.Cleanup(func() { log = saved })
	return &buf
}

// setRole plays the function with FLOOR_ROLE=r for one test.
func setRole(t *testing.T, r string) {
	t.Helper()
	saved := role
	role = r
	t.Cleanup(func() { role = saved })
}

// The floor must log as the app's consumers do, one line per message handled: MiniStack waits 50 ms for output
// after every silent invocation, which made a silent floor slower than the app (see the package comment).
func TestConsumeLogsOneLinePerMessage(t *testing.T) {
	buf := captureLog(t)
	// A detail type the floor does not forward: handled without an AWS call.
	body := `{"detail-type":"Other","detail":{"id":"x"}}`
	resp := consume(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m1", Body: body}, {MessageId: "m2", Body: body},
	}}, forward)
	if resp.BatchItemFailures == nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("batch item failures = %#v, want an empty list", resp.BatchItemFailures)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"event handled"`) || !strings.Contains(lines[1], `"m2"`) {
		t.Fatalf("log = %q, want one \"event handled\" line per message", buf.String())
	}
}

// A channel of the topology floor takes the Paid and Assigned events the assignment also gets, and must not write
// anything (the assignment's write is the measured one): it logs one line per message and calls nothing (the
// clients are nil in this test, so a call would panic).
func TestChannelHandlesWithoutWriting(t *testing.T) {
	buf := captureLog(t)
	setRole(t, roleChannel)
	raw, _ := json.Marshal(events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m1", EventSource: "aws:sqs", Body: `{"detail-type":"FloorPaid","detail":{"id":"o1"}}`},
		{MessageId: "m2", EventSource: "aws:sqs", Body: `{"detail-type":"FloorAssigned","detail":{"id":"o1"}}`},
	}})
	out, err := handle(context.Background(), raw)
	if err != nil {
		t.Fatal(err)
	}
	if resp, ok := out.(events.SQSEventResponse); !ok || resp.BatchItemFailures == nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("response = %#v, want no batch item failure (an empty list)", out)
	}
	if n := strings.Count(buf.String(), `"event handled"`); n != 2 {
		t.Fatalf("log = %q, want 2 \"event handled\" lines", buf.String())
	}
}

// The topology floor's push is invoked for order statuses as realtime-push is: it logs realtime-push's line and calls
// nothing.
func TestStatusPushLogsAndCallsNothing(t *testing.T) {
	buf := captureLog(t)
	setRole(t, roleStatusPush)
	raw := []byte(`{"Records":[{"eventSource":"aws:dynamodb","eventName":"MODIFY","dynamodb":{"Keys":{"PK":{"S":"o1"}},"NewImage":{"PK":{"S":"o1"},"type":{"S":"order"},"status":{"S":"PAID"}}}}]}`)
	out, err := handle(context.Background(), raw)
	if err != nil {
		t.Fatal(err)
	}
	if resp, ok := out.(events.DynamoDBEventResponse); !ok || resp.BatchItemFailures == nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("response = %#v, want no batch item failure (an empty list)", out)
	}
	if !strings.Contains(buf.String(), `"msg":"pushed"`) || !strings.Contains(buf.String(), `"records":1`) {
		t.Fatalf("log = %q, want one \"pushed\" line with the record count", buf.String())
	}
}

// The topology floor's publisher also publishes ASSIGNED items (the app's CourierAssigned, which its channels get);
// the plain floor's does not.
func TestAssignedIsPublishedOnlyInTheTopologyFloor(t *testing.T) {
	rec := func(pk, status string) events.DynamoDBEventRecord {
		return events.DynamoDBEventRecord{Change: events.DynamoDBStreamRecord{
			Keys:     map[string]events.DynamoDBAttributeValue{"PK": events.NewStringAttribute(pk)},
			NewImage: map[string]events.DynamoDBAttributeValue{"status": events.NewStringAttribute(status)},
		}}
	}
	records := []events.DynamoDBEventRecord{rec("a", "PLACED"), rec("b", "PAID"), rec("c", "ASSIGNED")}
	types := func() []string {
		var out []string
		for _, e := range toEvents(records) {
			out = append(out, *e.DetailType+" "+*e.Detail)
		}
		return out
	}
	saved := publishAssigned
	t.Cleanup(func() { publishAssigned = saved })
	publishAssigned = false
	if got := strings.Join(types(), "; "); got != `FloorPlaced {"id":"a"}; FloorPaid {"id":"b"}` {
		t.Errorf("plain floor publishes %s", got)
	}
	publishAssigned = true
	if got := strings.Join(types(), "; "); got != `FloorPlaced {"id":"a"}; FloorPaid {"id":"b"}; FloorAssigned {"id":"c"}` {
		t.Errorf("topology floor publishes %s", got)
	}
}

// The topology floor's payment waits the simulated provider's latency before its write: a context that ends
// sooner ends the wait, and nothing is written (the client is nil here, so a write would panic).
func TestPaymentWaitsTheProviderLatency(t *testing.T) {
	saved := providerLatency
	t.Cleanup(func() { providerLatency = saved })
	providerLatency = 200 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := forward(ctx, `{"detail-type":"FloorPlaced","detail":{"id":"o1"}}`)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("forward = %v, want the context's deadline while waiting", err)
	}
	if took := time.Since(start); took < 20*time.Millisecond || took > 150*time.Millisecond {
		t.Fatalf("forward took %s, want it to wait until the 20 ms deadline", took)
	}
	start = time.Now()
	if err := wait(context.Background(), 30*time.Millisecond); err != nil || time.Since(start) < 30*time.Millisecond {
		t.Fatalf("wait 30ms = %v after %s, want nil after 30 ms at least", err, time.Since(start))
	}
}
