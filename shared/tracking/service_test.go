package tracking_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/apischema"
	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/store/memstore"
	"github.com/fooddelivery/serverless-food-delivery/shared/tracking"
	"github.com/fooddelivery/serverless-food-delivery/shared/tracking/cadence"
)

var now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func fixture(t *testing.T) (*memstore.Store, *tracking.Service) {
	t.Helper()
	s := memstore.New()
	ctx := context.Background()
	_, _ = s.CreateCourier(ctx, domain.Courier{ID: "k1", Status: domain.CourierAssigned, OrderID: "o-1"})
	_, _ = s.CreateCourier(ctx, domain.Courier{ID: "k2", Status: domain.CourierAvailable})
	if err := s.CreateOrder(ctx, domain.Order{ID: "o-1", CustomerID: "c-1", CourierID: "k1",
		Status: domain.StatusCourierAssigned, Version: 3, PickupLocation: domain.LatLng{Lat: 52.5, Lng: 13.4},
		DeliveryLocation: domain.LatLng{Lat: 52.51, Lng: 13.41}}); err != nil {
		t.Fatal(err)
	}
	return s, tracking.NewService(s, func() time.Time { return now })
}

func fix(lat, lng float64, at time.Time) tracking.Position {
	return tracking.Position{Lat: &lat, Lng: &lng, RecordedAt: &at}
}

func TestNewestFixInABatchWinsAndIsShownToTheCustomer(t *testing.T) {
	s, svc := fixture(t)
	ctx := context.Background()
	_, err := svc.ReportLocation(ctx, "k1", tracking.LocationBatch{Positions: []tracking.Position{
		fix(52.5000, 13.4000, now.Add(-10*time.Second)), fix(52.5003, 13.4003, now.Add(-5*time.Second)), fix(52.5006, 13.4006, now),
	}})
	if err != nil {
		t.Fatal(err)
	}
	view, err := svc.Track(ctx, tracking.Viewer{ID: "c-1"}, "o-1")
	if err != nil || view.Position == nil || view.Position.Location != (domain.LatLng{Lat: 52.5006, Lng: 13.4006}) ||
		!view.Position.RecordedAt.Equal(now) || view.PickupLocation.Lat != 52.5 || view.DeliveryLocation.Lng != 13.41 {
		t.Fatalf("view %+v err %v", view, err)
	}
	if k1, _ := s.GetCourier(ctx, "k1"); k1.Location != (domain.LatLng{Lat: 52.5006, Lng: 13.4006}) || !k1.LocatedAt.Equal(now) {
		t.Fatalf("courier %+v", k1)
	}
	// The same batch again (a device whose answer was lost) is accepted and changes nothing.
	if _, err := svc.ReportLocation(ctx, "k1", tracking.LocationBatch{Positions: []tracking.Position{
		fix(52.5003, 13.4003, now.Add(-5*time.Second)), fix(52.5006, 13.4006, now),
	}}); err != nil {
		t.Fatalf("retried batch: %v", err)
	}
	if view, _ := svc.Track(ctx, tracking.Viewer{ID: "c-1"}, "o-1"); view.Position.Location.Lat != 52.5006 {
		t.Fatalf("retry moved the position: %+v", view.Position)
	}
	if _, err := svc.Track(ctx, tracking.Viewer{ID: "stranger"}, "o-1"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("stranger sees tracking: %v", err)
	}
}

func TestAFreeCourierMovesButNoOrderIsTracked(t *testing.T) {
	s, svc := fixture(t)
	ctx := context.Background()
	c, err := svc.ReportLocation(ctx, "k2", tracking.LocationBatch{Positions: []tracking.Position{fix(52.51, 13.41, now)}})
	if err != nil || c.Status != domain.CourierAvailable || c.Location.Lat != 52.51 {
		t.Fatalf("courier %+v err %v", c, err)
	}
	if _, err := s.GetTracking(ctx, "o-1"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("a free courier's fix was recorded on an order: %v", err)
	}
}

