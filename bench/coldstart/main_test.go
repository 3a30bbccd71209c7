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

// The verdict tells a function over the target because of the SDK clients its job requires (its floor is over too)
// from one over because of our code (its floor is not).
func TestVerdictsSeparateTheSDKFromOurCode(t *testing.T) {
	hello := &binary{name: "hello", runs: []float64{2, 2, 2}}
	floorOver := &binary{name: "sdk-floor-x", runs: []float64{3.6, 3.6, 3.6}} // 1.8
	floorUnder := &binary{name: "hello-sdk", runs: []float64{2.8, 2.8, 2.8}}  // 1.4
	email := &binary{name: "notify-email", runs: []float64{3.8, 3.7, 3.9}}    // 1.9, 1.06 of its floor
	inbox := &binary{name: "notification", runs: []float64{3.2, 3.2, 3.1}}    // 1.6, 1.14 of its floor
	tracking := &binary{name: "tracking", runs: []float64{2.9, 2.9, 2.9}}     // 1.45
	bins := []*binary{hello, floorUnder, floorOver, email, inbox, tracking}
	got := verdicts(bins, hello, map[*binary]*binary{email: floorOver, inbox: floorUnder, tracking: floorUnder}, 1.5)
	oneSpace := strings.Join(strings.Fields(got), " ")
	for _, want := range []string{
		"notify-email 1.90x floor sdk-floor-x 1.80x 1.06x its floor OVER; its SDK floor alone is over too",
		"notification 1.60x floor hello-sdk 1.40x 1.14x its floor OVER; its SDK floor is not, our code adds 0.20x hello to it",
		"tracking 1.45x floor hello-sdk 1.40x 1.04x its floor meets it",
	} {
		if !strings.Contains(oneSpace, want) {
			t.Errorf("verdicts lack %q:\n%s", want, got)
		}
	}
	if strings.Count(got, "\n") != 4 {
		t.Errorf("want a header and one line per function with a floor:\n%s", got)
	}
}
