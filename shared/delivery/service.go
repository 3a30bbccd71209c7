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
)

// Store is what assignment needs from persistence.
type Store interface {
	GetOrder(ctx context.Context, id string) (domain.Order, error)
	AvailableCouriers(ctx context.Context, ring domain.SearchRing) ([]domain.Courier, error)
	// AssignCourier stores the transitioned order and claims the courier in one
	// transaction; it returns domain.ErrCourierTaken when the courier was claimed by
	// another order first, and a domain.ErrConflict when the order changed.
	AssignCourier(ctx context.Context, o domain.Order, courierID string, now time.Time) error
}

// ErrNoCourier means no free courier is near the pickup right now; the message
// is retried later (SQS visibility timeout) and dead-lettered in the end.
var ErrNoCourier = errors.New("no courier available")

// Service is the assignment use case.
type Service struct {
	store        Store
	courierTaken error
	now          func() time.Time
}

// NewService wires the service.
func NewService(store Store, now func() time.Time) *Service {
	return &Service{store: store, now: now}
}

// HandleEvent reacts to PaymentConfirmed; other events are ignored.
func (s *Service) HandleEvent(ctx context.Context, e domainevents.Envelope) error {
	if e.Type != domainevents.PaymentConfirmed {
		return nil
	}
	return s.Assign(ctx, e.OrderID, e.ID)
}

// Assign gives the order to the nearest free courier, searching widening rings
// of geohash cells around the pickup. Only one order can claim a courier (the
// claim is conditional) and a duplicate event finds the order already assigned.
func (s *Service) Assign(ctx context.Context, orderID, causationEventID string) error {
	order, err := s.store.GetOrder(ctx, orderID)
	if err != nil {
		return err
	}
	if order.Status != domain.StatusPaid {
		logging.From(ctx).Info("order not waiting for a courier; duplicate ignored", "status", order.Status)
		return nil
	}
	for _, ring := range domain.CourierSearchRings(order.PickupLocation) {
		candidates, err := s.store.AvailableCouriers(ctx, ring)
		if err != nil {
			return err
		}
		for _, courier := range domain.RankByDistance(order.PickupLocation, candidates) {
			assigned := order
			assigned.CourierID = courier.ID
			now := s.now()
			if err := assigned.Transition(domain.StatusCourierAssigned, causationEventID, now); err != nil {
				return err
			}
			err := s.store.AssignCourier(ctx, assigned, courier.ID, now)
			switch {
			case err == nil:
				logging.From(ctx).Info("courier assigned", "courier_id", courier.ID,
					"distance_m", int(domain.DistanceMeters(order.PickupLocation, courier.Location)))
				return nil
			case errors.Is(err, domain.ErrCourierTaken):
				continue // somebody else's order got this courier first
			default:
				return fmt.Errorf("assign courier %s: %w", courier.ID, err)
			}
		}
	}
	return fmt.Errorf("order %s: %w", orderID, ErrNoCourier)
}
