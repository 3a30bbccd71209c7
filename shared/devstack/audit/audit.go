// Package audit reads what a deployed stack did to its orders, for the checks that must hold whatever the
// faults: every order over (Settled), the money straight in the payment provider's own books (Books), and what
// each customer was told (Notified). The deployed-stack tests (tests/payments_test.go) and `make reliability`
// (bench/reliability) share it. Functions never import it.
package audit

import (
	"context"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/events"
	"github.com/fooddelivery/serverless-food-delivery/shared/payments"
	"github.com/fooddelivery/serverless-food-delivery/shared/payments/simprovider"
	"github.com/fooddelivery/serverless-food-delivery/shared/store"
)

// Books is the simulated provider's record of what moved, per idempotency key (the order id).
type Books struct {
	Charges map[string][]simprovider.ChargeRecord // by key
	ByRef   map[string]int                        // charge records by merchant reference (order id)
	Refunds map[string][]simprovider.RefundRecord // by charge key
}

// ReadBooks reads the provider's whole table (output ProviderTableName).
func ReadBooks(ctx context.Context, db simprovider.ScanAPI, providerTable string) (Books, error) {
	charges, refunds, err := simprovider.ReadAll(ctx, db, providerTable)
	if err != nil {
		return Books{}, err
	}
	b := Books{Charges: map[string][]simprovider.ChargeRecord{}, ByRef: map[string]int{}, Refunds: map[string][]simprovider.RefundRecord{}}
	for _, c := range charges {
		b.Charges[c.Key] = append(b.Charges[c.Key], c)
		if c.MerchantRef != "" {
			b.ByRef[c.MerchantRef]++
		}
	}
	for _, r := range refunds {
		b.Refunds[r.ChargeKey] = append(b.Refunds[r.ChargeKey], r)
	}
	return b, nil
}

// Money is what moved for one order: captured and refunded, in minor units.
func (b Books) Money(orderID string) (captured, refunded int64) {
	for _, c := range b.Charges[orderID] {
		if c.Status == payments.Captured {
			captured += c.AmountMinor
		}
	}
	for _, r := range b.Refunds[orderID] {
		refunded += r.AmountMinor
	}
	return captured, refunded
}

// ChargedTwice reports whether the provider holds more than one charge record for the order (under its key or
// its merchant reference) or more than one refund, or gave back more than it took.
func (b Books) ChargedTwice(orderID string) bool {
	captured, refunded := b.Money(orderID)
	return len(b.Charges[orderID]) > 1 || b.ByRef[orderID] > 1 || len(b.Refunds[orderID]) > 1 || refunded > captured
}

// Want is what the provider must have captured and refunded for an order that ended in o.Status; ok is false
// for a status that is not terminal.
func Want(o domain.Order) (captured, refunded int64, ok bool) {
	switch o.Status {
	case domain.StatusDelivered:
		return o.TotalMinor, 0, true
	case domain.StatusRefunded:
		return o.TotalMinor, o.TotalMinor, true
	case domain.StatusPaymentFailed, domain.StatusCancelled:
		return 0, 0, true
	}
	return 0, 0, false
}

// TerminalEvent is what the customer must have been told when an order ended in a status.
var TerminalEvent = map[domain.Status]string{
	domain.StatusDelivered:     events.OrderDelivered,
	domain.StatusPaymentFailed: events.PaymentFailed,
	domain.StatusRefunded:      events.OrderRefunded,
	domain.StatusCancelled:     events.OrderCancelled,
}

// Settled reports whether an order is over, money included: terminal, its ledger entry final (every order
// gets one: its charge, or for one cancelled before it was charged the VOIDED tombstone of the refund step), and
// a cancelled order holding no captured money (that one still has its refund, and REFUNDED, to come). why says
// what it waits for.
func Settled(ctx context.Context, t *store.Table, o domain.Order) (ok bool, why string) {
	if !o.Status.Terminal() {
		return false, string(o.Status)
	}
	c, err := t.GetCharge(ctx, o.ID)
	switch {
	case err != nil:
		return false, string(o.Status) + " without a ledger entry yet"
	case c.Status == domain.ChargePending:
		return false, string(o.Status) + " with its charge pending"
	case o.Status == domain.StatusCancelled && c.Status == domain.ChargeCaptured:
		return false, "CANCELLED, refund to come"
	}
	return true, ""
}

// Notified counts the notifications of each event type an order's customer got.
func Notified(ctx context.Context, t *store.Table, orderID string) (map[string]int, error) {
	list, err := t.ListNotifications(ctx, orderID)
	if err != nil {
		return nil, err
	}
	n := map[string]int{}
	for _, x := range list {
		n[x.EventType]++
	}
	return n, nil
}
