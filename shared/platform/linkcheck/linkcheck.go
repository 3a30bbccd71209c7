// Package linkcheck is a test helper for the functions' cold starts: every
// package a binary links runs its init at every start, used or not (an AWS SDK
// client package alone takes 0.1 to 0.6 ms, docs/performance.md), so a
// function's test can name the packages its binary must not link.
package linkcheck

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/fooddelivery/serverless-food-delivery/"

// HTTPAPI are the packages of the HTTP APIs: the order use cases and their
// routes (shared/orders), the router and request decoding (httpapi), the
// request schemas (apischema). A queue consumer has no use for them.
var HTTPAPI = []string{module + "shared/orders", module + "shared/platform/httpapi", module + "shared/apischema"}

// JWT is the JSON Web Token library and our verifier over it: only the realtime function, which checks the
// Cognito ID token at $connect, has a use for them (the HTTP API's authorizer checks the others' tokens).
var JWT = []string{module + "shared/platform/jwtauth", "github.com/golang-jwt/jwt", "github.com/MicahParks/jwkset"}

// Forbid fails t for every package that the package in the test's directory
// (a function's main) links, directly or not, whose import path contains one
// of the forbidden strings.
func Forbid(t testing.TB, forbidden ...string) {
	t.Helper()
	deps, err := Deps(t.Context(), ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range deps {
		for _, f := range forbidden {
			if strings.Contains(pkg, f) {
				t.Errorf("links %s", pkg)
			}
		}
	}
}

// Deps lists the packages that the package in dir links, directly or not,
// as scripts/build-functions.sh builds it: for Linux, without cgo, with the
// tag lambda.norpc (without it, aws-lambda-go links net/rpc and through it
// html/template, which no function's binary contains).
//
// go test caches a passing test by the files the test process itself reads,
// and go list reads the sources in another process; so Deps also reads every
// directory and stats every Go file of the module's packages among them, and
// go.mod, and a cached pass does not survive an import added to any of them.
func Deps(ctx context.Context, dir string) ([]string, error) {
	cmd := exec.CommandContext(ctx, "go", "list", "-deps", "-tags", "lambda.norpc",
		"-f", `{{.ImportPath}}{{if .Module}}{{if .Module.Main}}{{"\t"}}{{.Dir}}{{"\t"}}{{.Module.GoMod}}{{end}}{{end}}`, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			out = ee.Stderr
		}
		return nil, fmt.Errorf("go list in %s: %w\n%s", dir, err, out)
	}
	var deps []string
	for line := range strings.Lines(string(out)) {
		fields := strings.Split(strings.TrimRight(line, "\n"), "\t")
		if fields[0] == "" {
			continue
		}
		deps = append(deps, fields[0])
		if len(fields) == 3 { // one of the module's own packages: its directory and go.mod
			if err := touch(fields[1], fields[2]); err != nil {
				return nil, err
			}
		}
	}
	return deps, nil
}

// touch reads dir, stats its Go files and stats goMod.
func touch(dir, goMod string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".go") {
			if _, err := os.Stat(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	_, err = os.Stat(goMod)
	return err
}
