package domain_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
)

var testMenu = domain.Menu{
	Restaurant: domain.Restaurant{ID: "r1", Name: "R1", Location: domain.LatLng{Lat: 52.52, Lng: 13.40}},
	Items: []domain.MenuItem{
		{ID: "pizza", Name: "Pizza", PriceMinor: 950, Available: true},
		{ID: "cake", Name: "Cake", PriceMinor: 400, Available: true},
		{ID: "gone", Name: "Gone", PriceMinor: 100, Available: false},
	},
}

func request(items ...domain.RequestedItem) domain.PlaceOrderRequest {
	return domain.PlaceOrderRequest{RestaurantID: "r1", Items: items,
		DeliveryLocation: &domain.LatLng{Lat: 52.525, Lng: 13.405}}
}

func TestNewOrderPricesFromTheMenuAndMergesLines(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	o, err := domain.NewOrder("o1", "c1", request(
		domain.RequestedItem{ItemID: "pizza", Quantity: 2},
		domain.RequestedItem{ItemID: "cake", Quantity: 1},
		domain.RequestedItem{ItemID: "pizza", Quantity: 1},
	), testMenu, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Lines) != 2 || o.Lines[0].Quantity != 3 || o.Lines[0].LineTotal != 2850 {
		t.Fatalf("lines %+v, want pizza merged to 3 × 950", o.Lines)
	}
	if o.SubtotalMinor != 3250 || o.DeliveryFeeMinor != 199 || o.TotalMinor != 3449 {
		t.Fatalf("subtotal %d fee %d total %d", o.SubtotalMinor, o.DeliveryFeeMinor, o.TotalMinor)
	}
	if o.Status != domain.StatusPlaced || o.Version != 1 || o.CorrelationID != "o1" || !o.CreatedAt.Equal(now) {
		t.Fatalf("order %+v", o)
	}
}

func TestNewOrderRejectsBadRequestsNamingTheField(t *testing.T) {
	far := domain.LatLng{Lat: 48.14, Lng: 11.58}
	cases := map[string]struct {
		req   domain.PlaceOrderRequest
		field string
	}{
		"no restaurant":     {domain.PlaceOrderRequest{Items: []domain.RequestedItem{{ItemID: "pizza", Quantity: 1}}, DeliveryLocation: &far}, "restaurant_id"},
		"no items":          {request(), "items"},
		"blank item":        {request(domain.RequestedItem{Quantity: 1}), "items[0].item_id"},
		"zero quantity":     {request(domain.RequestedItem{ItemID: "pizza"}), "items[0].quantity"},
		"negative quantity": {request(domain.RequestedItem{ItemID: "cake", Quantity: 1}, domain.RequestedItem{ItemID: "pizza", Quantity: -1}), "items[1].quantity"},
		"huge quantity":     {request(domain.RequestedItem{ItemID: "pizza", Quantity: 51}), "items[0].quantity"},
		"merged too many":   {request(domain.RequestedItem{ItemID: "pizza", Quantity: 30}, domain.RequestedItem{ItemID: "pizza", Quantity: 30}), "items[1].quantity"},
		"unknown item":      {request(domain.RequestedItem{ItemID: "sushi", Quantity: 1}), "items[0].item_id"},
		"unavailable item":  {request(domain.RequestedItem{ItemID: "gone", Quantity: 1}), "items[0].item_id"},
		"no location":       {domain.PlaceOrderRequest{RestaurantID: "r1", Items: []domain.RequestedItem{{ItemID: "pizza", Quantity: 1}}}, "delivery_location"},
		"too far":           {domain.PlaceOrderRequest{RestaurantID: "r1", Items: []domain.RequestedItem{{ItemID: "pizza", Quantity: 1}}, DeliveryLocation: &far}, "delivery_location"},
		"bad longitude":     {domain.PlaceOrderRequest{RestaurantID: "r1", Items: []domain.RequestedItem{{ItemID: "pizza", Quantity: 1}}, DeliveryLocation: &domain.LatLng{Lat: 1, Lng: 200}}, "delivery_location.lng"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := domain.NewOrder("o1", "c1", tc.req, testMenu, time.Now())
			var invalid *domain.ValidationError
			if !errors.As(err, &invalid) || invalid.Field != tc.field {
				t.Fatalf("error %v, want a validation error on %q", err, tc.field)
			}
		})
	}
}

