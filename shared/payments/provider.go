package payments

import (
	"context"
	"errors"
	"fmt"
)

// Provider is a card payment provider, in the shape real ones have (Stripe,
// Adyen, Braintree): every money-moving request carries an idempotency key,
// and a request repeated with the same key returns the first answer instead
// of moving money again. That is what makes retrying a timed-out call safe.
type Provider interface {
	// Charge captures the amount from the tokenised card. A decline is a
	// result (Outcome Declined), not an error; errors are failures to get an
	// answer (see ProviderError).
	Charge(ctx context.Context, req ChargeRequest) (ChargeResult, error)
	// Lookup asks for the outcome of an earlier charge by its idempotency key,
	// the way a client resolves a request whose answer it never got. found is
	// false when the provider has no record of the key.
	Lookup(ctx context.Context, idempotencyKey string) (result ChargeResult, found bool, err error)
	// Void makes sure no charge under the key captures from now on. If a
	// charge already exists it is returned unchanged (a Captured one must then
	// be refunded by the caller); otherwise the key is voided and the result's
	// Outcome is Voided, and any later Charge with the key answers Voided.
	Void(ctx context.Context, idempotencyKey string) (ChargeResult, error)
	// Refund gives a captured charge back; repeated with the same
	// RefundRequest.IdempotencyKey it returns the first refund.
	Refund(ctx context.Context, req RefundRequest) (RefundResult, error)
}

// ChargeRequest asks the provider for money. IdempotencyKey is the order id,
// so every delivery of an order's events asks under the same key.
type ChargeRequest struct {
	IdempotencyKey string
	// MerchantRef is our reference (the order id), shown on the provider's
	// records; the provider does not interpret it.
	MerchantRef string
	Token       string
	AmountMinor int64
	Currency    string
}

// Outcome is the provider's final word on a charge.
type Outcome string

const (
	Captured Outcome = "CAPTURED"
	Declined Outcome = "DECLINED"
	Voided   Outcome = "VOIDED"
)

// ChargeResult is the provider's answer about a charge.
type ChargeResult struct {
	Outcome       Outcome
	Reference     string // the provider's charge id
	DeclineReason string // for Declined: insufficient_funds, expired_card…
	AmountMinor   int64
}

// RefundRequest gives money back. ChargeKey names the charge by its
// idempotency key; IdempotencyKey is the refund's own.
type RefundRequest struct {
	IdempotencyKey string
	ChargeKey      string
	MerchantRef    string
	AmountMinor    int64
	Currency       string
}

// RefundResult is the provider's answer to a refund.
type RefundResult struct {
	Reference   string
	AmountMinor int64
}

// ProviderError is a provider call that got no usable answer. Temporary
// errors (timeouts, 429, 5xx) may succeed when tried again with the same
// idempotency key; the others (4xx: a malformed or conflicting request) never
// will.
type ProviderError struct {
	Op         string // charge, lookup, void, refund
	StatusCode int    // HTTP status, 0 for a timeout
	Code       string // timeout, service_unavailable, idempotency_key_reused…
	Temporary  bool
	Cause      error // what the adapter saw, if anything (for logs)
}

func (e *ProviderError) Error() string {
	msg := fmt.Sprintf("payment provider %s: %s", e.Op, e.Code)
	if e.StatusCode != 0 {
		msg = fmt.Sprintf("payment provider %s: %d %s", e.Op, e.StatusCode, e.Code)
	}
	if e.Cause != nil {
		msg += ": " + e.Cause.Error()
	}
	return msg
}

func (e *ProviderError) Unwrap() error { return e.Cause }

// Transient reports whether err is worth retrying with the same key.
func Transient(err error) bool {
	var pe *ProviderError
	return errors.As(err, &pe) && pe.Temporary
}

// StatusUnauthorized is the status of a request the provider refused for
// our credentials (a missing, wrong or revoked API key), with Code
// CodeUnauthorized.
const (
	StatusUnauthorized = 401
	CodeUnauthorized   = "unauthorized"
)

// Unauthorized reports whether the provider refused the request for our
// credentials. That says nothing about the customer's card and nothing was
// charged: it is our operational failure, to be retried, dead-lettered and
// alarmed on until the key is fixed, never a decline, a void or a refund
// decided on it.
func Unauthorized(err error) bool {
	var pe *ProviderError
	return errors.As(err, &pe) && pe.StatusCode == StatusUnauthorized
}
