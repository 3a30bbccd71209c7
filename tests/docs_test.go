//go:build e2e

package tests

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/scripts/docscheck"
)

// The docs' commands, run as a reader runs them. Every fenced sh block of README.md and docs/**/*.md is run
// verbatim with bash from the repository root against the stack `make e2e` deployed (AWS_ENDPOINT_URL points at
// it, so `scripts/outputs.sh` and `scripts/token.sh` find it as they find `make run`'s). The blocks of one file
// run in order in one shell, so a later block uses what an earlier one captured (ORDER_ID=$(...)); each file
// starts a fresh shell. A command fails the test when it exits non-zero (bash -e -o pipefail), when a curl of it
// gets an HTTP status other than 2xx, or other than the one its trailing comment names ("# → 400 ..."), and when
// a `go test` of it runs no test. A block whose first line is docscheck.SkipMarker is not run; the test lists
// it with its reason, and checks that a `make e2e E2E_ARGS='-run X'` in it names tests that exist.
// Run it alone: make e2e E2E_ARGS='-run TestDocsCommands'

const docsRoot = ".."

// docsPrelude comes before the blocks. curl is wrapped to record each call's status (and the Markdown line that
// made it) and to fail a call whose status is not the expected one, as `curl --fail` would.
const docsPrelude = `set -Eeuo pipefail
__docs_err() { printf '\n__DOCS_ERR %s %s\n' "$1" "$2" >&2; }
trap '__docs_err "$LINENO" "$BASH_COMMAND"' ERR
curl() {
  local line=${BASH_LINENO[0]} errf rc=0 status want
  errf=$(mktemp)
  command curl --write-out '%{stderr}__DOCS_STATUS %{http_code}\n' "$@" 2>"$errf" || rc=$?
  status=$(sed -n 's/^__DOCS_STATUS //p' "$errf" | tail -n 1)
  grep -v '^__DOCS_STATUS ' "$errf" >&2 || true
  rm -f "$errf"
  status=${status:-000}
  want=${__docs_expect[$line]:-2xx}
  printf '%s %s %s\n' "$line" "$status" "$want" >>"$DOCS_CALLS"
  if ((rc == 0)) && [[ $want == 2xx && $status != 2?? || $want != 2xx && $status != "$want" ]]; then
    printf '\n__DOCS_BADSTATUS %s got %s want %s\n' "$line" "$status" "$want" >&2
    return 22
  fi
  return "$rc"
}
`

// docsScript is one file's blocks as a bash script, and what the test needs to map it back to the Markdown.
type docsScript struct {
	file     string
	text     string
	mdLine   map[int]int // script line → Markdown line
	commands []docscheck.Command
	skipped  []docscheck.Block
	run      int // blocks to run
}

func buildDocsScript(doc docscheck.Doc) docsScript {
	s := docsScript{file: doc.File, mdLine: map[int]int{}}
	var body []string
	expect := map[int]int{}                         // script line → expected status
	prelude := strings.Count(docsPrelude, "\n") + 2 // + the __docs_expect declaration and the cd
	for _, b := range doc.Blocks {
		if !b.Shell() {
			continue
		}
		if _, skip := b.SkipReason(); skip {
			s.skipped = append(s.skipped, b)
			continue
		}
		s.run++
		body = append(body, fmt.Sprintf("echo '__DOCS_BLOCK %s:%d'", b.File, b.Line))
		first := prelude + len(body) + 1 // script line of the block's first line
		for i := range b.Lines {
			s.mdLine[first+i] = b.Line + i
		}
		body = append(body, b.Lines...)
		for _, c := range docscheck.Commands(b) {
			s.commands = append(s.commands, c)
			if c.Expect != 0 {
				for md := c.Start; md <= c.End; md++ {
					expect[first+md-b.Line] = c.Expect
				}
			}
		}
	}
	var decl strings.Builder
	decl.WriteString("declare -A __docs_expect=(")
	lines := make([]int, 0, len(expect))
	for l := range expect {
		lines = append(lines, l)
	}
	sort.Ints(lines)
	for _, l := range lines {
		fmt.Fprintf(&decl, "[%d]=%d ", l, expect[l])
	}
	decl.WriteString(")")
	root, _ := filepath.Abs(docsRoot)
	s.text = docsPrelude + decl.String() + "\ncd " + strconv.Quote(root) + "\n" + strings.Join(body, "\n") + "\n"
	return s
}

// commandAt is the command whose Markdown lines hold md.
func (s docsScript) commandAt(md int) (docscheck.Command, bool) {
	for _, c := range s.commands {
		if md >= c.Start && md <= c.End {
			return c, true
		}
	}
	return docscheck.Command{}, false
}

var (
	e2eRunRE       = regexp.MustCompile(`E2E_ARGS='-run ([^']+)'`)
	noTestsToRunRE = regexp.MustCompile(`(?m)no tests to run`)
	docsErrRE      = regexp.MustCompile(`(?m)^__DOCS_ERR ([0-9]+) (.*)$`)
)

