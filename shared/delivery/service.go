// Package delivery assigns paid orders to the nearest free courier.
package delivery

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	domainevents "github.com/fooddelivery/serverless-food-delivery/shared/events"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/logging"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/metrics"
)

// Store is what assignment needs from persistence.
type Store interface {
	GetOrder(ctx context.Context, id string) (domain.Order, error)
	AvailableCouriers(ctx context.Context, ring domain.SearchRing) ([]domain.Courier, error)
	// AssignCourier stores the transitioned order and claims the courier in one
	// transaction; it returns domain.ErrCourierTaken when the courier was claimed by
	// another order first, and a domain.ErrConflict when the order changed.
	AssignCourier(ctx context.Context, o domain.Order, courierID string, now time.Time) error
	// UpdateOrder stores a transitioned order if nobody wrote it since it was
	// read; domain.ErrConflict otherwise.
	UpdateOrder(ctx context.Context, o domain.Order) error
}

// ErrNoCourier means no free courier is near the pickup right now; the message
// fails and SQS delivers it again after the queue's visibility timeout, until
// the service gives up (see NewService).
var ErrNoCourier = errors.New("no courier available")

// DefaultGiveUpAfter is the delivery on which the aws stage stops looking
// for a courier (its queue dead-letters on the 5th receive, 180 s apart).
const DefaultGiveUpAfter = 4

// Service is the assignment use case.
type Service struct {
	store       Store
	now         func() time.Time
	giveUpAfter int
}

// NewService wires the service. giveUpAfter is the delivery (SQS receive
// count) of PaymentConfirmed on which an order still without a courier is
// moved to NO_COURIER; it must be below the queue's maxReceiveCount, so the
// saga closes (NoCourierAvailable → refund) before the message would reach
// the DLQ. Values below 1 mean DefaultGiveUpAfter.
func NewService(store Store, now func() time.Time, giveUpAfter int) *Service {
	if giveUpAfter < 1 {
		giveUpAfter = DefaultGiveUpAfter
	}
	return &Service{store: store, now: now, giveUpAfter: giveUpAfter}
}

// HandleEvent reacts to PaymentConfirmed; other events are ignored. attempt
// is which delivery of the event this is (1 for the first): see Assign.
func (s *Service) HandleEvent(ctx context.Context, e domainevents.Envelope, attempt int) error {
	if e.Type != domainevents.PaymentConfirmed {
		return nil
	}
	return s.Assign(ctx, e.OrderID, e.ID, attempt)
}

// Assign gives the order to the nearest free courier, searching widening rings
// of geohash cells around the pickup, and estimates when it will be delivered.
// Only one order can claim a courier (the claim is conditional) and a duplicate
// event finds the order already assigned. DynamoDB calls when a courier is free
// near the pickup: read the order, one Query for the ring (two near a region's
// edge, see store.AvailableCouriers), one transaction; a courier taken by a
// racing order costs one more transaction, an empty ring one more Query.
// With no courier near, the delivery fails so SQS retries it later, until
// attempt (which delivery of the event this is, 1 for the first) reaches the
// give-up count: then the order ends NO_COURIER.
func (s *Service) Assign(ctx context.Context, orderID, causationEventID string, attempt int) error {
	order, err := s.store.GetOrder(ctx, orderID)
	if err != nil {
		return err
	}
	if order.Status != domain.StatusPaid {
		logging.From(ctx).Info("order not waiting for a courier; duplicate ignored", "status", order.Status)
		metrics.Add(metrics.DuplicatesIgnored, 1)
		return nil
	}
	for _, ring := range domain.CourierSearchRings(order.PickupLocation) {
		candidates, err := s.store.AvailableCouriers(ctx, ring)
		if err != nil {
			return err
		}
		for _, courier := range domain.RankByDistance(order.PickupLocation, candidates) {
			assigned := order
			// The customer is shown the courier's name, never the courier's id.
			assigned.CourierID, assigned.CourierName = courier.ID, courier.Name
			now := s.now()
			assigned.ETA = domain.EstimateDelivery(courier.Location, order.PickupLocation, order.DeliveryLocation, now)
			if err := assigned.Transition(domain.StatusCourierAssigned, causationEventID, now); err != nil {
				return err
			}
			err := s.store.AssignCourier(ctx, assigned, courier.ID, now)
			switch {
			case err == nil:
				logging.From(ctx).Info("courier assigned", "courier_id", courier.ID,
					"distance_m", int(domain.DistanceMeters(order.PickupLocation, courier.Location)), "eta", assigned.ETA)
				return nil
			case errors.Is(err, domain.ErrCourierTaken):
				continue // somebody else's order got this courier first
			default:
				return fmt.Errorf("assign courier %s: %w", courier.ID, err)
			}
		}
	}
	if attempt < s.giveUpAfter {
		return fmt.Errorf("order %s, attempt %d of %d: %w", orderID, attempt, s.giveUpAfter, ErrNoCourier)
	}
	// Give up: the order cannot be delivered. NO_COURIER is published as
	// NoCourierAvailable, on which payment refunds and the customer is told.
	if err := order.Transition(domain.StatusNoCourier, causationEventID, s.now()); err != nil {
		return err
	}
	if err := s.store.UpdateOrder(ctx, order); err != nil {
		// Cancelled or assigned meanwhile: the retry reads the new state.
		return fmt.Errorf("give up on a courier: %w", err)
	}
	logging.From(ctx).Warn("no courier found in time; order moved to NO_COURIER", "attempt", attempt)
	return nil
}
