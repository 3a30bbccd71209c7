package metrics

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

var at = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func decode(t *testing.T, line string) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(line), &doc); err != nil {
		t.Fatalf("not one JSON object: %q: %v", line, err)
	}
	return doc
}

// TestEMFLineShape checks a line against the EMF specification's structure: _aws.Timestamp in ms,
// one directive with the namespace, its dimension names present as root members, and every metric's
// value a root member.
func TestEMFLineShape(t *testing.T) {
	var buf bytes.Buffer
	e := NewEmitter(&buf, func() time.Time { return at })
	e.Business([]Metric{{OrdersPaid, Count, 1}, {RevenueMinor, None, 2749}}, map[string]any{"order_id": "o-1"})
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 1 {
		t.Fatalf("want one line, got %q", buf.String())
	}
	doc := decode(t, lines[0])
	meta := doc["_aws"].(map[string]any)
	if meta["Timestamp"].(float64) != float64(at.UnixMilli()) {
		t.Errorf("Timestamp %v", meta["Timestamp"])
	}
	dirs := meta["CloudWatchMetrics"].([]any)
	if len(dirs) != 1 {
		t.Fatalf("directives: %v", dirs)
	}
	dir := dirs[0].(map[string]any)
	if dir["Namespace"] != Namespace {
		t.Errorf("Namespace %v", dir["Namespace"])
	}
	dims := dir["Dimensions"].([]any)
	if len(dims) != 1 || len(dims[0].([]any)) != 1 || dims[0].([]any)[0] != "Service" || doc["Service"] != ServiceName {
		t.Errorf("dimensions %v, Service=%v", dims, doc["Service"])
	}
	want := map[string]string{OrdersPaid: "Count", RevenueMinor: "None"}
	for _, m := range dir["Metrics"].([]any) {
		def := m.(map[string]any)
		name := def["Name"].(string)
		if want[name] != def["Unit"] {
			t.Errorf("metric %s unit %v, want %s", name, def["Unit"], want[name])
		}
		delete(want, name)
	}
	if len(want) != 0 {
		t.Errorf("metrics missing from the directive: %v", want)
	}
	if doc[OrdersPaid] != 1.0 || doc[RevenueMinor] != 2749.0 || doc["order_id"] != "o-1" {
		t.Errorf("values: %v", doc)
	}
}

func TestDurationIsPerFunctionAndEventType(t *testing.T) {
	var buf bytes.Buffer
	e := NewEmitter(&buf, func() time.Time { return at })
	e.SetFunction("payment")
	e.Duration("OrderPlaced", 1500*time.Microsecond, nil)
	doc := decode(t, buf.String())
	dims := doc["_aws"].(map[string]any)["CloudWatchMetrics"].([]any)[0].(map[string]any)["Dimensions"].([]any)[0].([]any)
	if len(dims) != 2 || dims[0] != "Function" || dims[1] != "EventType" {
		t.Fatalf("dimensions %v", dims)
	}
	if doc["Function"] != "payment" || doc["EventType"] != "OrderPlaced" || doc[HandlerDuration] != 1.5 {
		t.Fatalf("line %v", doc)
	}
}

func TestFlushWritesTheInvocationsCountsOnceAndResets(t *testing.T) {
	var buf bytes.Buffer
	e := NewEmitter(&buf, func() time.Time { return at })
	e.SetFunction("notification")
	e.Flush(nil)
	if buf.Len() != 0 {
		t.Fatalf("nothing counted must write nothing, wrote %q", buf.String())
	}
	e.Add(AWSCalls, 1)
	e.Add(AWSCalls, 2)
	e.Add(DuplicatesIgnored, 1)
	e.Flush(map[string]any{"request_id": "r-1"})
	doc := decode(t, buf.String())
	if doc[AWSCalls] != 3.0 || doc[DuplicatesIgnored] != 1.0 || doc["Function"] != "notification" || doc["request_id"] != "r-1" {
		t.Fatalf("flushed %v", doc)
	}
	buf.Reset()
	e.Flush(nil)
	if buf.Len() != 0 {
		t.Fatalf("a second flush wrote %q", buf.String())
	}
}
