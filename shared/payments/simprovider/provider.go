// Package simprovider is a simulated card payment provider that behaves like
// a real one where it matters to the payment saga: test tokens that approve,
// decline, time out or fail with a 5xx; configurable latency; idempotency
// keys that make a repeated request return the first answer; a status lookup
// by key; voiding a key; refunds.
//
// It keeps its own books (Books: a DynamoDB table of its own when deployed,
// memory in unit tests), separate from the application's ledger. They are the
// provider's side of the story, so tests can count the money that actually
// moved — one record per key, whatever the application did — instead of
// trusting the application's own records.
//
// A real provider plugs in behind payments.Provider instead; nothing else
// changes.
package simprovider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/payments"
)

// Test tokens, the way providers document test cards. Any other token is
// declined as invalid_token.
const (
	TokenVisa       = "tok_visa"
	TokenMastercard = "tok_mastercard"
	// Hard declines: final, never worth retrying.
	TokenInsufficientFunds = "tok_decline_insufficient_funds"
	TokenExpiredCard       = "tok_decline_expired_card"
	// TokenTimeout: the charge request never gets an answer in time and
	// nothing is charged (the request was lost on the way in).
	TokenTimeout = "tok_timeout"
	// TokenTimeoutAfterCapture: the charge is captured, then the answer is
	// lost (the client times out). Only a lookup by key tells it happened.
	TokenTimeoutAfterCapture = "tok_timeout_after_capture"
	// TokenError5xx: every charge request fails with 503; nothing is charged.
	TokenError5xx = "tok_error_5xx"
	// TokenFlaky: the first Config.FlakyFailures charge requests of a key
	// fail with 503, then the charge is approved.
	TokenFlaky = "tok_flaky"
)

// Decline reasons, as providers name them.
const (
	DeclineInsufficientFunds = "insufficient_funds"
	DeclineExpiredCard       = "expired_card"
	DeclineInvalidToken      = "invalid_token"
)

// Config is the provider's behaviour that is not chosen by token.
type Config struct {
	// Latency is added to every request (network and processing time).
	Latency time.Duration
	// Hang is how long a timeout token's charge request takes: longer than
	// any sensible client timeout, so the client's timeout fires first.
	Hang time.Duration
	// FlakyFailures is how many charge requests of a TokenFlaky key fail.
	FlakyFailures int
}

// DefaultConfig is a provider answering in 50 ms whose timeouts hang 30 s.
func DefaultConfig() Config {
	return Config{Latency: 50 * time.Millisecond, Hang: 30 * time.Second, FlakyFailures: 2}
}

// WithLatency is c answering in latency; 0 keeps c's.
func (c Config) WithLatency(latency time.Duration) Config {
	if latency > 0 {
		c.Latency = latency
	}
	return c
}

// Provider implements payments.Provider.
type Provider struct {
	books Books
	cfg   Config
	now   func() time.Time
}

// New returns a provider keeping its books in books.
func New(books Books, cfg Config, now func() time.Time) *Provider {
	return &Provider{books: books, cfg: cfg, now: now}
}

var _ payments.Provider = (*Provider)(nil)

// validCurrency reports whether s looks like an ISO 4217 code: three capitals.
func validCurrency(s string) bool {
	return len(s) == 3 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' && s[2] >= 'A' && s[2] <= 'Z'
}

// Charge implements payments.Provider.
func (p *Provider) Charge(ctx context.Context, req payments.ChargeRequest) (payments.ChargeResult, error) {
	const op = "charge"
	if err := p.respond(ctx); err != nil {
		return payments.ChargeResult{}, err
	}
	if req.IdempotencyKey == "" || req.AmountMinor <= 0 || !validCurrency(req.Currency) {
		return payments.ChargeResult{}, &payments.ProviderError{Op: op, StatusCode: 400, Code: "invalid_request"}
	}
	record := ChargeRecord{Key: req.IdempotencyKey, MerchantRef: req.MerchantRef, Token: req.Token,
		AmountMinor: req.AmountMinor, Currency: req.Currency, Status: payments.Captured,
		Reference: reference("ch_", req.IdempotencyKey), CreatedAt: p.now().UTC()}

	switch req.Token {
	case TokenTimeout:
		return payments.ChargeResult{}, p.hang(ctx, op)
	case TokenTimeoutAfterCapture:
		if _, _, err := p.books.CreateCharge(ctx, record); err != nil {
			return payments.ChargeResult{}, internalError(op, err)
		}
		return payments.ChargeResult{}, p.hang(ctx, op)
	case TokenError5xx:
		return payments.ChargeResult{}, &payments.ProviderError{Op: op, StatusCode: 503, Code: "service_unavailable", Temporary: true}
	case TokenFlaky:
		n, err := p.books.CountRequest(ctx, req.IdempotencyKey)
		if err != nil {
			return payments.ChargeResult{}, internalError(op, err)
		}
		if n <= p.cfg.FlakyFailures {
			return payments.ChargeResult{}, &payments.ProviderError{Op: op, StatusCode: 503, Code: "service_unavailable", Temporary: true}
		}
	case TokenVisa, TokenMastercard:
	case TokenInsufficientFunds:
		record.Status, record.DeclineReason, record.Reference = payments.Declined, DeclineInsufficientFunds, ""
	case TokenExpiredCard:
		record.Status, record.DeclineReason, record.Reference = payments.Declined, DeclineExpiredCard, ""
	default:
		record.Status, record.DeclineReason, record.Reference = payments.Declined, DeclineInvalidToken, ""
	}
	// One record per key, written conditionally: whoever comes first (this
	// request, a duplicate, or a void) decides, and everyone else gets the
	// same answer.
	stored, _, err := p.books.CreateCharge(ctx, record)
	if err != nil {
		return payments.ChargeResult{}, internalError(op, err)
	}
	if stored.Status != payments.Voided && stored.AmountMinor != req.AmountMinor {
		return payments.ChargeResult{}, &payments.ProviderError{Op: op, StatusCode: 409, Code: "idempotency_key_reused"}
	}
	return stored.result(), nil
}

