package domain

import (
	"errors"
	"testing"
	"time"
)

func TestFixRulesDropWhatWasStoredAndCheckSpeedFromIt(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	rules := NewFixRules(20)
	at := func(s int) time.Time { return now.Add(time.Duration(s) * time.Second) }
	last := &Fix{Location: LatLng{Lat: 52.5, Lng: 13.4}, RecordedAt: at(-30)}
	batch := []Fix{
		{LatLng{Lat: 52.4999, Lng: 13.4}, at(-35)}, // before the stored fix: a retry's, dropped unchecked
		{LatLng{Lat: 52.5, Lng: 13.4}, at(-30)},    // the stored fix itself
		{LatLng{Lat: 52.5005, Lng: 13.4}, at(-25)}, // 56 m in 5 s: 40 km/h
		{LatLng{Lat: 52.5010, Lng: 13.4}, at(-20)},
	}
	fresh, err := rules.Check(batch, last, now)
	if err != nil || len(fresh) != 2 || fresh[0] != batch[2] || fresh[1] != batch[3] {
		t.Fatalf("fresh %v err %v", fresh, err)
	}
	if fresh, err := rules.Check(batch[:2], last, now); err != nil || len(fresh) != 0 {
		t.Fatalf("a retried batch: fresh %v err %v", fresh, err)
	}
	// GPS jitter while standing still, 1 s apart: within the slack, not 72 km/h of travel refused.
	jitter := []Fix{{LatLng{Lat: 52.5, Lng: 13.4}, at(-2)}, {LatLng{Lat: 52.50018, Lng: 13.4}, at(-1)}}
	if _, err := rules.Check(jitter, nil, now); err != nil {
		t.Fatalf("jitter: %v", err)
	}
	// Just under and just over 200 km/h (plus the slack) from the stored fix, 10 s later.
	limit := rules.MaxSpeedKmh/3.6*10 + rules.GPSSlackMeters  // meters
	degrees := func(m float64) float64 { return m / 111_195 } // one degree of latitude
	under := []Fix{{LatLng{Lat: 52.5 + degrees(limit-5), Lng: 13.4}, at(-20)}}
	over := []Fix{{LatLng{Lat: 52.5 + degrees(limit+5), Lng: 13.4}, at(-20)}}
	if _, err := rules.Check(under, last, now); err != nil {
		t.Fatalf("just under the limit: %v", err)
	}
	var invalid *ValidationError
	if _, err := rules.Check(over, last, now); !errors.As(err, &invalid) || invalid.Field != "positions[0].lat" {
		t.Fatalf("just over the limit: %v", err)
	}
	// Age and skew bounds, each side.
	for _, tc := range []struct {
		at time.Time
		ok bool
	}{{now.Add(FixMaxAhead), true}, {now.Add(FixMaxAhead + time.Second), false}, {now.Add(-FixMaxAge), true}, {now.Add(-FixMaxAge - time.Second), false}} {
		_, err := rules.Check([]Fix{{LatLng{Lat: 1, Lng: 1}, tc.at}}, nil, now)
		if (err == nil) != tc.ok {
			t.Errorf("fix at %s: %v, want ok=%v", tc.at.Sub(now), err, tc.ok)
		}
	}
}
