// Command diagram draws the architecture diagram (Mermaid) from the CloudFormation template the CDK app
// synthesizes, so the picture cannot drift from what is deployed. It synthesizes the stack in process (stage
// aws, as `cdk deploy` ships it; dummy function binaries, since only the wiring matters) and prints the
// flowchart, or with -write replaces it between the markers in README.md and docs/architecture.md.
//
//	go run ./scripts/diagram          # print it
//	make diagram                      # = go run ./scripts/diagram -write
//
// diagram_test.go fails when a committed diagram differs from what the template yields.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/jsii-runtime-go"

	"github.com/fooddelivery/serverless-food-delivery/infra"
)

// Markers around the generated diagram in the Markdown files.
const (
	BeginMarker = "<!-- diagram:begin (generated from the synthesized template by `make diagram`; do not edit) -->"
	EndMarker   = "<!-- diagram:end -->"
)

// Targets are the Markdown files (relative to the repository root) that embed the diagram.
var Targets = []string{"README.md", "docs/architecture.md"}

func main() {
	write := flag.Bool("write", false, "replace the diagram between the markers in "+strings.Join(Targets, " and "))
	root := flag.String("root", ".", "the repository root")
	flag.Parse()
	err := run(*root, *write)
	jsii.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, "diagram:", err)
		os.Exit(1)
	}
}

func run(root string, write bool) error {
	tpl, err := Synthesize(root)
	if err != nil {
		return err
	}
	chart, err := Mermaid(tpl)
	if err != nil {
		return err
	}
	if !write {
		fmt.Print(chart)
		return nil
	}
	for _, f := range Targets {
		path := filepath.Join(root, f)
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		out, err := Embed(string(raw), chart)
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		if out != string(raw) {
			if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
				return err
			}
			fmt.Println("diagram: updated", f)
		}
	}
	return nil
}

// Block is the Markdown that goes between the markers.
func Block(chart string) string { return "```mermaid\n" + chart + "```\n" }

// Embed puts the chart between the markers of doc.
func Embed(doc, chart string) (string, error) {
	before, rest, ok := strings.Cut(doc, BeginMarker+"\n")
	if !ok {
		return "", fmt.Errorf("no line %q", BeginMarker)
	}
	_, after, ok := strings.Cut(rest, EndMarker)
	if !ok {
		return "", fmt.Errorf("no %q after the begin marker", EndMarker)
	}
	return before + BeginMarker + "\n" + Block(chart) + EndMarker + after, nil
}

// Embedded is the Markdown between the markers of doc.
func Embedded(doc string) (string, error) {
	_, rest, ok := strings.Cut(doc, BeginMarker+"\n")
	if !ok {
		return "", fmt.Errorf("no line %q", BeginMarker)
	}
	inner, _, ok := strings.Cut(rest, EndMarker)
	if !ok {
		return "", fmt.Errorf("no %q after the begin marker", EndMarker)
	}
	return inner, nil
}

// Synthesize builds the FoodDelivery stack (stage aws) with the context of cdk.json and returns its template.
func Synthesize(root string) ([]byte, error) { return infra.SynthesizeTemplate(root, infra.StageAWS) }
