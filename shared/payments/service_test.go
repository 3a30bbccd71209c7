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
	"github.com/fooddelivery/serverless-food-delivery/shared/payments/simprovider"
	"github.com/fooddelivery/serverless-food-delivery/shared/store/memstore"
)

// testPolicy keeps the provider's timeouts in milliseconds so the tests run
// fast; backoff waits are recorded, not slept.
var testPolicy = payments.Policy{
	CallTimeout: 30 * time.Millisecond, Attempts: 3,
	BackoffBase: 10 * time.Millisecond, BackoffMax: 25 * time.Millisecond,
	GiveUpAfter: 2, Reserve: 0,
}

// countingProvider wraps a provider and counts the requests per operation.
type countingProvider struct {
	payments.Provider
	charges, lookups, voids, refunds atomic.Int32
}

func (p *countingProvider) Charge(ctx context.Context, req payments.ChargeRequest) (payments.ChargeResult, error) {
	p.charges.Add(1)
	return p.Provider.Charge(ctx, req)
}

func (p *countingProvider) Lookup(ctx context.Context, key string) (payments.ChargeResult, bool, error) {
	p.lookups.Add(1)
	return p.Provider.Lookup(ctx, key)
}

func (p *countingProvider) Void(ctx context.Context, key string) (payments.ChargeResult, error) {
	p.voids.Add(1)
	return p.Provider.Void(ctx, key)
}

func (p *countingProvider) Refund(ctx context.Context, req payments.RefundRequest) (payments.RefundResult, error) {
	p.refunds.Add(1)
	return p.Provider.Refund(ctx, req)
}

type receiptLog struct {
	mu   sync.Mutex
	keys []string
	fail error
}

func (r *receiptLog) PutReceipt(_ context.Context, o domain.Order, _ domain.Charge) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	r.keys = append(r.keys, o.ID)
	return nil
}

func (r *receiptLog) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.keys)
}

// rig is a payment service over the in-memory store and the simulated
// provider with in-memory books.
type rig struct {
	t        *testing.T
	store    *memstore.Store
	books    *simprovider.MemoryBooks
	provider *countingProvider
	receipts *receiptLog
	svc      *payments.Service
	mu       sync.Mutex
	waits    []time.Duration
}

func newRig(t *testing.T) *rig {
	t.Helper()
	r := &rig{t: t, store: memstore.New(), books: simprovider.NewMemoryBooks(), receipts: &receiptLog{}}
	sim := simprovider.New(r.books, simprovider.Config{Hang: 5 * time.Second, FlakyFailures: 2}, time.Now)
	r.provider = &countingProvider{Provider: sim}
	r.svc = r.service(r.provider)
	return r
}

func (r *rig) service(p payments.Provider) *payments.Service {
	return payments.NewService(r.store, p, r.receipts, time.Now, payments.WithPolicy(testPolicy),
		payments.WithSleep(func(_ context.Context, d time.Duration) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.waits = append(r.waits, d)
			return nil
		}))
}

func (r *rig) place(id, token string) domain.Order {
	r.t.Helper()
	o := domain.Order{ID: id, CustomerID: "c-1", Status: domain.StatusPlaced, Version: 1,
		TotalMinor: 2349, Currency: "EUR", PaymentToken: token, CreatedAt: time.Now()}
	if err := r.store.CreateOrder(context.Background(), o); err != nil {
		r.t.Fatal(err)
	}
	return o
}

func (r *rig) order(id string) domain.Order {
	r.t.Helper()
	o, err := r.store.GetOrder(context.Background(), id)
	if err != nil {
		r.t.Fatal(err)
	}
	return o
}

func (r *rig) charge(id string) domain.Charge {
	r.t.Helper()
	c, err := r.store.GetCharge(context.Background(), id)
	if err != nil {
		r.t.Fatal(err)
	}
	return c
}

// move transitions an order the way another writer (the API, assignment)
// would, through the store's version check.
func (r *rig) move(id string, to domain.Status) domain.Order {
	r.t.Helper()
	o := r.order(id)
	if err := o.Transition(to, "", time.Now()); err != nil {
		r.t.Fatal(err)
	}
	if err := r.store.UpdateOrder(context.Background(), o); err != nil {
		r.t.Fatal(err)
	}
	return o
}

