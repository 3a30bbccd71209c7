package events_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/events"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/tracecontext"
	"github.com/fooddelivery/serverless-food-delivery/shared/queue"
)

var update = flag.Bool("update", false, "rewrite events/samples from the producer")

const eventsDir = "../../events"

// sampleOrder is the order every sample event is made from.
func sampleOrder(status domain.Status, version int) domain.Order {
	o := domain.Order{
		ID: "7c0e9b7a-3f1d-4a53-9d0e-2b8f1c6a4e10", CustomerID: "4f6a2c1e-8b7d-4e3a-9c5f-1d2e3f4a5b6c",
		RestaurantID: "trattoria-roma", PickupLocation: domain.LatLng{Lat: 52.5262, Lng: 13.4019},
		DeliveryLocation: domain.LatLng{Lat: 52.5301, Lng: 13.412}, TotalMinor: 2749, Currency: "EUR",
		Status: status, Version: version, CorrelationID: "7c0e9b7a-3f1d-4a53-9d0e-2b8f1c6a4e10",
		UpdatedAt: time.Date(2026, 11, 23, 12, 0, version, 0, time.UTC),
		// One trace for the order; each version names the span that wrote it.
		TraceParent: fmt.Sprintf("00-4bf92f3577b34da6a3ce929d0e0e4736-%016x-01", 0xa0+version),
	}
	if version > 1 {
		o.CausationID = events.EventID(o.ID, version-1)
	}
	switch status {
	case domain.StatusCourierAssigned, domain.StatusPickedUp, domain.StatusDelivered:
		o.CourierID = "0b9d8c7e-6f5a-4b3c-8d2e-1f0a9b8c7d6e"
		o.ETA = time.Date(2026, 11, 23, 12, 19, 37, 0, time.UTC)
	}
	return o
}

var lifecycle = []domain.Status{
	domain.StatusPlaced, domain.StatusPaid, domain.StatusCourierAssigned, domain.StatusPickedUp,
	domain.StatusDelivered, domain.StatusPaymentFailed, domain.StatusCancelled, domain.StatusRefunded,
	domain.StatusNoCourier,
}

func compile(t *testing.T, eventType string) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	for _, name := range []string{"envelope", eventType} {
		path := filepath.Join(eventsDir, "schemas", name+".schema.json")
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		id := "https://food-delivery.example/events/" + name + ".schema.json"
		if err := c.AddResource(id, doc); err != nil {
			t.Fatal(err)
		}
	}
	s, err := c.Compile("https://food-delivery.example/events/" + eventType + ".schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validate(t *testing.T, schema *jsonschema.Schema, raw []byte) error {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return schema.Validate(doc)
}

// TestProducedEventsMatchSchemasAndSamples builds every event type the way the
// stream publisher does, validates it against its schema, and compares it with
// the committed sample, so schemas, samples and code cannot drift apart.
func TestProducedEventsMatchSchemasAndSamples(t *testing.T) {
	for i, status := range lifecycle {
		evt, ok := events.FromOrder(sampleOrder(status, i+1))
		if !ok {
			t.Fatalf("no event for %s", status)
		}
		t.Run(evt.Type, func(t *testing.T) {
			produced, err := json.MarshalIndent(evt, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			produced = append(produced, '\n')
			schema := compile(t, evt.Type)
			if err := validate(t, schema, produced); err != nil {
				t.Fatalf("produced event violates its schema: %v", err)
			}
			samplePath := filepath.Join(eventsDir, "samples", evt.Type+".json")
			if *update {
				if err := os.WriteFile(samplePath, produced, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			sample, err := os.ReadFile(samplePath)
			if err != nil {
				t.Fatalf("%v (run go test ./shared/events -update)", err)
			}
			if !bytes.Equal(sample, produced) {
				t.Fatalf("%s differs from what the producer emits; run go test ./shared/events -update", samplePath)
			}
			// Consumers read it back from the EventBridge event SQS delivers.
			wrapped := `{"version":"0","id":"x","detail-type":"` + evt.Type + `","source":"` + events.Source + `","detail":` + string(sample) + `}`
			back, err := queue.Decode(wrapped)
			if err != nil || back.ID != evt.ID || back.Data != evt.Data {
				t.Fatalf("consumer decoded %+v, %v", back, err)
			}
		})
	}
}

func TestSchemasRejectWrongEvents(t *testing.T) {
	evt, _ := events.FromOrder(sampleOrder(domain.StatusCourierAssigned, 3))
	schema := compile(t, events.CourierAssigned)
	for name, mutate := range map[string]func(*events.Envelope){
		"wrong type":        func(e *events.Envelope) { e.Type = events.OrderPlaced },
		"status mismatch":   func(e *events.Envelope) { e.Data.Status = domain.StatusPaid },
		"missing courier":   func(e *events.Envelope) { e.Data.CourierID = "" },
		"negative total":    func(e *events.Envelope) { e.Data.TotalMinor = -1 },
		"missing order id":  func(e *events.Envelope) { e.OrderID = "" },
		"bad currency code": func(e *events.Envelope) { e.Data.Currency = "euro" },
	} {
		e := evt
		mutate(&e)
		raw, _ := json.Marshal(e)
		if validate(t, schema, raw) == nil {
			t.Errorf("%s: schema accepted %s", name, raw)
		}
	}
}

func TestEventIDsAreStablePerWrite(t *testing.T) {
	// Two calls (the publisher's retry of the same stream record) must agree.
	if first, again := events.EventID("o-1", 2), events.EventID("o-1", 2); first != again {
		t.Fatalf("same write, different ids: %s and %s", first, again)
	}
	if events.EventID("o-1", 2) == events.EventID("o-1", 3) || events.EventID("o-1", 2) == events.EventID("o-2", 2) {
		t.Fatal("different writes share an id")
	}
}

func TestEventsCarryTheOrdersTraceContext(t *testing.T) {
	o := sampleOrder(domain.StatusPaid, 2)
	evt, ok := events.FromOrder(o)
	if !ok || evt.TraceParent != o.TraceParent {
		t.Fatalf("event traceparent %q, want the order's %q", evt.TraceParent, o.TraceParent)
	}
	// An order stored without one still yields a valid traceparent, the same for every event of the order.
	o.TraceParent = ""
	a, _ := events.FromOrder(o)
	o.Status, o.Version = domain.StatusCourierAssigned, 3
	b, _ := events.FromOrder(o)
	sa, okA := tracecontext.Parse(a.TraceParent)
	sb, okB := tracecontext.Parse(b.TraceParent)
	if !okA || !okB || sa.TraceID != sb.TraceID {
		t.Fatalf("derived traceparents %q and %q: not one valid trace", a.TraceParent, b.TraceParent)
	}
}
