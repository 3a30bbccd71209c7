package simprovider_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/payments"
	"github.com/fooddelivery/serverless-food-delivery/shared/payments/simprovider"
	"github.com/fooddelivery/serverless-food-delivery/shared/payments/simprovider/bookstest"
)

func newProvider(cfg simprovider.Config) (*simprovider.Provider, *simprovider.MemoryBooks) {
	books := simprovider.NewMemoryBooks()
	return simprovider.New(books, cfg, time.Now), books
}

func req(key, token string) payments.ChargeRequest {
	return payments.ChargeRequest{IdempotencyKey: key, MerchantRef: key, Token: token, AmountMinor: 1000, Currency: "EUR"}
}

func statusCode(err error) int {
	var pe *payments.ProviderError
	if errors.As(err, &pe) {
		return pe.StatusCode
	}
	return -1
}

func TestTokens(t *testing.T) {
	cases := []struct {
		token     string
		outcome   payments.Outcome
		reason    string
		status    int // of the error, when there is one
		temporary bool
	}{
		{simprovider.TokenVisa, payments.Captured, "", 0, false},
		{simprovider.TokenMastercard, payments.Captured, "", 0, false},
		{simprovider.TokenInsufficientFunds, payments.Declined, simprovider.DeclineInsufficientFunds, 0, false},
		{simprovider.TokenExpiredCard, payments.Declined, simprovider.DeclineExpiredCard, 0, false},
		{"tok_stolen_from_a_blog", payments.Declined, simprovider.DeclineInvalidToken, 0, false},
		{simprovider.TokenError5xx, "", "", 503, true},
	}
	for _, c := range cases {
		t.Run(c.token, func(t *testing.T) {
			p, _ := newProvider(simprovider.Config{})
			res, err := p.Charge(context.Background(), req("k", c.token))
			if c.status != 0 {
				if statusCode(err) != c.status || payments.Transient(err) != c.temporary {
					t.Fatalf("err %v, want %d (temporary %v)", err, c.status, c.temporary)
				}
				return
			}
			if err != nil || res.Outcome != c.outcome || res.DeclineReason != c.reason {
				t.Fatalf("result %+v, err %v", res, err)
			}
			if (res.Outcome == payments.Captured) != (res.Reference != "") {
				t.Fatalf("reference %q for %s", res.Reference, res.Outcome)
			}
		})
	}
}

func TestSameKeyReturnsTheFirstAnswer(t *testing.T) {
	p, books := newProvider(simprovider.Config{})
	first, err := p.Charge(context.Background(), req("k", simprovider.TokenVisa))
	if err != nil {
		t.Fatal(err)
	}
	// Even with another card: the key decides, as with real providers.
	again, err := p.Charge(context.Background(), req("k", simprovider.TokenInsufficientFunds))
	if err != nil || again != first {
		t.Fatalf("replay %+v %v, want %+v", again, err, first)
	}
	other := req("k", simprovider.TokenVisa)
	other.AmountMinor = 999
	if _, err := p.Charge(context.Background(), other); statusCode(err) != 409 || payments.Transient(err) {
		t.Fatalf("same key, other amount: %v", err)
	}
	if charges, _ := books.Records(); len(charges) != 1 {
		t.Fatalf("%d records", len(charges))
	}
}

func TestConcurrentRequestsWithOneKeyCaptureOnce(t *testing.T) {
	p, books := newProvider(simprovider.Config{})
	var wg sync.WaitGroup
	refs := make(chan string, 20)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := p.Charge(context.Background(), req("k", simprovider.TokenVisa))
			if err == nil {
				refs <- res.Reference
			}
		}()
	}
	wg.Wait()
	close(refs)
	seen := map[string]bool{}
	for r := range refs {
		seen[r] = true
	}
	if charges, _ := books.Records(); len(charges) != 1 || len(seen) != 1 {
		t.Fatalf("%d records, references %v", len(charges), seen)
	}
}

func TestTimeoutTokensHangPastTheClientTimeout(t *testing.T) {
	for token, captured := range map[string]bool{simprovider.TokenTimeout: false, simprovider.TokenTimeoutAfterCapture: true} {
		t.Run(token, func(t *testing.T) {
			p, _ := newProvider(simprovider.Config{Hang: 10 * time.Second})
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err := p.Charge(ctx, req("k", token))
			if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > time.Second {
				t.Fatalf("err %v after %s, want the client's deadline", err, time.Since(start))
			}
			res, found, err := p.Lookup(context.Background(), "k")
			if err != nil || found != captured || (captured && res.Outcome != payments.Captured) {
				t.Fatalf("lookup %+v found %v err %v", res, found, err)
			}
		})
	}
	// A client without a timeout gets the gateway's 504 eventually.
	p, _ := newProvider(simprovider.Config{Hang: time.Millisecond})
	if _, err := p.Charge(context.Background(), req("k", simprovider.TokenTimeout)); statusCode(err) != 504 || !payments.Transient(err) {
		t.Fatalf("err %v", err)
	}
}

