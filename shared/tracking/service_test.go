package tracking_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/store/memstore"
	"github.com/fooddelivery/serverless-food-delivery/shared/tracking"
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
	_, svc := fixture(t)
	ctx := context.Background()
	_, err := svc.ReportLocation(ctx, "k1", tracking.LocationBatch{Positions: []tracking.Position{
		fix(52.2, 13.2, now.Add(-time.Second)), fix(52.3, 13.3, now), fix(52.1, 13.1, now.Add(-time.Minute)),
	}})
	if err != nil {
		t.Fatal(err)
	}
	view, err := svc.Track(ctx, tracking.Viewer{ID: "c-1"}, "o-1")
	if err != nil || view.Position == nil || view.Position.Location != (domain.LatLng{Lat: 52.3, Lng: 13.3}) ||
		view.PickupLocation.Lat != 52.5 || view.DeliveryLocation.Lng != 13.41 {
		t.Fatalf("view %+v err %v", view, err)
	}
	// An older batch arriving late does not move the order's position back.
	if _, err := svc.ReportLocation(ctx, "k1", tracking.LocationBatch{Positions: []tracking.Position{fix(50, 10, now.Add(-time.Hour))}}); err != nil {
		t.Fatal(err)
	}
	if view, _ := svc.Track(ctx, tracking.Viewer{ID: "c-1"}, "o-1"); view.Position.Location.Lat != 52.3 {
		t.Fatalf("late batch moved the position: %+v", view.Position)
	}
	if _, err := svc.Track(ctx, tracking.Viewer{ID: "stranger"}, "o-1"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("stranger sees tracking: %v", err)
	}
}

func TestLocationBatchValidation(t *testing.T) {
	_, svc := fixture(t)
	lat := 52.0
	cases := map[string]struct {
		batch tracking.LocationBatch
		field string
	}{
		"empty":       {tracking.LocationBatch{}, "positions"},
		"no lng":      {tracking.LocationBatch{Positions: []tracking.Position{{Lat: &lat}}}, "positions[0].lng"},
		"bad lat":     {tracking.LocationBatch{Positions: []tracking.Position{fix(100, 1, now)}}, "positions[0].lat"},
		"from future": {tracking.LocationBatch{Positions: []tracking.Position{fix(1, 1, now.Add(time.Hour))}}, "positions[0].recorded_at"},
	}
	for name, tc := range cases {
		_, err := svc.ReportLocation(context.Background(), "k1", tc.batch)
		var invalid *domain.ValidationError
		if !errors.As(err, &invalid) || invalid.Field != tc.field {
			t.Errorf("%s: %v, want field %s", name, err, tc.field)
		}
	}
	if _, err := svc.ReportLocation(context.Background(), "not-a-courier", tracking.LocationBatch{Positions: []tracking.Position{fix(1, 1, now)}}); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("unknown courier: %v", err)
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
