//go:build e2e

package tests

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/fooddelivery/serverless-food-delivery/shared/delivery"
	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awsclient"
	"github.com/fooddelivery/serverless-food-delivery/shared/store"
)

// The assignment tests run the delivery service in this process against the deployed table, with couriers and
// paid orders of their own far from the demo city, so they neither take nor lose the demo couriers. Each order
// they write also reaches the deployed assignment function through the stream, which races them for it.

// assignmentPlace returns a fresh pickup spot near p (a few hundred metres of random offset), so that a rerun
// against the same emulator does not meet the couriers of the last run.
func assignmentPlace(p domain.LatLng) domain.LatLng {
	return domain.LatLng{Lat: p.Lat + rand.Float64()*0.003, Lng: p.Lng + rand.Float64()*0.003}
}

type assignmentFixture struct {
	table    *store.Table // uncounted
	counted  *store.Table
	counter  *awsclient.CallCounter
	run      string
	customer string // a real customer: the deployed notification function tells it about its orders
}

func newAssignmentFixture(t *testing.T) assignmentFixture {
	t.Helper()
	cfg, err := awsclient.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	counter := awsclient.NewCallCounter()
	_, customer := newCustomer(t)
	return assignmentFixture{
		customer: customer,
		table:    store.New(deployed.ddb, deployed.out.TableName),
		counted:  store.New(dynamodb.NewFromConfig(awsclient.WithCallCounter(cfg, counter)), deployed.out.TableName),
		counter:  counter,
		run:      platform.NewID()[:8],
	}
}

