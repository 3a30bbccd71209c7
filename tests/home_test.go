//go:build e2e

package tests

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/events"
	"github.com/fooddelivery/serverless-food-delivery/shared/payments/simprovider"
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

// TestHomeCountsUnreadNotificationsOnce: two declined orders tell the customer twice, and GET /me/home (the same
// response as the orders, one Query) says 2 unread, as GET /me/notifications does. The first order's PaymentFailed
// is then put on the bus three more times: still 2. Marking it read (twice) makes 1, marking everything up to now
// makes 0; the counter, which shares the customer's order partition, is never listed as an order.
func TestHomeCountsUnreadNotificationsOnce(t *testing.T) {
	ctx := context.Background()
	token, _ := newCustomer(t)
	first, _ := placeWith(t, token, simprovider.TokenExpiredCard, 1)
	second, _ := placeWith(t, token, simprovider.TokenExpiredCard, 1)
	counts := func() (home, inbox any, raw string) {
		h := call(t, http.MethodGet, "/me/home", token, nil)
		n := call(t, http.MethodGet, "/me/notifications", token, nil)
		return h.Body["unread_notifications"], n.Body["unread"], fmt.Sprintf("home %d %s; inbox %d %s", h.Status, h.Raw, n.Status, n.Raw)
	}
	unreadIs := func(want float64, what string) {
		t.Helper()
		eventually(t, 60*time.Second, what, func() (bool, string) {
			home, inbox, raw := counts()
			return home == want && inbox == want, raw
		})
	}
	unreadIs(2, "two unread notifications on the home screen and in the inbox")

	o, err := table().GetOrder(ctx, first)
	if err != nil || o.Status != domain.StatusPaymentFailed {
		t.Fatalf("order %s: %s %v", first, o.Status, err)
	}
	failed, ok := events.FromOrder(o)
	if !ok {
		t.Fatal("no event for PAYMENT_FAILED")
	}
	publishTimes(t, failed, 3)
	eventually(t, 60*time.Second, "the copies handled (notification queue drained)", func() (bool, string) {
		return queueEmpty(t, deployed.out.NotificationQueueURL)
	})
	if home, inbox, raw := counts(); home != float64(2) || inbox != float64(2) {
		t.Fatalf("after three duplicate deliveries: %s, want 2 unread", raw)
	}

	for i, wantMarked := range []float64{1, 0} {
		r := call(t, http.MethodPost, "/me/notifications/read", token, map[string]any{"ids": []string{failed.ID}})
		if r.Status != http.StatusOK || r.Body["marked"] != wantMarked || r.Body["unread"] != float64(1) {
			t.Fatalf("mark %s read, try %d: %d %s", failed.ID, i+1, r.Status, r.Raw)
		}
	}
	unreadIs(1, "one unread after marking the first read")
	r := call(t, http.MethodPost, "/me/notifications/read", token, map[string]any{"up_to": time.Now().UTC().Format(time.RFC3339Nano)})
	if r.Status != http.StatusOK || r.Body["marked"] != float64(1) || r.Body["unread"] != float64(0) {
		t.Fatalf("mark read up to now: %d %s", r.Status, r.Raw)
	}
	unreadIs(0, "nothing unread after marking everything read")

	home := call(t, http.MethodGet, "/me/home", token, nil)
	list := call(t, http.MethodGet, "/orders", token, nil)
	for what, orders := range map[string]any{"home's recent orders": home.Body["recent_orders"], "GET /orders": list.Body["orders"]} {
		got, _ := orders.([]any)
		ids := map[any]bool{}
		for _, x := range got {
			ids[x.(map[string]any)["id"]] = true
		}
		if len(got) != 2 || !ids[first] || !ids[second] {
			t.Errorf("%s: %v, want exactly the two orders", what, orders)
		}
	}
}
