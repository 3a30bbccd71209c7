// Command report collects the BENCH lines that the steps of `make bench` wrote,
// prints them (one line per figure, in the order measured), and writes them as
// DIR/bench.json and DIR/bench.tsv together with two charts, DIR/coldstart.svg
// and DIR/calls.svg.
//
//	go run ./bench/report -dir .run/bench FILE...
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/bench/internal/benchfile"
	"github.com/fooddelivery/serverless-food-delivery/bench/internal/svgchart"
)

// TargetRatio is the cold-start target of DESIGN.md section 8: a function may
// take at most 1.5 times as long as hello-world to reach its first poll.
const TargetRatio = 1.5

func main() {
	dir := flag.String("dir", ".run/bench", "where to write bench.json, bench.tsv and the charts")
	flag.Parse()
	if err := run(*dir, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

func run(dir string, files []string) error {
	var figs []benchfile.Figure
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		got, err := benchfile.Parse(bytes.NewReader(raw))
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		figs = append(figs, got...)
	}
	if len(figs) == 0 {
		return fmt.Errorf("no BENCH lines in %s", strings.Join(files, ", "))
	}
	seen := map[string]bool{}
	for _, f := range figs {
		if seen[f.Name] {
			return fmt.Errorf("figure %s appears twice", f.Name)
		}
		seen[f.Name] = true
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	rep := benchfile.Report{Date: time.Now().UTC().Format(time.RFC3339), Machine: machine(), Figures: figs}

	var js, tsv bytes.Buffer
	if err := benchfile.WriteJSON(&js, rep); err != nil {
		return err
	}
	if err := benchfile.WriteTSV(&tsv, figs); err != nil {
		return err
	}
	outputs := map[string][]byte{"bench.json": js.Bytes(), "bench.tsv": tsv.Bytes()}
	idx := benchfile.Index(figs)
	subtitle := fmt.Sprintf("%s · %s cores · %s", rep.Date[:10], rep.Machine["cpus"], rep.Machine["cpu"])
	if c, ok := coldStartChart(figs, idx, subtitle); ok {
		outputs["coldstart.svg"] = c.SVG()
	}
	if c, ok := callsChart(figs, idx, subtitle); ok {
		outputs["calls.svg"] = c.SVG()
	}
	if err := benchfile.Print(os.Stdout, figs...); err != nil {
		return err
	}
	var names []string
	for _, name := range []string{"bench.json", "bench.tsv", "coldstart.svg", "calls.svg"} {
		body, ok := outputs[name]
		if !ok {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
			return err
		}
		names = append(names, filepath.Join(dir, name))
	}
	fmt.Fprintf(os.Stderr, "%d figures written to %s\n", len(figs), strings.Join(names, ", "))
	return nil
}

// machine describes where the figures were taken.
func machine() map[string]string {
	m := map[string]string{
		"cpus": strconv.Itoa(runtime.NumCPU()),
		"os":   runtime.GOOS + "/" + runtime.GOARCH,
		"go":   runtime.Version(),
	}
	if raw, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(raw), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m["cpu"] = strings.TrimSpace(v)
				break
			}
		}
	}
	if raw, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m["kernel"] = strings.TrimSpace(string(raw))
	}
	if raw, err := os.ReadFile("/proc/meminfo"); err == nil {
		if f := strings.Fields(strings.SplitN(string(raw), "\n", 2)[0]); len(f) >= 2 {
			if kb, err := strconv.Atoi(f[1]); err == nil {
				m["memory"] = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
			}
		}
	}
	return m
}