// deliver hands the order's current event to the service as SQS delivery n.
func (r *rig) deliver(id string, n int) error {
	r.t.Helper()
	e, ok := domainevents.FromOrder(r.order(id))
	if !ok {
		r.t.Fatalf("no event for order %s", id)
	}
	return r.svc.HandleEvent(context.Background(), e, n)
}

// money is what the provider's books say moved for an order.
func (r *rig) money(id string) (captured, refunded int64) {
	charges, refunds := r.books.Records()
	for _, c := range charges {
		if c.Key == id && c.Status == payments.Captured {
			captured += c.AmountMinor
		}
	}
	for _, rf := range refunds {
		if rf.ChargeKey == id {
			refunded += rf.AmountMinor
		}
	}
	return captured, refunded
}

func TestDuplicateOrderPlacedEventsChargeOnce(t *testing.T) {
	r := newRig(t)
	o := r.place("o-1", simprovider.TokenVisa)
	evt, _ := domainevents.FromOrder(o)
	for i := 1; i <= 3; i++ {
		if err := r.svc.HandleEvent(context.Background(), evt, 1); err != nil {
			t.Fatalf("delivery %d: %v", i, err)
		}
	}
	if n := r.provider.charges.Load(); n != 1 {
		t.Fatalf("provider asked to charge %d times for one order", n)
	}
	got, c := r.order(o.ID), r.charge(o.ID)
	if got.Status != domain.StatusPaid || got.Version != 2 || got.CausationID != evt.ID {
		t.Fatalf("order %+v", got)
	}
	if c.Status != domain.ChargeCaptured || c.AmountMinor != 2349 || c.ProviderRef == "" {
		t.Fatalf("charge %+v", c)
	}
	if captured, _ := r.money(o.ID); captured != 2349 || r.receipts.count() != 1 {
		t.Fatalf("captured %d, receipts %d", captured, r.receipts.count())
	}
}

func TestConcurrentDuplicatesChargeOnce(t *testing.T) {
	r := newRig(t)
	o := r.place("o-1", simprovider.TokenVisa)
	evt, _ := domainevents.FromOrder(o)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = r.svc.HandleEvent(context.Background(), evt, 1) // losers fail and are retried
		}()
	}
	wg.Wait()
	if err := r.svc.HandleEvent(context.Background(), evt, 1); err != nil { // the retry after the race
		t.Fatal(err)
	}
	if got := r.order(o.ID); got.Status != domain.StatusPaid || got.Version != 2 {
		t.Fatalf("order %+v", got)
	}
	// Concurrent deliveries may all reach the provider, but under one
	// idempotency key: the provider's books hold one capture.
	charges, _ := r.books.Records()
	if captured, _ := r.money(o.ID); len(charges) != 1 || captured != 2349 {
		t.Fatalf("provider records %+v", charges)
	}
}

func TestHardDeclinesAreFinal(t *testing.T) {
	for token, reason := range map[string]string{
		simprovider.TokenInsufficientFunds: simprovider.DeclineInsufficientFunds,
		simprovider.TokenExpiredCard:       simprovider.DeclineExpiredCard,
		"tok_unknown_card":                 simprovider.DeclineInvalidToken,
	} {
		t.Run(token, func(t *testing.T) {
			r := newRig(t)
			r.place("o-1", token)
			if err := r.deliver("o-1", 1); err != nil {
				t.Fatal(err)
			}
			got, c := r.order("o-1"), r.charge("o-1")
			if got.Status != domain.StatusPaymentFailed || c.Status != domain.ChargeDeclined || c.DeclineReason != reason {
				t.Fatalf("order %s, charge %+v", got.Status, c)
			}
			if r.provider.charges.Load() != 1 || len(r.waits) != 0 || r.receipts.count() != 0 {
				t.Fatalf("a decline was retried (%d calls, waits %v) or got a receipt", r.provider.charges.Load(), r.waits)
			}
		})
	}
}

