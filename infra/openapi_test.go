package infra

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/fooddelivery/serverless-food-delivery/shared/apischema/openapi"
)

// TestRoutesAreDescribedInOpenAPI keeps the routes wired here and openapi.yaml
// in step: every route is an operation there and every operation a route
// here, public exactly when the description needs no token. A route added to
// one without the other fails this test.
func TestRoutesAreDescribedInOpenAPI(t *testing.T) {
	spec, err := openapi.Load("../openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var wired, described []string
	for _, r := range append(append(slices.Clone(orderAPIRoutes), trackingRoutes...), opsRoutes...) {
		wired = append(wired, fmt.Sprintf("%s %s public=%v", r.method, r.path, r.public))
	}
	for _, op := range spec.Operations() {
		described = append(described, fmt.Sprintf("%s public=%v", op.Key(), op.Public))
	}
	slices.Sort(wired)
	slices.Sort(described)
	for _, w := range wired {
		if !slices.Contains(described, w) {
			t.Errorf("infra/api.go wires %s, which openapi.yaml does not describe so", w)
		}
	}
	for _, d := range described {
		if !slices.Contains(wired, d) {
			t.Errorf("openapi.yaml describes %s, which infra/api.go does not wire so", d)
		}
	}
	if t.Failed() {
		t.Logf("wired:\n  %s\ndescribed:\n  %s", strings.Join(wired, "\n  "), strings.Join(described, "\n  "))
	}
}