func TestDocsCommands(t *testing.T) {
	if _, err := exec.LookPath("jq"); err != nil {
		t.Fatal("the docs' commands use jq (README, Prerequisites): install it")
	}
	files, err := docscheck.Files(docsRoot)
	if err != nil {
		t.Fatal(err)
	}
	var notRun []string
	var e2ePatterns []string
	ran := 0
	for _, f := range files {
		doc, err := docscheck.ReadDoc(docsRoot, f)
		if err != nil {
			t.Fatal(err)
		}
		s := buildDocsScript(doc)
		for _, b := range s.skipped {
			reason, _ := b.SkipReason()
			notRun = append(notRun, fmt.Sprintf("%s:%d (%s): %s", b.File, b.Line, reason, strings.Join(b.Lines[1:], "; ")))
			for _, l := range b.Lines {
				for _, m := range e2eRunRE.FindAllStringSubmatch(l, -1) {
					e2ePatterns = append(e2ePatterns, m[1]+" ("+b.File+")")
				}
			}
		}
		if s.run == 0 {
			continue
		}
		ran += s.run
		t.Run(f, func(t *testing.T) { runDocsScript(t, s) })
	}
	if ran == 0 {
		t.Fatal("no shell block found to run: the Markdown parser is broken")
	}
	t.Logf("%d shell blocks not run (the marker %q says why):\n  %s", len(notRun), docscheck.SkipMarker,
		strings.Join(notRun, "\n  "))
	checkE2ETestsExist(t, e2ePatterns)
}

func runDocsScript(t *testing.T, s docsScript) {
	dir := t.TempDir()
	calls := filepath.Join(dir, "calls")
	script := filepath.Join(dir, "docs.sh")
	if err := os.WriteFile(script, []byte(s.text), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", script)
	cmd.Env = append(os.Environ(), "DOCS_CALLS="+calls)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	started := time.Now()
	runErr := cmd.Run()
	output := out.String()

	failed := false
	fail := func(format string, args ...any) {
		failed = true
		t.Errorf(format, args...)
	}
	if runErr != nil {
		where := "?"
		if m := docsErrRE.FindAllStringSubmatch(output, -1); m != nil {
			// The last report is the top-level shell's: the failing command of the block (bash numbers the lines
			// of a subshell inside a multi-line command unreliably).
			line, _ := strconv.Atoi(m[len(m)-1][1])
			if c, ok := s.commandAt(s.mdLine[line]); ok {
				where = fmt.Sprintf("%s:%d-%d:\n%s", s.file, c.Start, c.End, c.Text)
			}
		}
		fail("the commands failed (%v) at %s", runErr, where)
	}
	// Every curl got what its command expects; every command that names a status saw it.
	seen := map[int]map[int]bool{} // command start → statuses
	if f, err := os.Open(calls); err == nil {
		sc := bufio.NewScanner(f)
		n := 0
		for sc.Scan() {
			n++
			var line, status int
			var want string
			if _, err := fmt.Sscanf(sc.Text(), "%d %d %s", &line, &status, &want); err != nil {
				fail("curl log line %d %q: %v", n, sc.Text(), err)
				continue
			}
			c, ok := s.commandAt(s.mdLine[line])
			if !ok {
				fail("a curl on script line %d belongs to no command of the docs", line)
				continue
			}
			if seen[c.Start] == nil {
				seen[c.Start] = map[int]bool{}
			}
			seen[c.Start][status] = true
			if (want == "2xx" && (status < 200 || status > 299)) || (want != "2xx" && strconv.Itoa(status) != want) {
				fail("%s:%d: HTTP %d, want %s:\n%s", s.file, c.Start, status, want, c.Text)
			}
		}
		f.Close()
		t.Logf("%d curl calls", n)
	}
	for _, c := range s.commands {
		if c.Expect != 0 && !seen[c.Start][c.Expect] {
			fail("%s:%d says it answers %d, but no curl of it got that:\n%s", s.file, c.Start, c.Expect, c.Text)
		}
	}
	if m := noTestsToRunRE.FindString(output); m != "" {
		fail("a go test command of the docs ran no test (%q): its -run names no test", m)
	}
	t.Logf("%d blocks, %d commands in %s", s.run, len(s.commands), time.Since(started).Round(time.Millisecond))
	if failed {
		t.Logf("output of the commands:\n%s", output)
	}
}

// checkE2ETestsExist makes sure the deployed-stack tests the docs tell a reader to run by name exist: their
// commands start a second emulator, so the docs test does not run them (they run in this same `make test`).
func checkE2ETestsExist(t *testing.T, patterns []string) {
	if len(patterns) == 0 {
		return
	}
	out, err := exec.CommandContext(t.Context(), "go", "test", "-tags", "e2e", "-list", ".", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go test -list: %v\n%s", err, out)
	}
	var names []string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "Test") {
			names = append(names, l)
		}
	}
	for _, p := range patterns {
		pattern, file, _ := strings.Cut(p, " (")
		re, err := regexp.Compile(strings.Split(pattern, "/")[0])
		if err != nil {
			t.Errorf("%s: -run %q: %v", strings.TrimSuffix(file, ")"), pattern, err)
			continue
		}
		found := false
		for _, n := range names {
			found = found || re.MatchString(n)
		}
		if !found {
			t.Errorf("%s: E2E_ARGS='-run %s' names no deployed-stack test", strings.TrimSuffix(file, ")"), pattern)
		} else {
			t.Logf("deployed-stack test named by %s: -run %s exists (it runs in this make test)", strings.TrimSuffix(file, ")"), pattern)
		}
	}
}
