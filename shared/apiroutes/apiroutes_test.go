package apiroutes_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/fooddelivery/serverless-food-delivery/shared/apiroutes"
	"github.com/fooddelivery/serverless-food-delivery/shared/apischema/openapi"
)

// TestOpenAPIDescribesTheRouteTable holds openapi.yaml to the route table: every route is an operation there and
// every operation a route here, public (security: []) exactly when the table says so. The routers and the CDK
// routes are built from the table, so a route added to one side only fails here.
func TestOpenAPIDescribesTheRouteTable(t *testing.T) {
	spec, err := openapi.Load("../../openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var table, described []string
	for _, r := range apiroutes.HTTP {
		table = append(table, fmt.Sprintf("%s public=%v", r.Key(), r.Public))
	}
	for _, op := range spec.Operations() {
		described = append(described, fmt.Sprintf("%s public=%v", op.Key(), op.Public))
	}
	for _, w := range table {
		if !slices.Contains(described, w) {
			t.Errorf("the route table has %s, which openapi.yaml does not describe so", w)
		}
	}
	for _, d := range described {
		if !slices.Contains(table, d) {
			t.Errorf("openapi.yaml describes %s, which the route table does not have so", d)
		}
	}
	if t.Failed() {
		slices.Sort(table)
		slices.Sort(described)
		t.Logf("table:\n  %s\ndescribed:\n  %s", strings.Join(table, "\n  "), strings.Join(described, "\n  "))
	}
}

// TestRouteTableIsWellFormed: one row per route key, upper-case methods, absolute paths, and every row served by
// one of the API's functions (a typo would leave a route with no integration).
func TestRouteTableIsWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range apiroutes.HTTP {
		if seen[r.Key()] {
			t.Errorf("%s is in the table twice", r.Key())
		}
		seen[r.Key()] = true
		if r.Method != strings.ToUpper(r.Method) || !strings.HasPrefix(r.Path, "/") {
			t.Errorf("%q is not METHOD /path", r.Key())
		}
		if !slices.Contains([]string{apiroutes.OrderAPI, apiroutes.Tracking, apiroutes.OpsAPI}, r.Function) {
			t.Errorf("%s is served by %q, not a function of the API", r.Key(), r.Function)
		}
	}
	var n int
	for _, fn := range apiroutes.Functions() {
		n += len(apiroutes.Of(fn))
	}
	if n != len(apiroutes.HTTP) || len(apiroutes.Functions()) != 3 {
		t.Errorf("Of over Functions %v covers %d of %d routes", apiroutes.Functions(), n, len(apiroutes.HTTP))
	}
}
