package domain

import (
	"strconv"
	"time"
)

// Fix is one position a courier's device recorded, and when (the device's clock).
type Fix struct {
	Location   LatLng
	RecordedAt time.Time
}

// FixRules are what a batch of fixes must satisfy before anything of it is stored. A batch that breaks one is
// refused whole, with the first offending fix named (positions[i].field), so a device never has half a batch
// accepted and cannot tell which half.
type FixRules struct {
	// MaxFixes is the most fixes one batch may carry (the clients' cadence sets it).
	MaxFixes int
	// MaxAhead is how far in the future of the server's clock a fix may be: the devices' clock skew.
	MaxAhead time.Duration
	// MaxAge is how old a fix may be. A full batch spans MaxFixes × the record interval; anything much older
	// than that is a device replaying a stale buffer, which would draw the courier where it no longer is.
	MaxAge time.Duration
	// MaxSpeedKmh is the fastest a courier can plausibly move between two fixes; faster means a bad fix
	// (a GPS jump, a spoofed position). GPSSlackMeters is forgiven on top, for the receiver's own jitter.
	MaxSpeedKmh    float64
	GPSSlackMeters float64
}

// Default limits of a location batch, apart from its size (the cadence's).
const (
	FixMaxAhead       = time.Minute
	FixMaxAge         = 5 * time.Minute
	FixMaxSpeedKmh    = 200
	FixGPSSlackMeters = 25
)

// NewFixRules returns the default rules for batches of at most maxFixes fixes.
func NewFixRules(maxFixes int) FixRules {
	return FixRules{MaxFixes: maxFixes, MaxAhead: FixMaxAhead, MaxAge: FixMaxAge,
		MaxSpeedKmh: FixMaxSpeedKmh, GPSSlackMeters: FixGPSSlackMeters}
}

// Check validates a batch against the rules and the last fix already stored for the courier (nil if none), and
// returns the fixes that are new: those recorded after last. Fixes at or before last were stored before (a
// device retrying a batch whose answer it lost) and are dropped, not refused, so a retry is harmless. The fixes
// must be in the order they were recorded. The speed of each new fix is checked against the one before it in
// the batch, or against last for the first new one. A *ValidationError names positions[i].lat, .lng or
// .recorded_at of the first offending fix.
func (r FixRules) Check(fixes []Fix, last *Fix, now time.Time) ([]Fix, error) {
	if len(fixes) == 0 || len(fixes) > r.MaxFixes {
		return nil, Invalid("positions", "must hold 1 to %d positions", r.MaxFixes)
	}
	for i, f := range fixes {
		field := "positions[" + strconv.Itoa(i) + "]"
		if err := f.Location.Validate(field); err != nil {
			return nil, err
		}
		switch {
		case f.RecordedAt.After(now.Add(r.MaxAhead)):
			return nil, Invalid(field+".recorded_at", "is %s ahead of the server's clock; at most %s is allowed",
				f.RecordedAt.Sub(now).Round(time.Second), r.MaxAhead)
		case f.RecordedAt.Before(now.Add(-r.MaxAge)):
			return nil, Invalid(field+".recorded_at", "is %s old; positions older than %s are not accepted",
				now.Sub(f.RecordedAt).Round(time.Second), r.MaxAge)
		case i > 0 && !f.RecordedAt.After(fixes[i-1].RecordedAt):
			return nil, Invalid(field+".recorded_at", "must be later than positions[%d].recorded_at", i-1)
		}
	}
	prev := last
	var fresh []Fix
	for i, f := range fixes {
		if last != nil && !f.RecordedAt.After(last.RecordedAt) {
			continue
		}
		if prev != nil {
			if kmh, ok := r.plausible(*prev, f); !ok {
				from := "the last stored position"
				if prev != last {
					from = "positions[" + strconv.Itoa(i-1) + "]"
				}
				return nil, Invalid("positions["+strconv.Itoa(i)+"].lat",
					"implies %.0f km/h from %s; the limit is %.0f km/h", kmh, from, r.MaxSpeedKmh)
			}
		}
		fresh = append(fresh, f)
		prev = &fixes[i]
	}
	return fresh, nil
}

// plausible reports whether a courier could get from a to b in the time between them (b is later than a), and
// the speed it implies.
func (r FixRules) plausible(a, b Fix) (kmh float64, ok bool) {
	meters := DistanceMeters(a.Location, b.Location)
	seconds := b.RecordedAt.Sub(a.RecordedAt).Seconds()
	return meters / seconds * 3.6, meters <= r.MaxSpeedKmh/3.6*seconds+r.GPSSlackMeters
}
