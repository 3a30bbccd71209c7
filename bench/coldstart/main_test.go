package main

import (
	"reflect"
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
