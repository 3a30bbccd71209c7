package simprovider

import (
	"context"
	"sync"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/payments"
)

// ChargeRecord is the provider's record of an idempotency key: a captured or
// declined charge, or a voided key that will never capture.
type ChargeRecord struct {
	Key           string           `dynamodbav:"key"`
	MerchantRef   string           `dynamodbav:"merchant_ref,omitempty"`
	Token         string           `dynamodbav:"token,omitempty"`
	AmountMinor   int64            `dynamodbav:"amount_minor"`
	Currency      string           `dynamodbav:"currency,omitempty"`
	Status        payments.Outcome `dynamodbav:"status"`
	DeclineReason string           `dynamodbav:"decline_reason,omitempty"`
	Reference     string           `dynamodbav:"reference,omitempty"`
	CreatedAt     time.Time        `dynamodbav:"created_at"`
}

func (r ChargeRecord) result() payments.ChargeResult {
	return payments.ChargeResult{Outcome: r.Status, Reference: r.Reference, DeclineReason: r.DeclineReason, AmountMinor: r.AmountMinor}
}

// RefundRecord is a refund of a captured charge (at most one per charge).
type RefundRecord struct {
	ChargeKey   string    `dynamodbav:"charge_key"`
	Key         string    `dynamodbav:"key"` // the refund's idempotency key
	MerchantRef string    `dynamodbav:"merchant_ref,omitempty"`
	AmountMinor int64     `dynamodbav:"amount_minor"`
	Currency    string    `dynamodbav:"currency"`
	Reference   string    `dynamodbav:"reference"`
	CreatedAt   time.Time `dynamodbav:"created_at"`
}

// Books is where the provider keeps its records. Create methods are
// conditional: they store the record unless the key has one, and return what
// is stored either way, which is the whole of idempotency.
type Books interface {
	CreateCharge(ctx context.Context, r ChargeRecord) (stored ChargeRecord, created bool, err error)
	GetCharge(ctx context.Context, key string) (ChargeRecord, bool, error)
	// CreateRefund stores the refund of r.ChargeKey unless that charge has
	// one already.
	CreateRefund(ctx context.Context, r RefundRecord) (stored RefundRecord, created bool, err error)
	// CountRequest counts a charge request of key and returns the count so
	// far, including this one.
	CountRequest(ctx context.Context, key string) (int, error)
}

// MemoryBooks keeps the books in memory (unit tests).
type MemoryBooks struct {
	mu       sync.Mutex
	charges  map[string]ChargeRecord
	refunds  map[string]RefundRecord
	requests map[string]int
}

// NewMemoryBooks returns empty books.
func NewMemoryBooks() *MemoryBooks {
	return &MemoryBooks{charges: map[string]ChargeRecord{}, refunds: map[string]RefundRecord{}, requests: map[string]int{}}
}

var _ Books = (*MemoryBooks)(nil)

// CreateCharge implements Books.
func (b *MemoryBooks) CreateCharge(_ context.Context, r ChargeRecord) (ChargeRecord, bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if cur, ok := b.charges[r.Key]; ok {
		return cur, false, nil
	}
	b.charges[r.Key] = r
	return r, true, nil
}

// GetCharge implements Books.
func (b *MemoryBooks) GetCharge(_ context.Context, key string) (ChargeRecord, bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	r, ok := b.charges[key]
	return r, ok, nil
}

// CreateRefund implements Books.
func (b *MemoryBooks) CreateRefund(_ context.Context, r RefundRecord) (RefundRecord, bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if cur, ok := b.refunds[r.ChargeKey]; ok {
		return cur, false, nil
	}
	b.refunds[r.ChargeKey] = r
	return r, true, nil
}

// CountRequest implements Books.
func (b *MemoryBooks) CountRequest(_ context.Context, key string) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.requests[key]++
	return b.requests[key], nil
}

// Records returns every charge and refund record (for assertions).
func (b *MemoryBooks) Records() ([]ChargeRecord, []RefundRecord) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var cs []ChargeRecord
	var rs []RefundRecord
	for _, c := range b.charges {
		cs = append(cs, c)
	}
	for _, r := range b.refunds {
		rs = append(rs, r)
	}
	return cs, rs
}