// TestABadBatchStoresNothing: whatever the fault and wherever it is in the batch, the answer names the fix
// and its field, and neither the courier nor the order's tracking moves.
func TestABadBatchStoresNothing(t *testing.T) {
	lat := 52.0
	good := func(i int) tracking.Position { // 5 s apart, 20 m apart: 14 km/h
		return fix(52.5+float64(i)*0.00018, 13.4, now.Add(time.Duration(i-10)*5*time.Second))
	}
	batch := func(bad int, p tracking.Position) tracking.LocationBatch {
		var b tracking.LocationBatch
		for i := 0; i < 5; i++ {
			b.Positions = append(b.Positions, good(i))
		}
		if bad >= 0 {
			b.Positions[bad] = p
		}
		return b
	}
	full := tracking.LocationBatch{}
	for i := 0; i <= cadence.MaxBatch; i++ {
		full.Positions = append(full.Positions, fix(52.5, 13.4, now.Add(time.Duration(i-cadence.MaxBatch)*time.Second)))
	}
	cases := map[string]struct {
		batch tracking.LocationBatch
		field string
	}{
		"empty":                 {tracking.LocationBatch{}, "positions"},
		"more than MaxBatch":    {full, "positions"},
		"no lng":                {batch(1, tracking.Position{Lat: &lat}), "positions[1].lng"},
		"no recorded_at":        {batch(2, tracking.Position{Lat: &lat, Lng: &lat}), "positions[2].recorded_at"},
		"lat out of bounds":     {batch(2, fix(91, 13.4, now.Add(-38*time.Second))), "positions[2].lat"},
		"lng out of bounds":     {batch(4, fix(52.5, -180.5, now.Add(-28*time.Second))), "positions[4].lng"},
		"from the future":       {batch(4, fix(52.5, 13.4, now.Add(2*time.Minute))), "positions[4].recorded_at"},
		"too old":               {batch(0, fix(52.5, 13.4, now.Add(-6*time.Minute))), "positions[0].recorded_at"},
		"out of order":          {batch(3, fix(52.5, 13.4, now.Add(-49*time.Second))), "positions[3].recorded_at"},
		"same time as previous": {batch(3, fix(52.5, 13.4, now.Add(-40*time.Second))), "positions[3].recorded_at"},
		// 1.1 km in 5 s is about 800 km/h.
		"impossible speed in the batch": {batch(3, fix(52.51, 13.4, now.Add(-35*time.Second))), "positions[3].lat"},
	}
	for name, tc := range cases {
		s, svc := fixture(t)
		ctx := context.Background()
		_, err := svc.ReportLocation(ctx, "k1", tc.batch)
		var invalid *domain.ValidationError
		if !errors.As(err, &invalid) || invalid.Field != tc.field {
			t.Errorf("%s: %v, want field %s", name, err, tc.field)
		}
		if _, err := s.GetTracking(ctx, "o-1"); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("%s: the order's tracking was written: %v", name, err)
		}
		if k1, _ := s.GetCourier(ctx, "k1"); !k1.LocatedAt.IsZero() || k1.Location != (domain.LatLng{}) {
			t.Errorf("%s: the courier moved: %+v", name, k1)
		}
	}
	if _, err := tracking.NewService(memstore.New(), func() time.Time { return now }).ReportLocation(context.Background(), "not-a-courier",
		tracking.LocationBatch{Positions: []tracking.Position{fix(1, 1, now)}}); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("unknown courier: %v", err)
	}
}

// TestSpeedIsCheckedFromTheLastStoredFix: the first fix of a batch must be reachable from where the courier was
// last seen, and a refused batch leaves that last fix as it was.
func TestSpeedIsCheckedFromTheLastStoredFix(t *testing.T) {
	s, svc := fixture(t)
	ctx := context.Background()
	if _, err := svc.ReportLocation(ctx, "k1", tracking.LocationBatch{Positions: []tracking.Position{fix(52.5, 13.4, now.Add(-20*time.Second))}}); err != nil {
		t.Fatal(err)
	}
	// 5.6 km in 10 s from the stored fix: refused, although the batch is consistent in itself.
	jump := tracking.LocationBatch{Positions: []tracking.Position{fix(52.55, 13.4, now.Add(-10*time.Second)), fix(52.5501, 13.4, now.Add(-5*time.Second))}}
	_, err := svc.ReportLocation(ctx, "k1", jump)
	var invalid *domain.ValidationError
	if !errors.As(err, &invalid) || invalid.Field != "positions[0].lat" {
		t.Fatalf("jump from the stored fix: %v", err)
	}
	if view, _ := svc.Track(ctx, tracking.Viewer{ID: "c-1"}, "o-1"); view.Position.Location.Lat != 52.5 {
		t.Fatalf("refused batch moved the order's position: %+v", view.Position)
	}
	if k1, _ := s.GetCourier(ctx, "k1"); k1.Location.Lat != 52.5 || !k1.LocatedAt.Equal(now.Add(-20*time.Second)) {
		t.Fatalf("refused batch moved the courier: %+v", k1)
	}
	// A plausible ride on from there is accepted.
	if _, err := svc.ReportLocation(ctx, "k1", tracking.LocationBatch{Positions: []tracking.Position{fix(52.501, 13.4, now)}}); err != nil {
		t.Fatalf("plausible batch: %v", err)
	}
}

