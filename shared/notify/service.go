// Package notify tells customers what happens to their orders, on three
// channels: the in-app inbox, email and SMS. Each channel is its own consumer
// (its own queue, DLQ and function), so a slow or failing channel never holds
// up or repeats another.
//
// A notification goes out once per event and channel: before anything is
// sent, the consumer claims (event id, channel) with a conditional write
// (Store.ClaimDelivery); a redelivered event finds the claim and sends
// nothing. A claim whose consumer crashed before finishing is taken over once
// its lease (the function timeout) is over. Every claim ends SENT, SKIPPED
// (opted out, no address) or FAILED (refused for good by the provider), which
// is what the sweeper reads to make sure every order's ending reached every
// channel (shared/sweeper).
package notify

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	domainevents "github.com/fooddelivery/serverless-food-delivery/shared/events"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/logging"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/metrics"
)

// Store is what a channel consumer reads and writes.
type Store interface {
	GetOrder(ctx context.Context, id string) (domain.Order, error)
	GetCourier(ctx context.Context, id string) (domain.Courier, error)
	GetCharge(ctx context.Context, orderID string) (domain.Charge, error)
	GetPreferences(ctx context.Context, customerID string) (domain.Preferences, bool, error)
	ClaimDelivery(ctx context.Context, d domain.Delivery, staleBefore time.Time) (bool, domain.Delivery, error)
	FinishDelivery(ctx context.Context, d domain.Delivery) error
}

// Sender delivers a rendered message on one channel and returns the id the
// provider gave it.
type Sender interface {
	Send(ctx context.Context, to string, m Rendered, d domain.Delivery) (messageID string, err error)
}

// ErrRejected marks a message the provider refuses for good (an address it
// will never deliver to): the delivery is recorded FAILED, not retried.
var ErrRejected = errors.New("rejected by the provider")

// kinds sorts the events customers hear about into the kinds they can switch
// on and off per channel.
var kinds = map[string]string{
	domainevents.PaymentConfirmed:   domain.KindUpdates,
	domainevents.CourierAssigned:    domain.KindUpdates,
	domainevents.OrderPickedUp:      domain.KindUpdates,
	domainevents.PaymentFailed:      domain.KindOutcomes,
	domainevents.OrderDelivered:     domain.KindOutcomes,
	domainevents.OrderCancelled:     domain.KindOutcomes,
	domainevents.NoCourierAvailable: domain.KindOutcomes,
	domainevents.OrderRefunded:      domain.KindOutcomes,
}

// CustomerFacing reports whether customers are notified of events of type t.
func CustomerFacing(t string) bool {
	_, ok := kinds[t]
	return ok
}

// KindOf returns the kind of message an event type makes ("" if none).
func KindOf(t string) string { return kinds[t] }

// EventTypes lists the customer-facing event types.
func EventTypes() []string {
	return []string{domainevents.PaymentConfirmed, domainevents.PaymentFailed, domainevents.CourierAssigned,
		domainevents.OrderPickedUp, domainevents.OrderDelivered, domainevents.OrderCancelled,
		domainevents.NoCourierAvailable, domainevents.OrderRefunded}
}

// SendTimeout bounds one call to a channel's provider, well inside the
// consumer's function timeout (each stage's Timings in infra), so a hung
// provider fails this message instead of the whole batch.
const SendTimeout = 3 * time.Second

// Service is the notification use case of one channel.
type Service struct {
	channel string
	store   Store
	sender  Sender
	render  Renderer
	lease   time.Duration
	now     func() time.Time
}

// NewService wires the consumer of a channel (domain.ChannelInbox, ChannelEmail
// or ChannelSMS). render writes what the channel sends: Render, or for email
// emailhtml.Render. lease is how long a claim protects a send in progress: the
// function timeout, after which the claimant is surely gone.
func NewService(channel string, store Store, sender Sender, render Renderer, lease time.Duration, now func() time.Time) *Service {
	return &Service{channel: channel, store: store, sender: sender, render: render, lease: lease, now: now}
}

