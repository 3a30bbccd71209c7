package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/fooddelivery/serverless-food-delivery/bench/internal/benchfile"
)

// Each ratio is taken within its run, against the baseline's median of the same run, never across runs: a run on a
// loaded machine slows the baseline too.
func TestRatioFiguresTakeEachRunsRatioThenTheirMedianAndSpread(t *testing.T) {
	fn := []float64{3.0, 6.0, 4.4}   // a function's median in runs 1 to 3 (run 2 on a loaded machine)
	base := []float64{2.0, 4.0, 2.0} // the baseline's, same runs
	got := ratioFigures("coldstart.x.ratio", fn, base)
	want := []benchfile.Figure{
		benchfile.New("coldstart.x.ratio", 1.5, "x"),
		benchfile.New("coldstart.x.ratio_min", 1.5, "x"),
		benchfile.New("coldstart.x.ratio_max", 2.2, "x"),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	// The median of the pooled medians would have said 4.4 / 2.0 = 2.2.
}

func TestOneRunHasNoSpreadFigures(t *testing.T) {
	got := ratioFigures("coldstart.x.ratio", []float64{3}, []float64{2})
	if want := []benchfile.Figure{benchfile.New("coldstart.x.ratio", 1.5, "x")}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// Each binary starts from a fresh copy of its bytes (written at once, so that every binary enters the page cache the
// same way), executable, in a directory of the run's own.
func TestBinariesStartFromFreshCopies(t *testing.T) {
	src := filepath.Join(t.TempDir(), "bootstrap")
	if err := os.WriteFile(src, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	bins := []*binary{{name: "a", path: src}, {name: "b", path: src}}
	dir, err := copyBinaries(t.TempDir(), bins)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bins {
		if !strings.HasPrefix(b.exe, dir+string(filepath.Separator)) {
			t.Errorf("%s starts %s, not a copy in %s", b.name, b.exe, dir)
		}
		got, err := os.ReadFile(b.exe)
		if err != nil || string(got) != "#!/bin/sh\nexit 0\n" {
			t.Errorf("%s: copy holds %q (%v)", b.name, got, err)
		}
		if err := exec.CommandContext(t.Context(), b.exe).Run(); err != nil {
			t.Errorf("%s: the copy does not run: %v", b.name, err)
		}
	}
	if bins[0].exe == bins[1].exe {
		t.Error("two binaries share one copy")
	}
}

func TestFloorsNameTwoDifferentArguments(t *testing.T) {
	bins := []*binary{{name: "hello"}, {name: "payment"}, {name: "sdk-floor-x"}}
	floorOf, err := parseFloors([]string{"payment=sdk-floor-x"}, bins)
	if err != nil || floorOf[bins[1]] != bins[2] || len(floorOf) != 1 {
		t.Errorf("got %v, %v; want payment's floor sdk-floor-x", floorOf, err)
	}
	for _, bad := range [][]string{{"payment"}, {"payment=nothing"}, {"nothing=payment"}, {"payment=payment"},
		{"payment=sdk-floor-x", "payment=hello"}} {
		if _, err := parseFloors(bad, bins); err == nil {
			t.Errorf("-floor %q accepted", bad)
		}
	}
}