// coldStartChart: median time to the first poll per binary, with the
// baselines in grey and the target as a dashed line.
func coldStartChart(figs []benchfile.Figure, idx map[string]benchfile.Figure, subtitle string) (svgchart.Chart, bool) {
	hello, ok := idx["coldstart.hello.median"]
	if !ok {
		return svgchart.Chart{}, false
	}
	samples := idx["coldstart.samples"]
	c := svgchart.Chart{
		Title: "Cold start: process start to first Runtime API poll (median)",
		Subtitle: fmt.Sprintf("%s starts per binary, interleaved · bold red: above %.1f× hello · %s",
			benchfile.FormatValue(samples.Value), TargetRatio, subtitle),
		Unit:     "milliseconds",
		RefLines: []svgchart.RefLine{{Value: hello.Value * TargetRatio, Label: fmt.Sprintf("target %.1f× hello", TargetRatio)}},
	}
	for _, f := range figs {
		name, ok := strings.CutPrefix(f.Name, "coldstart.")
		if !ok || !strings.HasSuffix(name, ".median") {
			continue
		}
		bin := strings.TrimSuffix(name, ".median")
		bar := svgchart.Bar{Label: bin, Segments: []svgchart.Segment{{Series: "median", Value: f.Value}}}
		// The baselines: hello, hello-sdk and the SDK floors (bench/sdkfloor), which are not held to the target.
		baseline := strings.HasPrefix(bin, "hello") || strings.HasPrefix(bin, "sdk_floor")
		if r, ok := idx["coldstart."+bin+".ratio"]; ok {
			bar.Note = benchfile.FormatValue(r.Value) + "×"
			if fl, ok := idx["coldstart."+bin+".ratio_vs_sdk_floor"]; ok {
				bar.Note += " · " + benchfile.FormatValue(fl.Value) + "× its SDK floor"
			}
			bar.Emphasis = r.Value > TargetRatio && !baseline
		} else {
			bar.Note = "1×"
		}
		bar.Muted = baseline
		c.Bars = append(c.Bars, bar)
	}
	return c, len(c.Bars) > 0
}

// callsChart: AWS calls per request or event, stacked by service, with the
// physical floor where one is known.
func callsChart(figs []benchfile.Figure, idx map[string]benchfile.Figure, subtitle string) (svgchart.Chart, bool) {
	c := svgchart.Chart{
		Title:       "AWS calls per API request and per event",
		Unit:        "calls",
		MarkerLabel: "physical floor",
		Colors:      map[string]string{"dynamodb": "#4e79a7", "eventbridge": "#f28e2b", "s3": "#59a14f"},
	}
	if s, ok := idx["calls.samples"]; ok {
		c.Subtitle = fmt.Sprintf("mean over %s orders, in-process handlers against the emulator · %s", benchfile.FormatValue(s.Value), subtitle)
	}
	pos := map[string]int{}
	for _, f := range figs {
		rest, ok := strings.CutPrefix(f.Name, "calls.")
		if !ok || f.Unit != "calls" {
			continue
		}
		i := strings.LastIndex(rest, ".")
		if i < 0 {
			continue
		}
		step, service := rest[:i], rest[i+1:]
		if step == "delivered_order" {
			continue // a whole order, not a request: in the figures, not on this scale
		}
		at, ok := pos[step]
		if !ok {
			at = len(c.Bars)
			pos[step] = at
			c.Bars = append(c.Bars, svgchart.Bar{Label: strings.Replace(step, ".", " · ", 1)})
		}
		bar := &c.Bars[at]
		if service == "floor" {
			v := f.Value
			bar.Marker = &v
			continue
		}
		bar.Segments = append(bar.Segments, svgchart.Segment{Series: service, Value: f.Value})
	}
	for i := range c.Bars {
		total := 0.0
		for _, s := range c.Bars[i].Segments {
			total += s.Value
		}
		c.Bars[i].Note = benchfile.FormatValue(benchfile.Round(total))
		if m := c.Bars[i].Marker; m != nil {
			c.Bars[i].Note += " (floor " + benchfile.FormatValue(*m) + ")"
			c.Bars[i].Emphasis = total > *m
		}
	}
	return c, len(c.Bars) > 0
}