func TestTransientFailuresAreRetriedWithJitteredBackoff(t *testing.T) {
	r := newRig(t)
	r.place("o-1", simprovider.TokenFlaky) // two 503s, then approved
	if err := r.deliver("o-1", 1); err != nil {
		t.Fatal(err)
	}
	if got := r.order("o-1"); got.Status != domain.StatusPaid {
		t.Fatalf("order %s", got.Status)
	}
	if r.provider.charges.Load() != 3 || len(r.waits) != 2 {
		t.Fatalf("%d charge requests, waits %v; want 3 requests with 2 backoffs", r.provider.charges.Load(), r.waits)
	}
	// Full jitter: each wait is at most the exponential bound, capped.
	for i, bound := range []time.Duration{testPolicy.BackoffBase, min(2*testPolicy.BackoffBase, testPolicy.BackoffMax)} {
		if r.waits[i] < 0 || r.waits[i] > bound {
			t.Errorf("wait %d = %s, want within [0, %s]", i, r.waits[i], bound)
		}
	}
	if captured, _ := r.money("o-1"); captured != 2349 {
		t.Fatalf("captured %d", captured)
	}
}

func TestTimeoutAfterCaptureIsResolvedByLookup(t *testing.T) {
	r := newRig(t)
	r.place("o-1", simprovider.TokenTimeoutAfterCapture)
	start := time.Now()
	if err := r.deliver("o-1", 1); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > time.Second {
		t.Fatalf("the client timeout (%s) did not cut the hanging provider short: %s", testPolicy.CallTimeout, took)
	}
	if r.provider.charges.Load() != 3 || r.provider.lookups.Load() != 1 {
		t.Fatalf("%d charges, %d lookups", r.provider.charges.Load(), r.provider.lookups.Load())
	}
	if got, c := r.order("o-1"), r.charge("o-1"); got.Status != domain.StatusPaid || c.Status != domain.ChargeCaptured || c.ProviderRef == "" {
		t.Fatalf("order %s charge %+v", got.Status, c)
	}
	if r.receipts.count() != 1 {
		t.Fatal("no receipt")
	}
}

func TestUnansweredChargeIsRetriedThenVoidedAndFailed(t *testing.T) {
	for _, token := range []string{simprovider.TokenTimeout, simprovider.TokenError5xx} {
		t.Run(token, func(t *testing.T) {
			r := newRig(t)
			r.place("o-1", token)
			err := r.deliver("o-1", 1)
			if err == nil || !payments.Transient(err) {
				t.Fatalf("first delivery: %v, want a transient error so SQS retries", err)
			}
			if got, c := r.order("o-1"), r.charge("o-1"); got.Status != domain.StatusPlaced || c.Status != domain.ChargePending {
				t.Fatalf("after delivery 1: order %s charge %s", got.Status, c.Status)
			}
			if r.provider.voids.Load() != 0 {
				t.Fatal("voided before the give-up delivery")
			}
			if err := r.deliver("o-1", testPolicy.GiveUpAfter); err != nil {
				t.Fatal(err)
			}
			got, c := r.order("o-1"), r.charge("o-1")
			if got.Status != domain.StatusPaymentFailed || c.Status != domain.ChargeVoided || c.DeclineReason != payments.ReasonProviderUnavailable {
				t.Fatalf("after giving up: order %s charge %+v", got.Status, c)
			}
			// The key is voided at the provider: nothing can capture late.
			late, err := r.provider.Provider.Charge(context.Background(), payments.ChargeRequest{
				IdempotencyKey: "o-1", Token: simprovider.TokenVisa, AmountMinor: 2349, Currency: "EUR"})
			if err != nil || late.Outcome != payments.Voided {
				t.Fatalf("a late charge under the voided key: %+v %v", late, err)
			}
			if captured, _ := r.money("o-1"); captured != 0 {
				t.Fatalf("captured %d for a failed payment", captured)
			}
		})
	}
}

// scripted answers every call with the given functions (nil: not expected).
type scripted struct {
	charge func() (payments.ChargeResult, error)
	lookup func() (payments.ChargeResult, bool, error)
	void   func() (payments.ChargeResult, error)
	refund func() (payments.RefundResult, error)
}

