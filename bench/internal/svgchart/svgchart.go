// Package svgchart draws the horizontal bar charts of `make bench` as
// standalone SVG: one row per bar, bars made of stacked segments, optional
// vertical reference lines (a target, a baseline) and per-bar markers (a
// floor). No external tools, no fonts beyond the viewer's sans-serif.
package svgchart

import (
	"fmt"
	"html"
	"math"
	"strings"

	"github.com/fooddelivery/serverless-food-delivery/bench/internal/benchfile"
)

// Palette is used in order for series without a colour.
var Palette = []string{"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1"}

// Segment is one part of a bar.
type Segment struct {
	Series string // legend entry; segments of one series share a colour
	Value  float64
}

// Bar is one row.
type Bar struct {
	Label    string
	Segments []Segment
	Note     string   // printed right of the bar, e.g. "1.42×"
	Marker   *float64 // a tick across the bar at this value, e.g. the physical floor
	Muted    bool     // drawn grey: a baseline rather than a subject
	Emphasis bool     // note in bold red: the bar misses its target
}

// RefLine is a vertical line across all bars.
type RefLine struct {
	Value float64
	Label string
	Color string
}

// Chart is a titled horizontal bar chart.
type Chart struct {
	Title       string
	Subtitle    string
	Unit        string // axis label
	Bars        []Bar
	RefLines    []RefLine
	MarkerLabel string // legend text for Bar.Marker
	Colors      map[string]string
}

const (
	width     = 900
	noteW     = 110
	rowH      = 26
	barH      = 16
	topPad    = 70
	bottomPad = 70
)

// SVG renders the chart.
func (c Chart) SVG() []byte {
	var series []string
	seen := map[string]bool{}
	maxV := 0.0
	for _, b := range c.Bars {
		total := 0.0
		for _, s := range b.Segments {
			total += s.Value
			if !seen[s.Series] {
				seen[s.Series] = true
				series = append(series, s.Series)
			}
		}
		maxV = math.Max(maxV, total)
		if b.Marker != nil {
			maxV = math.Max(maxV, *b.Marker)
		}
	}
	for _, r := range c.RefLines {
		maxV = math.Max(maxV, r.Value)
	}
	labelW := 80
	for _, b := range c.Bars {
		labelW = max(labelW, 7*len(b.Label)+20) // about 7 px per character at 12 px sans-serif
	}
	step := niceStep(maxV)
	axisMax := math.Ceil(maxV/step) * step
	if axisMax == 0 {
		axisMax, step = 1, 1
	}
	plotW := float64(width - labelW - noteW)
	x := func(v float64) float64 { return float64(labelW) + v/axisMax*plotW }
	color := func(s string, i int) string {
		if col, ok := c.Colors[s]; ok {
			return col
		}
		return Palette[i%len(Palette)]
	}
	height := topPad + len(c.Bars)*rowH + bottomPad

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n",
		width, height, width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="#ffffff"/>`+"\n")
	fmt.Fprintf(&b, `<text x="12" y="22" font-size="16" font-weight="bold">%s</text>`+"\n", esc(c.Title))
	if c.Subtitle != "" {
		fmt.Fprintf(&b, `<text x="12" y="42" fill="#555555">%s</text>`+"\n", esc(c.Subtitle))
	}
	plotTop, plotBottom := float64(topPad-8), float64(topPad+len(c.Bars)*rowH)
	// grid and axis
	for v := 0.0; v <= axisMax+step/2; v += step {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#e5e5e5"/>`+"\n", x(v), plotTop, x(v), plotBottom)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#555555">%s</text>`+"\n", x(v), plotBottom+16, benchfile.FormatValue(benchfile.Round(v)))
	}
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#555555">%s</text>`+"\n", x(axisMax/2), plotBottom+34, esc(c.Unit))
	// bars
	for i, bar := range c.Bars {
		y := float64(topPad + i*rowH)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end" dominant-baseline="middle">%s</text>`+"\n", labelW-8, y+barH/2, esc(bar.Label))
		at := 0.0
		for _, s := range bar.Segments {
			fill := color(s.Series, indexOf(series, s.Series))
			if bar.Muted {
				fill = "#bab0ac"
			}
			w := x(at+s.Value) - x(at)
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%d" fill="%s"><title>%s: %s</title></rect>`+"\n",
				x(at), y, w, barH, fill, esc(s.Series), benchfile.FormatValue(benchfile.Round(s.Value)))
			at += s.Value
		}
		if bar.Marker != nil {
			mx := x(*bar.Marker)
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#000000" stroke-width="3"/>`+"\n", mx, y-3, mx, y+barH+3)
		}
		if bar.Note != "" {
			weight, fill := "normal", "#222222"
			if bar.Emphasis {
				weight, fill = "bold", "#c0392b"
			}
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" dominant-baseline="middle" font-weight="%s" fill="%s">%s</text>`+"\n",
				math.Max(x(at), x(0))+6, y+barH/2, weight, fill, esc(bar.Note))
		}
	}
	// reference lines, drawn over the bars
	for _, r := range c.RefLines {
		col := r.Color
		if col == "" {
			col = "#c0392b"
		}
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="1.5" stroke-dasharray="6 4"/>`+"\n",
			x(r.Value), plotTop, x(r.Value), plotBottom, col)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="%s">%s</text>`+"\n", x(r.Value), plotTop-4, col, esc(r.Label))
	}
	// legend
	lx, ly := 12.0, float64(height-14)
	if len(series) > 1 {
		for i, s := range series {
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="12" height="12" fill="%s"/>`+"\n", lx, ly-10, color(s, i))
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f">%s</text>`+"\n", lx+16, ly, esc(s))
			lx += 16 + float64(len(s))*7 + 18
		}
	}
	if c.MarkerLabel != "" {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#000000" stroke-width="3"/>`+"\n", lx+5, ly-12, lx+5, ly+2)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f">%s</text>`+"\n", lx+14, ly, esc(c.MarkerLabel))
	}
	b.WriteString("</svg>\n")
	return []byte(b.String())
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return 0
}

// niceStep picks a grid step of 1, 2 or 5 times a power of ten giving 4 to 10 lines.
func niceStep(maxV float64) float64 {
	if maxV <= 0 {
		return 1
	}
	raw := maxV / 6
	pow := math.Pow10(int(math.Floor(math.Log10(raw))))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*pow >= raw {
			return m * pow
		}
	}
	return 10 * pow
}

func esc(s string) string { return html.EscapeString(s) }
