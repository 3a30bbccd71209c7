package orders

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
)

// GET /me/home is the home screen in one response (backend for frontend): the open restaurants nearest where the
// customer last had food delivered, the order in progress with its courier's position, the recent orders and how
// many notifications are unread. It costs at most two DynamoDB calls once the catalogue is cached: one Query of the
// customer's newest orders (the recent ones, the last delivery spot and the active order all come from it, and the
// unread counter that shares their partition: store/inbox.go) and, only while a courier carries the order, one
// GetItem of its position.

// Home sizes.
const (
	HomeRestaurants = 6 // open restaurants shown, nearest first
	HomeRecent      = 5 // newest orders read; the active one is among them
)

// Home is what the home screen shows.
type Home struct {
	// Near is the delivery spot of the customer's newest order; nil for a customer who never ordered (the
	// restaurants are then in catalogue order).
	Near        *domain.LatLng
	Restaurants []domain.Restaurant
	Recent      []domain.Order
	// Active is the newest order not yet over; nil when there is none.
	Active *domain.Order
	// Position is where the active order's courier last was, while one carries it; nil otherwise.
	Position *domain.TrackingPosition
	// Unread is how many of the customer's notifications are unread.
	Unread int
}

// catalogueCache keeps the restaurant list in memory for a while, as MenuCache keeps menus: a warm function
// answers the home screen without reading the catalogue.
type catalogueCache struct {
	ttl time.Duration

	mu      sync.Mutex
	list    []domain.Restaurant
	fetched time.Time
}

func (s *Service) catalogue(ctx context.Context) ([]domain.Restaurant, error) {
	c := s.restaurants
	if c == nil {
		return s.store.ListRestaurants(ctx)
	}
	now := s.now()
	c.mu.Lock()
	list, fetched := c.list, c.fetched
	c.mu.Unlock()
	if list != nil && now.Sub(fetched) < c.ttl {
		return list, nil
	}
	list, err := s.store.ListRestaurants(ctx)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.list, c.fetched = list, now
	c.mu.Unlock()
	return list, nil
}

// Home builds the customer's home screen.
func (s *Service) Home(ctx context.Context, customerID string) (Home, error) {
	recent, unread, err := s.store.HomeFeed(ctx, customerID, HomeRecent)
	if err != nil {
		return Home{}, err
	}
	h := Home{Recent: recent, Unread: unread}
	if len(recent) > 0 {
		spot := recent[0].DeliveryLocation
		h.Near = &spot
	}
	for i := range recent {
		if !recent[i].Status.Terminal() {
			h.Active = &recent[i]
			break
		}
	}
	if h.Active != nil && (h.Active.Status == domain.StatusCourierAssigned || h.Active.Status == domain.StatusPickedUp) {
		p, err := s.store.GetTracking(ctx, h.Active.ID)
		switch {
		case err == nil:
			h.Position = &p
		case !errors.Is(err, domain.ErrNotFound): // no position reported yet is not an error
			return Home{}, err
		}
	}
	all, err := s.catalogue(ctx)
	if err != nil {
		return Home{}, err
	}
	now := s.now()
	open := make([]domain.Restaurant, 0, len(all))
	for _, r := range all {
		if r.OpenAt(now) {
			open = append(open, r)
		}
	}
	if h.Near != nil {
		near := *h.Near
		slices.SortStableFunc(open, func(a, b domain.Restaurant) int {
			da, db := domain.DistanceMeters(near, a.Location), domain.DistanceMeters(near, b.Location)
			switch {
			case da < db:
				return -1
			case da > db:
				return 1
			}
			return 0
		})
	}
	h.Restaurants = open[:min(len(open), HomeRestaurants)]
	return h, nil
}
