package domain

import "time"

// ChargeStatus is where a charge is in the payment ledger.
type ChargeStatus string

const (
	// ChargePending is written before the provider is called, so a crash
	// between the call and the result leaves a trace that the retry resumes.
	ChargePending  ChargeStatus = "PENDING"
	ChargeCaptured ChargeStatus = "CAPTURED"
	ChargeDeclined ChargeStatus = "DECLINED"
	// ChargeVoided means no money was taken and none ever will be under this
	// order's idempotency key: the provider was told to void it (the payment
	// was given up after repeated timeouts, or the order was cancelled while
	// or before it was charged).
	ChargeVoided ChargeStatus = "VOIDED"
)

// Final reports whether the charge has an outcome that never changes.
func (s ChargeStatus) Final() bool {
	return s == ChargeCaptured || s == ChargeDeclined || s == ChargeVoided
}

// Charge is the ledger entry for an order's payment. There is at most one per
// order: the ledger key is the order id, which is also the idempotency key the
// provider sees, so at-least-once delivery never charges twice.
type Charge struct {
	OrderID     string       `json:"order_id"`
	AmountMinor int64        `json:"amount_minor"`
	Currency    string       `json:"currency"`
	Status      ChargeStatus `json:"status"`
	ProviderRef string       `json:"provider_ref,omitempty"`
	// DeclineReason says why a DECLINED or VOIDED charge took no money
	// (insufficient_funds, expired_card, provider_unavailable, order_cancelled…).
	DeclineReason string    `json:"decline_reason,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// RefundStatus is where a refund is in the payment ledger.
type RefundStatus string

const (
	// RefundPending is written before the provider is asked to refund, like
	// ChargePending, so a retry resumes the same refund.
	RefundPending RefundStatus = "PENDING"
	RefundDone    RefundStatus = "REFUNDED"
)

// Refund reasons: the saga step that gave the money back.
const (
	RefundReasonCancelled = "order_cancelled"
	RefundReasonNoCourier = "no_courier"
)

// Refund is the ledger entry for giving an order's captured charge back, in
// full. There is at most one per order (its key is the order id), and the
// provider sees one idempotency key per order, so a redelivered
// OrderCancelled or NoCourierAvailable never refunds twice.
type Refund struct {
	OrderID     string       `json:"order_id"`
	AmountMinor int64        `json:"amount_minor"`
	Currency    string       `json:"currency"`
	Status      RefundStatus `json:"status"`
	Reason      string       `json:"reason"`
	ProviderRef string       `json:"provider_ref,omitempty"`
	CreatedAt   time.Time    `json:"created_at"`
	UpdatedAt   time.Time    `json:"updated_at"`
}
