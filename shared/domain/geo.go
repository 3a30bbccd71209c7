package domain

import (
	"math"
	"strings"
)

// LatLng is a WGS84 position in decimal degrees.
type LatLng struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

// Validate checks the ranges; field prefixes the field names in the error.
func (p LatLng) Validate(field string) error {
	if math.IsNaN(p.Lat) || p.Lat < -90 || p.Lat > 90 {
		return Invalid(field+".lat", "must be between -90 and 90")
	}
	if math.IsNaN(p.Lng) || p.Lng < -180 || p.Lng > 180 {
		return Invalid(field+".lng", "must be between -180 and 180")
	}
	return nil
}

const earthRadiusMeters = 6_371_000

// DistanceMeters is the great-circle (haversine) distance between two points.
func DistanceMeters(a, b LatLng) float64 {
	rad := math.Pi / 180
	dLat := (b.Lat - a.Lat) * rad
	dLng := (b.Lng - a.Lng) * rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * earthRadiusMeters * math.Asin(math.Min(1, math.Sqrt(h)))
}

const geohashAlphabet = "0123456789bcdefghjkmnpqrstuvwxyz"

// Geohash encodes p with the given number of characters (1..12). Nearby
// points share prefixes, which lets the store index couriers by cell.
func Geohash(p LatLng, precision int) string {
	latLo, latHi := -90.0, 90.0
	lngLo, lngHi := -180.0, 180.0
	var sb strings.Builder
	sb.Grow(precision)
	bit, ch, even := 0, 0, true
	for sb.Len() < precision {
		if even {
			mid := (lngLo + lngHi) / 2
			if p.Lng >= mid {
				ch = ch<<1 | 1
				lngLo = mid
			} else {
				ch <<= 1
				lngHi = mid
			}
		} else {
			mid := (latLo + latHi) / 2
			if p.Lat >= mid {
				ch = ch<<1 | 1
				latLo = mid
			} else {
				ch <<= 1
				latHi = mid
			}
		}
		even = !even
		if bit++; bit == 5 {
			sb.WriteByte(geohashAlphabet[ch])
			bit, ch = 0, 0
		}
	}
	return sb.String()
}

// geohashBounds decodes a cell into its bounding box.
func geohashBounds(hash string) (latLo, latHi, lngLo, lngHi float64) {
	latLo, latHi, lngLo, lngHi = -90, 90, -180, 180
	even := true
	for i := 0; i < len(hash); i++ {
		v := strings.IndexByte(geohashAlphabet, hash[i])
		for b := 4; b >= 0; b-- {
			on := v>>b&1 == 1
			if even {
				mid := (lngLo + lngHi) / 2
				if on {
					lngLo = mid
				} else {
					lngHi = mid
				}
			} else {
				mid := (latLo + latHi) / 2
				if on {
					latLo = mid
				} else {
					latHi = mid
				}
			}
			even = !even
		}
	}
	return
}

// GeohashRing returns the cell of p at the given precision followed by its
// eight neighbours (fewer near the poles), without duplicates. Searching a
// ring rather than one cell finds a courier standing just across a border.
func GeohashRing(p LatLng, precision int) []string {
	center := Geohash(p, precision)
	latLo, latHi, lngLo, lngHi := geohashBounds(center)
	dLat, dLng := latHi-latLo, lngHi-lngLo
	midLat, midLng := (latLo+latHi)/2, (lngLo+lngHi)/2
	cells := []string{center}
	seen := map[string]bool{center: true}
	for _, dy := range []float64{-1, 0, 1} {
		for _, dx := range []float64{-1, 0, 1} {
			lat := midLat + dy*dLat
			if lat > 90 || lat < -90 {
				continue
			}
			lng := math.Mod(midLng+dx*dLng+540, 360) - 180
			cell := Geohash(LatLng{Lat: lat, Lng: lng}, precision)
			if !seen[cell] {
				seen[cell] = true
				cells = append(cells, cell)
			}
		}
	}
	return cells
}
