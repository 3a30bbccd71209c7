// Package tracking lets couriers report where they are and move their orders
// through pickup and delivery, and lets customers see where their food is.
package tracking

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/logging"
)

// Store is what tracking needs from persistence.
type Store interface {
	GetCourier(ctx context.Context, id string) (domain.Courier, error)
	MoveCourier(ctx context.Context, c domain.Courier, to domain.LatLng, now time.Time) error
	SaveTracking(ctx context.Context, p domain.TrackingPosition) error
	GetTracking(ctx context.Context, orderID string) (domain.TrackingPosition, error)
	GetOrder(ctx context.Context, id string) (domain.Order, error)
	UpdateOrder(ctx context.Context, o domain.Order) error
	ReleaseCourier(ctx context.Context, o domain.Order, now time.Time) error
}

// Service is the tracking use case.
type Service struct {
	store Store
	now   func() time.Time
}

// NewService wires the service.
func NewService(store Store, now func() time.Time) *Service {
	return &Service{store: store, now: now}
}

// Position is one location fix reported by a courier's device.
type Position struct {
	Lat        *float64   `json:"lat"`
	Lng        *float64   `json:"lng"`
	RecordedAt *time.Time `json:"recorded_at"`
}

// LocationBatch is the body of POST /couriers/me/location. Devices batch fixes
// to save battery and requests; only the newest one moves the courier.
type LocationBatch struct {
	Positions []Position `json:"positions"`
}

// MaxPositionsPerBatch bounds a batch (and the request body).
const MaxPositionsPerBatch = 100

// maxClockSkew is how far in the future a device clock may be.
const maxClockSkew = time.Minute

// latest validates the batch and returns its newest fix.
func (b LocationBatch) latest(now time.Time) (domain.LatLng, time.Time, error) {
	if len(b.Positions) == 0 || len(b.Positions) > MaxPositionsPerBatch {
		return domain.LatLng{}, time.Time{}, domain.Invalid("positions", "must hold 1 to %d positions", MaxPositionsPerBatch)
	}
	var best domain.LatLng
	var bestAt time.Time
	for i, p := range b.Positions {
		field := fmt.Sprintf("positions[%d]", i)
		if p.Lat == nil {
			return domain.LatLng{}, time.Time{}, domain.Invalid(field+".lat", "is required")
		}
		if p.Lng == nil {
			return domain.LatLng{}, time.Time{}, domain.Invalid(field+".lng", "is required")
		}
		at := now
		if p.RecordedAt != nil {
			at = *p.RecordedAt
		}
		if at.After(now.Add(maxClockSkew)) {
			return domain.LatLng{}, time.Time{}, domain.Invalid(field+".recorded_at", "is in the future")
		}
		pos := domain.LatLng{Lat: *p.Lat, Lng: *p.Lng}
		if err := pos.Validate(field); err != nil {
			return domain.LatLng{}, time.Time{}, err
		}
		if i == 0 || !at.Before(bestAt) {
			best, bestAt = pos, at
		}
	}
	return best, bestAt.UTC(), nil
}

// ReportLocation moves the courier to the batch's newest fix and, when the
// courier is carrying an order, records the position on that order for the
// customer to see.
func (s *Service) ReportLocation(ctx context.Context, courierID string, batch LocationBatch) (domain.Courier, error) {
	now := s.now().UTC()
	pos, at, err := batch.latest(now)
	if err != nil {
		return domain.Courier{}, err
	}
	// A concurrent assignment changes the courier's status under us; re-read
	// and try again rather than overwrite it.
	for attempt := 0; ; attempt++ {
		courier, err := s.store.GetCourier(ctx, courierID)
		if errors.Is(err, domain.ErrNotFound) {
			return domain.Courier{}, fmt.Errorf("%w: caller is not a registered courier", domain.ErrForbidden)
		}
		if err != nil {
			return domain.Courier{}, err
		}
		err = s.store.MoveCourier(ctx, courier, pos, now)
		if errors.Is(err, domain.ErrConflict) && attempt < 2 {
			continue
		}
		if err != nil {
			return domain.Courier{}, err
		}
		courier.Location, courier.UpdatedAt = pos, now
		if courier.Status == domain.CourierAssigned && courier.OrderID != "" {
			if err := s.store.SaveTracking(ctx, domain.TrackingPosition{
				OrderID: courier.OrderID, CourierID: courier.ID, Location: pos, RecordedAt: at,
			}); err != nil {
				return domain.Courier{}, err
			}
		}
		return courier, nil
	}
}