func TestLocationBatchSchemaAllowsExactlyTheCadencesBatch(t *testing.T) {
	raw, err := apischema.Source(apischema.LocationBatch)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Properties struct {
			Positions struct {
				MaxItems int `json:"maxItems"`
			} `json:"positions"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Properties.Positions.MaxItems != cadence.MaxBatch {
		t.Fatalf("location-batch.schema.json allows %d positions, cadence.MaxBatch is %d", doc.Properties.Positions.MaxItems, cadence.MaxBatch)
	}
}

func TestOnlyTheAssignedCourierDeliversAndIsThenFree(t *testing.T) {
	s, svc := fixture(t)
	ctx := context.Background()
	// Another courier's order is a 404, like an unknown one: a 403 would say it exists.
	if _, err := svc.SetOrderStatus(ctx, "k2", "o-1", domain.StatusPickedUp); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("other courier: %v", err)
	}
	if _, err := svc.SetOrderStatus(ctx, "k1", "o-1", domain.StatusDelivered); !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("deliver before pickup: %v", err)
	}
	if _, err := svc.SetOrderStatus(ctx, "k1", "o-1", domain.StatusCancelled); err == nil {
		t.Fatal("couriers cannot cancel")
	}
	for _, st := range []domain.Status{domain.StatusPickedUp, domain.StatusPickedUp, domain.StatusDelivered} {
		if o, err := svc.SetOrderStatus(ctx, "k1", "o-1", st); err != nil || o.Status != st {
			t.Fatalf("set %s: %v %+v", st, err, o)
		}
	}
	// Delivery ends the courier's access: the same request again, and the tracking, are now 404.
	if _, err := svc.SetOrderStatus(ctx, "k1", "o-1", domain.StatusDelivered); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("repeat after delivery: %v", err)
	}
	if _, err := svc.Track(ctx, tracking.Viewer{ID: "k1"}, "o-1"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("former courier tracks the delivered order: %v", err)
	}
	if _, err := svc.Track(ctx, tracking.Viewer{ID: "c-1"}, "o-1"); err != nil {
		t.Fatalf("the customer still sees the delivered order: %v", err)
	}
	o, _ := s.GetOrder(ctx, "o-1")
	k1, _ := s.GetCourier(ctx, "k1")
	if o.Status != domain.StatusDelivered || o.Version != 5 || k1.Status != domain.CourierAvailable || k1.OrderID != "" {
		t.Fatalf("order %+v courier %+v", o, k1)
	}
}

func TestCourierSeesOwnAssignment(t *testing.T) {
	_, svc := fixture(t)
	c, err := svc.Courier(context.Background(), "k1")
	if err != nil || c.OrderID != "o-1" || c.Status != domain.CourierAssigned {
		t.Fatalf("courier %+v err %v", c, err)
	}
	if _, err := svc.Courier(context.Background(), "c-1"); !errors.Is(err, domain.ErrForbidden) {
		t.Fatalf("a customer asking for a courier profile: %v", err)
	}
}

func TestCourierAccessEndsWithCancellationAndReassignment(t *testing.T) {
	s, svc := fixture(t)
	ctx := context.Background()
	if _, err := svc.Track(ctx, tracking.Viewer{ID: "k1"}, "o-1"); err != nil {
		t.Fatalf("the carrying courier tracks its order: %v", err)
	}
	// Reassigned: k2 now carries it, k1 keeps nothing.
	o, _ := s.GetOrder(ctx, "o-1")
	o.CourierID = "k2"
	o.Version++
	if err := s.UpdateOrder(ctx, o); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"k1", "k2"} {
		_, trackErr := svc.Track(ctx, tracking.Viewer{ID: c}, "o-1")
		_, statusErr := svc.SetOrderStatus(ctx, c, "o-1", domain.StatusPickedUp)
		if c == "k1" && (!errors.Is(trackErr, domain.ErrNotFound) || !errors.Is(statusErr, domain.ErrNotFound)) {
			t.Fatalf("former courier after reassignment: track %v, status %v", trackErr, statusErr)
		}
		if c == "k2" && (trackErr != nil || statusErr != nil) {
			t.Fatalf("new courier: track %v, status %v", trackErr, statusErr)
		}
	}
	// Cancelled before pickup (the customer's cancel keeps CourierID on the order): the courier's access ends.
	if err := s.CreateOrder(ctx, domain.Order{ID: "o-2", CustomerID: "c-1", CourierID: "k1",
		Status: domain.StatusCourierAssigned, Version: 3}); err != nil {
		t.Fatal(err)
	}
	o2, _ := s.GetOrder(ctx, "o-2")
	if err := o2.Transition(domain.StatusCancelled, "", now); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateOrder(ctx, o2); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Track(ctx, tracking.Viewer{ID: "k1"}, "o-2"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("courier tracks a cancelled order: %v", err)
	}
	if _, err := svc.SetOrderStatus(ctx, "k1", "o-2", domain.StatusPickedUp); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("courier picks up a cancelled order: %v", err)
	}
	if _, err := svc.SetOrderStatus(ctx, "k2", "no-such-order", domain.StatusPickedUp); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("unknown order: %v", err)
	}
}