func (s scripted) Charge(context.Context, payments.ChargeRequest) (payments.ChargeResult, error) {
	return s.charge()
}
func (s scripted) Lookup(context.Context, string) (payments.ChargeResult, bool, error) {
	return s.lookup()
}
func (s scripted) Void(context.Context, string) (payments.ChargeResult, error) { return s.void() }
func (s scripted) Refund(context.Context, payments.RefundRequest) (payments.RefundResult, error) {
	return s.refund()
}

var unavailable = &payments.ProviderError{Op: "x", StatusCode: 503, Code: "service_unavailable", Temporary: true}

func TestGiveUpTakesACaptureThatBeatTheVoid(t *testing.T) {
	r := newRig(t)
	r.place("o-1", simprovider.TokenVisa)
	svc := r.service(scripted{
		charge: func() (payments.ChargeResult, error) { return payments.ChargeResult{}, unavailable },
		lookup: func() (payments.ChargeResult, bool, error) { return payments.ChargeResult{}, false, unavailable },
		void: func() (payments.ChargeResult, error) {
			return payments.ChargeResult{Outcome: payments.Captured, Reference: "ch_1", AmountMinor: 2349}, nil
		},
	})
	e, _ := domainevents.FromOrder(r.order("o-1"))
	if err := svc.HandleEvent(context.Background(), e, testPolicy.GiveUpAfter); err != nil {
		t.Fatal(err)
	}
	if got, c := r.order("o-1"), r.charge("o-1"); got.Status != domain.StatusPaid || c.ProviderRef != "ch_1" {
		t.Fatalf("order %s charge %+v", got.Status, c)
	}
}

func TestAFailedVoidKeepsTheOrderForTheNextDelivery(t *testing.T) {
	r := newRig(t)
	r.place("o-1", simprovider.TokenVisa)
	svc := r.service(scripted{
		charge: func() (payments.ChargeResult, error) { return payments.ChargeResult{}, unavailable },
		lookup: func() (payments.ChargeResult, bool, error) { return payments.ChargeResult{}, false, nil },
		void:   func() (payments.ChargeResult, error) { return payments.ChargeResult{}, unavailable },
	})
	e, _ := domainevents.FromOrder(r.order("o-1"))
	if err := svc.HandleEvent(context.Background(), e, testPolicy.GiveUpAfter+1); err == nil {
		t.Fatal("giving up without a void must fail the delivery")
	}
	if got := r.order("o-1"); got.Status != domain.StatusPlaced {
		t.Fatalf("order %s", got.Status)
	}
}

func TestRejectedRequestFailsThePaymentAtOnce(t *testing.T) {
	r := newRig(t)
	r.place("o-1", simprovider.TokenVisa)
	// The provider already holds this key for another amount: a 409 that no
	// retry can fix.
	if _, _, err := r.books.CreateCharge(context.Background(), simprovider.ChargeRecord{Key: "o-1", AmountMinor: 1, Currency: "EUR", Status: payments.Captured}); err != nil {
		t.Fatal(err)
	}
	if err := r.deliver("o-1", 1); err != nil {
		t.Fatal(err)
	}
	if got, c := r.order("o-1"), r.charge("o-1"); got.Status != domain.StatusPaymentFailed || c.DeclineReason != payments.ReasonProviderRejected {
		t.Fatalf("order %s charge %+v", got.Status, c)
	}
	if r.provider.charges.Load() != 1 {
		t.Fatalf("a rejected request was retried %d times", r.provider.charges.Load())
	}
}

func TestOtherErrorsFailTheDelivery(t *testing.T) {
	r := newRig(t)
	r.place("o-1", simprovider.TokenVisa)
	boom := errors.New("boom")
	svc := r.service(scripted{charge: func() (payments.ChargeResult, error) { return payments.ChargeResult{}, boom }})
	e, _ := domainevents.FromOrder(r.order("o-1"))
	if err := svc.HandleEvent(context.Background(), e, 1); !errors.Is(err, boom) {
		t.Fatalf("err %v", err)
	}
	if got := r.order("o-1"); got.Status != domain.StatusPlaced {
		t.Fatalf("order %s", got.Status)
	}
}

