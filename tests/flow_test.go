//go:build e2e

package tests

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/fooddelivery/serverless-food-delivery/shared/devstack"
	"github.com/fooddelivery/serverless-food-delivery/shared/payments"
)

// TestOrderJourney follows one order from the customer's POST to delivery:
// payment, courier assignment, notifications, tracking and the courier's
// pickup and delivery, each observed through the public API.
func TestOrderJourney(t *testing.T) {
	token, _ := newCustomer(t)

	menu := call(t, http.MethodGet, "/restaurants/trattoria-roma/menu", "", nil)
	if menu.Status != http.StatusOK {
		t.Fatalf("menu: %d %s", menu.Status, menu.Raw)
	}

	placed := call(t, http.MethodPost, "/orders", token, map[string]any{
		"restaurant_id": "trattoria-roma",
		"items": []map[string]any{
			{"item_id": "margherita", "quantity": 2, "options": []string{"regular"}},
			// A client-sent price must be ignored: the server prices from the menu.
			{"item_id": "tiramisu", "quantity": 1, "price_minor": 1},
		},
		"delivery_location": map[string]any{"lat": 52.5301, "lng": 13.4120},
		"delivery_address":  "Invalidenstr. 1, 10115 Berlin",
	})
	if placed.Status != http.StatusCreated {
		t.Fatalf("place order: %d %s", placed.Status, placed.Raw)
	}
	orderID, _ := placed.Body["id"].(string)
	if placed.Body["status"] != "PLACED" || orderID == "" {
		t.Fatalf("placed order: %s", placed.Raw)
	}
	if got := placed.Body["subtotal_minor"]; got != float64(2*950+650) {
		t.Fatalf("subtotal %v, want %d from menu prices", got, 2*950+650)
	}
	started := time.Now()

	var order apiResponse
	eventually(t, 30*time.Second, "order assigned to a courier", func() (bool, string) {
		order = call(t, http.MethodGet, "/orders/"+orderID, token, nil)
		return order.Body["status"] == "COURIER_ASSIGNED", order.Raw
	})
	t.Logf("placed → courier assigned in %s", time.Since(started).Round(time.Millisecond))
	courierName, _ := order.Body["courier_name"].(string)
	courierID := courierSubjectNamed(t, courierName)

	// Payment left a receipt with the server's total.
	receipt, err := deployed.s3.GetObject(context.Background(), &s3.GetObjectInput{
		Bucket: &deployed.out.ReceiptsBucketName, Key: ptr(payments.ReceiptKey(orderID)),
	})
	if err != nil {
		t.Fatalf("receipt: %v", err)
	}
	var r payments.Receipt
	if err := json.NewDecoder(receipt.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	receipt.Body.Close()
	if r.TotalMinor != int64(order.Body["total_minor"].(float64)) || r.ProviderRef == "" {
		t.Fatalf("receipt %+v does not match order %s", r, order.Raw)
	}

	waitForNotifications(t, token, orderID, "PaymentConfirmed", "CourierAssigned")

	// The assigned courier signs in and drives the order home.
	courierToken := signInCourier(t, courierID)
	if me := call(t, http.MethodGet, "/couriers/me", courierToken, nil); me.Body["order_id"] != orderID || me.Body["status"] != "ASSIGNED" {
		t.Fatalf("courier's own view: %d %s", me.Status, me.Raw)
	}

	// Only the assigned courier may move the order on or see its tracking; to another courier the order does
	// not exist, exactly like an unknown id (a 403 would tell it does).
	other := otherCourierToken(t, courierID)
	assertLooksMissing(t, other, orderID, "another courier")
	// Customers cannot report locations or set statuses.
	if resp := call(t, http.MethodPost, "/orders/"+orderID+"/status", token, map[string]any{"status": "DELIVERED"}); resp.Status != http.StatusForbidden {
		t.Fatalf("customer set the status: %d %s", resp.Status, resp.Raw)
	}

	// The courier rides on from where it is, in a batch of fixes 5 s apart; the newest is the order's position.
	me := call(t, http.MethodGet, "/couriers/me", courierToken, nil)
	here, _ := me.Body["location"].(map[string]any)
	lat0, _ := here["lat"].(float64)
	lng0, _ := here["lng"].(float64)
	stamp := func(ago time.Duration) string { return time.Now().Add(-ago).UTC().Format(time.RFC3339Nano) }
	loc := call(t, http.MethodPost, "/couriers/me/location", courierToken, map[string]any{
		"positions": []map[string]any{
			{"lat": lat0 + 0.0001, "lng": lng0 + 0.0001, "recorded_at": stamp(5 * time.Second)},
			{"lat": lat0 + 0.0002, "lng": lng0 + 0.0002, "recorded_at": stamp(0)},
		},
	})
	if loc.Status != http.StatusOK {
		t.Fatalf("location: %d %s", loc.Status, loc.Raw)
	}
	track := call(t, http.MethodGet, "/orders/"+orderID+"/tracking", token, nil)
	pos, _ := track.Body["position"].(map[string]any)
	location, _ := pos["location"].(map[string]any)
	if track.Status != http.StatusOK || location["lat"] != lat0+0.0002 || location["lng"] != lng0+0.0002 {
		t.Fatalf("tracking shows %s, want the newest position %v,%v", track.Raw, lat0+0.0002, lng0+0.0002)
	}

	// A bad batch is refused whole, naming the fix, and stores nothing: not its good first fix either.
	for _, bad := range []struct {
		field string
		fixes []map[string]any
	}{
		{"positions[1].lat", []map[string]any{ // 5.5 km in a second
			{"lat": lat0 + 0.0003, "lng": lng0 + 0.0003, "recorded_at": stamp(-time.Second)},
			{"lat": lat0 + 0.05, "lng": lng0 + 0.0003, "recorded_at": stamp(-2 * time.Second)},
		}},
		{"positions[1].recorded_at", []map[string]any{
			{"lat": lat0 + 0.0003, "lng": lng0 + 0.0003, "recorded_at": stamp(-time.Second)},
			{"lat": lat0 + 0.0004, "lng": lng0 + 0.0004, "recorded_at": stamp(-time.Hour)},
		}},
	} {
		resp := call(t, http.MethodPost, "/couriers/me/location", courierToken, map[string]any{"positions": bad.fixes})
		errBody, _ := resp.Body["error"].(map[string]any)
		if resp.Status != http.StatusBadRequest || errBody["field"] != bad.field {
			t.Fatalf("bad batch: %d %s, want 400 naming %s", resp.Status, resp.Raw, bad.field)
		}
	}
	if again := call(t, http.MethodGet, "/orders/"+orderID+"/tracking", token, nil); again.Raw != track.Raw {
		t.Fatalf("a refused batch changed the tracking: %s, was %s", again.Raw, track.Raw)
	}
	if me := call(t, http.MethodGet, "/couriers/me", courierToken, nil); !samePosition(me.Body["location"], lat0+0.0002, lng0+0.0002) {
		t.Fatalf("a refused batch moved the courier: %s", me.Raw)
	}

	for _, status := range []string{"PICKED_UP", "PICKED_UP", "DELIVERED"} { // the repeat must be harmless
		resp := call(t, http.MethodPost, "/orders/"+orderID+"/status", courierToken, map[string]any{"status": status})
		if resp.Status != http.StatusOK || resp.Body["status"] != status {
			t.Fatalf("set %s: %d %s", status, resp.Status, resp.Raw)
		}
	}
	// Delivery ends the courier's access: its tracking and its status are now 404 to the former courier, a
	// repeated DELIVERED included, while the customer still sees the order.
	assertLooksMissing(t, courierToken, orderID, "the former courier after delivery")
	if resp := call(t, http.MethodPost, "/orders/"+orderID+"/status", courierToken, map[string]any{"status": "DELIVERED"}); resp.Status != http.StatusNotFound {
		t.Fatalf("former courier repeats DELIVERED: %d %s, want 404", resp.Status, resp.Raw)
	}
	if resp := call(t, http.MethodGet, "/orders/"+orderID+"/tracking", token, nil); resp.Status != http.StatusOK || resp.Body["status"] != "DELIVERED" {
		t.Fatalf("customer's tracking after delivery: %d %s", resp.Status, resp.Raw)
	}
	order = call(t, http.MethodGet, "/orders/"+orderID, token, nil)
	if order.Body["status"] != "DELIVERED" {
		t.Fatalf("order after delivery: %s", order.Raw)
	}
	if me := call(t, http.MethodGet, "/couriers/me", courierToken, nil); me.Body["status"] != "AVAILABLE" || me.Body["order_id"] != nil {
		t.Fatalf("courier after delivery: %s", me.Raw)
	}
	notes := waitForNotifications(t, token, orderID, "PaymentConfirmed", "CourierAssigned", "OrderPickedUp", "OrderDelivered")
	if len(notes) != 4 {
		t.Fatalf("want exactly 4 notifications (one per event), got %d: %v", len(notes), notes)
	}
	t.Logf("placed → delivered and notified in %s", time.Since(started).Round(time.Millisecond))
}

// TestOrdersArePrivate checks that one customer cannot read another's order.
func TestOrdersArePrivate(t *testing.T) {
	owner, _ := newCustomer(t)
	stranger, _ := newCustomer(t)
	placed := call(t, http.MethodPost, "/orders", owner, map[string]any{
		"restaurant_id":     "curry-haus",
		"items":             []map[string]any{{"item_id": "currywurst", "quantity": 1, "options": []string{"mild"}}},
		"delivery_location": map[string]any{"lat": 52.5000, "lng": 13.4200},
	})
	if placed.Status != http.StatusCreated {
		t.Fatalf("place: %d %s", placed.Status, placed.Raw)
	}
	id := placed.Body["id"].(string)
	for _, path := range []string{"/orders/" + id, "/orders/" + id + "/notifications", "/orders/" + id + "/tracking"} {
		if resp := call(t, http.MethodGet, path, stranger, nil); resp.Status != http.StatusNotFound {
			t.Errorf("stranger GET %s: %d %s, want 404", path, resp.Status, resp.Raw)
		}
		if resp := call(t, http.MethodGet, path, owner, nil); resp.Status != http.StatusOK {
			t.Errorf("owner GET %s: %d %s, want 200", path, resp.Status, resp.Raw)
		}
	}
}

// assertLooksMissing checks that orderID's courier routes answer the courier token exactly as they answer for an
// order that does not exist: 404 with the same body.
func assertLooksMissing(t *testing.T, courierToken, orderID, who string) {
	t.Helper()
	for _, r := range []struct {
		method, suffix string
		body           any
	}{
		{http.MethodGet, "/tracking", nil},
		{http.MethodPost, "/status", map[string]any{"status": "PICKED_UP"}},
	} {
		got := call(t, r.method, "/orders/"+orderID+r.suffix, courierToken, r.body)
		missing := call(t, r.method, "/orders/no-such-order-"+orderID+r.suffix, courierToken, r.body)
		if got.Status != http.StatusNotFound || got.Raw != missing.Raw {
			t.Errorf("%s: %s %s: %d %s; an unknown order gets %d %s", who, r.method, r.suffix, got.Status, got.Raw, missing.Status, missing.Raw)
		}
	}
}

func samePosition(v any, lat, lng float64) bool {
	m, _ := v.(map[string]any)
	return m["lat"] == lat && m["lng"] == lng
}

func waitForNotifications(t *testing.T, token, orderID string, types ...string) []any {
	t.Helper()
	var list []any
	eventually(t, 30*time.Second, fmt.Sprintf("customer notified of %v", types), func() (bool, string) {
		resp := call(t, http.MethodGet, "/orders/"+orderID+"/notifications", token, nil)
		list, _ = resp.Body["notifications"].([]any)
		seen := map[string]bool{}
		for _, n := range list {
			seen[n.(map[string]any)["event_type"].(string)] = true
		}
		for _, want := range types {
			if !seen[want] {
				return false, resp.Raw
			}
		}
		return true, ""
	})
	return list
}

// signInCourier signs in the demo courier whose subject is courierID.
func signInCourier(t *testing.T, courierID string) string {
	t.Helper()
	return demoCourierToken(t, func(sub string) bool { return sub == courierID })
}

// otherCourierToken signs in any demo courier except courierID.
func otherCourierToken(t *testing.T, courierID string) string {
	t.Helper()
	return demoCourierToken(t, func(sub string) bool { return sub != courierID })
}

// courierSubjectNamed is the subject of the demo courier with that name: the
// customer is shown the courier's name, never its id.
func courierSubjectNamed(t *testing.T, name string) string {
	t.Helper()
	for _, c := range devstack.DemoCouriers {
		if c.Name == name {
			sub, err := deployed.users.Subject(context.Background(), c.Username)
			if err != nil {
				t.Fatal(err)
			}
			return sub
		}
	}
	t.Fatalf("no demo courier is named %q", name)
	return ""
}

// demoCourierToken signs in the first demo courier whose subject matches.
func demoCourierToken(t *testing.T, matches func(sub string) bool) string {
	t.Helper()
	ctx := context.Background()
	for _, c := range devstack.DemoCouriers {
		sub, err := deployed.users.Subject(ctx, c.Username)
		if err != nil {
			t.Fatal(err)
		}
		if matches(sub) {
			token, err := deployed.users.SignIn(ctx, c.Username, devstack.DemoPassword)
			if err != nil {
				t.Fatal(err)
			}
			registerParty(token, sub)
			return token
		}
	}
	t.Fatal("no demo courier matches")
	return ""
}

func ptr[T any](v T) *T { return &v }
