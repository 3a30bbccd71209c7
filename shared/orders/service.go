// Package orders is the customer-facing API: the catalogue, placing an order
// and reading it back. The handler translates HTTP requests into calls on
// Service; Service applies the domain rules and talks to a Store.
package orders

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
)

// Store is what the order API needs from persistence.
type Store interface {
	ListRestaurants(ctx context.Context) ([]domain.Restaurant, error)
	GetMenu(ctx context.Context, restaurantID string) (domain.Menu, error)
	CreateOrder(ctx context.Context, o domain.Order) error
	GetOrder(ctx context.Context, id string) (domain.Order, error)
	ListNotifications(ctx context.Context, orderID string) ([]domain.Notification, error)
}

// Service holds the order use cases.
type Service struct {
	store Store
	now   func() time.Time
	newID func() string
}

// NewService wires a Service. now and newID are injected so tests are exact.
func NewService(store Store, now func() time.Time, newID func() string) *Service {
	return &Service{store: store, now: now, newID: newID}
}

// Restaurants lists the catalogue.
func (s *Service) Restaurants(ctx context.Context) ([]domain.Restaurant, error) {
	return s.store.ListRestaurants(ctx)
}

// Menu returns a restaurant's menu.
func (s *Service) Menu(ctx context.Context, restaurantID string) (domain.Menu, error) {
	return s.store.GetMenu(ctx, restaurantID)
}

// PlaceOrder validates and prices the request from the stored menu and stores
// the order as PLACED. That single write is all it does: the table's stream
// publishes OrderPlaced, which starts payment.
func (s *Service) PlaceOrder(ctx context.Context, customerID string, req domain.PlaceOrderRequest) (domain.Order, error) {
	if err := req.Validate(); err != nil {
		return domain.Order{}, err
	}
	menu, err := s.store.GetMenu(ctx, req.RestaurantID)
	if errors.Is(err, domain.ErrNotFound) {
		return domain.Order{}, domain.Invalid("restaurant_id", "%q is not a restaurant", req.RestaurantID)
	}
	if err != nil {
		return domain.Order{}, fmt.Errorf("read menu: %w", err)
	}
	order, err := domain.NewOrder(s.newID(), customerID, req, menu, s.now())
	if err != nil {
		return domain.Order{}, err
	}
	if err := s.store.CreateOrder(ctx, order); err != nil {
		return domain.Order{}, err
	}
	return order, nil
}

// Order returns an order its customer may see. Other callers get
// domain.ErrNotFound, so ids of other people's orders reveal nothing.
func (s *Service) Order(ctx context.Context, customerID, orderID string) (domain.Order, error) {
	o, err := s.store.GetOrder(ctx, orderID)
	if err != nil {
		return domain.Order{}, err
	}
	if o.CustomerID != customerID {
		return domain.Order{}, domain.ErrNotFound
	}
	return o, nil
}

// Notifications lists what the customer was told about their order.
func (s *Service) Notifications(ctx context.Context, customerID, orderID string) ([]domain.Notification, error) {
	if _, err := s.Order(ctx, customerID, orderID); err != nil {
		return nil, err
	}
	return s.store.ListNotifications(ctx, orderID)
}
