// Command gobench turns the output of `go test -bench . -benchmem` (stdin)
// into BENCH lines (stdout), three figures and the iteration count per
// benchmark:
//
//	BenchmarkPlaceOrder-2  52110  22950 ns/op  9120 B/op  121 allocs/op
//	->  BENCH handler.place_order.time 22950 ns/op
//	    BENCH handler.place_order.bytes 9120 B/op
//	    BENCH handler.place_order.allocs 121 allocs/op
//	    BENCH handler.place_order.iterations 52110 ops
//
// It fails when the input holds a failing test or no benchmark at all.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/fooddelivery/serverless-food-delivery/bench/internal/benchfile"
)

var line = regexp.MustCompile(`^Benchmark(\S+?)(?:-\d+)?\s+(\d+)\s+(.*)$`)

func main() {
	prefix := flag.String("prefix", "handler", "first segment of the figure names")
	flag.Parse()
	figs, err := parse(os.Stdin, *prefix)
	if err == nil {
		err = benchfile.Print(os.Stdout, figs...)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gobench:", err)
		os.Exit(1)
	}
}

// units maps go test's units to the figure name suffix.
var units = map[string]string{"ns/op": "time", "B/op": "bytes", "allocs/op": "allocs"}

func parse(r io.Reader, prefix string) ([]benchfile.Figure, error) {
	var out []benchfile.Figure
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		text := sc.Text()
		if strings.HasPrefix(text, "--- FAIL") || strings.HasPrefix(text, "FAIL") {
			return nil, fmt.Errorf("a benchmark or test failed: %s", text)
		}
		m := line.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		name := prefix + "." + benchfile.SnakeName(strings.ReplaceAll(m[1], "/", "_"))
		iterations, _ := strconv.ParseFloat(m[2], 64)
		fields := strings.Fields(m[3])
		var figs []benchfile.Figure
		for i := 0; i+1 < len(fields); i += 2 {
			suffix, ok := units[fields[i+1]]
			if !ok {
				continue // custom metrics are not figures
			}
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				return nil, fmt.Errorf("%q: %w", text, err)
			}
			figs = append(figs, benchfile.New(name+"."+suffix, v, fields[i+1]))
		}
		if len(figs) != len(units) {
			return nil, fmt.Errorf("%q: want ns/op, B/op and allocs/op (run with -benchmem)", text)
		}
		out = append(out, figs...)
		out = append(out, benchfile.New(name+".iterations", iterations, "ops"))
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errors.New("no benchmark results in the input")
	}
	return out, nil
}
