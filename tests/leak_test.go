//go:build e2e

package tests

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/payments/simprovider"
)

// leaks is what no response body may carry: the payment tokens orders were
// placed with, and the ids (Cognito subjects) of people other than the caller.
// Every token the tests sign in with is registered with its subject
// (newCustomer, demoCourierToken), and every payment token a request sends is
// recorded, so checkNoLeak, which call runs on every response, knows both.
var leaks struct {
	mu            sync.Mutex
	subjectOf     map[string]string // ID token → its subject
	subjects      map[string]bool
	paymentTokens map[string]bool
	// operators holds the ID tokens of ops users, who are shown the parties' ids (an order's timeline names its
	// customer and courier); they are never shown a payment token.
	operators map[string]bool
}

func init() {
	leaks.subjectOf, leaks.subjects, leaks.operators = map[string]string{}, map[string]bool{}, map[string]bool{}
	leaks.paymentTokens = map[string]bool{domain.DefaultPaymentToken: true}
	for _, tok := range []string{simprovider.TokenVisa, simprovider.TokenMastercard, simprovider.TokenInsufficientFunds,
		simprovider.TokenExpiredCard, simprovider.TokenTimeout, simprovider.TokenTimeoutAfterCapture,
		simprovider.TokenError5xx, simprovider.TokenFlaky} {
		leaks.paymentTokens[tok] = true
	}
}

// registerParty records who an ID token belongs to.
func registerParty(token, subject string) {
	leaks.mu.Lock()
	defer leaks.mu.Unlock()
	leaks.subjectOf[token], leaks.subjects[subject] = subject, true
}

// notePaymentToken records the payment token of a request body, if it has a
// well-formed one.
func notePaymentToken(body any) {
	m, ok := body.(map[string]any)
	if !ok {
		return
	}
	if tok, ok := m["payment_token"].(string); ok && domain.ValidPaymentToken(tok) {
		leaks.mu.Lock()
		leaks.paymentTokens[tok] = true
		leaks.mu.Unlock()
	}
}

// findLeak names what a response body to the holder of token carries that it
// must not: a payment token, or the subject of anyone but the caller.
func findLeak(token string, body []byte) string {
	leaks.mu.Lock()
	defer leaks.mu.Unlock()
	text := string(body)
	for tok := range leaks.paymentTokens {
		if strings.Contains(text, tok) {
			return "payment token " + tok
		}
	}
	if leaks.operators[token] {
		return ""
	}
	self := leaks.subjectOf[token]
	for sub := range leaks.subjects {
		if sub != self && strings.Contains(text, sub) {
			return "another party's id " + sub
		}
	}
	return ""
}

// checkNoLeak fails the calling test when a response body leaks.
func checkNoLeak(t *testing.T, method, path, token string, body []byte) {
	t.Helper()
	if what := findLeak(token, body); what != "" {
		t.Errorf("%s %s answered with %s: %s", method, path, what, body)
	}
}

// TestResponsesCarryNoPaymentTokenNorOthersIDs plays one order from both
// sides, with a card token other than the default, and checks each body by
// hand as well as through checkNoLeak: the customer never sees the courier's
// id, the courier never sees the customer's id nor the card, and the courier
// gets what the job needs, the customer's first name included.
func TestResponsesCarryNoPaymentTokenNorOthersIDs(t *testing.T) {
	token, customerID := newCustomerNamed(t, "Ada")
	order := tacoOrder()
	order["payment_token"] = simprovider.TokenMastercard
	placed := call(t, http.MethodPost, "/orders", token, order)
	id, _ := placed.Body["id"].(string)
	if placed.Status != http.StatusCreated || id == "" {
		t.Fatalf("place: %d %s", placed.Status, placed.Raw)
	}
	var assigned apiResponse
	eventually(t, 30*time.Second, "order assigned", func() (bool, string) {
		assigned = call(t, http.MethodGet, "/orders/"+id, token, nil)
		return assigned.Body["status"] == "COURIER_ASSIGNED", assigned.Raw
	})
	name, _ := assigned.Body["courier_name"].(string)
	courierID := courierSubjectNamed(t, name)
	courier := signInCourier(t, courierID)

	job := call(t, http.MethodPost, "/orders/"+id+"/status", courier, map[string]any{"status": "PICKED_UP"})
	if job.Status != http.StatusOK {
		t.Fatalf("picked up: %d %s", job.Status, job.Raw)
	}
	if job.Body["customer_first_name"] != "Ada" || job.Body["items_count"] != float64(totalQuantity(order)) ||
		job.Body["pickup_location"] == nil || job.Body["delivery_location"] == nil {
		t.Errorf("the courier's view of the job lacks what the job needs: %s", job.Raw)
	}
	bodies := map[string]apiResponse{
		"customer: order":    call(t, http.MethodGet, "/orders/"+id, token, nil),
		"customer: list":     call(t, http.MethodGet, "/orders", token, nil),
		"customer: tracking": call(t, http.MethodGet, "/orders/"+id+"/tracking", token, nil),
		"customer: notes":    call(t, http.MethodGet, "/orders/"+id+"/notifications", token, nil),
		"courier: job":       job,
		"courier: tracking":  call(t, http.MethodGet, "/orders/"+id+"/tracking", courier, nil),
		"courier: self":      call(t, http.MethodGet, "/couriers/me", courier, nil),
	}
	for what, resp := range bodies {
		forbidden := []string{simprovider.TokenMastercard, `"payment_token"`, `"customer_id"`, `"courier_id"`}
		if strings.HasPrefix(what, "customer") {
			forbidden = append(forbidden, courierID)
		} else {
			forbidden = append(forbidden, customerID)
		}
		for _, f := range forbidden {
			if strings.Contains(resp.Raw, f) {
				t.Errorf("%s carries %s: %s", what, f, resp.Raw)
			}
		}
	}
	// The finder itself must see a leak, or the check on every call proves nothing.
	leaky, _ := json.Marshal(map[string]string{"customer_id": customerID})
	if findLeak(courier, leaky) == "" {
		t.Fatal("findLeak did not see the customer's id in a body sent to the courier")
	}
	if findLeak(token, []byte(`{"payment_token":"`+simprovider.TokenMastercard+`"}`)) == "" {
		t.Fatal("findLeak did not see a payment token")
	}
	call(t, http.MethodPost, "/orders/"+id+"/status", courier, map[string]any{"status": "DELIVERED"}) // frees the courier
}

// totalQuantity counts the dishes of an order request.
func totalQuantity(order map[string]any) int {
	n := 0
	for _, it := range order["items"].([]map[string]any) {
		n += it["quantity"].(int)
	}
	return n
}
