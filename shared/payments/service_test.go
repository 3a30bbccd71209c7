package payments_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	domainevents "github.com/fooddelivery/serverless-food-delivery/shared/events"
	"github.com/fooddelivery/serverless-food-delivery/shared/payments"
	"github.com/fooddelivery/serverless-food-delivery/shared/store/memstore"
)

// countingProvider records every charge call and answers with result/err.
type countingProvider struct {
	calls  atomic.Int32
	result payments.ChargeResult
	err    error
}

func (p *countingProvider) Charge(_ context.Context, req payments.ChargeRequest) (payments.ChargeResult, error) {
	p.calls.Add(1)
	return p.result, p.err
}

type receiptLog struct {
	mu   sync.Mutex
	keys []string
}

func (r *receiptLog) PutReceipt(_ context.Context, o domain.Order, _ domain.Charge) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.keys = append(r.keys, o.ID)
	return nil
}

func placedOrder(t *testing.T, s *memstore.Store) domain.Order {
	t.Helper()
	o := domain.Order{ID: "o-1", CustomerID: "c-1", Status: domain.StatusPlaced, Version: 1,
		TotalMinor: 2349, Currency: "EUR", CreatedAt: time.Now()}
	if err := s.CreateOrder(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	return o
}

func orderPlaced(o domain.Order) domainevents.Envelope {
	e, _ := domainevents.FromOrder(o)
	return e
}

func TestDuplicateOrderPlacedEventsChargeOnce(t *testing.T) {
	s := memstore.New()
	o := placedOrder(t, s)
	provider := &countingProvider{result: payments.ChargeResult{Approved: true, Reference: "ref-1"}}
	receipts := &receiptLog{}
	svc := payments.NewService(s, provider, receipts, time.Now)
	evt := orderPlaced(o)
	for i := 0; i < 3; i++ {
		if err := svc.HandleEvent(context.Background(), evt); err != nil {
			t.Fatalf("delivery %d: %v", i, err)
		}
	}
	if provider.calls.Load() != 1 {
		t.Fatalf("provider charged %d times for one order", provider.calls.Load())
	}
	got, _ := s.GetOrder(context.Background(), o.ID)
	charge, _ := s.GetCharge(context.Background(), o.ID)
	if got.Status != domain.StatusPaid || got.Version != 2 || got.CausationID != evt.ID {
		t.Fatalf("order %+v", got)
	}
	if charge.Status != domain.ChargeCaptured || charge.AmountMinor != 2349 || charge.ProviderRef != "ref-1" {
		t.Fatalf("charge %+v", charge)
	}
	if len(receipts.keys) != 1 {
		t.Fatalf("receipts %v", receipts.keys)
	}
}

func TestConcurrentDuplicatesNeverSettleTwice(t *testing.T) {
	s := memstore.New()
	o := placedOrder(t, s)
	provider := &countingProvider{result: payments.ChargeResult{Approved: true, Reference: "ref-1"}}
	svc := payments.NewService(s, provider, &receiptLog{}, time.Now)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = svc.HandleEvent(context.Background(), orderPlaced(o)) // losers fail and are retried
		}()
	}
	wg.Wait()
	// Retries after the race find the order paid and stop.
	if err := svc.HandleEvent(context.Background(), orderPlaced(o)); err != nil {
		t.Fatal(err)
	}
	got, _ := s.GetOrder(context.Background(), o.ID)
	if got.Status != domain.StatusPaid || got.Version != 2 {
		t.Fatalf("order %+v", got)
	}
	// Concurrent deliveries may all reach the provider, but with one
	// idempotency key, which a provider honours by charging once.
	if provider.calls.Load() < 1 {
		t.Fatal("provider never called")
	}
}

func TestDeclinedChargeFailsTheOrder(t *testing.T) {
	s := memstore.New()
	o := placedOrder(t, s)
	provider := &countingProvider{result: payments.ChargeResult{Approved: false, DeclineReason: "insufficient_funds"}}
	receipts := &receiptLog{}
	svc := payments.NewService(s, provider, receipts, time.Now)
	if err := svc.HandleEvent(context.Background(), orderPlaced(o)); err != nil {
		t.Fatal(err)
	}
	got, _ := s.GetOrder(context.Background(), o.ID)
	charge, _ := s.GetCharge(context.Background(), o.ID)
	if got.Status != domain.StatusPaymentFailed || charge.Status != domain.ChargeDeclined || charge.DeclineReason != "insufficient_funds" {
		t.Fatalf("order %s charge %+v", got.Status, charge)
	}
	if len(receipts.keys) != 0 {
		t.Fatal("no receipt for a declined charge")
	}
}

func TestProviderOutageLeavesThePendingChargeForTheRetry(t *testing.T) {
	s := memstore.New()
	o := placedOrder(t, s)
	provider := &countingProvider{err: errors.New("timeout")}
	svc := payments.NewService(s, provider, &receiptLog{}, time.Now)
	if err := svc.HandleEvent(context.Background(), orderPlaced(o)); err == nil {
		t.Fatal("a provider timeout must fail the message so it is retried")
	}
	charge, _ := s.GetCharge(context.Background(), o.ID)
	if charge.Status != domain.ChargePending {
		t.Fatalf("charge %+v", charge)
	}
	provider.err, provider.result = nil, payments.ChargeResult{Approved: true, Reference: "ref-2"}
	if err := svc.HandleEvent(context.Background(), orderPlaced(o)); err != nil {
		t.Fatal(err)
	}
	got, _ := s.GetOrder(context.Background(), o.ID)
	if got.Status != domain.StatusPaid || provider.calls.Load() != 2 {
		t.Fatalf("after retry: %s, %d calls", got.Status, provider.calls.Load())
	}
}

func TestOtherEventsAreIgnored(t *testing.T) {
	s := memstore.New()
	o := placedOrder(t, s)
	provider := &countingProvider{}
	svc := payments.NewService(s, provider, &receiptLog{}, time.Now)
	e := orderPlaced(o)
	e.Type = domainevents.CourierAssigned
	if err := svc.HandleEvent(context.Background(), e); err != nil || provider.calls.Load() != 0 {
		t.Fatalf("err %v calls %d", err, provider.calls.Load())
	}
}
