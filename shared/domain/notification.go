package domain

import (
	"slices"
	"strings"
	"time"
)

// Notification is one message sent to a customer about an order. EventID is
// the event that caused it; the store keys notifications by it so that a
// redelivered event never notifies twice.
type Notification struct {
	OrderID    string    `json:"order_id"`
	EventID    string    `json:"event_id"`
	EventType  string    `json:"event_type"`
	CustomerID string    `json:"customer_id"`
	Channel    string    `json:"channel"`
	Subject    string    `json:"subject"`
	Body       string    `json:"body"`
	SentAt     time.Time `json:"sent_at"`
	// ReadAt is when the customer marked it read; nil while unread.
	ReadAt *time.Time `json:"read_at,omitempty"`
}

// TrackingPosition is the last reported position of the courier on an order.
type TrackingPosition struct {
	OrderID    string    `json:"order_id"`
	CourierID  string    `json:"courier_id"`
	Location   LatLng    `json:"location"`
	RecordedAt time.Time `json:"recorded_at"`
}

// SortNotifications puts an order's notifications in the order they were sent, oldest first (ties by event id),
// which is how every store returns them.
func SortNotifications(ns []Notification) {
	slices.SortStableFunc(ns, func(a, b Notification) int {
		if c := a.SentAt.Compare(b.SentAt); c != 0 {
			return c
		}
		return strings.Compare(a.EventID, b.EventID)
	})
}
