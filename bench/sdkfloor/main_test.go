package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestEachTagLinksItsPartAndNoOther: a probe measures exactly the clients and template engines its build tags name
// (go vet and go test ./... see only the untagged build, where it has none).
func TestEachTagLinksItsPartAndNoOther(t *testing.T) {
	parts := map[string]string{
		"dynamodb": "github.com/aws/aws-sdk-go-v2/service/dynamodb", "eventbridge": "github.com/aws/aws-sdk-go-v2/service/eventbridge",
		"s3": "github.com/aws/aws-sdk-go-v2/service/s3", "secretsmanager": "github.com/aws/aws-sdk-go-v2/service/secretsmanager",
		"sesv2": "github.com/aws/aws-sdk-go-v2/service/sesv2", "sns": "github.com/aws/aws-sdk-go-v2/service/sns",
		"text": "text/template", "html": "html/template",
	}
	for _, probe := range [][]string{{"dynamodb", "sesv2", "text", "html"}, {"dynamodb", "sns", "text"}, {"eventbridge"},
		{"dynamodb", "s3", "secretsmanager"}} {
		tags := "lambda.norpc"
		for _, p := range probe {
			tags += ",sdkfloor_" + p
		}
		out, err := exec.CommandContext(t.Context(), "go", "list", "-deps", "-tags", tags, ".").CombinedOutput()
		if err != nil {
			t.Fatalf("go list -tags %s: %v\n%s", tags, err, out)
		}
		deps := strings.Fields(string(out))
		for part, pkg := range parts {
			if want := slices.Contains(probe, part); slices.Contains(deps, pkg) != want {
				t.Errorf("tags %s: links %s = %v, want %v", tags, pkg, !want, want)
			}
		}
	}
}

// TestEveryPartCompiles builds a probe with all of them.
func TestEveryPartCompiles(t *testing.T) {
	tags := "lambda.norpc,sdkfloor_dynamodb,sdkfloor_eventbridge,sdkfloor_s3,sdkfloor_secretsmanager,sdkfloor_sesv2," +
		"sdkfloor_sns,sdkfloor_text,sdkfloor_html"
	if out, err := exec.CommandContext(t.Context(), "go", "build", "-tags", tags, "-o", t.TempDir(), ".").CombinedOutput(); err != nil {
		t.Fatalf("go build -tags %s: %v\n%s", tags, err, out)
	}
}