func (f assignmentFixture) courier(t *testing.T, name string, at domain.LatLng) string {
	t.Helper()
	id := "e2e-courier-" + f.run + "-" + name
	if _, err := f.table.CreateCourier(context.Background(), domain.Courier{ID: id, Name: name,
		Status: domain.CourierAvailable, Location: at, UpdatedAt: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	return id
}

// paidOrder stores an order as payment leaves it (PAID, version 2).
func (f assignmentFixture) paidOrder(t *testing.T, name string, pickup domain.LatLng) domain.Order {
	t.Helper()
	now := time.Now().UTC()
	o := domain.Order{ID: "e2e-order-" + f.run + "-" + name, CustomerID: f.customer,
		RestaurantID: "e2e-restaurant", RestaurantName: "E2E", PickupLocation: pickup,
		DeliveryLocation: domain.LatLng{Lat: pickup.Lat + 0.01, Lng: pickup.Lng},
		Lines:            []domain.OrderLine{{ItemID: "x", Name: "X", Quantity: 1, UnitPrice: 100, LineTotal: 100}},
		SubtotalMinor:    100, TotalMinor: 100, Currency: domain.Currency, Status: domain.StatusPaid,
		PaymentToken: domain.DefaultPaymentToken, Version: 2, CreatedAt: now, UpdatedAt: now}
	o.CorrelationID = o.ID
	if err := f.table.CreateOrder(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	return o
}

// TestAssignmentTakesThreeDynamoDBCalls: reading the order, one Query for the free couriers around the pickup
// and one transaction, with the nearest courier claimed and an ETA on the order; and a courier just across a
// region's edge (another GSI2 partition) is found, at the price of one more Query.
func TestAssignmentTakesThreeDynamoDBCalls(t *testing.T) {
	f := newAssignmentFixture(t)
	svc := delivery.NewService(f.counted, time.Now, delivery.DefaultGiveUpAfter)
	for _, tc := range []struct {
		name         string
		pickup       domain.LatLng
		offset       domain.LatLng // from the pickup to the near courier
		dynamoDBCall int
	}{
		{"inside a region (Lisbon)", assignmentPlace(domain.LatLng{Lat: 38.71, Lng: -9.14}), domain.LatLng{Lat: 0.002, Lng: 0.002}, 3},
		// u0x's eastern edge is at 12.65625°E; the courier waits 350 m west of it, the pickup is east of it.
		{"across a region's edge", domain.LatLng{Lat: 47.5 + rand.Float64()*0.01, Lng: 12.66}, domain.LatLng{Lat: 0, Lng: -0.0085}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			near := domain.LatLng{Lat: tc.pickup.Lat + tc.offset.Lat, Lng: tc.pickup.Lng + tc.offset.Lng}
			if tc.dynamoDBCall == 4 && domain.Geohash(near, domain.RegionCellPrecision) == domain.Geohash(tc.pickup, domain.RegionCellPrecision) {
				t.Fatalf("the courier at %v is in the pickup's region; the case tests nothing", near)
			}
			nearID := f.courier(t, "near-"+tc.name[:6], near)
			farID := f.courier(t, "far-"+tc.name[:6], domain.LatLng{Lat: tc.pickup.Lat + 0.02, Lng: tc.pickup.Lng + 0.02})
			// The deployed function may win the race for an order; it is told apart by the causation id, and
			// then the test tries with a new order (and a new near courier), up to three times.
			for try := 0; ; try++ {
				o := f.paidOrder(t, fmt.Sprintf("%s-%d", tc.name[:6], try), tc.pickup)
				f.counter.Take()
				err := svc.Assign(context.Background(), o.ID, "e2e-count", 1)
				calls := f.counter.Take()
				if err != nil {
					t.Fatal(err)
				}
				got, err := f.table.GetOrder(context.Background(), o.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.CausationID != "e2e-count" && try < 2 {
					t.Logf("the deployed function assigned %s first; again", o.ID)
					nearID = f.courier(t, fmt.Sprintf("near-%s-%d", tc.name[:6], try), near)
					continue
				}
				if got.Status != domain.StatusCourierAssigned || got.CourierID != nearID || got.CausationID != "e2e-count" {
					t.Fatalf("order %+v, want assigned to %s (not %s) by this process", got, nearID, farID)
				}
				if n := calls.Total("DynamoDB"); n != tc.dynamoDBCall {
					t.Fatalf("%d DynamoDB calls (%v), want %d", n, calls.Calls, tc.dynamoDBCall)
				}
				want := domain.EstimateDelivery(near, o.PickupLocation, o.DeliveryLocation, got.UpdatedAt)
				if d := got.ETA.Sub(want); d < -time.Second || d > time.Second {
					t.Fatalf("ETA %s, want about %s", got.ETA, want)
				}
				return
			}
		})
	}
}

// TestConcurrentAssignmentsNeverShareACourier delivers each of several paid orders three times at once to the
// service in this process (and once more to the deployed function, through the stream), with as many couriers
// as orders near the pickup: every order gets a courier, no courier gets two, and each courier's item names the
// order that names it. The claim is the transaction's condition on the courier, as DynamoDB (here the
// emulator) evaluates it.
func TestConcurrentAssignmentsNeverShareACourier(t *testing.T) {
	f := newAssignmentFixture(t)
	pickup := assignmentPlace(domain.LatLng{Lat: 41.39, Lng: 2.16}) // Barcelona
	const n = 5
	var couriers []string
	for i := 0; i < n; i++ {
		couriers = append(couriers, f.courier(t, fmt.Sprintf("c%d", i), domain.LatLng{Lat: pickup.Lat + float64(i)*0.0005, Lng: pickup.Lng}))
	}
	svc := delivery.NewService(f.table, time.Now, delivery.DefaultGiveUpAfter)
	var orders []domain.Order
	for i := 0; i < n; i++ {
		orders = append(orders, f.paidOrder(t, fmt.Sprintf("o%d", i), pickup))
	}
	var wg sync.WaitGroup
	for _, o := range orders {
		for dup := 0; dup < 3; dup++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for attempt := 0; attempt < 5; attempt++ { // what SQS redelivery does
					if err := svc.Assign(context.Background(), o.ID, fmt.Sprintf("e2e-dup-%d", dup), 1); err == nil {
						return
					}
				}
			}()
		}
	}
	wg.Wait()
	carrier := map[string]string{}
	for _, o := range orders {
		got, err := f.table.GetOrder(context.Background(), o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != domain.StatusCourierAssigned {
			t.Fatalf("order %s is %s", o.ID, got.Status)
		}
		if prev, taken := carrier[got.CourierID]; taken {
			t.Fatalf("courier %s carries %s and %s", got.CourierID, prev, o.ID)
		}
		carrier[got.CourierID] = o.ID
		c, err := f.table.GetCourier(context.Background(), got.CourierID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != domain.CourierAssigned || c.OrderID != o.ID {
			t.Fatalf("courier %+v, want carrying %s", c, o.ID)
		}
	}
	if len(carrier) != len(couriers) {
		t.Fatalf("%d couriers carry the %d orders", len(carrier), len(orders))
	}
}
