package memstore

import (
	"context"
	"encoding/base64"
	"slices"
	"sort"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
)

// inbox returns the customer's notifications, newest first.
func (s *Store) inbox(customerID string) []domain.Notification {
	var out []domain.Notification
	for _, list := range s.notifications {
		for _, n := range list {
			if n.CustomerID == customerID {
				out = append(out, n)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].SentAt.Equal(out[j].SentAt) {
			return out[i].SentAt.After(out[j].SentAt)
		}
		return out[i].EventID > out[j].EventID
	})
	return out
}

// ListInbox behaves like store.Table.ListInbox; the cursor is the last event id of the page.
func (s *Store) ListInbox(_ context.Context, customerID, cursor string, limit int) ([]domain.Notification, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	all := s.inbox(customerID)
	start := 0
	if cursor != "" {
		raw, err := base64.RawURLEncoding.DecodeString(cursor)
		i := slices.IndexFunc(all, func(n domain.Notification) bool { return n.EventID == string(raw) })
		if err != nil || i < 0 {
			return nil, "", domain.Invalid("cursor", "is not a cursor of your notifications")
		}
		start = i + 1
	}
	end := min(start+max(limit, 1), len(all))
	page := all[start:end]
	next := ""
	if end < len(all) {
		next = base64.RawURLEncoding.EncodeToString([]byte(page[len(page)-1].EventID))
	}
	return page, next, nil
}

// CountUnread counts the customer's unread notifications.
func (s *Store) CountUnread(_ context.Context, customerID string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, x := range s.inbox(customerID) {
		if x.ReadAt == nil {
			n++
		}
	}
	return n, nil
}

// MarkRead behaves like store.Table.MarkRead.
func (s *Store) MarkRead(_ context.Context, customerID string, eventIDs []string, upTo *time.Time, at time.Time) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	marked := 0
	for orderID, list := range s.notifications {
		for i, n := range list {
			if n.CustomerID != customerID || n.ReadAt != nil {
				continue
			}
			if !slices.Contains(eventIDs, n.EventID) && (upTo == nil || n.SentAt.After(*upTo)) {
				continue
			}
			readAt := at
			s.notifications[orderID][i].ReadAt = &readAt
			marked++
		}
	}
	return marked, nil
}

// HomeFeed behaves like store.Table.HomeFeed: the limit newest orders and the unread count.
func (s *Store) HomeFeed(ctx context.Context, customerID string, limit int) ([]domain.Order, int, error) {
	recent, _, err := s.ListCustomerOrders(ctx, customerID, "", limit)
	if err != nil {
		return nil, 0, err
	}
	unread, err := s.CountUnread(ctx, customerID)
	return recent, unread, err
}
