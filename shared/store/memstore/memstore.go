// Package memstore is an in-memory adapter with the same behaviour as the
// DynamoDB store (conditional writes, optimistic versions, the sparse courier
// index), for unit tests of the use cases. It is safe for concurrent use so
// tests can race writers against each other.
package memstore

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/tracecontext"
)

// Store holds everything in maps behind one mutex.
type Store struct {
	mu            sync.Mutex
	menus         map[string]domain.Menu
	orders        map[string]domain.Order
	charges       map[string]domain.Charge
	couriers      map[string]domain.Courier
	notifications map[string][]domain.Notification
	tracking      map[string]domain.TrackingPosition
	idempotency   map[string]idempotencyEntry
	ledger        ledger      // refunds and failure records: ledger.go
	notify        notifyState // notification deliveries and preferences: notify.go
}

type idempotencyEntry struct {
	record    domain.IdempotencyRecord
	expiresAt time.Time
}

// New returns an empty store.
func New() *Store {
	return &Store{
		menus: map[string]domain.Menu{}, orders: map[string]domain.Order{},
		charges: map[string]domain.Charge{}, couriers: map[string]domain.Courier{},
		notifications: map[string][]domain.Notification{}, tracking: map[string]domain.TrackingPosition{},
		idempotency: map[string]idempotencyEntry{},
	}
}

// PutMenu stores a restaurant and its menu.
func (s *Store) PutMenu(_ context.Context, m domain.Menu) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.menus[m.Restaurant.ID] = m
	return nil
}