func TestNoProviderCallStartsThatCannotFinishInTime(t *testing.T) {
	r := newRig(t)
	r.place("o-1", simprovider.TokenVisa)
	ctx, cancel := context.WithTimeout(context.Background(), testPolicy.CallTimeout/2)
	defer cancel()
	e, _ := domainevents.FromOrder(r.order("o-1"))
	if err := r.svc.HandleEvent(ctx, e, 1); !payments.Transient(err) {
		t.Fatalf("err %v, want a transient error", err)
	}
	if r.provider.charges.Load() != 0 {
		t.Fatal("a provider call was started with less time left than its timeout")
	}
}

func TestReceiptFailureRetriesWithoutChargingTwice(t *testing.T) {
	r := newRig(t)
	r.place("o-1", simprovider.TokenVisa)
	r.receipts.fail = errors.New("s3 down")
	if err := r.deliver("o-1", 1); err == nil {
		t.Fatal("a missing receipt must fail the delivery")
	}
	if got := r.order("o-1"); got.Status != domain.StatusPlaced {
		t.Fatalf("order %s without a receipt", got.Status)
	}
	r.receipts.fail = nil
	if err := r.deliver("o-1", 2); err != nil {
		t.Fatal(err)
	}
	charges, _ := r.books.Records()
	if got := r.order("o-1"); got.Status != domain.StatusPaid || len(charges) != 1 || r.receipts.count() != 1 {
		t.Fatalf("order %s, provider records %d, receipts %d", got.Status, len(charges), r.receipts.count())
	}
}

func TestOtherEventsAndStatusesAreIgnored(t *testing.T) {
	r := newRig(t)
	o := r.place("o-1", simprovider.TokenVisa)
	e, _ := domainevents.FromOrder(o)
	e.Type = domainevents.CourierAssigned
	if err := r.svc.HandleEvent(context.Background(), e, 1); err != nil {
		t.Fatal(err)
	}
	r.move("o-1", domain.StatusPaid) // paid by someone else
	e.Type = domainevents.OrderPlaced
	if err := r.svc.HandleEvent(context.Background(), e, 1); err != nil {
		t.Fatal(err)
	}
	// OrderCancelled for an order that is not cancelled: nothing to refund.
	e.Type = domainevents.OrderCancelled
	if err := r.svc.HandleEvent(context.Background(), e, 1); err != nil {
		t.Fatal(err)
	}
	if r.provider.charges.Load()+r.provider.refunds.Load()+r.provider.voids.Load() != 0 {
		t.Fatal("the provider was called")
	}
}

// --- the refund half of the saga -----------------------------------------------------------------

func TestCancelledPaidOrderIsRefundedOnce(t *testing.T) {
	r := newRig(t)
	r.place("o-1", simprovider.TokenVisa)
	if err := r.deliver("o-1", 1); err != nil {
		t.Fatal(err)
	}
	r.move("o-1", domain.StatusCancelled)
	cancelled, _ := domainevents.FromOrder(r.order("o-1"))
	for i := 1; i <= 3; i++ { // at-least-once delivery
		if err := r.svc.HandleEvent(context.Background(), cancelled, 1); err != nil {
			t.Fatalf("delivery %d: %v", i, err)
		}
	}
	got := r.order("o-1")
	refund, err := r.store.GetRefund(context.Background(), "o-1")
	if err != nil || got.Status != domain.StatusRefunded || got.CausationID != cancelled.ID {
		t.Fatalf("order %+v, refund err %v", got, err)
	}
	if refund.Status != domain.RefundDone || refund.AmountMinor != 2349 || refund.Reason != domain.RefundReasonCancelled || refund.ProviderRef == "" {
		t.Fatalf("refund %+v", refund)
	}
	if captured, refunded := r.money("o-1"); captured != 2349 || refunded != 2349 || r.provider.refunds.Load() != 1 {
		t.Fatalf("captured %d refunded %d in %d provider refunds", captured, refunded, r.provider.refunds.Load())
	}
}

func TestNoCourierOrderIsRefunded(t *testing.T) {
	r := newRig(t)
	r.place("o-1", simprovider.TokenVisa)
	if err := r.deliver("o-1", 1); err != nil {
		t.Fatal(err)
	}
	r.move("o-1", domain.StatusNoCourier)
	if err := r.deliver("o-1", 1); err != nil {
		t.Fatal(err)
	}
	refund, _ := r.store.GetRefund(context.Background(), "o-1")
	if got := r.order("o-1"); got.Status != domain.StatusRefunded || refund.Reason != domain.RefundReasonNoCourier {
		t.Fatalf("order %s refund %+v", got.Status, refund)
	}
	if captured, refunded := r.money("o-1"); captured != refunded {
		t.Fatalf("captured %d refunded %d", captured, refunded)
	}
}