// HandleEvent notifies the customer of a customer-facing event on this
// service's channel, once.
func (s *Service) HandleEvent(ctx context.Context, e domainevents.Envelope) error {
	kind := KindOf(e.Type)
	if kind == "" {
		return nil
	}
	log := logging.From(ctx).With("channel", s.channel, "event_type", e.Type)
	now := s.now().UTC()
	d := domain.Delivery{OrderID: e.OrderID, EventID: e.ID, EventType: e.Type, CustomerID: e.Data.CustomerID,
		Channel: s.channel, Status: domain.DeliverySending, ClaimedAt: now}
	claimed, existing, err := s.store.ClaimDelivery(ctx, d, now.Add(-s.lease))
	if err != nil {
		return err
	}
	if !claimed {
		if existing.Status.Final() {
			log.Info("customer already notified of this event on this channel; duplicate ignored", "status", existing.Status)
			metrics.Add(metrics.DuplicatesIgnored, 1)
			return nil
		}
		// Another copy is sending it right now. Failing this copy (rather than
		// dropping it) keeps a retry in hand should that send fail: when this copy
		// comes back the claim is either final or stale enough to take over.
		return fmt.Errorf("%s notification of event %s is being sent by another delivery since %s",
			s.channel, e.ID, existing.ClaimedAt.Format(time.RFC3339Nano))
	}

	finish := func(status domain.DeliveryStatus, reason, messageID string) error {
		d.Status, d.Reason, d.ProviderMessageID, d.DoneAt = status, reason, messageID, s.now().UTC()
		return s.store.FinishDelivery(ctx, d)
	}
	prefs, order, err := s.preferences(ctx, e)
	if err != nil {
		return err // the claim stays SENDING; the retry takes it over after the lease
	}
	if !prefs.Channel(s.channel).Allows(kind) {
		log.Info("customer opted out of this kind of message on this channel", "kind", kind)
		return finish(domain.DeliverySkipped, domain.SkipOptedOut, "")
	}
	to := prefs.Address(s.channel, e.Data.CustomerID)
	if to == "" {
		log.Info("customer gave no address for this channel")
		return finish(domain.DeliverySkipped, domain.SkipNoAddress, "")
	}
	view, err := s.view(ctx, e, order, prefs.Locale)
	if err != nil {
		return err
	}
	msg, err := s.render(prefs.Locale, e.Type, view)
	if err != nil {
		return err
	}
	sendCtx, cancel := context.WithTimeout(ctx, SendTimeout)
	id, err := s.sender.Send(sendCtx, to, msg, d)
	cancel()
	if errors.Is(err, ErrRejected) {
		log.Warn("provider refused the message for good", "error", err)
		return finish(domain.DeliveryFailed, truncate(err.Error(), 300), "")
	}
	if err != nil {
		return fmt.Errorf("send %s notification of event %s: %w", s.channel, e.ID, err)
	}
	if err := finish(domain.DeliverySent, "", id); err != nil {
		// Sent but not recorded: the retry finds the claim stale and sends again.
		// That second message is the price of never losing one.
		return err
	}
	log.Info("customer notified", "subject", msg.Subject, "provider_message_id", id, "locale", prefs.Locale)
	return nil
}

// preferences returns the customer's preferences, defaults included, and the
// order when reading it was needed for them.
func (s *Service) preferences(ctx context.Context, e domainevents.Envelope) (domain.Preferences, *domain.Order, error) {
	p, found, err := s.store.GetPreferences(ctx, e.Data.CustomerID)
	if err != nil {
		return domain.Preferences{}, nil, err
	}
	if found {
		return p, nil, nil
	}
	o, err := s.store.GetOrder(ctx, e.OrderID)
	if err != nil {
		return domain.Preferences{}, nil, fmt.Errorf("order %s: %w", e.OrderID, err)
	}
	return domain.DefaultPreferences(o.ContactEmail), &o, nil
}

// view gathers what the message says: the order's restaurant and items, the
// courier's first name, why a payment failed.
func (s *Service) view(ctx context.Context, e domainevents.Envelope, order *domain.Order, locale string) (View, error) {
	if order == nil {
		o, err := s.store.GetOrder(ctx, e.OrderID)
		if err != nil {
			return View{}, fmt.Errorf("order %s: %w", e.OrderID, err)
		}
		order = &o
	}
	v := View{OrderID: order.ID, Restaurant: order.RestaurantName, Total: Money(e.Data.TotalMinor, e.Data.Currency, locale)}
	if v.Restaurant == "" {
		v.Restaurant = order.RestaurantID
	}
	for _, l := range order.Lines {
		v.Items = append(v.Items, ViewItem{Quantity: l.Quantity, Name: l.Name})
	}
	switch e.Type {
	case domainevents.CourierAssigned, domainevents.OrderPickedUp:
		// The event carries the estimated delivery time from the assignment on; a message says how far off it is
		// from when the event happened (a late delivery of the message must not shorten it).
		if !e.Data.ETA.IsZero() {
			if m := int(math.Round(e.Data.ETA.Sub(e.OccurredAt).Minutes())); m > 0 {
				v.ETAMinutes = m
			}
		}
		// The assignment copies the courier's name onto the order; older orders need the courier's profile.
		v.CourierFirstName = FirstName(order.CourierName)
		if v.CourierFirstName == "" && e.Data.CourierID != "" {
			c, err := s.store.GetCourier(ctx, e.Data.CourierID)
			if err != nil && !errors.Is(err, domain.ErrNotFound) {
				return View{}, fmt.Errorf("courier %s: %w", e.Data.CourierID, err)
			}
			v.CourierFirstName = FirstName(c.Name)
		}
	case domainevents.PaymentFailed:
		c, err := s.store.GetCharge(ctx, e.OrderID)
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			return View{}, fmt.Errorf("charge of order %s: %w", e.OrderID, err)
		}
		v.Reason = PaymentReason(c.DeclineReason)
	}
	return v, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// LocalSenderEmail is the address emails come from on the local stage: infra declares it as the stack's SES
// identity (docs/emulator.md), and the benchmark's in-process email channel sends from it.
const LocalSenderEmail = "orders@food-delivery.example"
