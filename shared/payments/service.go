// Package payments is the payment step of the order saga. It charges placed
// orders exactly once (OrderPlaced → PAID or PAYMENT_FAILED, which the stream
// publishes as PaymentConfirmed or PaymentFailed) and gives the money back
// when the order cannot be delivered (OrderCancelled, NoCourierAvailable →
// REFUNDED, published as OrderRefunded).
//
// Two records keep it exact under at-least-once delivery, races and provider
// failures: the ledger in our table (one charge and at most one refund per
// order, each written PENDING before the provider is called and settled
// together with the order's status in one transaction), and the provider's
// own idempotency keys (the order id), which make a repeated request return
// the first answer instead of moving money again.
package payments

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	domainevents "github.com/fooddelivery/serverless-food-delivery/shared/events"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/logging"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/metrics"
)

// Store is what payment needs from persistence.
type Store interface {
	GetOrder(ctx context.Context, id string) (domain.Order, error)
	// BeginCharge writes the order's charge entry unless it has one; it
	// returns the stored entry and whether this call created it. A PENDING
	// entry opens a charge; a VOIDED one is a tombstone saying none will be
	// made.
	BeginCharge(ctx context.Context, c domain.Charge) (stored domain.Charge, created bool, err error)
	// SettleCharge stores the transitioned order and the charge's outcome in
	// one transaction, provided the order is still at the version it was read
	// at and the charge still PENDING; domain.ErrConflict otherwise.
	SettleCharge(ctx context.Context, o domain.Order, c domain.Charge) error
	// ResolveCharge records a PENDING charge's outcome without touching the
	// order (which has moved on: cancelled); domain.ErrConflict unless PENDING.
	ResolveCharge(ctx context.Context, c domain.Charge) error
	GetCharge(ctx context.Context, orderID string) (domain.Charge, error)
	// BeginRefund writes the order's refund entry unless it has one, like
	// BeginCharge.
	BeginRefund(ctx context.Context, r domain.Refund) (stored domain.Refund, created bool, err error)
	// SettleRefund stores the order (now REFUNDED) and the refund (REFUNDED)
	// in one transaction, provided the order is at the version it was read at
	// and the refund still PENDING; domain.ErrConflict otherwise.
	SettleRefund(ctx context.Context, o domain.Order, r domain.Refund) error
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
	policy   Policy
	sleep    func(context.Context, time.Duration) error
	jitter   func(int64) int64
}

// Option adjusts a Service.
type Option func(*Service)

// WithPolicy sets the provider call policy (DefaultPolicy otherwise).
func WithPolicy(p Policy) Option { return func(s *Service) { s.policy = p } }

// WithSleep replaces the backoff sleep (tests record the waits instead).
func WithSleep(sleep func(context.Context, time.Duration) error) Option {
	return func(s *Service) { s.sleep = sleep }
}

// NewService wires the service.
func NewService(store Store, provider Provider, receipts Receipts, now func() time.Time, opts ...Option) *Service {
	s := &Service{store: store, provider: provider, receipts: receipts, now: now,
		policy: DefaultPolicy(), sleep: sleepCtx, jitter: defaultJitter}
	for _, o := range opts {
		o(s)
	}
	return s
}

// HandleEvent is the saga's payment step: it charges on OrderPlaced and
// refunds on OrderCancelled and NoCourierAvailable; other events are ignored.
func (s *Service) HandleEvent(ctx context.Context, e domainevents.Envelope, attempt int) error {
	switch e.Type {
	case domainevents.OrderPlaced:
		return s.Charge(ctx, e.OrderID, e.ID, attempt)
	case domainevents.OrderCancelled:
		return s.Refund(ctx, e.OrderID, e.ID, domain.RefundReasonCancelled)
	case domainevents.NoCourierAvailable:
		return s.Refund(ctx, e.OrderID, e.ID, domain.RefundReasonNoCourier)
	}
	return nil
}

// Decline reasons this service writes itself (the provider's own are passed on).
const (
	ReasonProviderUnavailable = "provider_unavailable"
	ReasonProviderRejected    = "provider_rejected"
	ReasonVoided              = "voided"
)

