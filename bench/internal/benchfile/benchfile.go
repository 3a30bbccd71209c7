// Package benchfile reads and writes the figures of `make bench`: one line per
// figure, `BENCH <name> <value> <unit>`, and the same figures as JSON and TSV.
package benchfile

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Prefix starts every figure line.
const Prefix = "BENCH"

// Figure is one measured number.
type Figure struct {
	Name  string  `json:"name"`  // dotted, lower case: coldstart.order_api.ratio
	Value float64 `json:"value"` // rounded as printed
	Unit  string  `json:"unit"`  // one word: ms, x, bytes, calls, ns/op, allocs/op
}

// New returns a figure whose value is rounded the way it is printed.
func New(name string, value float64, unit string) Figure {
	return Figure{Name: name, Value: Round(value), Unit: unit}
}

// Round keeps whole numbers whole and three significant digits (at least
// two decimals) otherwise: 3.4567 -> 3.46, 0.0123 -> 0.0123, 1234.5 -> 1234.5.
func Round(v float64) float64 {
	if v == math.Trunc(v) || math.IsInf(v, 0) || math.IsNaN(v) {
		return v
	}
	decimals := 2
	if a := math.Abs(v); a < 1 && a > 0 {
		decimals = max(decimals, 2-int(math.Floor(math.Log10(a))))
	}
	p := math.Pow10(decimals)
	return math.Round(v*p) / p
}

// FormatValue prints a value without trailing zeros.
func FormatValue(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// String is the figure's line: BENCH <name> <value> <unit>.
func (f Figure) String() string {
	return fmt.Sprintf("%s %s %s %s", Prefix, f.Name, FormatValue(f.Value), f.Unit)
}

// Print writes figures one per line.
func Print(w io.Writer, figures ...Figure) error {
	for _, f := range figures {
		if _, err := fmt.Fprintln(w, f.String()); err != nil {
			return err
		}
	}
	return nil
}

// Parse reads the BENCH lines of r and ignores every other line. A BENCH line
// that does not have exactly a name, a number and a unit is an error.
func Parse(r io.Reader) ([]Figure, error) {
	var out []Figure
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || fields[0] != Prefix {
			continue
		}
		if len(fields) != 4 {
			return nil, fmt.Errorf("line %d: want %q, got %q", n, Prefix+" <name> <value> <unit>", sc.Text())
		}
		v, err := strconv.ParseFloat(fields[2], 64)
		if err != nil {
			return nil, fmt.Errorf("line %d: value %q: %w", n, fields[2], err)
		}
		out = append(out, Figure{Name: fields[1], Value: v, Unit: fields[3]})
	}
	return out, sc.Err()
}

// Report is the machine-readable file: the figures and where they were taken.
type Report struct {
	Date    string            `json:"date"`    // RFC 3339, when the report was written
	Machine map[string]string `json:"machine"` // cpus, cpu model, os/arch, go version
	Figures []Figure          `json:"figures"`
}

// WriteJSON writes the report as indented JSON.
func WriteJSON(w io.Writer, r Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteTSV writes name, value and unit, tab-separated, under a header line.
func WriteTSV(w io.Writer, figures []Figure) error {
	if _, err := fmt.Fprintln(w, "name\tvalue\tunit"); err != nil {
		return err
	}
	for _, f := range figures {
		if _, err := fmt.Fprintf(w, "%s\t%s\t%s\n", f.Name, FormatValue(f.Value), f.Unit); err != nil {
			return err
		}
	}
	return nil
}

// Index maps names to figures, for lookups by the chart code.
func Index(figures []Figure) map[string]Figure {
	m := make(map[string]Figure, len(figures))
	for _, f := range figures {
		m[f.Name] = f
	}
	return m
}

// Median returns the median of xs (the mean of the middle two for an even
// count); xs is sorted in place.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	sortFloats(xs)
	mid := len(xs) / 2
	if len(xs)%2 == 1 {
		return xs[mid]
	}
	return (xs[mid-1] + xs[mid]) / 2
}

// Quantile returns the q-quantile (0..1) of xs by nearest rank; xs is sorted in place.
func Quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	sortFloats(xs)
	i := int(math.Ceil(q*float64(len(xs)))) - 1
	return xs[min(max(i, 0), len(xs)-1)]
}

func sortFloats(xs []float64) { sort.Float64s(xs) }

// SnakeName turns a folder or Go name into a figure name segment:
// "order-api" -> "order_api", "PlaceOrder" -> "place_order", "Batch10" -> "batch10".
func SnakeName(s string) string {
	var b strings.Builder
	var prev rune
	for _, r := range s {
		switch {
		case r == '-' || r == ' ' || r == '.':
			b.WriteByte('_')
		case r >= 'A' && r <= 'Z':
			if (prev >= 'a' && prev <= 'z') || (prev >= '0' && prev <= '9') {
				b.WriteByte('_')
			}
			b.WriteRune(r - 'A' + 'a')
		default:
			b.WriteRune(r)
		}
		prev = r
	}
	return b.String()
}
