//go:build e2e

package tests

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/devstack"
)

// A small valid order from a restaurant open around the clock.
func tacoOrder() map[string]any {
	return map[string]any{
		"restaurant_id":     "taco-loco",
		"items":             []map[string]any{{"item_id": "tacos-al-pastor-3", "quantity": 1}, {"item_id": "horchata", "quantity": 2}},
		"delivery_location": map[string]any{"lat": 52.5350, "lng": 13.4100},
	}
}

func TestIdempotencyKeyReturnsTheSameOrder(t *testing.T) {
	token, _ := newCustomer(t)
	key := map[string]string{"Idempotency-Key": fmt.Sprintf("e2e-%d", time.Now().UnixNano())}
	first := callWith(t, http.MethodPost, "/orders", token, tacoOrder(), key)
	if first.Status != http.StatusCreated {
		t.Fatalf("first: %d %s", first.Status, first.Raw)
	}
	retry := callWith(t, http.MethodPost, "/orders", token, tacoOrder(), key)
	if retry.Status != http.StatusOK || retry.Body["id"] != first.Body["id"] {
		t.Fatalf("retry: %d %s, want 200 with order %v", retry.Status, retry.Raw, first.Body["id"])
	}
	other := tacoOrder()
	other["items"] = []map[string]any{{"item_id": "churros", "quantity": 1}}
	clash := callWith(t, http.MethodPost, "/orders", token, other, key)
	errBody, _ := clash.Body["error"].(map[string]any)
	if clash.Status != http.StatusConflict || errBody["field"] != "Idempotency-Key" {
		t.Fatalf("same key, different order: %d %s", clash.Status, clash.Raw)
	}
	list := call(t, http.MethodGet, "/orders", token, nil)
	if orders, _ := list.Body["orders"].([]any); len(orders) != 1 {
		t.Fatalf("%d orders stored, want 1: %s", len(orders), list.Raw)
	}
}

func TestListOrdersNewestFirstWithCursor(t *testing.T) {
	token, _ := newCustomer(t)
	var placed []string
	for i := 0; i < 3; i++ {
		resp := call(t, http.MethodPost, "/orders", token, tacoOrder())
		if resp.Status != http.StatusCreated {
			t.Fatalf("place %d: %d %s", i, resp.Status, resp.Raw)
		}
		placed = append([]string{resp.Body["id"].(string)}, placed...) // newest first
	}
	var listed []string
	path := "/orders?limit=2"
	for pages := 0; pages < 3 && path != ""; pages++ {
		resp := call(t, http.MethodGet, path, token, nil)
		if resp.Status != http.StatusOK {
			t.Fatalf("list: %d %s", resp.Status, resp.Raw)
		}
		for _, o := range resp.Body["orders"].([]any) {
			listed = append(listed, o.(map[string]any)["id"].(string))
		}
		path = ""
		if next, _ := resp.Body["next_cursor"].(string); next != "" {
			path = "/orders?limit=2&cursor=" + next
		}
	}
	if fmt.Sprint(listed) != fmt.Sprint(placed) {
		t.Fatalf("listed %v, want %v", listed, placed)
	}
	stranger, _ := newCustomer(t)
	if resp := call(t, http.MethodGet, "/orders", stranger, nil); len(resp.Body["orders"].([]any)) != 0 {
		t.Fatalf("a new customer sees orders: %s", resp.Raw)
	}
}

func TestCancelBeforePickup(t *testing.T) {
	token, _ := newCustomer(t)
	stranger, _ := newCustomer(t)
	placed := call(t, http.MethodPost, "/orders", token, tacoOrder())
	id := placed.Body["id"].(string)
	if resp := call(t, http.MethodPost, "/orders/"+id+"/cancel", stranger, nil); resp.Status != http.StatusNotFound {
		t.Fatalf("stranger cancels: %d %s", resp.Status, resp.Raw)
	}
	resp := call(t, http.MethodPost, "/orders/"+id+"/cancel", token, nil)
	if resp.Status != http.StatusOK || resp.Body["status"] != "CANCELLED" {
		t.Fatalf("cancel: %d %s", resp.Status, resp.Raw)
	}
	// The saga takes it from here: a cancelled order never gets a courier.
	eventually(t, 20*time.Second, "customer told of the cancellation", func() (bool, string) {
		n := call(t, http.MethodGet, "/orders/"+id+"/notifications", token, nil)
		for _, x := range n.Body["notifications"].([]any) {
			if x.(map[string]any)["event_type"] == "OrderCancelled" {
				return true, ""
			}
		}
		return false, n.Raw
	})
	if o := call(t, http.MethodGet, "/orders/"+id, token, nil); o.Body["courier_name"] != nil {
		t.Fatalf("cancelled order got a courier: %s", o.Raw)
	}
}

func TestClosedRestaurantRefusesOrders(t *testing.T) {
	menus, err := devstack.DemoMenus()
	if err != nil {
		t.Fatal(err)
	}
	token, _ := newCustomer(t)
	for _, m := range menus {
		if m.Restaurant.ID != "saigon-pho" {
			continue
		}
		// Checked from both sides of the clock: whichever it is now, the
		// API must agree with the published opening hours.
		open := m.Restaurant.OpenAt(time.Now())
		resp := call(t, http.MethodPost, "/orders", token, map[string]any{
			"restaurant_id":     m.Restaurant.ID,
			"items":             []map[string]any{{"item_id": "pho-bo", "quantity": 1}},
			"delivery_location": map[string]any{"lat": 52.5060, "lng": 13.3100},
		})
		errBody, _ := resp.Body["error"].(map[string]any)
		switch {
		case open && resp.Status != http.StatusCreated:
			t.Fatalf("open now, but: %d %s", resp.Status, resp.Raw)
		case !open && (resp.Status != http.StatusBadRequest || errBody["field"] != "restaurant_id"):
			t.Fatalf("closed now, but: %d %s", resp.Status, resp.Raw)
		}
		t.Logf("saigon-pho open=%v → %d", open, resp.Status)
		return
	}
	t.Fatal("saigon-pho is not in the demo catalogue")
}