// Charge charges the order once, however often and however concurrently it is
// called.
//
// The ledger entry is written PENDING before the provider is called, and
// settled together with the order's status in one transaction. A duplicate
// that arrives after settlement finds the order no longer PLACED and stops;
// one that arrives while another delivery is charging, or after a crash, asks
// the provider again under the same idempotency key, which returns the first
// answer instead of charging again.
//
// Transient provider failures are retried within the delivery (Policy), then
// the charge's fate is asked of the provider by its key; if that is unknown
// too, the message fails and SQS delivers it again later. On delivery
// Policy.GiveUpAfter (attempt: which delivery of the event this is, 1 for
// the first) the key is voided at the provider, so nothing can capture under
// it any more, and the order ends PAYMENT_FAILED. Hard declines are final at
// once.
func (s *Service) Charge(ctx context.Context, orderID, causationEventID string, attempt int) error {
	log := logging.From(ctx)
	order, err := s.store.GetOrder(ctx, orderID)
	if err != nil {
		return err
	}
	if order.Status != domain.StatusPlaced {
		log.Info("order already past payment; duplicate ignored", "status", order.Status)
		metrics.Add(metrics.DuplicatesIgnored, 1)
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
	switch charge.Status {
	case domain.ChargePending:
	case domain.ChargeVoided:
		// The order was cancelled before it was charged: the refund step,
		// which runs only once the order is CANCELLED, left this tombstone.
		log.Info("charge voided before it began; not charging", "reason", charge.DeclineReason)
		return nil
	default:
		// Already final. The settle moves charge and order together, so the
		// order we read was stale: a cancellation's refund step resolved the
		// charge after we read the order PLACED. Read it again.
		if cur, err := s.store.GetOrder(ctx, order.ID); err == nil && cur.Status != domain.StatusPlaced {
			log.Info("charge resolved by the refund step meanwhile; nothing to do", "status", cur.Status, "charge_status", charge.Status)
			return nil
		}
		// Final while the order is PLACED: impossible, so do not guess; let
		// the message reach the DLQ for a person to look at.
		return fmt.Errorf("charge of order %s is %s while the order is PLACED", order.ID, charge.Status)
	}

	req := ChargeRequest{IdempotencyKey: order.ID, MerchantRef: order.ID, Token: order.PaymentToken,
		AmountMinor: charge.AmountMinor, Currency: charge.Currency}
	var result ChargeResult
	err = s.call(ctx, "charge", func(ctx context.Context) (err error) {
		result, err = s.provider.Charge(ctx, req)
		return err
	})
	var rejected *ProviderError
	switch {
	case err == nil:
	case Unauthorized(err):
		// Our API key was refused: nothing about the card is known and nothing
		// was charged. The delivery fails and SQS tries again; if the key stays
		// bad the message reaches the DLQ and its alarm, and the order waits
		// PLACED for the redrive once the key is fixed. Deciding PAYMENT_FAILED
		// here would fail every customer for our misconfiguration.
		return fmt.Errorf("charge of order %s: the provider refused our API key: %w", order.ID, err)
	case Transient(err):
		result, err = s.resolveUnknownCharge(ctx, order.ID, attempt, err)
		if err != nil {
			return err
		}
	case errors.As(err, &rejected):
		// A request the provider refuses outright (4xx) will not succeed on
		// a retry, and nothing was charged: the payment fails now rather
		// than leaving the order PLACED until the message is dead-lettered.
		log.Error("payment provider rejected the charge request", "error", err)
		result = ChargeResult{Outcome: Declined, DeclineReason: ReasonProviderRejected}
	default:
		return err
	}
	return s.settle(ctx, order, charge, result, causationEventID)
}

// resolveUnknownCharge is called when every charge attempt of this delivery
// failed transiently (the last cause is cause): the charge may or may not
// have happened. It asks the provider; if the answer is still unknown it
// fails the delivery, except on the give-up delivery, where it voids the key.
func (s *Service) resolveUnknownCharge(ctx context.Context, orderID string, attempt int, cause error) (ChargeResult, error) {
	log := logging.From(ctx)
	var result ChargeResult
	var found bool
	lookupErr := s.call(ctx, "lookup", func(ctx context.Context) (err error) {
		result, found, err = s.provider.Lookup(ctx, orderID)
		return err
	})
	if lookupErr == nil && found {
		log.Info("charge outcome learnt from the provider after failed attempts", "outcome", result.Outcome, "cause", cause)
		return result, nil
	}
	if attempt < s.policy.GiveUpAfter {
		return ChargeResult{}, fmt.Errorf("charge outcome unknown after delivery %d of %d (lookup: %v): %w",
			attempt, s.policy.GiveUpAfter, lookupErr, cause)
	}
	// Give up: void the key, so that a charge still in flight at the
	// provider cannot capture after we have told the customer it failed.
	err := s.call(ctx, "void", func(ctx context.Context) (err error) {
		result, err = s.provider.Void(ctx, orderID)
		return err
	})
	if err != nil {
		return ChargeResult{}, fmt.Errorf("give up on the charge: void: %w (after: %v)", err, cause)
	}
	if result.Outcome == Voided {
		result.DeclineReason = ReasonProviderUnavailable
	}
	log.Warn("gave up on an unanswered charge", "attempt", attempt, "outcome", result.Outcome, "cause", cause)
	return result, nil
}

// settle records the charge's outcome and moves the order on, together.
func (s *Service) settle(ctx context.Context, order domain.Order, charge domain.Charge, result ChargeResult, causation string) error {
	charge.UpdatedAt = s.now().UTC()
	next := domain.StatusPaymentFailed
	switch result.Outcome {
	case Captured:
		next = domain.StatusPaid
		charge.Status, charge.ProviderRef, charge.DeclineReason = domain.ChargeCaptured, result.Reference, ""
		// Written before the settle, so every PAID order has its receipt: if
		// this fails, the retry asks the provider again (same key, same
		// answer) and writes it again under the same S3 key.
		if err := s.receipts.PutReceipt(ctx, order, charge); err != nil {
			return fmt.Errorf("store receipt: %w", err)
		}
	case Declined:
		charge.Status, charge.DeclineReason = domain.ChargeDeclined, result.DeclineReason
	case Voided:
		charge.Status, charge.DeclineReason = domain.ChargeVoided, result.DeclineReason
		if charge.DeclineReason == "" {
			charge.DeclineReason = ReasonVoided
		}
	default:
		return fmt.Errorf("payment provider answered with unknown outcome %q", result.Outcome)
	}
	if err := order.Transition(next, causation, charge.UpdatedAt); err != nil {
		return err
	}
	if err := s.store.SettleCharge(ctx, order, charge); err != nil {
		if errors.Is(err, domain.ErrConflict) {
			// The order changed while we charged (a cancellation, or another
			// delivery settled first). The retry reads the new state; a
			// cancellation's refund step resolves any money taken.
			return fmt.Errorf("order changed while charging: %w", err)
		}
		return err
	}
	logging.From(ctx).Info("payment settled", "status", next, "charge_status", charge.Status,
		"amount_minor", charge.AmountMinor, "decline_reason", charge.DeclineReason)
	return nil
}

// Refund gives the order's money back when the saga cannot complete it: the
// order was cancelled (before pickup) or no courier was found. The order then
// moves to REFUNDED, which the stream publishes as OrderRefunded.
//
// A cancelled order may have been cancelled before, while or after it was
// charged, so the charge is resolved first: with no charge yet, a VOIDED
// tombstone stops one from ever beginning; with one in flight, the provider
// voids the key or reports the capture that beat the void. Only captured money
// is refunded, exactly once: a PENDING refund entry, one provider key per
// order, and a settle that moves the order and the entry together. Refunds
// never give up: a refund that keeps failing reaches the DLQ and its alarm.
func (s *Service) Refund(ctx context.Context, orderID, causationEventID, reason string) error {
	log := logging.From(ctx)
	order, err := s.store.GetOrder(ctx, orderID)
	if err != nil {
		return err
	}
	switch order.Status {
	case domain.StatusRefunded:
		log.Info("order already refunded; duplicate ignored")
		metrics.Add(metrics.DuplicatesIgnored, 1)
		return nil
	case domain.StatusCancelled, domain.StatusNoCourier:
	default:
		// An event older than the order's state (CANCELLED and NO_COURIER
		// lead only to REFUNDED), or a mis-routed one: nothing to give back.
		log.Warn("refund requested for an order that is neither cancelled nor without courier; ignored", "status", order.Status)
		return nil
	}
	charge, err := s.chargeToRefund(ctx, order)
	if err != nil || charge.Status != domain.ChargeCaptured {
		return err
	}

	now := s.now().UTC()
	refund, _, err := s.store.BeginRefund(ctx, domain.Refund{
		OrderID: order.ID, AmountMinor: charge.AmountMinor, Currency: charge.Currency,
		Status: domain.RefundPending, Reason: reason, CreatedAt: now, UpdatedAt: now,
	})
	if err != nil {
		return err
	}
	if refund.Status == domain.RefundDone {
		// Settled together with the order, so the order is REFUNDED too; we
		// read it a moment before that transaction.
		log.Info("refund already settled; duplicate ignored")
		metrics.Add(metrics.DuplicatesIgnored, 1)
		return nil
	}
	var result RefundResult
	err = s.call(ctx, "refund", func(ctx context.Context) (err error) {
		result, err = s.provider.Refund(ctx, RefundRequest{
			IdempotencyKey: "refund-" + order.ID, ChargeKey: order.ID, MerchantRef: order.ID,
			AmountMinor: refund.AmountMinor, Currency: refund.Currency,
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("refund of order %s: %w", order.ID, err)
	}
	refund.Status, refund.ProviderRef, refund.UpdatedAt = domain.RefundDone, result.Reference, s.now().UTC()
	if err := order.Transition(domain.StatusRefunded, causationEventID, refund.UpdatedAt); err != nil {
		return err
	}
	if err := s.store.SettleRefund(ctx, order, refund); err != nil {
		return fmt.Errorf("settle refund: %w", err)
	}
	log.Info("refund settled", "amount_minor", refund.AmountMinor, "reason", reason, "provider_ref", refund.ProviderRef)
	return nil
}

// chargeToRefund returns the order's charge with a final status, resolving a
// missing or PENDING one first. Only a CAPTURED charge has money to give back.
func (s *Service) chargeToRefund(ctx context.Context, order domain.Order) (domain.Charge, error) {
	log := logging.From(ctx)
	charge, err := s.store.GetCharge(ctx, order.ID)
	if errors.Is(err, domain.ErrNotFound) {
		if order.Status == domain.StatusNoCourier {
			// NO_COURIER comes after PAID: its charge must exist.
			return domain.Charge{}, fmt.Errorf("order %s is %s but has no charge", order.ID, order.Status)
		}
		now := s.now().UTC()
		var created bool
		charge, created, err = s.store.BeginCharge(ctx, domain.Charge{
			OrderID: order.ID, AmountMinor: order.TotalMinor, Currency: order.Currency,
			Status: domain.ChargeVoided, DeclineReason: domain.RefundReasonCancelled, CreatedAt: now, UpdatedAt: now,
		})
		if err != nil {
			return domain.Charge{}, err
		}
		if created {
			log.Info("order cancelled before it was charged; nothing to refund")
			return charge, nil
		}
		// A charge began between our read and our write: resolve it below.
	} else if err != nil {
		return domain.Charge{}, err
	}
	if charge.Status != domain.ChargePending {
		if charge.Status != domain.ChargeCaptured {
			log.Info("no money was taken; nothing to refund", "charge_status", charge.Status)
		}
		return charge, nil
	}

	// A charge is in flight, or its delivery crashed. Voiding the key at the
	// provider decides the race: either our void comes first and nothing can
	// capture any more, or the provider reports the capture that beat it.
	var result ChargeResult
	err = s.call(ctx, "void", func(ctx context.Context) (err error) {
		result, err = s.provider.Void(ctx, order.ID)
		return err
	})
	if err != nil {
		return domain.Charge{}, fmt.Errorf("void the in-flight charge of cancelled order %s: %w", order.ID, err)
	}
	charge.UpdatedAt = s.now().UTC()
	switch result.Outcome {
	case Captured:
		charge.Status, charge.ProviderRef = domain.ChargeCaptured, result.Reference
	case Declined:
		charge.Status, charge.DeclineReason = domain.ChargeDeclined, result.DeclineReason
	default:
		charge.Status, charge.DeclineReason = domain.ChargeVoided, domain.RefundReasonCancelled
	}
	if err := s.store.ResolveCharge(ctx, charge); err != nil {
		if !errors.Is(err, domain.ErrConflict) {
			return domain.Charge{}, err
		}
		// Resolved by someone else meanwhile: use what they stored.
		if charge, err = s.store.GetCharge(ctx, order.ID); err != nil {
			return domain.Charge{}, err
		}
	}
	log.Info("in-flight charge of a cancelled order resolved", "charge_status", charge.Status)
	return charge, nil
}
