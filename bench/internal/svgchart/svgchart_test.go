package svgchart

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestChartIsWellFormedSVG(t *testing.T) {
	floor := 1.0
	c := Chart{
		Title: "Calls <per> request", Subtitle: "a & b", Unit: "calls",
		Bars: []Bar{
			{Label: "place order", Segments: []Segment{{"DynamoDB", 2}}, Marker: &floor, Note: "2 (floor 1)", Emphasis: true},
			{Label: "payment", Segments: []Segment{{"DynamoDB", 3}, {"S3", 1}}},
			{Label: "hello", Segments: []Segment{{"ms", 1.9}}, Muted: true},
		},
		RefLines:    []RefLine{{Value: 2.85, Label: "target"}},
		MarkerLabel: "physical floor",
	}
	out := c.SVG()
	dec := xml.NewDecoder(bytes.NewReader(out))
	rects := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, out)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "rect" {
			rects++
		}
	}
	// background + 4 segments + 3 legend boxes
	if rects != 8 {
		t.Fatalf("%d rects", rects)
	}
	for _, want := range []string{"Calls &lt;per&gt; request", "a &amp; b", "physical floor", "target", `fill="#bab0ac"`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("missing %q", want)
		}
	}
}

func TestNiceStep(t *testing.T) {
	for maxV, want := range map[float64]float64{10: 2, 3.2: 1, 0.9: 0.2, 45: 10, 12000: 2000} {
		if got := niceStep(maxV); got != want {
			t.Errorf("niceStep(%v) = %v, want %v", maxV, got, want)
		}
	}
}
