package docscheck

import (
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"
)

// Link is a Markdown link or image target found in a doc's prose.
type Link struct {
	File   string
	Line   int
	Target string
}

var (
	// [text](target "title") and ![alt](target); the text may hold `code` and nested brackets one level deep.
	inlineLinkRE = regexp.MustCompile(`\]\(\s*<?([^()\s<>]+)>?(?:\s+"[^"]*")?\s*\)`)
	// [label]: target
	refDefRE    = regexp.MustCompile(`^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$`)
	codeSpanRE  = regexp.MustCompile("`+[^`]*`+")
	headingRE   = regexp.MustCompile(`^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$`)
	htmlIDRE    = regexp.MustCompile(`<a\s+(?:name|id)="([^"]+)"`)
	mdLinkRE    = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`)
	emphasisRE  = regexp.MustCompile(`(\*\*|__|\*)`)
	lineAnchorR = regexp.MustCompile(`^L[0-9]+(-L[0-9]+)?$`)
)

// Links lists the link targets of the doc's prose (code spans and fenced blocks are not links).
func (d Doc) Links() []Link {
	var out []Link
	for i, line := range d.Prose {
		line = codeSpanRE.ReplaceAllString(line, "")
		for _, m := range inlineLinkRE.FindAllStringSubmatch(line, -1) {
			out = append(out, Link{File: d.File, Line: i + 1, Target: m[1]})
		}
		if m := refDefRE.FindStringSubmatch(line); m != nil {
			out = append(out, Link{File: d.File, Line: i + 1, Target: m[1]})
		}
	}
	return out
}

// Anchors is the set of anchors GitHub generates for the doc's headings, plus explicit <a id|name="...">.
func (d Doc) Anchors() map[string]bool {
	anchors := map[string]bool{}
	seen := map[string]int{}
	for _, line := range d.Prose {
		for _, m := range htmlIDRE.FindAllStringSubmatch(line, -1) {
			anchors[m[1]] = true
		}
		m := headingRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		slug := Slug(m[2])
		if n := seen[slug]; n > 0 {
			anchors[fmt.Sprintf("%s-%d", slug, n)] = true
		} else {
			anchors[slug] = true
		}
		seen[slug]++
	}
	return anchors
}

// Slug is GitHub's anchor for a heading: the rendered text, lower-cased, with every character that is not a
// letter, digit, space, hyphen or underscore removed and each space turned into a hyphen.
func Slug(heading string) string {
	text := mdLinkRE.ReplaceAllString(heading, "$1")
	text = strings.ReplaceAll(text, "`", "")
	text = emphasisRE.ReplaceAllString(text, "")
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(text)) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// CheckLink reports why a relative link of a doc in the repository at root does not resolve; nil when it does
// or when it is not relative (http:, mailto:...). Line anchors (#L12) are refused: they break when code moves,
// so docs link a file and name the function.
func CheckLink(root string, l Link, anchorsOf func(file string) (map[string]bool, error)) error {
	u, err := url.Parse(l.Target)
	if err != nil {
		return fmt.Errorf("unparsable target: %w", err)
	}
	if u.Scheme != "" || u.Host != "" {
		return nil
	}
	target := l.File
	if u.Path != "" {
		if strings.HasPrefix(u.Path, "/") {
			return fmt.Errorf("absolute path: use a path relative to %s", l.File)
		}
		target = path.Clean(path.Join(path.Dir(l.File), u.Path))
		if strings.HasPrefix(target, "../") || target == ".." {
			return fmt.Errorf("points outside the repository")
		}
		if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(target))); err != nil {
			return fmt.Errorf("%s does not exist", target)
		}
	}
	if u.Fragment == "" {
		return nil
	}
	if lineAnchorR.MatchString(u.Fragment) {
		return fmt.Errorf("line anchor #%s: link the file and name the function instead", u.Fragment)
	}
	if !strings.HasSuffix(target, ".md") {
		return fmt.Errorf("anchor #%s into %s, which is not Markdown", u.Fragment, target)
	}
	anchors, err := anchorsOf(target)
	if err != nil {
		return err
	}
	if !anchors[u.Fragment] {
		return fmt.Errorf("no heading in %s has the anchor #%s", target, u.Fragment)
	}
	return nil
}
