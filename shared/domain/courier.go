package domain

import (
	"sort"
	"strings"
	"time"
)

// CourierStatus says whether a courier can take an order.
type CourierStatus string

const (
	CourierAvailable CourierStatus = "AVAILABLE"
	CourierAssigned  CourierStatus = "ASSIGNED"
	CourierOffline   CourierStatus = "OFFLINE"
)

// Courier is a rider; ID is the courier's Cognito subject.
type Courier struct {
	ID        string        `json:"id"`
	Name      string        `json:"name"`
	Status    CourierStatus `json:"status"`
	Location  LatLng        `json:"location"`
	OrderID   string        `json:"order_id,omitempty"`
	UpdatedAt time.Time     `json:"updated_at"`
	// LocatedAt is when the courier's device recorded Location (its clock); zero until the courier reports a
	// position. The next batch's speed is checked from it.
	LocatedAt time.Time `json:"-"`
}

// LastFix is the courier's last stored fix, nil if it never reported one.
func (c Courier) LastFix() *Fix {
	if c.LocatedAt.IsZero() {
		return nil
	}
	return &Fix{Location: c.Location, RecordedAt: c.LocatedAt}
}

// Geohash precisions used to index and find free couriers: the table's GSI2
// partition is the region cell, its sort key the courier's point geohash, so
// the search rings' fine and coarse cells are key prefixes within a region.
const (
	RegionCellPrecision = 3 // about 156 km x 156 km at the equator (156 km x 95 km in Berlin)
	CoarseCellPrecision = 4 // about 39 km x 20 km
	FineCellPrecision   = 5 // about 4.9 km x 4.9 km
	PointPrecision      = 9
)

// SearchRing is one widening step of the courier search: a set of cells at
// one precision.
type SearchRing struct {
	Precision int
	Cells     []string
}

// Contains reports whether a geohash (or a key that starts with one) lies in
// one of the ring's cells.
func (r SearchRing) Contains(hash string) bool {
	for _, c := range r.Cells {
		if strings.HasPrefix(hash, c) {
			return true
		}
	}
	return false
}

// RegionRange is the part of a search ring inside one region cell, as the
// smallest and largest of its cells in geohash order: every cell of the ring in
// that region sorts between them.
type RegionRange struct {
	Region   string
	From, To string
}

// RegionRanges splits a ring by region, in the order the ring's cells first
// name each region (the pickup's own first).
func RegionRanges(r SearchRing) []RegionRange {
	var out []RegionRange
	at := map[string]int{}
	for _, c := range r.Cells {
		region := c[:RegionCellPrecision]
		i, seen := at[region]
		if !seen {
			at[region] = len(out)
			out = append(out, RegionRange{Region: region, From: c, To: c})
			continue
		}
		out[i].From, out[i].To = min(out[i].From, c), max(out[i].To, c)
	}
	return out
}

// CourierSearchRings returns the rings to search, nearest first: the fine cell
// around the pickup and its neighbours, then the coarse ones.
func CourierSearchRings(pickup LatLng) []SearchRing {
	return []SearchRing{
		{Precision: FineCellPrecision, Cells: GeohashRing(pickup, FineCellPrecision)},
		{Precision: CoarseCellPrecision, Cells: GeohashRing(pickup, CoarseCellPrecision)},
	}
}

// RankByDistance orders available couriers by distance from the pickup,
// nearest first, dropping the others and duplicates. Ties break on id so the
// choice is deterministic.
func RankByDistance(pickup LatLng, candidates []Courier) []Courier {
	seen := map[string]bool{}
	ranked := make([]Courier, 0, len(candidates))
	for _, c := range candidates {
		if c.Status != CourierAvailable || seen[c.ID] {
			continue
		}
		seen[c.ID] = true
		ranked = append(ranked, c)
	}
	sort.SliceStable(ranked, func(i, j int) bool {
		di, dj := DistanceMeters(pickup, ranked[i].Location), DistanceMeters(pickup, ranked[j].Location)
		if di != dj {
			return di < dj
		}
		return ranked[i].ID < ranked[j].ID
	})
	return ranked
}
