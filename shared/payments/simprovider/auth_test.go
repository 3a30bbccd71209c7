package simprovider_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/payments"
	"github.com/fooddelivery/serverless-food-delivery/shared/payments/simprovider"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/secret"
)

// secretStore is the secret both sides read (Secrets Manager, deployed): the
// operator rotates it with put.
type secretStore struct {
	mu    sync.Mutex
	value string
	err   error
	reads atomic.Int32
}

func (s *secretStore) Fetch(context.Context) (string, error) {
	s.reads.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.value, s.err
}

func (s *secretStore) put(v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.value = v
}

// keyRig is the deployed arrangement: the provider checks every request
// against the secret; the client presents the secret through a cache whose
// TTL is long enough never to expire in a test, so only a refusal re-reads it.
type keyRig struct {
	books          *simprovider.MemoryBooks
	server         *simprovider.Server
	client         *simprovider.Client
	accepted, ours *secretStore
}

func newKeyRig(t *testing.T, accepted, ours string) *keyRig {
	t.Helper()
	p, books := newProvider(simprovider.Config{})
	r := &keyRig{books: books, accepted: &secretStore{value: accepted}, ours: &secretStore{value: ours}}
	r.server = simprovider.NewServer(p, r.accepted)
	cache, err := secret.NewCache(r.ours, time.Hour, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	r.client = simprovider.NewClient(r.server, cache)
	return r
}

// sameSecret makes the client read the very store the provider checks, as deployed.
func (r *keyRig) sameSecret(t *testing.T) {
	t.Helper()
	r.ours = r.accepted
	cache, err := secret.NewCache(r.accepted, time.Hour, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	r.client = simprovider.NewClient(r.server, cache)
}

func (r *keyRig) records() int {
	charges, refunds := r.books.Records()
	return len(charges) + len(refunds)
}

// ops are the four requests, each made with a given API key against the server.
var ops = map[string]func(ctx context.Context, s *simprovider.Server, apiKey string) error{
	"charge": func(ctx context.Context, s *simprovider.Server, k string) error {
		_, err := s.Charge(ctx, k, req("o-1", simprovider.TokenVisa))
		return err
	},
	"lookup": func(ctx context.Context, s *simprovider.Server, k string) error {
		_, _, err := s.Lookup(ctx, k, "o-1")
		return err
	},
	"void": func(ctx context.Context, s *simprovider.Server, k string) error {
		_, err := s.Void(ctx, k, "o-1")
		return err
	},
	"refund": func(ctx context.Context, s *simprovider.Server, k string) error {
		_, err := s.Refund(ctx, k, payments.RefundRequest{IdempotencyKey: "r-1", ChargeKey: "o-1", AmountMinor: 1000, Currency: "EUR"})
		return err
	},
}

func TestServerRefusesEveryRequestWithoutTheAcceptedKey(t *testing.T) {
	const right = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"
	for op, call := range ops {
		for _, presented := range []string{"", "wrong", right[:len(right)-1], right + "x"} {
			t.Run(fmt.Sprintf("%s/%q", op, presented), func(t *testing.T) {
				r := newKeyRig(t, right, right)
				err := call(context.Background(), r.server, presented)
				var pe *payments.ProviderError
				if !payments.Unauthorized(err) || payments.Transient(err) || !errors.As(err, &pe) || pe.Code != payments.CodeUnauthorized {
					t.Fatalf("%s with key %q: %v; want a 401 unauthorized, not temporary", op, presented, err)
				}
				if n := r.records(); n != 0 {
					t.Fatalf("a refused %s wrote %d records into the provider's books", op, n)
				}
			})
		}
	}
	// The accepted key gets through (a refund of a charge that does not exist is the provider's 400).
	r := newKeyRig(t, right, right)
	if err := ops["charge"](context.Background(), r.server, right); err != nil {
		t.Fatalf("charge with the accepted key: %v", err)
	}
	if err := ops["refund"](context.Background(), r.server, right); err != nil {
		t.Fatalf("refund with the accepted key: %v", err)
	}
}

func TestServerCannotReadItsKeyIsA500(t *testing.T) {
	r := newKeyRig(t, "k", "k")
	r.accepted.err = errors.New("secrets manager unavailable")
	err := ops["charge"](context.Background(), r.server, "k")
	if statusCode(err) != 500 || !payments.Transient(err) || payments.Unauthorized(err) {
		t.Fatalf("err %v, want a temporary 500, not a refusal of our key", err)
	}
}

// TestClientFollowsARotationAtOnce: after the operator puts a new key, the
// provider refuses the client's cached one; the client reads the secret
// again and the same request succeeds. Nothing fails, nothing moves twice,
// and the old key is refused from then on (no grace period).
func TestClientFollowsARotationAtOnce(t *testing.T) {
	r := newKeyRig(t, "key-1", "")
	r.sameSecret(t)
	ctx := context.Background()
	if res, err := r.client.Charge(ctx, req("o-1", simprovider.TokenVisa)); err != nil || res.Outcome != payments.Captured {
		t.Fatalf("before the rotation: %+v %v", res, err)
	}
	r.accepted.put("key-2")
	before := r.accepted.reads.Load()
	res, err := r.client.Charge(ctx, req("o-2", simprovider.TokenVisa))
	if err != nil || res.Outcome != payments.Captured {
		t.Fatalf("right after the rotation: %+v %v; want the charge made with the new key", res, err)
	}
	// Refused once (1 provider read), the cache read again (1), the retry accepted (1 provider read).
	if n := r.accepted.reads.Load() - before; n != 3 {
		t.Fatalf("%d reads of the secret for the charge across the rotation, want 3", n)
	}
	if _, err := r.client.Refund(ctx, payments.RefundRequest{IdempotencyKey: "r-1", ChargeKey: "o-1", AmountMinor: 1000, Currency: "EUR"}); err != nil {
		t.Fatalf("refund with the new key: %v", err)
	}
	charges, refunds := r.books.Records()
	if len(charges) != 2 || len(refunds) != 1 {
		t.Fatalf("books: %d charges, %d refunds; want 2 and 1", len(charges), len(refunds))
	}
	if err := ops["lookup"](ctx, r.server, "key-1"); !payments.Unauthorized(err) {
		t.Fatalf("the rotated-out key: %v; want it refused at once", err)
	}
}

// TestClientGivesUpAfterOneRefreshWhenTheSecretIsWrong: a secret the
// provider does not accept (a typo in the operator's PutSecretValue) ends
// in the provider's refusal after exactly one more read and one retry, with
// nothing charged: the payment service treats that as an operational
// failure (see shared/payments).
func TestClientGivesUpAfterOneRefreshWhenTheSecretIsWrong(t *testing.T) {
	r := newKeyRig(t, "key-1", "typo")
	_, err := r.client.Charge(context.Background(), req("o-1", simprovider.TokenVisa))
	if !payments.Unauthorized(err) {
		t.Fatalf("err %v, want the provider's refusal", err)
	}
	if n := r.ours.reads.Load(); n != 2 {
		t.Fatalf("the client read its secret %d times, want 2 (once, and once after the refusal)", n)
	}
	if r.records() != 0 {
		t.Fatal("something was written to the books")
	}
	// The operator fixes the secret: the next request reads it again and succeeds.
	r.ours.put("key-1")
	if _, err := r.client.Charge(context.Background(), req("o-1", simprovider.TokenVisa)); err != nil {
		t.Fatalf("after the fix: %v", err)
	}
}

func TestClientWithoutAKeyMakesNoRequest(t *testing.T) {
	r := newKeyRig(t, "key-1", "")
	r.ours.err = errors.New("AccessDeniedException")
	_, err := r.client.Charge(context.Background(), req("o-1", simprovider.TokenVisa))
	if err == nil || payments.Unauthorized(err) || payments.Transient(err) {
		t.Fatalf("err %v, want a plain failure (no key, no request)", err)
	}
	if n := r.accepted.reads.Load(); n != 0 {
		t.Fatalf("the provider was asked %d times", n)
	}
}

// TestConcurrentRequestsAcrossARotation (run with -race by make unit): many
// requests in flight while the key rotates all succeed, and the client
// re-reads the secret once for all of them.
func TestConcurrentRequestsAcrossARotation(t *testing.T) {
	r := newKeyRig(t, "key-1", "key-1")
	ctx := context.Background()
	if _, err := r.client.Charge(ctx, req("warm", simprovider.TokenVisa)); err != nil {
		t.Fatal(err)
	}
	r.accepted.put("key-2")
	r.ours.put("key-2")
	const n = 40
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := r.client.Charge(ctx, req(fmt.Sprintf("o-%d", i), simprovider.TokenVisa))
			if err == nil && res.Outcome != payments.Captured {
				err = fmt.Errorf("outcome %s", res.Outcome)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := r.ours.reads.Load(); got != 2 {
		t.Fatalf("the client read the secret %d times for %d concurrent refusals, want 2 in all", got, n)
	}
	if charges, _ := r.books.Records(); len(charges) != n+1 {
		t.Fatalf("%d charges in the books, want %d", len(charges), n+1)
	}
}