func TestNoCourierWithoutAChargeIsAnError(t *testing.T) {
	r := newRig(t)
	r.place("o-1", simprovider.TokenVisa)
	r.move("o-1", domain.StatusPaid)
	r.move("o-1", domain.StatusNoCourier)
	if err := r.deliver("o-1", 1); err == nil {
		t.Fatal("a NO_COURIER order with no charge must go to the DLQ, not pass silently")
	}
}

func TestCancelBeforeChargeLeavesATombstone(t *testing.T) {
	r := newRig(t)
	placed := r.place("o-1", simprovider.TokenVisa)
	r.move("o-1", domain.StatusCancelled)
	// OrderCancelled is handled first, then the late OrderPlaced arrives.
	if err := r.deliver("o-1", 1); err != nil {
		t.Fatal(err)
	}
	if c := r.charge("o-1"); c.Status != domain.ChargeVoided || c.DeclineReason != domain.RefundReasonCancelled {
		t.Fatalf("charge %+v", c)
	}
	e, _ := domainevents.FromOrder(placed)
	if err := r.svc.HandleEvent(context.Background(), e, 1); err != nil {
		t.Fatal(err)
	}
	if got := r.order("o-1"); got.Status != domain.StatusCancelled || r.provider.charges.Load() != 0 {
		t.Fatalf("order %s after %d charge requests", got.Status, r.provider.charges.Load())
	}
}

func TestTombstoneStopsACharge(t *testing.T) {
	// The charge step read the order PLACED just before it was cancelled and
	// the refund step left its tombstone: BeginCharge finds it and stops.
	r := newRig(t)
	placed := r.place("o-1", simprovider.TokenVisa)
	if _, _, err := r.store.BeginCharge(context.Background(), domain.Charge{OrderID: "o-1", Status: domain.ChargeVoided}); err != nil {
		t.Fatal(err)
	}
	e, _ := domainevents.FromOrder(placed)
	if err := r.svc.HandleEvent(context.Background(), e, 1); err != nil || r.provider.charges.Load() != 0 {
		t.Fatalf("err %v, %d charge requests", err, r.provider.charges.Load())
	}
}

func TestCancelWhileChargingRefundsTheCaptureThatWon(t *testing.T) {
	r := newRig(t)
	r.place("o-1", simprovider.TokenTimeoutAfterCapture)
	// The charge step began and the provider captured, but the answer is
	// lost; before anyone learns it, the customer cancels.
	gate := make(chan struct{})
	blocked := scripted{charge: func() (payments.ChargeResult, error) {
		<-gate
		return payments.ChargeResult{}, unavailable
	}}
	charging := r.service(&countingProvider{Provider: combine(blocked, r.provider)})
	done := make(chan error, 1)
	placed, _ := domainevents.FromOrder(r.order("o-1"))
	go func() { done <- charging.HandleEvent(context.Background(), placed, 1) }()
	waitFor(t, func() bool { _, err := r.store.GetCharge(context.Background(), "o-1"); return err == nil })
	if _, err := r.provider.Provider.Charge(context.Background(), payments.ChargeRequest{IdempotencyKey: "o-1",
		MerchantRef: "o-1", Token: simprovider.TokenVisa, AmountMinor: 2349, Currency: "EUR"}); err != nil {
		t.Fatal(err) // the capture the lost answer was about
	}
	r.move("o-1", domain.StatusCancelled)
	if err := r.deliver("o-1", 1); err != nil { // OrderCancelled
		t.Fatal(err)
	}
	close(gate)
	if err := <-done; err == nil {
		t.Fatal("the charge step must not settle an order that was cancelled under it")
	}
	if err := r.svc.HandleEvent(context.Background(), placed, 2); err != nil { // its retry
		t.Fatal(err)
	}
	got, c := r.order("o-1"), r.charge("o-1")
	if got.Status != domain.StatusRefunded || c.Status != domain.ChargeCaptured {
		t.Fatalf("order %s, charge %s", got.Status, c.Status)
	}
	if captured, refunded := r.money("o-1"); captured != 2349 || refunded != 2349 {
		t.Fatalf("captured %d refunded %d", captured, refunded)
	}
}

