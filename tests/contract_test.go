//go:build e2e

package tests

import (
	"fmt"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/apischema/openapi"
)

// contract checks every response `call` receives against openapi.yaml and
// remembers which operation answered with which status.
var contract struct {
	spec *openapi.Spec
	mu   sync.Mutex
	seen map[string]map[int]int // "GET /orders/{id}" → status → responses validated
}

// loadContract reads the API description; TestMain calls it once.
func loadContract(path string) error {
	spec, err := openapi.Load(path)
	if err != nil {
		return fmt.Errorf("API description: %w", err)
	}
	contract.spec, contract.seen = spec, map[string]map[int]int{}
	return nil
}

// checkContract fails the calling test when a response departs from the API
// description. Responses that conform count towards the coverage.
func checkContract(t *testing.T, method, path string, resp *http.Response, body []byte) {
	t.Helper()
	op, err := contract.spec.Check(method, path, resp.StatusCode, resp.Header, body)
	if err != nil {
		t.Errorf("contract: %v", err)
		return
	}
	if op == nil {
		return // API Gateway's 404 for a route that does not exist
	}
	contract.mu.Lock()
	defer contract.mu.Unlock()
	if contract.seen[op.Key()] == nil {
		contract.seen[op.Key()] = map[int]int{}
	}
	contract.seen[op.Key()][resp.StatusCode]++
}

// contractCoverage lists, per operation, the statuses validated and the
// documented ones never seen, and the operations never exercised.
func contractCoverage() (report string, missing []string) {
	contract.mu.Lock()
	defer contract.mu.Unlock()
	var b strings.Builder
	for _, op := range contract.spec.Operations() {
		seen := contract.seen[op.Key()]
		if len(seen) == 0 {
			missing = append(missing, op.Key())
		}
		var statuses, unseen []string
		for _, s := range sortedStatuses(seen) {
			statuses = append(statuses, fmt.Sprintf("%d×%d", s, seen[s]))
		}
		for _, s := range op.Statuses() {
			if !slices.ContainsFunc(sortedStatuses(seen), func(n int) bool { return fmt.Sprint(n) == s }) {
				unseen = append(unseen, s)
			}
		}
		fmt.Fprintf(&b, "  %-32s %-40s not seen: %s\n", op.Key(), strings.Join(statuses, " "), strings.Join(unseen, " "))
	}
	return b.String(), missing
}

func sortedStatuses(m map[int]int) []int {
	out := make([]int, 0, len(m))
	for s := range m {
		out = append(out, s)
	}
	sort.Ints(out)
	return out
}

// printContractCoverage is what TestMain prints after the run.
func printContractCoverage() {
	report, missing := contractCoverage()
	fmt.Fprintf(os.Stderr, "\nresponses validated against openapi.yaml, per operation and status:\n%s", report)
	if len(missing) > 0 {
		fmt.Fprintf(os.Stderr, "operations no test called: %s\n", strings.Join(missing, ", "))
	}
}

// TestContractCoversEveryRoute calls every operation of openapi.yaml at least
// once (cheaply: the success path where that takes no waiting, then the usual
// refusals), so the contract check sees each route whatever -run selects, and
// then asserts that every operation has at least one response validated
// against the description. Path parameters other than {id} would need a value
// here when a route with one is added.
func TestContractCoversEveryRoute(t *testing.T) {
	customer, _ := newCustomer(t)
	courier := demoCourierToken(t, func(string) bool { return true })

	call(t, http.MethodGet, "/restaurants", "", nil)
	call(t, http.MethodGet, "/restaurants/taco-loco/menu", "", nil)
	call(t, http.MethodGet, "/restaurants/no-such-place/menu", "", nil)
	placed := call(t, http.MethodPost, "/orders", customer, tacoOrder())
	id, _ := placed.Body["id"].(string)
	if placed.Status != http.StatusCreated || id == "" {
		t.Fatalf("place: %d %s", placed.Status, placed.Raw)
	}
	call(t, http.MethodGet, "/orders?limit=1", customer, nil)
	call(t, http.MethodGet, "/orders?limit=0", customer, nil)
	call(t, http.MethodGet, "/orders/"+id, customer, nil)
	call(t, http.MethodGet, "/orders/"+id+"/notifications", customer, nil)
	call(t, http.MethodGet, "/orders/"+id+"/tracking", customer, nil)
	// Not this courier's order (404), or, if it was assigned to it meanwhile,
	// not yet picked up (409): both documented.
	call(t, http.MethodPost, "/orders/"+id+"/status", courier, map[string]any{"status": "DELIVERED"})
	call(t, http.MethodPost, "/orders/"+id+"/cancel", customer, nil)
	me := call(t, http.MethodGet, "/couriers/me", courier, nil)
	// Report the courier where it already is, so that assignment elsewhere in
	// the run is not affected.
	if loc, ok := me.Body["location"].(map[string]any); ok {
		call(t, http.MethodPost, "/couriers/me/location", courier, map[string]any{
			"positions": []map[string]any{{"lat": loc["lat"], "lng": loc["lng"], "recorded_at": time.Now().UTC().Format(time.RFC3339Nano)}},
		})
	} else {
		t.Errorf("courier: %d %s", me.Status, me.Raw)
	}

	// The customer's notification settings and inbox (docs/notifications.md), with a refused update each.
	call(t, http.MethodGet, "/me/preferences", customer, nil)
	call(t, http.MethodPut, "/me/preferences", customer, map[string]any{"locale": "fr", "channels": map[string]any{}})
	call(t, http.MethodGet, "/me/notifications?limit=1", customer, nil)
	call(t, http.MethodPost, "/me/notifications/read", customer, map[string]any{"up_to": time.Now().UTC().Format(time.RFC3339Nano)})
	call(t, http.MethodPost, "/me/notifications/read", customer, map[string]any{})

	// The usual refusals, each cheap: wrong role, bad body, unknown order.
	call(t, http.MethodPost, "/orders", courier, tacoOrder())
	call(t, http.MethodGet, "/couriers/me", customer, nil)
	call(t, http.MethodPost, "/couriers/me/location", courier, map[string]any{"positions": []any{}})
	call(t, http.MethodPost, "/orders/"+id+"/status", courier, map[string]any{"status": "CANCELLED"})
	call(t, http.MethodPost, "/orders/no-such-order/status", courier, map[string]any{"status": "PICKED_UP"})
	call(t, http.MethodPost, "/orders/no-such-order/cancel", customer, nil)

	// Every route but the public ones is refused without a token, by API
	// Gateway, in the shape the description gives.
	for _, op := range contract.spec.Operations() {
		path := strings.ReplaceAll(op.Path, "{id}", id)
		if resp := call(t, op.Method, path, "", nil); op.Public == (resp.Status == http.StatusUnauthorized) {
			t.Errorf("%s without a token: %d %s (public: %v)", op.Key(), resp.Status, resp.Raw, op.Public)
		}
	}

	report, missing := contractCoverage()
	t.Logf("responses validated so far:\n%s", report)
	if len(missing) > 0 {
		t.Fatalf("operations of openapi.yaml with no validated response: %s", strings.Join(missing, ", "))
	}
}
