package domain_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
)

var testMenu = domain.Menu{
	Restaurant: domain.Restaurant{ID: "r1", Name: "R1", Location: domain.LatLng{Lat: 52.52, Lng: 13.40},
		TimeZone: "Europe/Berlin", Hours: allWeek("00:00", "24:00")},
	Items: []domain.MenuItem{
		{ID: "pizza", Name: "Pizza", PriceMinor: 950, Available: true, OptionGroups: []domain.OptionGroup{
			{ID: "size", Name: "Size", Min: 1, Max: 1, Choices: []domain.OptionChoice{
				{ID: "regular", Name: "Regular", Available: true},
				{ID: "large", Name: "Large", PriceMinor: 300, Available: true},
			}},
			{ID: "extras", Name: "Extras", Min: 0, Max: 2, Choices: []domain.OptionChoice{
				{ID: "cheese", Name: "Extra cheese", PriceMinor: 150, Available: true},
				{ID: "olives", Name: "Olives", PriceMinor: 100, Available: true},
				{ID: "truffle", Name: "Truffle", PriceMinor: 900, Available: false},
			}},
		}},
		{ID: "cake", Name: "Cake", PriceMinor: 400, Available: true},
		{ID: "gone", Name: "Gone", PriceMinor: 100, Available: false},
	},
}

func allWeek(open, close string) []domain.OpeningHours {
	var hours []domain.OpeningHours
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		hours = append(hours, domain.OpeningHours{Day: d, Open: open, Close: close})
	}
	return hours
}

func pizza(qty int, options ...string) domain.RequestedItem {
	return domain.RequestedItem{ItemID: "pizza", Quantity: qty, Options: append([]string{"regular"}, options...)}
}

func request(items ...domain.RequestedItem) domain.PlaceOrderRequest {
	return domain.PlaceOrderRequest{RestaurantID: "r1", Items: items,
		DeliveryLocation: &domain.LatLng{Lat: 52.525, Lng: 13.405}}
}