// Courier returns the caller's courier profile: status, position and the
// order it is carrying, which is how a courier's app learns its assignment.
func (s *Service) Courier(ctx context.Context, courierID string) (domain.Courier, error) {
	c, err := s.store.GetCourier(ctx, courierID)
	if errors.Is(err, domain.ErrNotFound) {
		return domain.Courier{}, fmt.Errorf("%w: caller is not a registered courier", domain.ErrForbidden)
	}
	return c, err
}

// courierSettable are the statuses a courier may set on an order.
var courierSettable = map[domain.Status]bool{domain.StatusPickedUp: true, domain.StatusDelivered: true}

// SetOrderStatus records pickup or delivery by the order's courier. Repeating
// PICKED_UP is accepted and changes nothing, so a retried request from a flaky
// connection is harmless; once the order is delivered the courier's access has
// ended, and a repeated DELIVERED gets domain.ErrNotFound like any stranger.
func (s *Service) SetOrderStatus(ctx context.Context, courierID, orderID string, to domain.Status) (domain.Order, error) {
	if !courierSettable[to] {
		return domain.Order{}, domain.Invalid("status", "must be PICKED_UP or DELIVERED")
	}
	order, err := s.store.GetOrder(ctx, orderID)
	if err != nil {
		return domain.Order{}, err
	}
	// Someone else's order, or one this courier no longer carries, looks the same as a missing one: a 403 would
	// tell the caller that the id exists.
	if !order.CarriedBy(courierID) {
		return domain.Order{}, fmt.Errorf("%w: order %s is not carried by this courier", domain.ErrNotFound, orderID)
	}
	if order.Status == to {
		return order, nil
	}
	now := s.now()
	if err := order.Transition(to, "", now); err != nil {
		return domain.Order{}, err
	}
	if to == domain.StatusDelivered {
		err = s.store.ReleaseCourier(ctx, order, now)
	} else {
		err = s.store.UpdateOrder(ctx, order)
	}
	if err != nil {
		return domain.Order{}, err
	}
	logging.From(ctx).Info("order status set by courier", "order_id", order.ID, "status", to)
	return order, nil
}

// View is what GET /orders/{id}/tracking returns.
// It carries both ends of the trip, which the customer's map and the
// courier's app draw.
type View struct {
	OrderID          string                   `json:"order_id"`
	Status           domain.Status            `json:"status"`
	CourierID        string                   `json:"courier_id,omitempty"`
	PickupLocation   domain.LatLng            `json:"pickup_location"`
	DeliveryLocation domain.LatLng            `json:"delivery_location"`
	Position         *domain.TrackingPosition `json:"position"`
}

// Viewer is who asks for tracking.
type Viewer struct {
	ID    string
	IsOps bool
}

// Track returns the order's status and courier position to its customer, the
// courier carrying it (until delivery, cancellation or reassignment) or ops;
// anyone else gets domain.ErrNotFound.
func (s *Service) Track(ctx context.Context, who Viewer, orderID string) (View, error) {
	order, err := s.store.GetOrder(ctx, orderID)
	if err != nil {
		return View{}, err
	}
	if who.ID != order.CustomerID && !order.CarriedBy(who.ID) && !who.IsOps {
		return View{}, domain.ErrNotFound
	}
	view := View{OrderID: order.ID, Status: order.Status, CourierID: order.CourierID,
		PickupLocation: order.PickupLocation, DeliveryLocation: order.DeliveryLocation}
	pos, err := s.store.GetTracking(ctx, orderID)
	switch {
	case err == nil:
		view.Position = &pos
	case !errors.Is(err, domain.ErrNotFound):
		return View{}, err
	}
	return view, nil
}
