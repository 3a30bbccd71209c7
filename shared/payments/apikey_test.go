package payments_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/payments"
	"github.com/fooddelivery/serverless-food-delivery/shared/payments/simprovider"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/secret"
)

// keyStore is the client's secret, which a test can get wrong and fix.
type keyStore struct {
	mu    sync.Mutex
	value string
}

func (k *keyStore) Fetch(context.Context) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.value, nil
}

func (k *keyStore) put(v string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.value = v
}

// TestARefusedAPIKeyIsNeverADecline: while the provider refuses our key, every
// delivery of OrderPlaced fails (SQS retries it, then its DLQ and alarm), the
// give-up delivery included: the order stays PLACED, nothing is charged,
// voided or declined. Once the key is fixed the same order is charged once.
// A refund meets the same refusal the same way.
func TestARefusedAPIKeyIsNeverADecline(t *testing.T) {
	r := newRig(t)
	ours := &keyStore{value: "revoked-key"}
	cache, err := secret.NewCache(ours, time.Hour, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	server := simprovider.NewServer(simprovider.New(r.books, simprovider.Config{}, time.Now),
		secret.SourceFunc(func(context.Context) (string, error) { return "key-1", nil }))
	r.svc = r.service(simprovider.NewClient(server, cache))

	r.place("o-1", simprovider.TokenVisa)
	for attempt := 1; attempt <= testPolicy.GiveUpAfter+1; attempt++ {
		err := r.deliver("o-1", attempt)
		if !payments.Unauthorized(err) {
			t.Fatalf("delivery %d: %v; want the delivery failed with the provider's refusal", attempt, err)
		}
		if o, c := r.order("o-1"), r.charge("o-1"); o.Status != domain.StatusPlaced || c.Status != domain.ChargePending {
			t.Fatalf("delivery %d left the order %s and its charge %s; want PLACED and PENDING", attempt, o.Status, c.Status)
		}
	}
	if charges, refunds := r.books.Records(); len(charges)+len(refunds) != 0 {
		t.Fatalf("the provider's books hold %v %v: a refused key moved or voided something", charges, refunds)
	}

	ours.put("key-1") // the operator fixes the secret; the next delivery reads it after one more refusal
	if err := r.deliver("o-1", testPolicy.GiveUpAfter+2); err != nil {
		t.Fatal(err)
	}
	if o := r.order("o-1"); o.Status != domain.StatusPaid {
		t.Fatalf("order %s after the fix, want PAID", o.Status)
	}

	// The order is cancelled; meanwhile the provider moved to key-2 and our secret holds a typo.
	r.move("o-1", domain.StatusCancelled)
	server = simprovider.NewServer(simprovider.New(r.books, simprovider.Config{}, time.Now),
		secret.SourceFunc(func(context.Context) (string, error) { return "key-2", nil }))
	r.svc = r.service(simprovider.NewClient(server, cache))
	ours.put("key-2-typo")
	if err := r.deliver("o-1", 1); !payments.Unauthorized(err) {
		t.Fatalf("refund with a refused key: %v", err)
	}
	if o := r.order("o-1"); o.Status != domain.StatusCancelled {
		t.Fatalf("order %s, want CANCELLED until the refund can be made", o.Status)
	}
	if captured, refunded := r.money("o-1"); captured != 2349 || refunded != 0 {
		t.Fatalf("captured %d refunded %d", captured, refunded)
	}
	ours.put("key-2")
	if err := r.deliver("o-1", 2); err != nil {
		t.Fatal(err)
	}
	if captured, refunded := r.money("o-1"); captured != 2349 || refunded != 2349 || r.order("o-1").Status != domain.StatusRefunded {
		t.Fatalf("captured %d refunded %d status %s", captured, refunded, r.order("o-1").Status)
	}
}