func TestNewOrderPricesFromTheMenuAndMergesLines(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	o, err := domain.NewOrder("o1", "c1", request(
		pizza(2, "cheese"),
		domain.RequestedItem{ItemID: "cake", Quantity: 1},
		domain.RequestedItem{ItemID: "pizza", Quantity: 1, Options: []string{"cheese", "regular"}},
		domain.RequestedItem{ItemID: "pizza", Quantity: 1, Options: []string{"large", "olives", "cheese"}},
	), testMenu, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Lines) != 3 || o.Lines[0].Quantity != 3 || o.Lines[0].UnitPrice != 1100 || o.Lines[0].LineTotal != 3300 {
		t.Fatalf("lines %+v, want regular pizza with cheese merged to 3 × (950+150)", o.Lines)
	}
	if o.Lines[2].UnitPrice != 950+300+100+150 || len(o.Lines[2].Options) != 3 {
		t.Fatalf("large pizza line %+v", o.Lines[2])
	}
	// 3300 + 400 + 1500 = 5200; fee 199; tax 7 % of 5399 = 377.93 → 378.
	if o.SubtotalMinor != 5200 || o.DeliveryFeeMinor != 199 || o.TaxMinor != 378 || o.TotalMinor != 5777 {
		t.Fatalf("subtotal %d fee %d tax %d total %d", o.SubtotalMinor, o.DeliveryFeeMinor, o.TaxMinor, o.TotalMinor)
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
		"no restaurant":      {domain.PlaceOrderRequest{Items: []domain.RequestedItem{{ItemID: "pizza", Quantity: 1}}, DeliveryLocation: &far}, "restaurant_id"},
		"no items":           {request(), "items"},
		"blank item":         {request(domain.RequestedItem{Quantity: 1}), "items[0].item_id"},
		"zero quantity":      {request(domain.RequestedItem{ItemID: "pizza"}), "items[0].quantity"},
		"negative quantity":  {request(domain.RequestedItem{ItemID: "cake", Quantity: 1}, pizza(-1)), "items[1].quantity"},
		"huge quantity":      {request(pizza(51)), "items[0].quantity"},
		"merged too many":    {request(pizza(30), pizza(30)), "items[1].quantity"},
		"size missing":       {request(domain.RequestedItem{ItemID: "pizza", Quantity: 1}), "items[0].options"},
		"two sizes":          {request(pizza(1, "large")), "items[0].options"},
		"too many extras":    {request(pizza(1, "cheese", "olives", "cheese")), "items[0].options[3]"},
		"unavailable option": {request(domain.RequestedItem{ItemID: "pizza", Quantity: 1, Options: []string{"large", "cheese", "olives", "truffle"}}), "items[0].options[3]"},
		"unknown option":     {request(pizza(1, "anchovies")), "items[0].options[1]"},
		"option elsewhere":   {request(domain.RequestedItem{ItemID: "cake", Quantity: 1, Options: []string{"large"}}), "items[0].options[0]"},
		"bad token":          {domain.PlaceOrderRequest{RestaurantID: "r1", Items: []domain.RequestedItem{pizza(1)}, DeliveryLocation: &domain.LatLng{Lat: 52.52, Lng: 13.4}, PaymentToken: "4111111111111111"}, "payment_token"},
		"unknown item":       {request(domain.RequestedItem{ItemID: "sushi", Quantity: 1}), "items[0].item_id"},
		"unavailable item":   {request(domain.RequestedItem{ItemID: "gone", Quantity: 1}), "items[0].item_id"},
		"no location":        {domain.PlaceOrderRequest{RestaurantID: "r1", Items: []domain.RequestedItem{{ItemID: "pizza", Quantity: 1}}}, "delivery_location"},
		"too far":            {domain.PlaceOrderRequest{RestaurantID: "r1", Items: []domain.RequestedItem{pizza(1)}, DeliveryLocation: &far}, "delivery_location"},
		"bad longitude":      {domain.PlaceOrderRequest{RestaurantID: "r1", Items: []domain.RequestedItem{{ItemID: "pizza", Quantity: 1}}, DeliveryLocation: &domain.LatLng{Lat: 1, Lng: 200}}, "delivery_location.lng"},
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

// Every status an order can stop in is exactly one of: over, waiting for a
// person (the courier), or waiting for the saga, where the sweeper watches it.
// CANCELLED is both over and (until a taken payment is refunded) watched.
func TestEveryStatusIsOverOrWaitsForSomeone(t *testing.T) {
	waitsForCourier := map[domain.Status]bool{domain.StatusCourierAssigned: true, domain.StatusPickedUp: true}
	all := []domain.Status{domain.StatusPlaced, domain.StatusPaid, domain.StatusPaymentFailed, domain.StatusCourierAssigned,
		domain.StatusPickedUp, domain.StatusDelivered, domain.StatusCancelled, domain.StatusNoCourier, domain.StatusRefunded}
	for _, s := range all {
		kinds := 0
		for _, is := range []bool{s.Terminal() && s != domain.StatusCancelled, waitsForCourier[s], s.AwaitsSaga()} {
			if is {
				kinds++
			}
		}
		if kinds != 1 {
			t.Errorf("%s: terminal %v, waits for the courier %v, awaits the saga %v; want exactly one", s,
				s.Terminal(), waitsForCourier[s], s.AwaitsSaga())
		}
	}
	if !domain.StatusCancelled.Terminal() || !domain.StatusCancelled.AwaitsSaga() {
		t.Error("CANCELLED is over for the customer and may still owe a refund")
	}
	if domain.Status("SHIPPED").AwaitsSaga() {
		t.Error("an unknown status awaits nothing")
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

func TestOpeningHours(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	r := domain.Restaurant{TimeZone: "Europe/Berlin", Hours: []domain.OpeningHours{
		{Day: "mon", Open: "11:30", Close: "14:30"},
		{Day: "fri", Open: "18:00", Close: "02:00"}, // past midnight
	}}
	at := func(day, hhmm int) time.Time { // 2026-11-23 is a Monday
		return time.Date(2026, 11, 23+day, hhmm/100, hhmm%100, 0, 0, berlin)
	}
	for _, tc := range []struct {
		t    time.Time
		open bool
	}{
		{at(0, 1129), false}, {at(0, 1130), true}, {at(0, 1429), true}, {at(0, 1430), false},
		{at(4, 1759), false}, {at(4, 2300), true}, {at(5, 159), true}, {at(5, 200), false},
		{at(1, 1200), false}, // Tuesday: closed all day
	} {
		if got := r.OpenAt(tc.t); got != tc.open {
			t.Errorf("%s: open=%v, want %v", tc.t.Format("Mon 15:04"), got, tc.open)
		}
	}
	closed := testMenu
	closed.Restaurant.Hours = nil
	if _, err := domain.NewOrder("o", "c", request(pizza(1)), closed, at(0, 1200)); err == nil {
		t.Fatal("a closed restaurant took an order")
	}
}

func TestTaxRoundsHalfUp(t *testing.T) {
	for amount, tax := range map[int64]int64{0: 0, 7: 0, 8: 1, 100: 7, 5399: 378, 1_000_000: 70_000} {
		if got := domain.Tax(amount); got != tax {
			t.Errorf("Tax(%d) = %d, want %d", amount, got, tax)
		}
	}
}

func TestAddressLimitCountsCharactersNotBytes(t *testing.T) {
	req := request(pizza(1))
	req.DeliveryAddress = strings.Repeat("é", domain.MaxAddressLength) // 400 bytes, 200 characters
	if err := req.Validate(); err != nil {
		t.Fatalf("200 characters refused: %v", err)
	}
	req.DeliveryAddress += "x"
	var invalid *domain.ValidationError
	if err := req.Validate(); !errors.As(err, &invalid) || invalid.Field != "delivery_address" {
		t.Fatalf("201 characters: %v", err)
	}
}

// ValidPaymentToken is a loop standing in for a regexp (cold start); it must
// agree with the pattern the API documents on every string.
func TestValidPaymentTokenAgreesWithThePattern(t *testing.T) {
	pattern := regexp.MustCompile(`^tok_[a-z0-9_]{1,60}$`)
	r := rand.New(rand.NewPCG(3, 4))
	alphabet := "tok_az09AZ-é\x00"
	cases := []string{"", "tok_", "tok_a", "tok_visa", "tok_" + strings.Repeat("a", 60), "tok_" + strings.Repeat("a", 61), "TOK_visa", "tok_visa\n"}
	for i := 0; i < 20000; i++ {
		b := []byte("tok_")[:r.IntN(5)]
		for n := r.IntN(64); n > 0; n-- {
			b = append(b, alphabet[r.IntN(len(alphabet))])
		}
		cases = append(cases, string(b))
	}
	for _, c := range cases {
		if domain.ValidPaymentToken(c) != pattern.MatchString(c) {
			t.Fatalf("%q: loop says %v, pattern %v", c, domain.ValidPaymentToken(c), pattern.MatchString(c))
		}
	}
}
