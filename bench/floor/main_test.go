package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// The floor must log as the app's consumers do, one line per message handled: MiniStack waits 50 ms for output
// after every silent invocation, which made a silent floor slower than the app (see the package comment).
func TestConsumeLogsOneLinePerMessage(t *testing.T) {
	var buf bytes.Buffer
	saved := log
	log = slog.New(slog.NewJSONHandler(&buf, nil))
	t.Cleanup(func() { log = saved })

	// A detail type the floor does not forward: handled without an AWS call.
	body := `{"detail-type":"Other","detail":{"id":"x"}}`
	resp := consume(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m1", Body: body}, {MessageId: "m2", Body: body},
	}})
	if resp.BatchItemFailures == nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("batch item failures = %#v, want an empty list", resp.BatchItemFailures)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"event handled"`) || !strings.Contains(lines[1], `"m2"`) {
		t.Fatalf("log = %q, want one \"event handled\" line per message", buf.String())
	}
}