// Lookup implements payments.Provider.
func (p *Provider) Lookup(ctx context.Context, key string) (payments.ChargeResult, bool, error) {
	if err := p.respond(ctx); err != nil {
		return payments.ChargeResult{}, false, err
	}
	rec, found, err := p.books.GetCharge(ctx, key)
	if err != nil {
		return payments.ChargeResult{}, false, internalError("lookup", err)
	}
	return rec.result(), found, nil
}

// Void implements payments.Provider.
func (p *Provider) Void(ctx context.Context, key string) (payments.ChargeResult, error) {
	if err := p.respond(ctx); err != nil {
		return payments.ChargeResult{}, err
	}
	stored, _, err := p.books.CreateCharge(ctx, ChargeRecord{Key: key, Status: payments.Voided, CreatedAt: p.now().UTC()})
	if err != nil {
		return payments.ChargeResult{}, internalError("void", err)
	}
	return stored.result(), nil
}

// Refund implements payments.Provider. The simulation allows one refund per
// charge (the saga only ever refunds in full).
func (p *Provider) Refund(ctx context.Context, req payments.RefundRequest) (payments.RefundResult, error) {
	const op = "refund"
	if err := p.respond(ctx); err != nil {
		return payments.RefundResult{}, err
	}
	charge, found, err := p.books.GetCharge(ctx, req.ChargeKey)
	if err != nil {
		return payments.RefundResult{}, internalError(op, err)
	}
	if !found || charge.Status != payments.Captured {
		return payments.RefundResult{}, &payments.ProviderError{Op: op, StatusCode: 400, Code: "charge_not_refundable"}
	}
	if req.IdempotencyKey == "" || req.AmountMinor <= 0 || req.AmountMinor > charge.AmountMinor || req.Currency != charge.Currency {
		return payments.RefundResult{}, &payments.ProviderError{Op: op, StatusCode: 400, Code: "invalid_request"}
	}
	stored, _, err := p.books.CreateRefund(ctx, RefundRecord{ChargeKey: req.ChargeKey, Key: req.IdempotencyKey,
		MerchantRef: req.MerchantRef, AmountMinor: req.AmountMinor, Currency: req.Currency,
		Reference: reference("re_", req.IdempotencyKey), CreatedAt: p.now().UTC()})
	if err != nil {
		return payments.RefundResult{}, internalError(op, err)
	}
	if stored.Key != req.IdempotencyKey {
		return payments.RefundResult{}, &payments.ProviderError{Op: op, StatusCode: 409, Code: "charge_already_refunded"}
	}
	if stored.AmountMinor != req.AmountMinor {
		return payments.RefundResult{}, &payments.ProviderError{Op: op, StatusCode: 409, Code: "idempotency_key_reused"}
	}
	return payments.RefundResult{Reference: stored.Reference, AmountMinor: stored.AmountMinor}, nil
}

// respond waits the configured latency, or until the client gives up.
func (p *Provider) respond(ctx context.Context) error {
	return wait(ctx, p.cfg.Latency)
}

// hang keeps the request open past the client's timeout, like an overloaded
// provider; a client without a timeout gets a 504 after Config.Hang.
func (p *Provider) hang(ctx context.Context, op string) error {
	if err := wait(ctx, p.cfg.Hang); err != nil {
		return err
	}
	return &payments.ProviderError{Op: op, StatusCode: 504, Code: "gateway_timeout", Temporary: true}
}

func wait(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// internalError is the provider failing on its own storage: a 500, worth
// retrying like any 5xx.
func internalError(op string, cause error) error {
	return &payments.ProviderError{Op: op, StatusCode: 500, Code: "internal_error", Temporary: true, Cause: cause}
}

// reference derives the provider's id for a key, stable like a real
// provider's for one idempotent request.
func reference(prefix, key string) string {
	sum := sha256.Sum256([]byte(key))
	return prefix + hex.EncodeToString(sum[:12])
}
