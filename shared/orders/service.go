// Package orders is the customer-facing API: the catalogue, placing,
// listing, reading and cancelling orders. The handler translates HTTP requests
// into calls on Service; Service applies the domain rules and talks to a Store.
package orders

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
)

// Store is what the order API needs from persistence.
type Store interface {
	ListRestaurants(ctx context.Context) ([]domain.Restaurant, error)
	GetMenu(ctx context.Context, restaurantID string) (domain.Menu, error)
	CreateOrder(ctx context.Context, o domain.Order) error
	// CreateOrderOnce stores the order and the idempotency key together,
	// unless the key was used before: then it returns the earlier record.
	CreateOrderOnce(ctx context.Context, o domain.Order, key, requestHash string, ttl time.Duration) (domain.IdempotencyRecord, bool, error)
	GetOrder(ctx context.Context, id string) (domain.Order, error)
	UpdateOrder(ctx context.Context, o domain.Order) error
	ReleaseCourier(ctx context.Context, o domain.Order, now time.Time) error
	ListCustomerOrders(ctx context.Context, customerID, cursor string, limit int) ([]domain.Order, string, error)
	// HomeFeed is the customer's limit newest orders and their unread notification count, from one read.
	HomeFeed(ctx context.Context, customerID string, limit int) (recent []domain.Order, unread int, err error)
	// ListNotifications returns the order's notifications oldest first.
	ListNotifications(ctx context.Context, orderID string) ([]domain.Notification, error)
	GetTracking(ctx context.Context, orderID string) (domain.TrackingPosition, error)
}

// MenuSource reads menus; a MenuCache is one.
type MenuSource interface {
	GetMenu(ctx context.Context, restaurantID string) (domain.Menu, error)
}

// IdempotencyTTL is how long an Idempotency-Key is remembered: long enough
// for any client retry, short enough that keys can be reused eventually.
const IdempotencyTTL = 24 * time.Hour