func TestFlakyFailsThenApproves(t *testing.T) {
	p, _ := newProvider(simprovider.Config{FlakyFailures: 2})
	for i := 1; i <= 2; i++ {
		if _, err := p.Charge(context.Background(), req("k", simprovider.TokenFlaky)); statusCode(err) != 503 {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	if res, err := p.Charge(context.Background(), req("k", simprovider.TokenFlaky)); err != nil || res.Outcome != payments.Captured {
		t.Fatalf("third request: %+v %v", res, err)
	}
}

func TestLatencyIsAddedAndHonoursTheClient(t *testing.T) {
	p, _ := newProvider(simprovider.Config{Latency: 30 * time.Millisecond})
	start := time.Now()
	if _, err := p.Charge(context.Background(), req("k", simprovider.TokenVisa)); err != nil || time.Since(start) < 30*time.Millisecond {
		t.Fatalf("answered in %s, err %v", time.Since(start), err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	if _, _, err := p.Lookup(ctx, "k"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v", err)
	}
}

func TestVoid(t *testing.T) {
	p, _ := newProvider(simprovider.Config{})
	// A key never charged is voided, and stays so.
	if res, err := p.Void(context.Background(), "a"); err != nil || res.Outcome != payments.Voided {
		t.Fatalf("void %+v %v", res, err)
	}
	if res, err := p.Charge(context.Background(), req("a", simprovider.TokenVisa)); err != nil || res.Outcome != payments.Voided {
		t.Fatalf("charge after void %+v %v", res, err)
	}
	// A captured key is reported, not voided: the caller must refund it.
	if _, err := p.Charge(context.Background(), req("b", simprovider.TokenVisa)); err != nil {
		t.Fatal(err)
	}
	if res, err := p.Void(context.Background(), "b"); err != nil || res.Outcome != payments.Captured {
		t.Fatalf("void of a capture %+v %v", res, err)
	}
}

func TestRefunds(t *testing.T) {
	p, books := newProvider(simprovider.Config{})
	if _, err := p.Charge(context.Background(), req("k", simprovider.TokenVisa)); err != nil {
		t.Fatal(err)
	}
	refund := payments.RefundRequest{IdempotencyKey: "r-k", ChargeKey: "k", AmountMinor: 1000, Currency: "EUR"}
	first, err := p.Refund(context.Background(), refund)
	if err != nil || first.AmountMinor != 1000 || first.Reference == "" {
		t.Fatalf("refund %+v %v", first, err)
	}
	if again, err := p.Refund(context.Background(), refund); err != nil || again != first {
		t.Fatalf("replay %+v %v", again, err)
	}
	second := refund
	second.IdempotencyKey = "r-k-2"
	if _, err := p.Refund(context.Background(), second); statusCode(err) != 409 {
		t.Fatalf("second refund of one charge: %v", err)
	}
	if _, refunds := books.Records(); len(refunds) != 1 {
		t.Fatalf("%d refunds", len(refunds))
	}
	// Only captured money can be given back, and no more than was taken.
	if _, err := p.Void(context.Background(), "v"); err != nil {
		t.Fatal(err)
	}
	for name, r := range map[string]payments.RefundRequest{
		"unknown charge": {IdempotencyKey: "x", ChargeKey: "nope", AmountMinor: 1, Currency: "EUR"},
		"voided charge":  {IdempotencyKey: "x", ChargeKey: "v", AmountMinor: 1, Currency: "EUR"},
	} {
		if _, err := p.Refund(context.Background(), r); statusCode(err) != 400 || payments.Transient(err) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := p.Charge(context.Background(), req("m", simprovider.TokenVisa)); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Refund(context.Background(), payments.RefundRequest{IdempotencyKey: "x", ChargeKey: "m", AmountMinor: 1001, Currency: "EUR"}); statusCode(err) != 400 {
		t.Errorf("refund above the charge: %v", err)
	}
}

func TestMalformedChargeIsRejected(t *testing.T) {
	p, _ := newProvider(simprovider.Config{})
	bad := req("k", simprovider.TokenVisa)
	bad.Currency = "euro"
	if _, err := p.Charge(context.Background(), bad); statusCode(err) != 400 || payments.Transient(err) {
		t.Fatalf("err %v", err)
	}
}

// failingBooks fails every write, like a storage outage at the provider.
type failingBooks struct{ simprovider.Books }

func (failingBooks) CreateCharge(context.Context, simprovider.ChargeRecord) (simprovider.ChargeRecord, bool, error) {
	return simprovider.ChargeRecord{}, false, errors.New("disk on fire")
}

func TestStorageFailureIsA500(t *testing.T) {
	p := simprovider.New(failingBooks{simprovider.NewMemoryBooks()}, simprovider.Config{}, time.Now)
	if _, err := p.Charge(context.Background(), req("k", simprovider.TokenVisa)); statusCode(err) != 500 || !payments.Transient(err) {
		t.Fatalf("err %v", err)
	}
}

func TestMemoryBooksKeepTheContract(t *testing.T) {
	bookstest.Run(t, simprovider.NewMemoryBooks(), "unit")
}
