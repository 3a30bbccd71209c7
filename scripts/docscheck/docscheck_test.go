package docscheck

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
)

const root = "../.."

func TestParseFindsFencedBlocksAndBlanksThemInProse(t *testing.T) {
	doc := Parse("x.md", "# Title\n\n```sh\necho hi\n```\n\n  ~~~text\n  [not](a-link.md)\n  ~~~\n[a](b.md)\n")
	if len(doc.Blocks) != 2 {
		t.Fatalf("blocks: %+v", doc.Blocks)
	}
	if b := doc.Blocks[0]; b.Lang != "sh" || b.Line != 4 || !reflect.DeepEqual(b.Lines, []string{"echo hi"}) || !b.Shell() {
		t.Fatalf("first block: %+v", b)
	}
	if b := doc.Blocks[1]; b.Lang != "text" || b.Lines[0] != "[not](a-link.md)" || b.Shell() {
		t.Fatalf("second block: %+v", b)
	}
	links := doc.Links()
	if len(links) != 1 || links[0].Target != "b.md" || links[0].Line != 10 {
		t.Fatalf("links: %+v (a link inside a fenced block is not a link)", links)
	}
}

func TestCommandsJoinContinuationsQuotesAndLoops(t *testing.T) {
	block := Block{Line: 10, Lines: strings.Split(`# a comment line belongs to no command
eval "$(scripts/outputs.sh)"                     # sets API_BASE
ORDER_ID=$(curl -s -X POST "$API_BASE/orders" \
  -d '{"a":1,
       "b":"# not a comment"}' | jq -r .id)
curl -s "$API_BASE/orders/x" -d '{}'   # → 400 the body names the field
for name in a b; do
  echo "waiting for $name"
done
curl -s x |
  jq .

echo done`, "\n")}
	got := Commands(block)
	want := []struct {
		start, end, expect int
	}{{11, 11, 0}, {12, 14, 0}, {15, 15, 400}, {16, 18, 0}, {19, 20, 0}, {22, 22, 0}}
	if len(got) != len(want) {
		t.Fatalf("got %d commands: %+v", len(got), got)
	}
	for i, w := range want {
		if got[i].Start != w.start || got[i].End != w.end || got[i].Expect != w.expect {
			t.Errorf("command %d: got lines %d-%d expect %d, want %d-%d expect %d:\n%s",
				i, got[i].Start, got[i].End, got[i].Expect, w.start, w.end, w.expect, got[i].Text)
		}
	}
}

func TestSkipMarkerGivesTheReason(t *testing.T) {
	b := Block{Lines: []string{SkipMarker + " it deploys to AWS", "make deploy"}}
	if reason, ok := b.SkipReason(); !ok || reason != "it deploys to AWS" {
		t.Fatalf("got %q %v", reason, ok)
	}
	if _, ok := (Block{Lines: []string{"make unit"}}).SkipReason(); ok {
		t.Fatal("a block without the marker is skipped")
	}
}

func TestSlugFollowsGitHub(t *testing.T) {
	for heading, want := range map[string]string{
		"Try it with curl":                                    "try-it-with-curl",
		"Reliability: load and faults":                        "reliability-load-and-faults",
		"The sweeper (`shared/sweeper`, `infra.SweepConfig`)": "the-sweeper-sharedsweeper-infrasweepconfig",
		"Consumer timings per stage (`infra.Timings`)":        "consumer-timings-per-stage-infratimings",
		"At-least-once **delivery** → [dedup](x.md)":          "at-least-once-delivery--dedup",
		"Café_au lait":                                        "café_au-lait",
	} {
		if got := Slug(heading); got != want {
			t.Errorf("Slug(%q) = %q, want %q", heading, got, want)
		}
	}
	doc := Parse("x.md", "# A\n## A\n```\n# A\n```\n## A\n")
	if a := doc.Anchors(); !a["a"] || !a["a-1"] || !a["a-2"] || a["a-3"] {
		t.Fatalf("duplicate headings: %v", a)
	}
}