// ValidIdempotencyKey reports whether s is what clients may send as an
// Idempotency-Key (UUIDs and similar tokens): 8 to 64 of [A-Za-z0-9_-]. A loop,
// not a package-level regexp, to keep the cold start short.
func ValidIdempotencyKey(s string) bool {
	if len(s) < 8 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Page sizes of GET /orders.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// Service holds the order use cases.
type Service struct {
	store Store
	menus MenuSource
	// restaurants caches the catalogue for the home screen (CacheMenus); nil reads it every time.
	restaurants *catalogueCache
	now         func() time.Time
	newID       func() string
}

// NewService wires a Service. now and newID are injected so tests are exact.
// Menus are read from the store on every order unless CacheMenus is called.
func NewService(store Store, now func() time.Time, newID func() string) *Service {
	return &Service{store: store, menus: store, now: now, newID: newID}
}

// CacheMenus keeps menus in memory for ttl across warm invocations, so that
// placing an order reads nothing in the common case. A menu change reaches
// orders within ttl.
func (s *Service) CacheMenus(ttl time.Duration) {
	s.menus = NewMenuCache(s.store, ttl, s.now)
	s.restaurants = &catalogueCache{ttl: ttl}
}

// Restaurants lists the catalogue.
func (s *Service) Restaurants(ctx context.Context) ([]domain.Restaurant, error) {
	return s.store.ListRestaurants(ctx)
}

// Menu returns a restaurant's menu.
func (s *Service) Menu(ctx context.Context, restaurantID string) (domain.Menu, error) {
	return s.store.GetMenu(ctx, restaurantID)
}

// PlaceOrder validates and prices the request from the menu and stores the
// order as PLACED. That single write is all it does: the table's stream
// publishes OrderPlaced, which starts payment.
//
// With an idempotency key, a retry of the same request returns the order the
// first attempt created (replayed is true), and a different request under the
// same key is a conflict naming the key.
func (s *Service) PlaceOrder(ctx context.Context, who Customer, req domain.PlaceOrderRequest, idempotencyKey string) (order domain.Order, replayed bool, err error) {
	if idempotencyKey != "" && !ValidIdempotencyKey(idempotencyKey) {
		return domain.Order{}, false, domain.Invalid("Idempotency-Key", "must be 8 to 64 letters, digits, - or _")
	}
	if err := req.Validate(); err != nil {
		return domain.Order{}, false, err
	}
	menu, err := s.menus.GetMenu(ctx, req.RestaurantID)
	if errors.Is(err, domain.ErrNotFound) {
		return domain.Order{}, false, domain.Invalid("restaurant_id", "%q is not a restaurant", req.RestaurantID)
	}
	if err != nil {
		return domain.Order{}, false, fmt.Errorf("read menu: %w", err)
	}
	order, err = domain.NewOrder(s.newID(), who.ID, req, menu, s.now())
	if err != nil {
		return domain.Order{}, false, err
	}
	order.CustomerFirstName = who.FirstName
	if idempotencyKey == "" {
		return order, false, s.store.CreateOrder(ctx, order)
	}
	hash, err := requestHash(req)
	if err != nil {
		return domain.Order{}, false, err
	}
	rec, created, err := s.store.CreateOrderOnce(ctx, order, idempotencyKey, hash, IdempotencyTTL)
	if err != nil {
		return domain.Order{}, false, err
	}
	if created {
		return order, false, nil
	}
	if rec.RequestHash != hash {
		return domain.Order{}, false, fmt.Errorf("%w: %w", domain.ErrConflict,
			domain.Invalid("Idempotency-Key", "was already used for a different order request"))
	}
	earlier, err := s.store.GetOrder(ctx, rec.OrderID)
	return earlier, true, err
}

// requestHash fingerprints the fields of a request that shape the order.
// Option lists are put in a canonical form first (sorted; empty and absent
// alike), so a client that retries with the same choices spelled differently
// gets its order back rather than a conflict.
// A request that does not encode (a NaN coordinate, which no JSON body can carry) is an error rather than the
// hash of nothing, which every such request would share.
func requestHash(req domain.PlaceOrderRequest) (string, error) {
	items := make([]domain.RequestedItem, len(req.Items))
	for i, it := range req.Items {
		items[i] = it
		items[i].Options = nil
		if len(it.Options) > 0 {
			items[i].Options = slices.Sorted(slices.Values(it.Options))
		}
	}
	req.Items = items
	canonical, err := json.Marshal(req)
	if err != nil {
		return "", fmt.Errorf("fingerprint the order request: %w", err)
	}
	sum := sha256.Sum256(canonical)
	return hex.EncodeToString(sum[:]), nil
}

// Customer is who places an order: the subject, and the first name from the
// token when the account has one (the courier is shown it, not the subject).
type Customer struct {
	ID        string
	FirstName string
}

// Viewer is who reads an order.
type Viewer struct {
	ID    string
	IsOps bool
}

// Order returns an order to its customer or to ops. Anyone else gets
// domain.ErrNotFound, so ids of other people's orders reveal nothing.
func (s *Service) Order(ctx context.Context, who Viewer, orderID string) (domain.Order, error) {
	o, err := s.store.GetOrder(ctx, orderID)
	if err != nil {
		return domain.Order{}, err
	}
	if o.CustomerID != who.ID && !who.IsOps {
		return domain.Order{}, domain.ErrNotFound
	}
	return o, nil
}

// Orders lists a customer's orders, newest first, one page at a time.
func (s *Service) Orders(ctx context.Context, customerID, cursor string, limit int) ([]domain.Order, string, error) {
	if limit < 1 || limit > MaxPageSize {
		return nil, "", domain.Invalid("limit", "must be between 1 and %d", MaxPageSize)
	}
	return s.store.ListCustomerOrders(ctx, customerID, cursor, limit)
}

// cancelAttempts bounds retries when a consumer writes the order meanwhile.
const cancelAttempts = 3

// Cancel cancels the customer's order if it has not been picked up. A paid
// order is refunded by the payment saga, which reacts to OrderCancelled; an
// assigned courier is freed in the same write. Cancelling twice is harmless.
func (s *Service) Cancel(ctx context.Context, customerID, orderID string) (domain.Order, error) {
	for attempt := 1; ; attempt++ {
		o, err := s.Order(ctx, Viewer{ID: customerID}, orderID)
		if err != nil {
			return domain.Order{}, err
		}
		if o.Status == domain.StatusCancelled {
			return o, nil
		}
		hadCourier := o.Status == domain.StatusCourierAssigned
		now := s.now()
		if err := o.Transition(domain.StatusCancelled, "", now); err != nil {
			return domain.Order{}, err
		}
		if hadCourier {
			err = s.store.ReleaseCourier(ctx, o, now)
		} else {
			err = s.store.UpdateOrder(ctx, o)
		}
		// Payment or assignment may have moved the order on since it was
		// read; read it again and decide afresh.
		if errors.Is(err, domain.ErrConflict) && attempt < cancelAttempts {
			continue
		}
		if err != nil {
			return domain.Order{}, err
		}
		return o, nil
	}
}

// Notifications lists what the customer was told about their order.
func (s *Service) Notifications(ctx context.Context, who Viewer, orderID string) ([]domain.Notification, error) {
	if _, err := s.Order(ctx, who, orderID); err != nil {
		return nil, err
	}
	return s.store.ListNotifications(ctx, orderID)
}