// ListRestaurants returns restaurants sorted by name.
func (s *Store) ListRestaurants(context.Context) ([]domain.Restaurant, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []domain.Restaurant{}
	for _, m := range s.menus {
		out = append(out, m.Restaurant)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// GetMenu returns a menu or domain.ErrNotFound.
func (s *Store) GetMenu(_ context.Context, id string) (domain.Menu, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.menus[id]
	if !ok {
		return domain.Menu{}, domain.ErrNotFound
	}
	return m, nil
}

// CreateOrder stores a new order.
func (s *Store) CreateOrder(ctx context.Context, o domain.Order) error {
	o.TraceParent = tracecontext.ForWrite(ctx, o.TraceParent) // as the table adapter does
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, exists := s.orders[o.ID]; exists {
		return domain.ErrConflict
	}
	s.orders[o.ID] = o
	return nil
}

// CreateOrderOnce stores the order and its idempotency record together
// unless an unexpired record for the key exists; then it returns that one.
func (s *Store) CreateOrderOnce(ctx context.Context, o domain.Order, key, requestHash string, ttl time.Duration) (domain.IdempotencyRecord, bool, error) {
	o.TraceParent = tracecontext.ForWrite(ctx, o.TraceParent) // as the table adapter does
	s.mu.Lock()
	defer s.mu.Unlock()
	k := o.CustomerID + "#" + key
	// As DynamoDB: the record's TTL attribute is in whole seconds, and a record counts until the second after it.
	if e, ok := s.idempotency[k]; ok && e.expiresAt.Unix() >= o.CreatedAt.Unix() {
		return e.record, false, nil
	}
	if _, exists := s.orders[o.ID]; exists {
		return domain.IdempotencyRecord{}, false, domain.ErrConflict
	}
	rec := domain.IdempotencyRecord{OrderID: o.ID, RequestHash: requestHash}
	s.orders[o.ID] = o
	s.idempotency[k] = idempotencyEntry{record: rec, expiresAt: o.CreatedAt.Add(ttl)}
	return rec, true, nil
}

// ListCustomerOrders pages through a customer's orders, newest first. The
// cursor is the id of the last order of the previous page.
func (s *Store) ListCustomerOrders(_ context.Context, customerID, cursor string, limit int) ([]domain.Order, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var mine []domain.Order
	for _, o := range s.orders {
		if o.CustomerID == customerID {
			mine = append(mine, o)
		}
	}
	sort.Slice(mine, func(i, j int) bool {
		if !mine[i].CreatedAt.Equal(mine[j].CreatedAt) {
			return mine[i].CreatedAt.After(mine[j].CreatedAt)
		}
		return mine[i].ID > mine[j].ID
	})
	start := 0
	if cursor != "" {
		start = -1
		for i, o := range mine {
			if o.ID == cursor {
				start = i + 1
			}
		}
		if start < 0 {
			return nil, "", domain.Invalid("cursor", "is not a cursor of your order list")
		}
	}
	end := min(start+max(limit, 1), len(mine))
	next := ""
	if end < len(mine) {
		next = mine[end-1].ID
	}
	return append([]domain.Order{}, mine[start:end]...), next, nil
}

// ListAwaiting returns up to limit orders in status s (one the sweeper
// watches: domain.Status.Swept) that got there in [from, to), oldest first, like the
// DynamoDB store's sparse index.
func (s *Store) ListAwaiting(_ context.Context, st domain.Status, from, to time.Time, limit int) ([]domain.Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []domain.Order
	if !st.Swept() {
		return nil, nil
	}
	for _, o := range s.orders {
		if o.Status == st && !o.UpdatedAt.Before(from) && o.UpdatedAt.Before(to) {
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].UpdatedAt.Equal(out[j].UpdatedAt) {
			return out[i].UpdatedAt.Before(out[j].UpdatedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out[:min(max(limit, 0), len(out))], nil
}

// CountAwaiting returns how many orders are in status s (one of
// domain.AwaitingSaga), like the DynamoDB store's count of its sparse index.
func (s *Store) CountAwaiting(ctx context.Context, st domain.Status) (int, error) {
	list, err := s.ListAwaiting(ctx, st, time.Time{}, time.Unix(1<<40, 0), 1<<30)
	return len(list), err
}

// Orders returns every stored order (for assertions).
func (s *Store) Orders() []domain.Order {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]domain.Order, 0, len(s.orders))
	for _, o := range s.orders {
		out = append(out, o)
	}
	return out
}

// GetOrder returns an order or domain.ErrNotFound.
func (s *Store) GetOrder(_ context.Context, id string) (domain.Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return domain.Order{}, domain.ErrNotFound
	}
	return o, nil
}

// checkVersion is the optimistic concurrency check of the DynamoDB store.
// Callers hold the lock.
func (s *Store) checkVersion(o domain.Order) error {
	cur, ok := s.orders[o.ID]
	if !ok || cur.Version != o.Version-1 {
		return domain.ErrConflict
	}
	return nil
}

// UpdateOrder stores o if the stored version is o.Version-1.
func (s *Store) UpdateOrder(ctx context.Context, o domain.Order) error {
	o.TraceParent = tracecontext.ForWrite(ctx, o.TraceParent) // as the table adapter does
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkVersion(o); err != nil {
		return err
	}
	s.orders[o.ID] = o
	return nil
}

// BeginCharge stores a pending charge unless one exists.
func (s *Store) BeginCharge(_ context.Context, c domain.Charge) (domain.Charge, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if existing, ok := s.charges[c.OrderID]; ok {
		return existing, false, nil
	}
	s.charges[c.OrderID] = c
	return c, true, nil
}

// SettleCharge stores the order and the settled charge together.
func (s *Store) SettleCharge(ctx context.Context, o domain.Order, c domain.Charge) error {
	o.TraceParent = tracecontext.ForWrite(ctx, o.TraceParent) // as the table adapter does
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkVersion(o); err != nil {
		return err
	}
	if cur, ok := s.charges[c.OrderID]; !ok || cur.Status != domain.ChargePending {
		return domain.ErrConflict
	}
	s.orders[o.ID], s.charges[c.OrderID] = o, c
	return nil
}

// GetCharge returns an order's charge or domain.ErrNotFound.
func (s *Store) GetCharge(_ context.Context, orderID string) (domain.Charge, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.charges[orderID]
	if !ok {
		return domain.Charge{}, domain.ErrNotFound
	}
	return c, nil
}

// CreateCourier registers a courier unless it exists.
func (s *Store) CreateCourier(_ context.Context, c domain.Courier) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.couriers[c.ID]; ok {
		return false, nil
	}
	s.couriers[c.ID] = c
	return true, nil
}

// GetCourier returns a courier or domain.ErrNotFound.
func (s *Store) GetCourier(_ context.Context, id string) (domain.Courier, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.couriers[id]
	if !ok {
		return domain.Courier{}, domain.ErrNotFound
	}
	return c, nil
}

// AvailableCouriers returns free couriers whose geohash starts with a ring cell.
func (s *Store) AvailableCouriers(_ context.Context, ring domain.SearchRing) ([]domain.Courier, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []domain.Courier
	for _, cell := range ring.Cells {
		for _, c := range s.couriers {
			if c.Status == domain.CourierAvailable && strings.HasPrefix(domain.Geohash(c.Location, domain.PointPrecision), cell) {
				out = append(out, c)
			}
		}
	}
	return out, nil
}

// AssignCourier stores the order and claims the courier together.
func (s *Store) AssignCourier(ctx context.Context, o domain.Order, courierID string, now time.Time) error {
	o.TraceParent = tracecontext.ForWrite(ctx, o.TraceParent) // as the table adapter does
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkVersion(o); err != nil {
		return err
	}
	c, ok := s.couriers[courierID]
	if !ok || c.Status != domain.CourierAvailable {
		return domain.ErrCourierTaken
	}
	c.Status, c.OrderID, c.UpdatedAt = domain.CourierAssigned, o.ID, now
	s.orders[o.ID], s.couriers[courierID] = o, c
	return nil
}

// ReleaseCourier stores an order that no longer needs its courier (delivered
// or cancelled) and frees the courier.
func (s *Store) ReleaseCourier(ctx context.Context, o domain.Order, now time.Time) error {
	o.TraceParent = tracecontext.ForWrite(ctx, o.TraceParent) // as the table adapter does
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkVersion(o); err != nil {
		return err
	}
	c, ok := s.couriers[o.CourierID]
	if !ok || c.Status != domain.CourierAssigned || c.OrderID != o.ID {
		return domain.ErrConflict
	}
	c.Status, c.OrderID, c.UpdatedAt = domain.CourierAvailable, "", now
	s.orders[o.ID], s.couriers[c.ID] = o, c
	return nil
}

// MoveCourier moves a courier if its status is still the one it was read with
// and its stored fix is older.
func (s *Store) MoveCourier(_ context.Context, c domain.Courier, to domain.Fix, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.couriers[c.ID]
	if !ok || cur.Status != c.Status || !cur.LocatedAt.IsZero() && !cur.LocatedAt.Before(to.RecordedAt) {
		return domain.ErrConflict
	}
	cur.Location, cur.LocatedAt, cur.UpdatedAt = to.Location, to.RecordedAt, now
	s.couriers[c.ID] = cur
	return nil
}

// RecordNotification stores a notification once per event id.
func (s *Store) RecordNotification(_ context.Context, n domain.Notification) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, existing := range s.notifications[n.OrderID] {
		if existing.EventID == n.EventID {
			return false, nil
		}
	}
	s.notifications[n.OrderID] = append(s.notifications[n.OrderID], n)
	return true, nil
}

// ListNotifications returns an order's notifications, oldest first, like the table adapter.
func (s *Store) ListNotifications(_ context.Context, orderID string) ([]domain.Notification, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := append([]domain.Notification{}, s.notifications[orderID]...)
	domain.SortNotifications(out)
	return out, nil
}

// SaveTracking keeps the newest position per order.
func (s *Store) SaveTracking(_ context.Context, p domain.TrackingPosition) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur, ok := s.tracking[p.OrderID]; ok && cur.RecordedAt.After(p.RecordedAt) {
		return nil
	}
	s.tracking[p.OrderID] = p
	return nil
}

// GetTracking returns the newest position or domain.ErrNotFound.
func (s *Store) GetTracking(_ context.Context, orderID string) (domain.TrackingPosition, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.tracking[orderID]
	if !ok {
		return domain.TrackingPosition{}, domain.ErrNotFound
	}
	return p, nil
}
