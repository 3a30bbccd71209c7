package domain

import (
	"strings"
	"testing"
	"time"
)

func TestRegionRangesCoverEveryCellOfTheRingInOneRangePerRegion(t *testing.T) {
	for _, tc := range []struct {
		name    string
		at      LatLng
		regions int
	}{
		// Berlin's centre sits on the corner of four geohash-4 cells (u336, u337, u33d, u33e), all in region u33.
		{"Berlin, Trattoria Roma", LatLng{Lat: 52.5262, Lng: 13.4019}, 1},
		{"Berlin, Kreuzberg", LatLng{Lat: 52.4990, Lng: 13.4300}, 1},
		// u33's western edge is at 12.65625°E: the fine ring crosses it.
		{"on a region's edge", LatLng{Lat: 52.5, Lng: 12.66}, 2},
	} {
		for _, ring := range CourierSearchRings(tc.at) {
			ranges := RegionRanges(ring)
			if far := Geohash(LatLng{Lat: tc.at.Lat + 1.5, Lng: tc.at.Lng}, PointPrecision); ring.Contains(far) {
				t.Errorf("%s: the ring contains %s, 160 km north", tc.name, far)
			}
			if ring.Precision == FineCellPrecision && len(ranges) != tc.regions {
				t.Errorf("%s: fine ring in %d regions, want %d: %+v", tc.name, len(ranges), tc.regions, ranges)
			}
			for _, cell := range ring.Cells {
				in := 0
				for _, r := range ranges {
					if strings.HasPrefix(cell, r.Region) && r.From <= cell && cell <= r.To {
						in++
					}
				}
				if in != 1 {
					t.Errorf("%s: cell %s is in %d ranges of %+v", tc.name, cell, in, ranges)
				}
				if !ring.Contains(cell + "zzzz#courier") {
					t.Errorf("%s: the ring does not contain its own cell %s", tc.name, cell)
				}
			}
		}
	}
}

func TestEstimateDelivery(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	here := LatLng{Lat: 52.5262, Lng: 13.4019}
	if got := EstimateDelivery(here, here, here, now); !got.Equal(now.Add(PickupHandover)) {
		t.Fatalf("courier at the restaurant, customer next door: %s", got)
	}
	// 1 km to the restaurant and 2 km on to the customer, straight: 3.9 km of streets at 15 km/h is 15.6 min.
	east := func(p LatLng, m float64) LatLng {
		return LatLng{Lat: p.Lat, Lng: p.Lng + m/DistanceMeters(p, LatLng{Lat: p.Lat, Lng: p.Lng + 1})}
	}
	got := EstimateDelivery(east(here, -1000), here, east(here, 2000), now)
	want := now.Add(PickupHandover + 15*time.Minute + 36*time.Second)
	if d := got.Sub(want); d < -2*time.Second || d > 2*time.Second {
		t.Fatalf("ETA %s, want about %s", got, want)
	}
}
