package memstore

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
)

// notifyState holds deliveries and preferences; it has its own lock so the
// zero Store value stays usable.
type notifyState struct {
	mu         sync.Mutex
	deliveries map[string]domain.Delivery // by order id, event id and channel
	prefs      map[string]domain.Preferences
}

func deliveryKey(d domain.Delivery) string { return d.OrderID + "|" + d.EventID + "|" + d.Channel }

// ClaimDelivery behaves like store.Table.ClaimDelivery.
func (s *Store) ClaimDelivery(_ context.Context, d domain.Delivery, staleBefore time.Time) (bool, domain.Delivery, error) {
	n := &s.notify
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.deliveries == nil {
		n.deliveries = map[string]domain.Delivery{}
	}
	k := deliveryKey(d)
	old, ok := n.deliveries[k]
	// As DynamoDB: a claim is stale when its claimed_at_ms (whole milliseconds) is before staleBefore's.
	stale := old.Status == domain.DeliverySending && old.ClaimedAt.UnixMilli() < staleBefore.UnixMilli()
	if ok && !stale {
		return false, old, nil
	}
	n.deliveries[k] = d
	return true, domain.Delivery{}, nil
}

// FinishDelivery records how a delivery ended.
func (s *Store) FinishDelivery(_ context.Context, d domain.Delivery) error {
	n := &s.notify
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.deliveries == nil {
		n.deliveries = map[string]domain.Delivery{}
	}
	n.deliveries[deliveryKey(d)] = d
	return nil
}

// ListDeliveries returns an order's deliveries on every channel.
func (s *Store) ListDeliveries(_ context.Context, orderID string) ([]domain.Delivery, error) {
	n := &s.notify
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []domain.Delivery
	for _, d := range n.deliveries {
		if d.OrderID == orderID {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return deliveryKey(out[i]) < deliveryKey(out[j]) })
	return out, nil
}

// GetPreferences returns stored preferences.
func (s *Store) GetPreferences(_ context.Context, customerID string) (domain.Preferences, bool, error) {
	n := &s.notify
	n.mu.Lock()
	defer n.mu.Unlock()
	p, ok := n.prefs[customerID]
	return p, ok, nil
}

// PutPreferences stores preferences.
func (s *Store) PutPreferences(_ context.Context, customerID string, p domain.Preferences) error {
	n := &s.notify
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.prefs == nil {
		n.prefs = map[string]domain.Preferences{}
	}
	n.prefs[customerID] = p
	return nil
}
