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
)

// Charge is the ledger entry for an order's payment. There is at most one per
// order: the ledger key is the order id, which is also the idempotency key the
// provider sees, so at-least-once delivery never charges twice.
type Charge struct {
	OrderID       string       `json:"order_id"`
	AmountMinor   int64        `json:"amount_minor"`
	Currency      string       `json:"currency"`
	Status        ChargeStatus `json:"status"`
	ProviderRef   string       `json:"provider_ref,omitempty"`
	DeclineReason string       `json:"decline_reason,omitempty"`
	CreatedAt     time.Time    `json:"created_at"`
	UpdatedAt     time.Time    `json:"updated_at"`
}
