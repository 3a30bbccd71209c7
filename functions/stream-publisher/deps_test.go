package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoDynamoDBClientInTheBinary: the publisher reads stream images only (shared/store/streamimage), so the SDK's
// DynamoDB packages, cost it about 0.75 ms of every cold start (docs/performance.md), stay out.
func TestNoDynamoDBClientInTheBinary(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.Contains(pkg, "service/dynamodb") || strings.Contains(pkg, "feature/dynamodb") {
			t.Errorf("stream-publisher links %s", pkg)
		}
	}
}
