// Package notify tells customers what happens to their orders. Each event is
// sent at most once: the notification is keyed by the event id, and a
// redelivered event finds it already recorded.
package notify

import (
	"context"
	"fmt"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	domainevents "github.com/fooddelivery/serverless-food-delivery/shared/events"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/logging"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/metrics"
)

// Outbox records a notification unless the same event was notified before.
// In this slice recording is the sending: the customer reads the inbox through
// GET /orders/{id}/notifications. Email, SMS and push channels plug in behind
// the same interface.
type Outbox interface {
	RecordNotification(ctx context.Context, n domain.Notification) (created bool, err error)
}

// Service is the notification use case.
type Service struct {
	outbox Outbox
	now    func() time.Time
}

// NewService wires the service.
func NewService(outbox Outbox, now func() time.Time) *Service {
	return &Service{outbox: outbox, now: now}
}

type message struct{ subject, body string }

// messages says what the customer hears about each event they care about.
var messages = map[string]func(e domainevents.Envelope) message{
	domainevents.PaymentConfirmed: func(e domainevents.Envelope) message {
		return message{"Payment received", fmt.Sprintf("We charged %s for your order. The kitchen is on it.", money(e.Data.TotalMinor, e.Data.Currency))}
	},
	domainevents.PaymentFailed: func(e domainevents.Envelope) message {
		return message{"Payment failed", "Your payment did not go through, so we did not place your order. You have not been charged."}
	},
	domainevents.CourierAssigned: func(domainevents.Envelope) message {
		return message{"Courier on the way", "A courier has been assigned and is heading to the restaurant."}
	},
	domainevents.OrderPickedUp: func(domainevents.Envelope) message {
		return message{"Order picked up", "Your courier has your food and is on the way to you."}
	},
	domainevents.OrderDelivered: func(domainevents.Envelope) message {
		return message{"Delivered", "Your order has been delivered. Enjoy your meal!"}
	},
	domainevents.OrderCancelled: func(domainevents.Envelope) message {
		return message{"Order cancelled", "Your order has been cancelled."}
	},
	domainevents.NoCourierAvailable: func(domainevents.Envelope) message {
		return message{"No courier available", "We could not find a courier for your order in time, so we are refunding your payment."}
	},
	domainevents.OrderRefunded: func(e domainevents.Envelope) message {
		return message{"Refund issued", fmt.Sprintf("We refunded %s to your card.", money(e.Data.TotalMinor, e.Data.Currency))}
	},
}

// CustomerFacing reports whether customers are notified of events of type t.
func CustomerFacing(t string) bool {
	_, ok := messages[t]
	return ok
}

// HandleEvent notifies the customer of a customer-facing event, once.
func (s *Service) HandleEvent(ctx context.Context, e domainevents.Envelope) error {
	render, ok := messages[e.Type]
	if !ok {
		return nil
	}
	msg := render(e)
	created, err := s.outbox.RecordNotification(ctx, domain.Notification{
		OrderID: e.OrderID, EventID: e.ID, EventType: e.Type, CustomerID: e.Data.CustomerID,
		Channel: "inbox", Subject: msg.subject, Body: msg.body, SentAt: s.now().UTC(),
	})
	if err != nil {
		return err
	}
	if !created {
		logging.From(ctx).Info("customer already notified of this event; duplicate ignored")
		metrics.Add(metrics.DuplicatesIgnored, 1)
		return nil
	}
	logging.From(ctx).Info("customer notified", "subject", msg.subject)
	return nil
}

func money(minor int64, currency string) string {
	return fmt.Sprintf("%d.%02d %s", minor/100, minor%100, currency)
}
