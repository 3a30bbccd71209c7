package main

import (
	"math"
	"testing"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
)

func TestTowardMovesAtMostTheStepAndArrives(t *testing.T) {
	a, b := domain.LatLng{Lat: 52.50, Lng: 13.40}, domain.LatLng{Lat: 52.51, Lng: 13.41}
	total := domain.DistanceMeters(a, b)
	pos, arrived := toward(a, b, 100)
	if arrived || math.Abs(domain.DistanceMeters(a, pos)-100) > 1 || domain.DistanceMeters(pos, b) >= total {
		t.Fatalf("one step: %+v arrived=%v", pos, arrived)
	}
	steps := 0
	for p := a; ; steps++ {
		var done bool
		if p, done = toward(p, b, 100); done {
			if p != b {
				t.Fatalf("arrived at %+v, not %+v", p, b)
			}
			break
		}
		if steps > 100 {
			t.Fatal("never arrived")
		}
	}
	if want := int(math.Ceil(total/100)) - 1; steps != want {
		t.Fatalf("%d steps for %.0f m, want %d", steps, total, want)
	}
}
