//go:build e2e

package tests

import (
	"context"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/fooddelivery/serverless-food-delivery/shared/devstack"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/metrics"
	"github.com/fooddelivery/serverless-food-delivery/shared/timeline"
)

// deliveredOrder places an order under a caller's traceparent and has its courier deliver it. It returns the
// order as GET /orders/{id} shows it once delivered.
func deliveredOrder(t *testing.T, traceparent string) (token string, order apiResponse) {
	t.Helper()
	token, _ = newCustomer(t)
	placed := callWith(t, http.MethodPost, "/orders", token, map[string]any{
		"restaurant_id":     "trattoria-roma",
		"items":             []map[string]any{{"item_id": "margherita", "quantity": 1, "options": []string{"regular"}}},
		"delivery_location": map[string]any{"lat": 52.5301, "lng": 13.4120},
	}, map[string]string{"traceparent": traceparent})
	if placed.Status != http.StatusCreated {
		t.Fatalf("place order: %d %s", placed.Status, placed.Raw)
	}
	id := placed.Body["id"].(string)
	eventually(t, 30*time.Second, "order assigned to a courier", func() (bool, string) {
		order = call(t, http.MethodGet, "/orders/"+id, token, nil)
		return order.Body["status"] == "COURIER_ASSIGNED", order.Raw
	})
	name, _ := order.Body["courier_name"].(string)
	courier := signInCourier(t, courierSubjectNamed(t, name))
	// The customer hears of the courier before the courier moves on, as in life; the timeline's milestones
	// expect that order, which under a loaded emulator the notification queue otherwise loses to the API.
	waitForNotifications(t, token, id, "PaymentConfirmed", "CourierAssigned")
	for _, status := range []string{"PICKED_UP", "DELIVERED"} {
		if resp := call(t, http.MethodPost, "/orders/"+id+"/status", courier, map[string]any{"status": status}); resp.Status != http.StatusOK {
			t.Fatalf("set %s: %d %s", status, resp.Status, resp.Raw)
		}
	}
	order = call(t, http.MethodGet, "/orders/"+id, token, nil)
	waitForNotifications(t, token, id, "PaymentConfirmed", "CourierAssigned", "OrderPickedUp", "OrderDelivered")
	return token, order
}

// orderLogLines waits until the stack's log groups hold what cond wants about the order, and returns them.
func orderLogLines(t *testing.T, orderID, traceID string, since time.Time, what string, cond func([]timeline.LogLine) (bool, string)) []timeline.LogLine {
	t.Helper()
	ctx := context.Background()
	cfg := awsConfig(t)
	groups, err := timeline.StackLogGroups(ctx, cloudformation.NewFromConfig(cfg), devstack.StackName)
	if err != nil {
		t.Fatal(err)
	}
	var lines []timeline.LogLine
	eventually(t, 30*time.Second, what, func() (bool, string) {
		lines, err = timeline.ReadLogs(ctx, cloudwatchlogs.NewFromConfig(cfg), groups, since.Add(-time.Minute), timeline.AboutOrder(orderID, traceID))
		if err != nil {
			return false, err.Error()
		}
		return cond(lines)
	})
	return lines
}

// TestOneTracePerOrderInEveryFunctionsLog places an order under a known traceparent and reads the functions'
// log groups on the emulator: every function the order passed through logged lines carrying the order's trace id,
// its correlation id and the Lambda request id of the invocation.
func TestOneTracePerOrderInEveryFunctionsLog(t *testing.T) {
	const traceID = "0af7651916cd43dd8448eb211c80319c"
	started := time.Now()
	_, order := deliveredOrder(t, "00-"+traceID+"-b7ad6b7169203331-01")
	id := order.Body["id"].(string)

	want := []string{"order-api", "stream-publisher", "payment", "delivery-assignment", "notification", "tracking"}
	lines := orderLogLines(t, id, traceID, started, "a line about the order from every function", func(lines []timeline.LogLine) (bool, string) {
		seen := map[string]bool{}
		for _, l := range lines {
			if !l.IsMetrics() && l.Fields["order_id"] == id {
				seen[l.Function()] = true
			}
		}
		for _, f := range want {
			if !seen[f] {
				return false, "no line yet from " + f
			}
		}
		return true, ""
	})
	for _, l := range lines {
		if l.IsMetrics() || l.Fields["order_id"] != id {
			continue
		}
		if l.Fields["trace_id"] != traceID {
			t.Errorf("%s logged a line about the order outside its trace: %s", l.Function(), l.Raw)
		}
		if rid, _ := l.Fields["request_id"].(string); rid == "" {
			t.Errorf("%s logged a line without the Lambda request id: %s", l.Function(), l.Raw)
		}
		if l.Function() != "order-api" && l.Function() != "tracking" && l.Fields["correlation_id"] != id {
			t.Errorf("%s logged an event line without the correlation id: %s", l.Function(), l.Raw)
		}
	}
}

