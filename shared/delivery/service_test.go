package delivery_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/delivery"
	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	domainevents "github.com/fooddelivery/serverless-food-delivery/shared/events"
	"github.com/fooddelivery/serverless-food-delivery/shared/store/memstore"
)

var (
	pickup  = domain.LatLng{Lat: 52.5262, Lng: 13.4019}
	dropoff = domain.LatLng{Lat: 52.5301, Lng: 13.4120}
)

func paidOrder(t *testing.T, s *memstore.Store, id string) domainevents.Envelope {
	t.Helper()
	o := domain.Order{ID: id, CustomerID: "c", Status: domain.StatusPaid, Version: 2, PickupLocation: pickup, DeliveryLocation: dropoff}
	if err := s.CreateOrder(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	e, _ := domainevents.FromOrder(o)
	return e
}

func courier(t *testing.T, s *memstore.Store, id string, at domain.LatLng) {
	t.Helper()
	if _, err := s.CreateCourier(context.Background(), domain.Courier{ID: id, Status: domain.CourierAvailable, Location: at}); err != nil {
		t.Fatal(err)
	}
}

func TestAssignsTheNearestFreeCourierOnce(t *testing.T) {
	s := memstore.New()
	courier(t, s, "near", domain.LatLng{Lat: 52.5270, Lng: 13.4030})
	courier(t, s, "far", domain.LatLng{Lat: 52.5500, Lng: 13.4500})
	evt := paidOrder(t, s, "o-1")
	clock := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	svc := delivery.NewService(s, func() time.Time { return clock }, 0)
	for i := 0; i < 3; i++ { // at-least-once delivery
		if err := svc.HandleEvent(context.Background(), evt, 1); err != nil {
			t.Fatal(err)
		}
	}
	o, _ := s.GetOrder(context.Background(), "o-1")
	near, _ := s.GetCourier(context.Background(), "near")
	far, _ := s.GetCourier(context.Background(), "far")
	if o.Status != domain.StatusCourierAssigned || o.CourierID != "near" || o.Version != 3 {
		t.Fatalf("order %+v", o)
	}
	if near.Status != domain.CourierAssigned || near.OrderID != "o-1" || far.Status != domain.CourierAvailable {
		t.Fatalf("near %+v far %+v", near, far)
	}
	// The ETA is the near courier's ride to the pickup and on to the customer, from the assignment's time.
	if want := domain.EstimateDelivery(near.Location, pickup, dropoff, clock); !o.ETA.Equal(want) || !o.ETA.After(clock) {
		t.Fatalf("ETA %s, want %s", o.ETA, want)
	}
	if e, _ := domainevents.FromOrder(o); !e.Data.ETA.Equal(o.ETA) {
		t.Fatalf("CourierAssigned carries ETA %v, want %s", e.Data.ETA, o.ETA)
	}
}

func TestWidensTheSearchToTheCoarseRing(t *testing.T) {
	s := memstore.New()
	courier(t, s, "across-town", domain.LatLng{Lat: 52.4500, Lng: 13.3000}) // about 11 km away
	evt := paidOrder(t, s, "o-1")
	if err := delivery.NewService(s, time.Now, 0).HandleEvent(context.Background(), evt, 1); err != nil {
		t.Fatal(err)
	}
	if o, _ := s.GetOrder(context.Background(), "o-1"); o.CourierID != "across-town" {
		t.Fatalf("order %+v", o)
	}
}

func TestNoCourierIsRetriedThenGivenUp(t *testing.T) {
	s := memstore.New()
	evt := paidOrder(t, s, "o-1")
	svc := delivery.NewService(s, time.Now, 3)
	for attempt := 1; attempt < 3; attempt++ {
		err := svc.HandleEvent(context.Background(), evt, attempt)
		if !errors.Is(err, delivery.ErrNoCourier) {
			t.Fatalf("attempt %d: err %v, want ErrNoCourier so SQS retries", attempt, err)
		}
		if o, _ := s.GetOrder(context.Background(), "o-1"); o.Status != domain.StatusPaid {
			t.Fatalf("attempt %d: order %s", attempt, o.Status)
		}
	}
	// The last try before the DLQ closes the saga step instead.
	for i := 0; i < 2; i++ { // and a duplicate of it changes nothing
		if err := svc.HandleEvent(context.Background(), evt, 3); err != nil {
			t.Fatal(err)
		}
	}
	o, _ := s.GetOrder(context.Background(), "o-1")
	if o.Status != domain.StatusNoCourier || o.Version != 3 || o.CausationID != evt.ID {
		t.Fatalf("order %+v", o)
	}
	if e, _ := domainevents.FromOrder(o); e.Type != domainevents.NoCourierAvailable {
		t.Fatalf("publishes %s", e.Type)
	}
}

func TestGivingUpLosesToACancellation(t *testing.T) {
	s := memstore.New()
	evt := paidOrder(t, s, "o-1")
	o, _ := s.GetOrder(context.Background(), "o-1")
	_ = o.Transition(domain.StatusCancelled, "", time.Now())
	_ = s.UpdateOrder(context.Background(), o)
	// The event was read before the cancellation; the order is no longer PAID.
	if err := delivery.NewService(s, time.Now, 1).HandleEvent(context.Background(), evt, 1); err != nil {
		t.Fatal(err)
	}
	if o, _ := s.GetOrder(context.Background(), "o-1"); o.Status != domain.StatusCancelled {
		t.Fatalf("order %s", o.Status)
	}
}

func TestRacingOrdersNeverShareACourier(t *testing.T) {
	s := memstore.New()
	for i := 0; i < 5; i++ {
		courier(t, s, fmt.Sprintf("k%d", i), domain.LatLng{Lat: pickup.Lat + float64(i)*0.001, Lng: pickup.Lng})
	}
	svc := delivery.NewService(s, time.Now, 0)
	var wg sync.WaitGroup
	for i := 0; i < 5; i++ {
		evt := paidOrder(t, s, fmt.Sprintf("o-%d", i))
		wg.Add(2)
		for dup := 0; dup < 2; dup++ { // each event delivered twice, concurrently
			go func() {
				defer wg.Done()
				for attempt := 0; attempt < 5; attempt++ { // what SQS redelivery does
					if svc.HandleEvent(context.Background(), evt, 1) == nil {
						return
					}
				}
			}()
		}
	}
	wg.Wait()
	owner := map[string]string{}
	for _, o := range s.Orders() {
		if o.Status != domain.StatusCourierAssigned {
			t.Fatalf("order %s is %s", o.ID, o.Status)
		}
		if prev, taken := owner[o.CourierID]; taken {
			t.Fatalf("courier %s assigned to %s and %s", o.CourierID, prev, o.ID)
		}
		owner[o.CourierID] = o.ID
	}
}
