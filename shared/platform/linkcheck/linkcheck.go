// Package linkcheck is a test helper for the functions' cold starts: every
// package a binary links runs its init at every start, used or not (an AWS SDK
// client package alone takes 0.1 to 0.6 ms, docs/performance.md), so a
// function's test can name the packages its binary must not link.
package linkcheck

import (
	"os/exec"
	"strings"
	"testing"
)

// Forbid fails t for every package that the package in the test's directory
// (a function's main) links, directly or not, whose import path contains one
// of the forbidden strings.
func Forbid(t *testing.T, forbidden ...string) {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), "go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		for _, f := range forbidden {
			if strings.Contains(pkg, f) {
				t.Errorf("links %s", pkg)
			}
		}
	}
}
