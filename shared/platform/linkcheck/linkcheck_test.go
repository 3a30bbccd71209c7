package linkcheck_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fooddelivery/serverless-food-delivery/shared/platform/linkcheck"
)

// TestDepsListsWhatTheLambdaBuildLinks: the list is the one of the functions' build (tag lambda.norpc), in which
// aws-lambda-go does not link net/rpc; a plain go list would name it, and html/template through it, and a
// function's test forbidding the template packages could not pass.
func TestDepsListsWhatTheLambdaBuildLinks(t *testing.T) {
	deps, err := linkcheck.Deps(t.Context(), "testdata/lambdamain")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(deps, "github.com/aws/aws-lambda-go/lambda") {
		t.Errorf("the lambda package is missing from %v", deps)
	}
	for _, pkg := range []string{"net/rpc", "html/template", "text/template"} {
		if slices.Contains(deps, pkg) {
			t.Errorf("lists %s, which the lambda.norpc build does not link", pkg)
		}
	}
}

// recorder is a testing.TB that keeps what Forbid reports instead of failing the test.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestForbidReportsEveryLinkedPackageThatMatches(t *testing.T) {
	t.Chdir("testdata/lambdamain")
	r := &recorder{TB: t}
	linkcheck.Forbid(r, "aws-lambda-go/lambda/messages", "net/rpc", "shared/orders")
	if want := []string{"links github.com/aws/aws-lambda-go/lambda/messages"}; !slices.Equal(r.errors, want) {
		t.Errorf("reported %q, want %q", r.errors, want)
	}
}

// TestOnlyTheRealtimeFunctionLinksTheJWTLibrary: the store implements the realtime ports, so a verifier linked
// by shared/realtime would reach every function that reads the table (it once did: 0.02 ms of every start).
func TestOnlyTheRealtimeFunctionLinksTheJWTLibrary(t *testing.T) {
	dirs, err := filepath.Glob("../../../functions/*")
	if err != nil || len(dirs) < 10 {
		t.Fatalf("functions: %v, %v", dirs, err)
	}
	for _, dir := range dirs {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		deps, err := linkcheck.Deps(t.Context(), dir)
		if err != nil {
			t.Fatal(err)
		}
		links := slices.ContainsFunc(deps, func(pkg string) bool {
			return slices.ContainsFunc(linkcheck.JWT, func(f string) bool { return strings.Contains(pkg, f) })
		})
		if want := filepath.Base(dir) == "realtime"; links != want {
			t.Errorf("%s: links the JWT library: %v, want %v", filepath.Base(dir), links, want)
		}
	}
}
