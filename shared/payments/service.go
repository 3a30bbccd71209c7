// Package payments charges placed orders exactly once and announces the
// outcome by moving the order to PAID or PAYMENT_FAILED (the stream then
// publishes PaymentConfirmed or PaymentFailed).
package payments

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	domainevents "github.com/fooddelivery/serverless-food-delivery/shared/events"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/logging"
)

// Store is what payment needs from persistence.
type Store interface {
	GetOrder(ctx context.Context, id string) (domain.Order, error)
	BeginCharge(ctx context.Context, c domain.Charge) (stored domain.Charge, created bool, err error)
	SettleCharge(ctx context.Context, o domain.Order, c domain.Charge) error
}

// ChargeRequest asks the provider for money. IdempotencyKey is the order id:
// a provider that sees the same key twice returns the first result instead of
// charging again, which is what makes a retried call safe.
type ChargeRequest struct {
	IdempotencyKey string
	AmountMinor    int64
	Currency       string
}

// ChargeResult is the provider's final answer. A transient failure (timeout,
// 5xx) is an error instead, and the message is retried.
type ChargeResult struct {
	Approved      bool
	Reference     string
	DeclineReason string
}

// Provider is a payment provider.
type Provider interface {
	Charge(ctx context.Context, req ChargeRequest) (ChargeResult, error)
}

// Receipts stores the receipt document of a paid order.
type Receipts interface {
	PutReceipt(ctx context.Context, o domain.Order, c domain.Charge) error
}

// Service is the payment use case.
type Service struct {
	store    Store
	provider Provider
	receipts Receipts
	now      func() time.Time
}

// NewService wires the service.
func NewService(store Store, provider Provider, receipts Receipts, now func() time.Time) *Service {
	return &Service{store: store, provider: provider, receipts: receipts, now: now}
}

// HandleEvent reacts to OrderPlaced; other events are ignored.
func (s *Service) HandleEvent(ctx context.Context, e domainevents.Envelope) error {
	if e.Type != domainevents.OrderPlaced {
		return nil
	}
	return s.Charge(ctx, e.OrderID, e.ID)
}

// Charge charges the order once, however often it is called.
//
// The ledger entry is written as PENDING before the provider is called and
// settled together with the order's status in one transaction. A duplicate
// that arrives after settlement finds the order no longer PLACED and stops; one
// that arrives after a crash finds the pending entry and asks the provider
// again with the same idempotency key, which cannot charge twice.
func (s *Service) Charge(ctx context.Context, orderID, causationEventID string) error {
	order, err := s.store.GetOrder(ctx, orderID)
	if err != nil {
		return err
	}
	if order.Status != domain.StatusPlaced {
		logging.From(ctx).Info("order already past payment; duplicate ignored", "status", order.Status)
		return nil
	}
	now := s.now().UTC()
	charge, _, err := s.store.BeginCharge(ctx, domain.Charge{
		OrderID: order.ID, AmountMinor: order.TotalMinor, Currency: order.Currency,
		Status: domain.ChargePending, CreatedAt: now, UpdatedAt: now,
	})
	if err != nil {
		return err
	}
	if charge.Status != domain.ChargePending {
		// Settled but the order is still PLACED: impossible with the
		// transactional settle, so do not guess; let it reach the DLQ.
		return fmt.Errorf("charge of order %s is %s while the order is PLACED", order.ID, charge.Status)
	}
	result, err := s.provider.Charge(ctx, ChargeRequest{
		IdempotencyKey: order.ID, AmountMinor: charge.AmountMinor, Currency: charge.Currency,
	})
	if err != nil {
		return fmt.Errorf("payment provider: %w", err)
	}
	charge.UpdatedAt = s.now().UTC()
	next := domain.StatusPaymentFailed
	charge.Status, charge.DeclineReason = domain.ChargeDeclined, result.DeclineReason
	if result.Approved {
		next = domain.StatusPaid
		charge.Status, charge.ProviderRef, charge.DeclineReason = domain.ChargeCaptured, result.Reference, ""
		if err := s.receipts.PutReceipt(ctx, order, charge); err != nil {
			return fmt.Errorf("store receipt: %w", err)
		}
	}
	if err := order.Transition(next, causationEventID, charge.UpdatedAt); err != nil {
		return err
	}
	if err := s.store.SettleCharge(ctx, order, charge); err != nil {
		if errors.Is(err, domain.ErrConflict) {
			// Someone else settled or cancelled it meanwhile; the retry will
			// read the new state and stop.
			return fmt.Errorf("order changed while charging: %w", err)
		}
		return err
	}
	logging.From(ctx).Info("payment settled", "status", next, "amount_minor", charge.AmountMinor)
	return nil
}