// TestBusinessMetricsOfOneOrder reads the EMF lines the stack wrote about one delivered order and checks each
// business metric's name, unit, value and dimensions, and that technical metrics came with it.
func TestBusinessMetricsOfOneOrder(t *testing.T) {
	started := time.Now()
	_, order := deliveredOrder(t, "00-5bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	id := order.Body["id"].(string)
	total := order.Body["total_minor"].(float64)
	created, _ := time.Parse(time.RFC3339Nano, order.Body["created_at"].(string))
	updated, _ := time.Parse(time.RFC3339Nano, order.Body["updated_at"].(string))

	type value struct {
		unit  string
		value float64
		n     int
	}
	var got map[string]value
	var durations map[string]bool
	orderLogLines(t, id, "5bf92f3577b34da6a3ce929d0e0e4736", started, "the order's metrics", func(lines []timeline.LogLine) (bool, string) {
		got, durations = map[string]value{}, map[string]bool{}
		for _, l := range lines {
			if !l.IsMetrics() {
				continue
			}
			dir := l.Fields["_aws"].(map[string]any)["CloudWatchMetrics"].([]any)[0].(map[string]any)
			if dir["Namespace"] != metrics.Namespace {
				t.Fatalf("namespace of %s", l.Raw)
			}
			dims := dir["Dimensions"].([]any)[0].([]any)
			for _, d := range dims {
				if d == "order_id" || d == "trace_id" {
					t.Fatalf("an order is a dimension: %s", l.Raw)
				}
			}
			for _, m := range dir["Metrics"].([]any) {
				def := m.(map[string]any)
				name := def["Name"].(string)
				if name == metrics.HandlerDuration {
					durations[l.Fields["Function"].(string)+" "+l.Fields["EventType"].(string)] = def["Unit"] == "Milliseconds"
					continue
				}
				if len(dims) != 1 || dims[0] != "Service" {
					t.Fatalf("business metric %s not under the Service dimension alone: %s", name, l.Raw)
				}
				v := got[name]
				got[name] = value{unit: def["Unit"].(string), value: v.value + l.Fields[name].(float64), n: v.n + 1}
			}
		}
		if _, ok := got[metrics.OrdersDelivered]; !ok {
			return false, "no OrdersDelivered yet"
		}
		return true, ""
	})
	want := map[string]value{
		metrics.OrdersPlaced: {"Count", 1, 1}, metrics.OrdersPaid: {"Count", 1, 1}, metrics.RevenueMinor: {"None", total, 1},
		metrics.OrdersDelivered: {"Count", 1, 1},
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: got %+v, want %+v", name, got[name], w)
		}
	}
	p2d := got[metrics.PlacedToDelivered]
	if wantMs := float64(updated.Sub(created).Milliseconds()); p2d.unit != "Milliseconds" || p2d.n != 1 || math.Abs(p2d.value-wantMs) > 1 {
		t.Errorf("PlacedToDelivered %+v, want %v ms (created %s, delivered %s)", p2d, wantMs, created, updated)
	}
	for _, bad := range []string{metrics.OrdersDeclined, metrics.OrdersRefunded, metrics.OrdersNoCourier, metrics.OrdersCancelled} {
		if _, ok := got[bad]; ok {
			t.Errorf("a delivered order counted %s", bad)
		}
	}
	// Technical: each consumer timed the order's events, in milliseconds, per event type.
	for _, key := range []string{"payment OrderPlaced", "delivery-assignment PaymentConfirmed", "notification OrderDelivered"} {
		if ok, seen := durations[key]; !seen || !ok {
			t.Errorf("HandlerDuration for %q: seen %v, unit Milliseconds %v (have %v)", key, seen, ok, durations)
		}
	}
}
