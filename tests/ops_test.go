//go:build e2e

package tests

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/devstack"
	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
)

// opsToken signs in the seeded ops user (scripts/seed).
func opsToken(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	token, err := deployed.users.SignIn(ctx, devstack.DemoOps, devstack.DemoPassword)
	if err != nil {
		t.Fatal(err)
	}
	leaks.mu.Lock()
	leaks.operators[token] = true
	leaks.mu.Unlock()
	return token
}

// deadLetter finds the order's message in an /ops/dlqs body.
func deadLetter(body map[string]any, queue, orderID string) map[string]any {
	qs, _ := body["queues"].([]any)
	for _, q := range qs {
		qm, _ := q.(map[string]any)
		if qm["name"] != queue {
			continue
		}
		msgs, _ := qm["messages"].([]any)
		for _, m := range msgs {
			if mm, _ := m.(map[string]any); mm["order_id"] == orderID {
				return mm
			}
		}
	}
	return nil
}

// TestOpsSeeADeadLetterWithItsReasonAndRedriveIt: the ops API lists the poison message in the payment DLQ with the
// reason the payment function recorded, shows the order waiting in NO_COURIER and its timeline; after the fix one
// redrive moves it (a second moves nothing) and the order is refunded. Customers and couriers get 403 and none of it.
func TestOpsSeeADeadLetterWithItsReasonAndRedriveIt(t *testing.T) {
	t.Parallel()
	customerToken, customer := newCustomer(t)
	ops := opsToken(t)
	o, err := devstack.PlantPoisonRefund(context.Background(), table(), customer, "poison-ops")
	if err != nil {
		t.Fatal(err)
	}

	var msg map[string]any
	eventually(t, 90*time.Second, "the poison order's message in GET /ops/dlqs", func() (bool, string) {
		r := call(t, http.MethodGet, "/ops/dlqs", ops, nil)
		if r.Status != http.StatusOK {
			t.Fatalf("GET /ops/dlqs: %d %s", r.Status, r.Raw)
		}
		msg = deadLetter(r.Body, "payment", o.ID)
		return msg != nil, r.Raw
	})
	if msg["event_type"] != "NoCourierAvailable" || !strings.Contains(fmt.Sprint(msg["reason"]), "has no charge") {
		t.Fatalf("dead letter %v, want NoCourierAvailable with the payment function's reason", msg)
	}
	messageID, _ := msg["message_id"].(string)

	waiting := call(t, http.MethodGet, "/ops/orders?status=NO_COURIER", ops, nil)
	if waiting.Status != http.StatusOK || !strings.Contains(waiting.Raw, `"id":"`+o.ID+`"`) {
		t.Fatalf("GET /ops/orders?status=NO_COURIER: %d %s, want the poison order", waiting.Status, waiting.Raw)
	}

	// Nobody else reaches any of it, and a refused redrive moves nothing.
	courier := demoCourierToken(t, func(string) bool { return true })
	for who, token := range map[string]string{"customer": customerToken, "courier": courier} {
		for _, req := range []struct{ method, path string }{
			{http.MethodGet, "/ops/dlqs"}, {http.MethodGet, "/ops/orders"}, {http.MethodGet, "/ops/orders/" + o.ID + "/timeline"},
			{http.MethodGet, "/ops/sweeps"}, {http.MethodPost, "/ops/dlqs/payment/redrive"},
		} {
			r := call(t, req.method, req.path, token, map[string]any{"message_id": messageID})
			if r.Status != http.StatusForbidden || strings.Contains(r.Raw, o.ID) || strings.Contains(r.Raw, messageID) {
				t.Errorf("%s %s as %s: %d %s, want 403 and no data", req.method, req.path, who, r.Status, r.Raw)
			}
		}
	}
	if r := call(t, http.MethodGet, "/ops/dlqs", ops, nil); deadLetter(r.Body, "payment", o.ID) == nil {
		t.Fatalf("the message left the DLQ after refused redrives: %s", r.Raw)
	}

	if err := devstack.FixPoisonRefund(context.Background(), deployed.ddb, deployed.out.ProviderTableName, table(), o); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "the message redriven", func() (bool, string) {
		r := call(t, http.MethodPost, "/ops/dlqs/payment/redrive", ops, map[string]any{"message_id": messageID})
		if r.Status != http.StatusOK {
			t.Fatalf("redrive: %d %s", r.Status, r.Raw)
		}
		return strings.Contains(r.Raw, `"message_id":"`+messageID+`"`) && r.Body["requested_by"] == devstack.DemoOps, r.Raw
	})
	again := call(t, http.MethodPost, "/ops/dlqs/payment/redrive", ops, map[string]any{"message_id": messageID})
	if moved, _ := again.Body["moved"].([]any); again.Status != http.StatusOK || len(moved) != 0 {
		t.Fatalf("second redrive of the same message: %d %s, want 200 and nothing moved", again.Status, again.Raw)
	}
	eventually(t, 30*time.Second, "the redriven event refunds the order", func() (bool, string) {
		got, _ := table().GetOrder(context.Background(), o.ID)
		return got.Status == domain.StatusRefunded, string(got.Status)
	})

	// The timeline (shared/timeline) shows the ledger's refund and the redrive with who asked.
	eventually(t, 30*time.Second, "the timeline shows the refund and the redrive", func() (bool, string) {
		r := call(t, http.MethodGet, "/ops/orders/"+o.ID+"/timeline", ops, nil)
		return r.Status == http.StatusOK && strings.Contains(r.Raw, "refund REFUNDED") &&
			strings.Contains(r.Raw, "redrove dead-lettered message") && strings.Contains(r.Raw, `"requested_by":"`+devstack.DemoOps+`"`), r.Raw
	})
	if r := call(t, http.MethodGet, "/ops/orders/no-such-order/timeline", ops, nil); r.Status != http.StatusNotFound {
		t.Errorf("timeline of an unknown order: %d %s", r.Status, r.Raw)
	}
	if r := call(t, http.MethodGet, "/ops/sweeps", ops, nil); r.Status != http.StatusOK {
		t.Errorf("GET /ops/sweeps: %d %s", r.Status, r.Raw)
	}
}