func TestDeliveryFeeGrowsPerStartedKilometre(t *testing.T) {
	for _, tc := range []struct {
		meters float64
		fee    int64
	}{{0, 199}, {2000, 199}, {2001, 249}, {3000, 249}, {3001, 299}, {14500, 199 + 13*50}} {
		if got := domain.DeliveryFee(tc.meters); got != tc.fee {
			t.Errorf("fee(%v m) = %d, want %d", tc.meters, got, tc.fee)
		}
	}
}

func TestOrderLifecycle(t *testing.T) {
	o := domain.Order{Status: domain.StatusPlaced, Version: 1}
	path := []domain.Status{domain.StatusPaid, domain.StatusCourierAssigned, domain.StatusPickedUp, domain.StatusDelivered}
	for i, next := range path {
		if err := o.Transition(next, "evt", time.Now()); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	if o.Version != 5 || !o.Status.Terminal() || o.CausationID != "evt" {
		t.Fatalf("after the happy path: %+v", o)
	}
	err := o.Transition(domain.StatusCancelled, "", time.Now())
	if !errors.Is(err, domain.ErrConflict) || o.Status != domain.StatusDelivered || o.Version != 5 {
		t.Fatalf("cancel after delivery: err %v, order %+v", err, o)
	}
	illegal := [][2]domain.Status{
		{domain.StatusPlaced, domain.StatusDelivered},
		{domain.StatusPlaced, domain.StatusCourierAssigned},
		{domain.StatusPaymentFailed, domain.StatusPaid},
		{domain.StatusPickedUp, domain.StatusCancelled},
		{domain.StatusRefunded, domain.StatusPaid},
	}
	for _, pair := range illegal {
		if domain.CanTransition(pair[0], pair[1]) {
			t.Errorf("%s → %s must be illegal", pair[0], pair[1])
		}
	}
}

func TestGeohashMatchesTheReferenceEncoding(t *testing.T) {
	// The classic example from the geohash literature.
	if got := domain.Geohash(domain.LatLng{Lat: 57.64911, Lng: 10.40744}, 11); got != "u4pruydqqvj" {
		t.Fatalf("geohash = %s", got)
	}
}

func TestGeohashRingSurroundsTheCell(t *testing.T) {
	p := domain.LatLng{Lat: 52.52, Lng: 13.40}
	ring := domain.GeohashRing(p, 5)
	if len(ring) != 9 || ring[0] != domain.Geohash(p, 5) {
		t.Fatalf("ring %v", ring)
	}
	// A point less than one cell away in any direction is in the ring (cells
	// at precision 5 are about 0.044° on each side).
	for _, d := range []domain.LatLng{{Lat: 0.04}, {Lat: -0.04}, {Lng: 0.04}, {Lng: -0.04}, {Lat: 0.04, Lng: 0.04}} {
		q := domain.Geohash(domain.LatLng{Lat: p.Lat + d.Lat, Lng: p.Lng + d.Lng}, 5)
		found := false
		for _, c := range ring {
			found = found || c == q
		}
		if !found {
			t.Errorf("neighbour %s of %s missing from ring %v", q, ring[0], ring)
		}
	}
}

func TestDistance(t *testing.T) {
	// Berlin Alexanderplatz to Brandenburg Gate is about 2.5 km.
	d := domain.DistanceMeters(domain.LatLng{Lat: 52.5219, Lng: 13.4132}, domain.LatLng{Lat: 52.5163, Lng: 13.3777})
	if math.Abs(d-2490) > 100 {
		t.Fatalf("distance %v m", d)
	}
}

func TestRankByDistancePrefersTheNearestFreeCourier(t *testing.T) {
	pickup := domain.LatLng{Lat: 52.52, Lng: 13.40}
	ranked := domain.RankByDistance(pickup, []domain.Courier{
		{ID: "far", Status: domain.CourierAvailable, Location: domain.LatLng{Lat: 52.55, Lng: 13.40}},
		{ID: "busy", Status: domain.CourierAssigned, Location: pickup},
		{ID: "near", Status: domain.CourierAvailable, Location: domain.LatLng{Lat: 52.521, Lng: 13.40}},
		{ID: "near", Status: domain.CourierAvailable, Location: domain.LatLng{Lat: 52.521, Lng: 13.40}},
	})
	if len(ranked) != 2 || ranked[0].ID != "near" || ranked[1].ID != "far" {
		t.Fatalf("ranked %+v", ranked)
	}
}
