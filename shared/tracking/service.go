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
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/tracecontext"
	"github.com/fooddelivery/serverless-food-delivery/shared/tracking/cadence"
)

// Store is what tracking needs from persistence.
type Store interface {
	GetCourier(ctx context.Context, id string) (domain.Courier, error)
	// MoveCourier stores the courier's newest fix if its status is still c.Status and its stored fix is older;
	// domain.ErrConflict otherwise.
	MoveCourier(ctx context.Context, c domain.Courier, to domain.Fix, now time.Time) error
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
	rules domain.FixRules
}

// NewService wires the service.
func NewService(store Store, now func() time.Time) *Service {
	return &Service{store: store, now: now, rules: domain.NewFixRules(cadence.MaxBatch)}
}

// Position is one location fix reported by a courier's device.
type Position struct {
	Lat        *float64   `json:"lat"`
	Lng        *float64   `json:"lng"`
	RecordedAt *time.Time `json:"recorded_at"`
}

// LocationBatch is the body of POST /couriers/me/location: the fixes a device
// recorded since its last request, oldest first (shared/tracking/cadence says
// how often it records and sends).
type LocationBatch struct {
	Positions []Position `json:"positions"`
}

// fixes checks that every position is complete (the JSON Schema does too, but
// the service is also called without it) and converts them.
func (b LocationBatch) fixes() ([]domain.Fix, error) {
	if len(b.Positions) == 0 || len(b.Positions) > cadence.MaxBatch {
		return nil, domain.Invalid("positions", "must hold 1 to %d positions", cadence.MaxBatch)
	}
	out := make([]domain.Fix, len(b.Positions))
	for i, p := range b.Positions {
		field := fmt.Sprintf("positions[%d]", i)
		switch {
		case p.Lat == nil:
			return nil, domain.Invalid(field+".lat", "is required")
		case p.Lng == nil:
			return nil, domain.Invalid(field+".lng", "is required")
		case p.RecordedAt == nil:
			return nil, domain.Invalid(field+".recorded_at", "is required")
		}
		out[i] = domain.Fix{Location: domain.LatLng{Lat: *p.Lat, Lng: *p.Lng}, RecordedAt: p.RecordedAt.UTC()}
	}
	return out, nil
}

// ReportLocation validates a batch of fixes and stores its newest one: on the
// courier, and, while the courier carries an order, as that order's tracking
// position (which expires with a TTL). Only the courier's active order is
// tracked. A batch that breaks a rule (domain.FixRules) is refused whole, before
// anything is written. Fixes the courier reported before (a retried batch) are
// skipped, so a retry stores nothing twice and is answered like the first try.
// DynamoDB calls: one read, then one write for a free courier, two for one
// carrying an order.
func (s *Service) ReportLocation(ctx context.Context, courierID string, batch LocationBatch) (domain.Courier, error) {
	now := s.now().UTC()
	fixes, err := batch.fixes()
	if err != nil {
		return domain.Courier{}, err
	}
	// What can be told without the stored state is refused before any read.
	if _, err := s.rules.Check(fixes, nil, now); err != nil {
		return domain.Courier{}, err
	}
	// A concurrent assignment or batch changes the courier under us; re-read
	// and check again rather than overwrite it.
	for attempt := 0; ; attempt++ {
		courier, err := s.store.GetCourier(ctx, courierID)
		if errors.Is(err, domain.ErrNotFound) {
			return domain.Courier{}, fmt.Errorf("%w: caller is not a registered courier", domain.ErrForbidden)
		}
		if err != nil {
			return domain.Courier{}, err
		}
		fresh, err := s.rules.Check(fixes, courier.LastFix(), now)
		if err != nil {
			return domain.Courier{}, err
		}
		if len(fresh) > 0 {
			newest := fresh[len(fresh)-1]
			err = s.store.MoveCourier(ctx, courier, newest, now)
			if errors.Is(err, domain.ErrConflict) && attempt < 2 {
				continue
			}
			if err != nil {
				return domain.Courier{}, err
			}
			courier.Location, courier.LocatedAt, courier.UpdatedAt = newest.Location, newest.RecordedAt, now
		}
		// Also for a retry that brought nothing new: if the first try failed
		// after moving the courier, this stores the order's position it missed
		// (SaveTracking never replaces a newer one).
		if last := courier.LastFix(); last != nil && courier.Status == domain.CourierAssigned && courier.OrderID != "" {
			if err := s.store.SaveTracking(ctx, domain.TrackingPosition{
				OrderID: courier.OrderID, CourierID: courier.ID, Location: last.Location, RecordedAt: last.RecordedAt,
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
	logging.From(ctx).Info("order status set by courier", "order_id", order.ID, "status", to,
		"trace_id", tracecontext.OrderTraceID(order.TraceParent, order.ID))
	return order, nil
}

// View is what GET /orders/{id}/tracking shows (rendered by NewTrackingView).
// It carries both ends of the trip, which the customer's map and the
// courier's app draw.
type View struct {
	OrderID          string                   `json:"order_id"`
	Status           domain.Status            `json:"status"`
	CourierID        string                   `json:"courier_id,omitempty"`
	CourierName      string                   `json:"courier_name,omitempty"`
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
	view := View{OrderID: order.ID, Status: order.Status, CourierID: order.CourierID, CourierName: order.CourierName,
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