func TestCheckLinkCatchesWhatBreaks(t *testing.T) {
	anchors := func(file string) (map[string]bool, error) {
		doc, err := ReadDoc(root, file)
		return doc.Anchors(), err
	}
	for target, bad := range map[string]bool{
		"docs/architecture.md":             false,
		"docs/architecture.md#events":      false,
		"docs/architecture.md#no-such":     true,
		"docs/nothing.md":                  true,
		"shared/payments/service.go":       false,
		"shared/payments/service.go#L12":   true,
		"https://example.com/x#y":          false,
		"#the-two-commands":                false,
		"#not-a-heading":                   true,
		"../outside.md":                    true,
		"/README.md":                       true,
		"events/schemas":                   false,
		"openapi.yaml#/components/schemas": true,
	} {
		err := CheckLink(root, Link{File: "README.md", Line: 1, Target: target}, anchors)
		if (err != nil) != bad {
			t.Errorf("%s: got %v, want broken=%v", target, err, bad)
		}
	}
}

// TestDocsLinksResolve is the links check of the docs: every relative link and anchor in README.md and
// docs/**/*.md must resolve. Run it alone: go test ./scripts/docscheck -run TestDocsLinksResolve
func TestDocsLinksResolve(t *testing.T) {
	files, err := Files(root)
	if err != nil {
		t.Fatal(err)
	}
	cache := map[string]map[string]bool{}
	anchors := func(file string) (map[string]bool, error) {
		if a, ok := cache[file]; ok {
			return a, nil
		}
		doc, err := ReadDoc(root, file)
		if err != nil {
			return nil, err
		}
		cache[file] = doc.Anchors()
		return cache[file], nil
	}
	checked := 0
	for _, f := range files {
		doc, err := ReadDoc(root, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range doc.Links() {
			checked++
			if err := CheckLink(root, l, anchors); err != nil {
				t.Errorf("%s:%d: (%s) %v", l.File, l.Line, l.Target, err)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no links found: the parser is broken")
	}
	t.Logf("%d links in %d files", checked, len(files))
}

// TestDocsShellBlocksParse checks that every shell block splits into complete commands (no quote, parenthesis
// or loop left open), so the docs test runs them as the reader would.
func TestDocsShellBlocksParse(t *testing.T) {
	files, err := Files(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		doc, err := ReadDoc(root, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range doc.Blocks {
			if !b.Shell() {
				continue
			}
			var sc scanner
			for _, line := range b.Lines {
				sc.continues(line, sc.feed(line+"\n"))
			}
			if sc.quote != 0 || sc.depth != 0 || sc.compound != 0 {
				t.Errorf("%s:%d: the block ends inside a quote, ( or loop", b.File, b.Line)
			}
		}
	}
}

// commandLineRE matches the first line of a block that is a command for the reader to run, not output.
var commandLineRE = regexp.MustCompile(`^(\$ )?(([A-Z_]+=\S*\s+)+)?(make|go|curl|scripts/|\./|npx|eval|export|cd|jq)(\s|$)`)

// TestCommandBlocksAreShellBlocks keeps the docs test honest: commands a reader is told to run must be in ```sh
// blocks, which the docs test runs (or lists, with the marker's reason), not in unmarked blocks it cannot see.
func TestCommandBlocksAreShellBlocks(t *testing.T) {
	files, err := Files(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		doc, err := ReadDoc(root, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range doc.Blocks {
			if b.Shell() || (b.Lang != "" && b.Lang != "text" && b.Lang != "console") {
				continue
			}
			for _, l := range b.Lines {
				if strings.TrimSpace(l) == "" {
					continue
				}
				if commandLineRE.MatchString(strings.TrimSpace(l)) {
					t.Errorf("%s:%d: %q is a command: fence the block as ```sh so the docs test runs it "+
						"(first line %q if it cannot run in the test)", b.File, b.Line, l, SkipMarker+" <reason>")
				}
				break
			}
		}
	}
}

func TestCommandLineREKnowsCommandsFromOutput(t *testing.T) {
	for line, isCommand := range map[string]bool{
		"make deploy ALARM_EMAIL=oncall@example.com": true,
		"ALARM_EMAIL=x make deploy-local PORT=4630":  true,
		"go test ./shared/...":                       true,
		"$ curl -s localhost":                        true,
		"order 1683c100-…: 27 entries":               false,
		"step  2.0/s: 12 sent":                       false,
		"2026-11-30T23:50:08.589Z  version":          false,
		"== table FoodDelivery":                      false,
	} {
		if commandLineRE.MatchString(line) != isCommand {
			t.Errorf("%q: command=%v", line, !isCommand)
		}
	}
}
