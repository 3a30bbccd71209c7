// Package docscheck reads the project's Markdown (README.md and docs/**/*.md) the way the doc tests need it:
// the fenced shell blocks a reader is told to run, split into commands; the relative links and the headings'
// anchors. tests/docs_test.go runs the commands against the deployed stack; links_test.go here checks the links.
package docscheck

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// SkipMarker starts the first line of a shell block that the doc test must not run (make run, make bench, a
// deploy to AWS...). What follows the marker is the reason, which the test prints. Readers see it too: it is a
// shell comment, so the block still runs verbatim when pasted.
const SkipMarker = "# not run by the docs test:"

// Files lists README.md and every .md file under docs/ of the repository at root, relative to root, sorted.
func Files(root string) ([]string, error) {
	files := []string{"README.md"}
	err := filepath.WalkDir(filepath.Join(root, "docs"), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".md") {
			rel, err := filepath.Rel(root, path)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list docs: %w", err)
	}
	sort.Strings(files[1:])
	return files, nil
}

// Block is a fenced code block.
type Block struct {
	File  string   // as given to Parse
	Line  int      // 1-based line of the first content line (the one after the fence)
	Lang  string   // the first word of the info string: "sh", "text", ""
	Lines []string // the content, with the fence's indentation removed
}

// Shell reports whether the block is a shell block a reader is told to run.
func (b Block) Shell() bool { return b.Lang == "sh" || b.Lang == "bash" || b.Lang == "shell" }

// SkipReason is the reason after SkipMarker on the block's first line, and whether there is one.
func (b Block) SkipReason() (string, bool) {
	if len(b.Lines) == 0 || !strings.HasPrefix(strings.TrimSpace(b.Lines[0]), SkipMarker) {
		return "", false
	}
	return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(b.Lines[0]), SkipMarker)), true
}

// Doc is a parsed Markdown file: its fenced blocks, and its prose lines (blocks blanked out), for links and
// headings.
type Doc struct {
	File   string
	Blocks []Block
	Prose  []string // every line of the file; lines inside fenced blocks are ""
}

var fenceRE = regexp.MustCompile("^( {0,3})(`{3,}|~{3,})\\s*([^`\\s]*)")

// Parse splits Markdown text into fenced blocks and prose (CommonMark fences; an unclosed fence runs to the end).
func Parse(file, text string) Doc {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	doc := Doc{File: file, Prose: make([]string, len(lines))}
	for i := 0; i < len(lines); i++ {
		m := fenceRE.FindStringSubmatch(lines[i])
		if m == nil {
			doc.Prose[i] = lines[i]
			continue
		}
		indent, fence := len(m[1]), m[2]
		b := Block{File: file, Line: i + 2, Lang: m[3]}
		for i++; i < len(lines); i++ {
			trimmed := strings.TrimLeft(lines[i], " ")
			if strings.HasPrefix(trimmed, fence) && strings.Trim(trimmed, string(fence[0])+" \t") == "" {
				break
			}
			line := lines[i]
			for n := 0; n < indent && strings.HasPrefix(line, " "); n++ {
				line = line[1:]
			}
			b.Lines = append(b.Lines, line)
		}
		doc.Blocks = append(doc.Blocks, b)
	}
	return doc
}

// ReadDoc parses the file at root/file.
func ReadDoc(root, file string) (Doc, error) {
	raw, err := os.ReadFile(filepath.Join(root, file))
	if err != nil {
		return Doc{}, fmt.Errorf("read %s: %w", file, err)
	}
	return Parse(file, string(raw)), nil
}

// Command is one logical shell command of a block: its lines joined by backslash continuations, open quotes,
// open parentheses, or a trailing | && ||.
type Command struct {
	Start, End int // Markdown lines, 1-based, inclusive
	Text       string
	// Expect is the HTTP status every curl of the command must get, from a trailing comment "# → 400 ...";
	// 0 means any 2xx.
	Expect int
}

var expectRE = regexp.MustCompile(`^#\s*→\s*([1-5][0-9][0-9])\b`)

// Commands splits a shell block into its logical commands. Comment-only and blank lines belong to no command.
func Commands(b Block) []Command {
	var out []Command
	var cur *Command
	var sc scanner
	for i, line := range b.Lines {
		n := b.Line + i
		if cur == nil {
			if t := strings.TrimSpace(line); t == "" || strings.HasPrefix(t, "#") {
				continue
			}
			out = append(out, Command{Start: n})
			cur = &out[len(out)-1]
			sc = scanner{}
		}
		cur.End = n
		if cur.Text != "" {
			cur.Text += "\n"
		}
		cur.Text += line
		comment := sc.feed(line + "\n")
		if m := expectRE.FindStringSubmatch(comment); m != nil {
			cur.Expect, _ = strconv.Atoi(m[1])
		}
		if !sc.continues(line, comment) {
			cur = nil
		}
	}
	return out
}

// scanner tracks the shell quoting state across lines, enough for the commands we write in docs: quotes,
// $( ) and ( ) nesting, backslash escapes, comments, and compound commands (for/while/until/if/{ spanning lines).
type scanner struct {
	quote    byte // 0, '\'' or '"'
	depth    int  // open ( and $(
	compound int  // open for/while/until/if/case/{
	word     strings.Builder
}

// feed consumes one line and returns its trailing comment ("" when none).
func (s *scanner) feed(line string) string {
	defer s.endWord()
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch s.quote {
		case '\'':
			if c == '\'' {
				s.quote = 0
			}
			continue
		case '"':
			switch c {
			case '\\':
				i++
			case '"':
				s.quote = 0
			}
			continue
		}
		switch c {
		case '\\':
			i++
			s.word.WriteByte('\\')
		case '\'', '"':
			s.quote = c
			s.word.WriteByte(c)
		case '(':
			s.depth++
			s.endWord()
		case ')':
			s.depth--
			s.endWord()
		case ' ', '\t', '\n', ';', '&', '|':
			s.endWord()
		case '#':
			if s.word.Len() == 0 {
				return strings.TrimSpace(line[i:])
			}
			s.word.WriteByte(c)
		default:
			s.word.WriteByte(c)
		}
	}
	return ""
}

// endWord counts a finished unquoted word if it opens or closes a compound command.
func (s *scanner) endWord() {
	switch s.word.String() {
	case "for", "while", "until", "if", "case", "{":
		s.compound++
	case "done", "fi", "esac", "}":
		s.compound--
	}
	s.word.Reset()
}

// continues reports whether the command goes on on the next line.
func (s *scanner) continues(line, comment string) bool {
	if s.quote != 0 || s.depth > 0 || s.compound > 0 {
		return true
	}
	code := strings.TrimSpace(strings.TrimSuffix(strings.TrimRight(line, " \t"), comment))
	if comment == "" && strings.HasSuffix(code, "\\") {
		return true
	}
	for _, op := range []string{"|", "&&", "||"} {
		if strings.HasSuffix(code, op) {
			return true
		}
	}
	return false
}
