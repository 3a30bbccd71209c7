package memstore

import (
	"context"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/tracecontext"
	"github.com/fooddelivery/serverless-food-delivery/shared/queue"
)

// ledger holds the refund entries and failure records; its maps are created
// on first use, so the zero value is ready.
type ledger struct {
	refunds  map[string]domain.Refund
	failures map[string]queue.Failure
}

// ResolveCharge stores a charge's outcome if the stored charge is PENDING.
func (s *Store) ResolveCharge(_ context.Context, c domain.Charge) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur, ok := s.charges[c.OrderID]; !ok || cur.Status != domain.ChargePending {
		return domain.ErrConflict
	}
	s.charges[c.OrderID] = c
	return nil
}

// BeginRefund stores a refund unless the order has one.
func (s *Store) BeginRefund(_ context.Context, r domain.Refund) (domain.Refund, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ledger.refunds == nil {
		s.ledger.refunds = map[string]domain.Refund{}
	}
	if existing, ok := s.ledger.refunds[r.OrderID]; ok {
		return existing, false, nil
	}
	s.ledger.refunds[r.OrderID] = r
	return r, true, nil
}

// SettleRefund stores the order and the settled refund together.
func (s *Store) SettleRefund(ctx context.Context, o domain.Order, r domain.Refund) error {
	o.TraceParent = tracecontext.ForWrite(ctx, o.TraceParent) // as the table adapter does
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkVersion(o); err != nil {
		return err
	}
	if cur, ok := s.ledger.refunds[r.OrderID]; !ok || cur.Status != domain.RefundPending {
		return domain.ErrConflict
	}
	s.orders[o.ID], s.ledger.refunds[r.OrderID] = o, r
	return nil
}

// GetRefund returns an order's refund or domain.ErrNotFound.
func (s *Store) GetRefund(_ context.Context, orderID string) (domain.Refund, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.ledger.refunds[orderID]
	if !ok {
		return domain.Refund{}, domain.ErrNotFound
	}
	return r, nil
}

// RecordFailure stores a message's latest failure.
func (s *Store) RecordFailure(_ context.Context, f queue.Failure) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ledger.failures == nil {
		s.ledger.failures = map[string]queue.Failure{}
	}
	s.ledger.failures[f.MessageID] = f
	return nil
}

// GetFailure returns a message's latest failure or domain.ErrNotFound.
func (s *Store) GetFailure(_ context.Context, messageID string) (queue.Failure, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.ledger.failures[messageID]
	if !ok {
		return queue.Failure{}, domain.ErrNotFound
	}
	return f, nil
}