func TestCancelWhileChargingVoidsTheKeyBeforeACapture(t *testing.T) {
	r := newRig(t)
	r.place("o-1", simprovider.TokenTimeout)
	if err := r.deliver("o-1", 1); err == nil { // the charge hangs; outcome unknown
		t.Fatal("want a failed delivery")
	}
	r.move("o-1", domain.StatusCancelled)
	if err := r.deliver("o-1", 1); err != nil { // OrderCancelled: void the in-flight key
		t.Fatal(err)
	}
	if c := r.charge("o-1"); c.Status != domain.ChargeVoided {
		t.Fatalf("charge %+v", c)
	}
	// A charge request still in flight at the provider now gets Voided.
	late, err := r.provider.Provider.Charge(context.Background(), payments.ChargeRequest{IdempotencyKey: "o-1",
		Token: simprovider.TokenVisa, AmountMinor: 2349, Currency: "EUR"})
	if err != nil || late.Outcome != payments.Voided {
		t.Fatalf("late charge: %+v %v", late, err)
	}
	if got := r.order("o-1"); got.Status != domain.StatusCancelled || r.provider.refunds.Load() != 0 {
		t.Fatalf("order %s, %d refunds", got.Status, r.provider.refunds.Load())
	}
}

func TestRefundRetriesTransientFailuresAndNeverGivesUp(t *testing.T) {
	r := newRig(t)
	r.place("o-1", simprovider.TokenVisa)
	if err := r.deliver("o-1", 1); err != nil {
		t.Fatal(err)
	}
	r.move("o-1", domain.StatusCancelled)
	failing := r.service(combine(scripted{refund: func() (payments.RefundResult, error) { return payments.RefundResult{}, unavailable }}, r.provider))
	cancelled, _ := domainevents.FromOrder(r.order("o-1"))
	for attempt := 1; attempt <= 5; attempt++ { // far past any give-up: refunds do not give up
		if err := failing.HandleEvent(context.Background(), cancelled, attempt); !payments.Transient(err) {
			t.Fatalf("attempt %d: %v", attempt, err)
		}
	}
	if refund, _ := r.store.GetRefund(context.Background(), "o-1"); refund.Status != domain.RefundPending || r.order("o-1").Status != domain.StatusCancelled {
		t.Fatalf("refund %+v", refund)
	}
	if err := r.svc.HandleEvent(context.Background(), cancelled, 1); err != nil { // the provider is back
		t.Fatal(err)
	}
	if captured, refunded := r.money("o-1"); r.order("o-1").Status != domain.StatusRefunded || captured != refunded {
		t.Fatalf("order %s, captured %d refunded %d", r.order("o-1").Status, captured, refunded)
	}
}

// combine answers with the scripted functions that are set and forwards the
// rest to p.
func combine(s scripted, p payments.Provider) payments.Provider { return combined{s, p} }

type combined struct {
	s scripted
	p payments.Provider
}

