package orders_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/fooddelivery/serverless-food-delivery/shared/platform/logging"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/tracecontext"
)

// TestPlacingAnOrderStartsItsTrace: the order continues the caller's traceparent (the order's trace id is the
// caller's, its parent span this request's), and the log line saying it was placed carries that trace id. Without
// a header the order starts a trace of its own.
func TestPlacingAnOrderStartsItsTrace(t *testing.T) {
	var logs bytes.Buffer
	logging.SetupTo(&logs, "order-api")
	rt, store := router(t)
	const caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	resp, body := serve(t, rt, request("POST", "/orders", "cust-1", "", pizzaOrder, "traceparent", caller))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /orders: %d %s", resp.StatusCode, resp.Body)
	}
	if _, leaked := body["traceparent"]; leaked {
		t.Error("the response carries the internal traceparent")
	}
	stored, err := store.GetOrder(context.Background(), body["id"].(string))
	if err != nil {
		t.Fatal(err)
	}
	sc, ok := tracecontext.Parse(stored.TraceParent)
	if !ok || sc.TraceIDString() != "4bf92f3577b34da6a3ce929d0e0e4736" || sc.SpanIDString() == "00f067aa0ba902b7" {
		t.Fatalf("stored traceparent %q: want the caller's trace with this request's span", stored.TraceParent)
	}
	placed := findLine(t, logs.String(), "order placed")
	if placed["trace_id"] != "4bf92f3577b34da6a3ce929d0e0e4736" || placed["order_id"] != stored.ID {
		t.Fatalf("log line %v", placed)
	}

	_, body = serve(t, rt, request("POST", "/orders", "cust-1", "", pizzaOrder))
	other, _ := store.GetOrder(context.Background(), body["id"].(string))
	osc, ok := tracecontext.Parse(other.TraceParent)
	if !ok || osc.TraceID == sc.TraceID {
		t.Fatalf("an order placed without a traceparent got %q", other.TraceParent)
	}
}

func findLine(t *testing.T, logs, msg string) map[string]any {
	t.Helper()
	for _, line := range strings.Split(logs, "\n") {
		var l map[string]any
		if json.Unmarshal([]byte(line), &l) == nil && l["msg"] == msg {
			return l
		}
	}
	t.Fatalf("no %q line in %s", msg, logs)
	return nil
}
