package notify

import (
	"context"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
)

// InboxWriter stores inbox items, once per event.
type InboxWriter interface {
	RecordNotification(ctx context.Context, n domain.Notification) (created bool, err error)
}

// Inbox is the in-app channel: sending is writing the item the customer reads
// through GET /me/notifications (and GET /orders/{id}/notifications).
type Inbox struct {
	W   InboxWriter
	Now func() time.Time
}

// Send stores the inbox item. Its id is the event id: the item is keyed by it,
// so even a second send after a lost claim record writes nothing new.
func (i Inbox) Send(ctx context.Context, _ string, m Rendered, d domain.Delivery) (string, error) {
	_, err := i.W.RecordNotification(ctx, domain.Notification{
		OrderID: d.OrderID, EventID: d.EventID, EventType: d.EventType, CustomerID: d.CustomerID,
		Channel: domain.ChannelInbox, Subject: m.Subject, Body: m.Short, SentAt: i.Now().UTC(),
	})
	if err != nil {
		return "", err
	}
	return d.EventID, nil
}
