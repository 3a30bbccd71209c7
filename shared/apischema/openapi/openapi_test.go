package openapi_test

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fooddelivery/serverless-food-delivery/shared/apischema/openapi"
)

// specPath is openapi.yaml at the repository root.
const specPath = "../../../openapi.yaml"

func load(t *testing.T) *openapi.Spec {
	t.Helper()
	spec, err := openapi.Load(specPath)
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

// TestDescriptionIsComplete checks the rules every operation follows, so an
// operation added later cannot leave out a status that every route can
// return.
func TestDescriptionIsComplete(t *testing.T) {
	spec := load(t)
	ids := map[string]bool{}
	for _, op := range spec.Operations() {
		if ids[op.ID] {
			t.Errorf("%s: operationId %s is used twice", op.Key(), op.ID)
		}
		ids[op.ID] = true
		want := []string{"429", "500"} // API Gateway throttling; a failing function
		if !op.Public {
			want = append(want, "401") // the JWT authorizer
		}
		if op.RequestBody != nil {
			want = append(want, "400") // every body is checked against its schema
		}
		for _, status := range want {
			if op.Responses[status] == nil {
				t.Errorf("%s documents no %s", op.Key(), status)
			}
		}
		success := 0
		for status, r := range op.Responses {
			if strings.HasPrefix(status, "2") {
				success++
			}
			if r.Schema == nil {
				t.Errorf("%s %s has no JSON body schema; every response of this API has one", op.Key(), status)
			}
		}
		if success == 0 {
			t.Errorf("%s documents no success response", op.Key())
		}
	}
	if len(spec.Operations()) == 0 {
		t.Fatal("no operations")
	}
}

// TestRequestBodiesAreTheAPISchemas checks that the request bodies are the
// schemas the functions enforce (shared/apischema/schemas), each referenced,
// none copied.
func TestRequestBodiesAreTheAPISchemas(t *testing.T) {
	refs, err := openapi.ExternalRefs(specPath)
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("../schemas/*.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, f := range files {
		want = append(want, "./shared/apischema/schemas/"+filepath.Base(f))
	}
	slices.Sort(refs)
	slices.Sort(want)
	if !slices.Equal(refs, want) {
		t.Fatalf("openapi.yaml refers to %v; the request schemas are %v", refs, want)
	}
	spec := load(t)
	for _, op := range spec.Operations() {
		if op.RequestBody != nil && !strings.HasPrefix(op.RequestBodyRef, "./shared/apischema/schemas/") {
			t.Errorf("%s: the request body must $ref a schema in shared/apischema/schemas, not %q", op.Key(), op.RequestBodyRef)
		}
	}
}

func TestMatchPrefersLiteralSegments(t *testing.T) {
	spec := load(t)
	for path, want := range map[string]string{
		"/orders":                "GET /orders",
		"/orders/o-1":            "GET /orders/{id}",
		"/orders/o-1/tracking":   "GET /orders/{id}/tracking",
		"/orders?limit=2&cursor": "GET /orders",
		"/couriers/me":           "GET /couriers/me",
		"/restaurants/x/menu":    "GET /restaurants/{id}/menu",
	} {
		op, _ := spec.Match("GET", path)
		if op == nil || op.Key() != want {
			t.Errorf("GET %s matched %v, want %s", path, op, want)
		}
	}
	if op, known := spec.Match("DELETE", "/orders/o-1"); op != nil || !known {
		t.Errorf("DELETE /orders/o-1: %v, path known %v", op, known)
	}
	if op, known := spec.Match("GET", "/orders/o-1/nothing"); op != nil || known {
		t.Errorf("unknown path: %v, path known %v", op, known)
	}
}

// TestCheckCatchesDrift feeds Check responses that break the description in
// the ways a code change could, and one that keeps it.
func TestCheckCatchesDrift(t *testing.T) {
	spec := load(t)
	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	order := `{"id":"o-1","restaurant_id":"r1","restaurant_name":"R1",
		"pickup_location":{"lat":52.5,"lng":13.4},"delivery_location":{"lat":52.51,"lng":13.41},
		"lines":[{"item_id":"pizza","name":"Pizza","quantity":2,"unit_price_minor":950,"line_total_minor":1900}],
		"subtotal_minor":1900,"delivery_fee_minor":199,"tax_minor":147,"total_minor":2246,"currency":"EUR",
		"status":"PLACED","version":1,
		"created_at":"2026-11-23T12:00:01Z","updated_at":"2026-11-23T12:00:01Z"}`
	if _, err := spec.Check("GET", "/orders/o-1", 200, jsonHeader, []byte(order)); err != nil {
		t.Fatalf("a valid order: %v", err)
	}
	for name, c := range map[string]struct {
		method, path string
		status       int
		header       http.Header
		body         string
	}{
		"unknown status value":    {"GET", "/orders/o-1", 200, jsonHeader, strings.Replace(order, `"PLACED"`, `"SHIPPED"`, 1)},
		"price as a decimal":      {"GET", "/orders/o-1", 200, jsonHeader, strings.Replace(order, `"total_minor":2246`, `"total_minor":22.46`, 1)},
		"renamed field":           {"GET", "/orders/o-1", 200, jsonHeader, strings.Replace(order, `"restaurant_name"`, `"restaurantName"`, 1)},
		"missing field":           {"GET", "/orders/o-1", 200, jsonHeader, strings.Replace(order, `"currency":"EUR",`, ``, 1)},
		"not a timestamp":         {"GET", "/orders/o-1", 200, jsonHeader, strings.Replace(order, `"2026-11-23T12:00:01Z"`, `"yesterday"`, 1)},
		"undocumented status":     {"GET", "/orders/o-1", 418, jsonHeader, `{"error":{"code":"teapot","message":"x"}}`},
		"error code of another":   {"GET", "/orders/o-1", 404, jsonHeader, `{"error":{"code":"forbidden","message":"x"}}`},
		"400 without a field":     {"POST", "/orders", 400, jsonHeader, `{"error":{"code":"invalid_request","message":"x"}}`},
		"201 without Location":    {"POST", "/orders", 201, jsonHeader, order},
		"a payment token":         {"GET", "/orders/o-1", 200, jsonHeader, strings.Replace(order, `"version":1`, `"version":1,"payment_token":"tok_visa"`, 1)},
		"the customer's id":       {"GET", "/orders/o-1", 200, jsonHeader, strings.Replace(order, `"version":1`, `"version":1,"customer_id":"c-1"`, 1)},
		"the courier's id":        {"GET", "/orders/o-1/tracking", 200, jsonHeader, `{"order_id":"o-1","status":"PICKED_UP","courier_id":"k1","pickup_location":{"lat":52.5,"lng":13.4},"delivery_location":{"lat":52.51,"lng":13.41},"position":null}`},
		"not JSON":                {"GET", "/orders/o-1", 200, http.Header{"Content-Type": {"text/plain"}}, order},
		"unrouted path answering": {"GET", "/orders/o-1/price", 200, jsonHeader, `{}`},
		"unrouted 404 not API GW": {"GET", "/nothing", 404, jsonHeader, `{"error":{"code":"not_found","message":"x"}}`},
	} {
		if _, err := spec.Check(c.method, c.path, c.status, c.header, []byte(c.body)); err == nil {
			t.Errorf("%s: Check passed %d %s", name, c.status, c.body)
		}
	}
	if _, err := spec.Check("POST", "/nothing", 404, jsonHeader, []byte(`{"message":"Not Found"}`)); err != nil {
		t.Errorf("API Gateway's 404 for an unknown route: %v", err)
	}
}

func TestLoadRefusesUnknownRefs(t *testing.T) {
	raw, err := os.ReadFile(specPath)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	broken := strings.Replace(string(raw), "./shared/apischema/schemas/order-status.schema.json", "./nowhere.schema.json", 1)
	if err := os.WriteFile(filepath.Join(dir, "openapi.yaml"), []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := openapi.Load(filepath.Join(dir, "openapi.yaml")); err == nil || !strings.Contains(err.Error(), "nowhere") {
		t.Fatalf("Load with a dangling $ref: %v", err)
	}
}