func (c combined) Charge(ctx context.Context, req payments.ChargeRequest) (payments.ChargeResult, error) {
	if c.s.charge != nil {
		return c.s.charge()
	}
	return c.p.Charge(ctx, req)
}
func (c combined) Lookup(ctx context.Context, k string) (payments.ChargeResult, bool, error) {
	if c.s.lookup != nil {
		return c.s.lookup()
	}
	return c.p.Lookup(ctx, k)
}
func (c combined) Void(ctx context.Context, k string) (payments.ChargeResult, error) {
	if c.s.void != nil {
		return c.s.void()
	}
	return c.p.Void(ctx, k)
}
func (c combined) Refund(ctx context.Context, req payments.RefundRequest) (payments.RefundResult, error) {
	if c.s.refund != nil {
		return c.s.refund()
	}
	return c.p.Refund(ctx, req)
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestPolicy(t *testing.T) {
	if err := payments.DefaultPolicy().Validate(); err != nil {
		t.Fatal(err)
	}
	bad := testPolicy
	bad.Attempts = 0
	if bad.Validate() == nil {
		t.Error("zero attempts accepted")
	}
	// 3 charges of 30 ms with 2 backoffs of up to 25 ms, a lookup and a void.
	if got, want := testPolicy.MessageBudget(), 3*30*time.Millisecond+2*25*time.Millisecond+2*30*time.Millisecond; got != want {
		t.Errorf("budget %s, want %s", got, want)
	}
}

// staleStore answers the first GetOrder with an old snapshot, like a read
// that raced another writer.
type staleStore struct {
	*memstore.Store
	stale *domain.Order
	// resolved, when set, is what another delivery resolves the charge to
	// just before this one tries.
	resolved *domain.Charge
}

func (s *staleStore) GetOrder(ctx context.Context, id string) (domain.Order, error) {
	if s.stale != nil {
		o := *s.stale
		s.stale = nil
		return o, nil
	}
	return s.Store.GetOrder(ctx, id)
}

func (s *staleStore) ResolveCharge(ctx context.Context, c domain.Charge) error {
	if s.resolved != nil {
		if err := s.Store.ResolveCharge(ctx, *s.resolved); err != nil {
			return err
		}
		s.resolved = nil
	}
	return s.Store.ResolveCharge(ctx, c)
}

func TestChargeAfterAStaleReadStopsQuietly(t *testing.T) {
	r := newRig(t)
	placed := r.place("o-1", simprovider.TokenVisa)
	r.move("o-1", domain.StatusCancelled)
	if err := r.deliver("o-1", 1); err != nil { // the refund step's tombstone
		t.Fatal(err)
	}
	stale := &staleStore{Store: r.store, stale: &placed}
	svc := payments.NewService(stale, r.provider, r.receipts, time.Now, payments.WithPolicy(testPolicy))
	e, _ := domainevents.FromOrder(placed)
	if err := svc.HandleEvent(context.Background(), e, 1); err != nil || r.provider.charges.Load() != 0 {
		t.Fatalf("err %v after %d charge requests", err, r.provider.charges.Load())
	}
	// A final charge under an order that really is PLACED cannot be explained: DLQ.
	r.place("o-2", simprovider.TokenVisa)
	if _, _, err := r.store.BeginCharge(context.Background(), domain.Charge{OrderID: "o-2", Status: domain.ChargeCaptured}); err != nil {
		t.Fatal(err)
	}
	if err := r.deliver("o-2", 1); err == nil {
		t.Fatal("a settled charge under a PLACED order must fail the delivery")
	}
}

func TestRefundUsesTheChargeAnotherDeliveryResolved(t *testing.T) {
	r := newRig(t)
	r.place("o-1", simprovider.TokenTimeoutAfterCapture)
	if err := r.deliver("o-1", 1); err != nil { // captured; learnt by lookup; PAID
		t.Fatal(err)
	}
	// Rewind the ledger to PENDING as if the charge step had crashed before settling, then cancel.
	s := memstore.New()
	o := r.order("o-1")
	o.Status, o.Version = domain.StatusPlaced, 1
	_ = s.CreateOrder(context.Background(), o)
	_, _, _ = s.BeginCharge(context.Background(), domain.Charge{OrderID: "o-1", AmountMinor: 2349, Currency: "EUR", Status: domain.ChargePending})
	_ = o.Transition(domain.StatusCancelled, "", time.Now())
	_ = s.UpdateOrder(context.Background(), o)
	captured := r.charge("o-1")
	store := &staleStore{Store: s, resolved: &captured}
	svc := payments.NewService(store, r.provider, r.receipts, time.Now, payments.WithPolicy(testPolicy))
	e, _ := domainevents.FromOrder(o)
	if err := svc.HandleEvent(context.Background(), e, 1); err != nil {
		t.Fatal(err)
	}
	got, _ := s.GetOrder(context.Background(), "o-1")
	refund, _ := s.GetRefund(context.Background(), "o-1")
	if got.Status != domain.StatusRefunded || refund.Status != domain.RefundDone {
		t.Fatalf("order %s refund %+v", got.Status, refund)
	}
}
