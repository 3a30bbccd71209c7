//go:build e2e

package tests

import (
	"net/http"
	"testing"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
)

// TestHomeIsTheCustomersScreenInOneResponse: GET /me/home gives a new customer every open restaurant and nothing
// else; after an order it gives that order as the active one, the order
// among the recent ones, the delivery spot, and the open restaurants nearest it first. A courier gets 403.
func TestHomeIsTheCustomersScreenInOneResponse(t *testing.T) {
	t.Parallel()
	token, _ := newCustomer(t)
	fresh := call(t, http.MethodGet, "/me/home", token, nil)
	if fresh.Status != http.StatusOK || fresh.Body["near"] != nil || fresh.Body["active_order"] != nil {
		t.Fatalf("a new customer's home: %d %s", fresh.Status, fresh.Raw)
	}
	if list, _ := fresh.Body["restaurants"].([]any); len(list) == 0 {
		t.Fatalf("no restaurants on a new customer's home: %s", fresh.Raw)
	}

	placed := call(t, http.MethodPost, "/orders", token, tacoOrder())
	id, _ := placed.Body["id"].(string)
	if placed.Status != http.StatusCreated {
		t.Fatalf("place: %d %s", placed.Status, placed.Raw)
	}
	var home apiResponse
	eventually(t, 30*time.Second, "the active order on the home screen", func() (bool, string) {
		home = call(t, http.MethodGet, "/me/home", token, nil)
		active, _ := home.Body["active_order"].(map[string]any)
		return active != nil && active["id"] == id, home.Raw
	})
	spot := domain.LatLng{Lat: 52.5350, Lng: 13.4100}
	near, _ := home.Body["near"].(map[string]any)
	if near["lat"] != spot.Lat || near["lng"] != spot.Lng {
		t.Errorf("near %v, want the order's delivery spot %v", near, spot)
	}
	recent, _ := home.Body["recent_orders"].([]any)
	if len(recent) != 1 || recent[0].(map[string]any)["id"] != id {
		t.Errorf("recent orders %v, want the one order", recent)
	}
	last := -1.0
	for _, r := range home.Body["restaurants"].([]any) {
		loc := r.(map[string]any)["location"].(map[string]any)
		d := domain.DistanceMeters(spot, domain.LatLng{Lat: loc["lat"].(float64), Lng: loc["lng"].(float64)})
		if d < last {
			t.Errorf("restaurants not nearest first: %s at %.0f m after one at %.0f m", r.(map[string]any)["id"], d, last)
		}
		last = d
	}
	courier := demoCourierToken(t, func(string) bool { return true })
	if r := call(t, http.MethodGet, "/me/home", courier, nil); r.Status != http.StatusForbidden {
		t.Errorf("courier: %d %s, want 403", r.Status, r.Raw)
	}
}
