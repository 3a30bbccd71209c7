// Package bookstest is the behaviour every simprovider.Books must have, as a
// test both implementations run: the memory books in unit tests, the DynamoDB
// books on the emulator (tests/payments_test.go). It keeps them identical.
package bookstest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/payments"
	"github.com/fooddelivery/serverless-food-delivery/shared/payments/simprovider"
)

// Run checks books; keyPrefix keeps its keys apart from anything else there.
func Run(t *testing.T, books simprovider.Books, keyPrefix string) {
	t.Helper()
	ctx := context.Background()
	key := func(s string) string { return fmt.Sprintf("%s-%d-%s", keyPrefix, time.Now().UnixNano(), s) }
	at := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

	// A key unknown to the books.
	if _, found, err := books.GetCharge(ctx, key("none")); err != nil || found {
		t.Errorf("unknown key: found %v, err %v", found, err)
	}

	// The first record of a key stays; later ones get it back.
	k := key("charge")
	first := simprovider.ChargeRecord{Key: k, MerchantRef: "o-1", Token: "tok_visa", AmountMinor: 1234, Currency: "EUR",
		Status: payments.Captured, Reference: "ch_1", CreatedAt: at}
	stored, created, err := books.CreateCharge(ctx, first)
	if err != nil || !created || stored != first {
		t.Fatalf("first create: %+v created %v err %v", stored, created, err)
	}
	stored, created, err = books.CreateCharge(ctx, simprovider.ChargeRecord{Key: k, Status: payments.Voided, CreatedAt: at})
	if err != nil || created || stored != first {
		t.Errorf("second create: %+v created %v err %v, want the first back", stored, created, err)
	}
	if got, found, err := books.GetCharge(ctx, k); err != nil || !found || got != first {
		t.Errorf("get: %+v found %v err %v", got, found, err)
	}

	// Racing creators: one wins, all see the winner.
	race := key("race")
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen, creators := map[int64]int{}, 0
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			rec, created, err := books.CreateCharge(ctx, simprovider.ChargeRecord{Key: race, AmountMinor: int64(i + 1), Status: payments.Captured, CreatedAt: at})
			if err != nil {
				t.Errorf("racing create: %v", err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			seen[rec.AmountMinor]++
			if created {
				creators++
			}
		}(i)
	}
	wg.Wait()
	if len(seen) != 1 || creators != 1 {
		t.Errorf("racing creators: %d created, they saw %v; want one winner everyone sees", creators, seen)
	}

	// One refund per charge.
	refund := simprovider.RefundRecord{ChargeKey: k, Key: "refund-" + k, MerchantRef: "o-1", AmountMinor: 1234, Currency: "EUR", Reference: "re_1", CreatedAt: at}
	if got, created, err := books.CreateRefund(ctx, refund); err != nil || !created || got != refund {
		t.Errorf("first refund: %+v created %v err %v", got, created, err)
	}
	other := refund
	other.Key = "another-key"
	if got, created, err := books.CreateRefund(ctx, other); err != nil || created || got != refund {
		t.Errorf("second refund: %+v created %v err %v, want the first back", got, created, err)
	}

	// Request counts start at 1 and grow by one.
	rk := key("requests")
	for want := 1; want <= 3; want++ {
		if n, err := books.CountRequest(ctx, rk); err != nil || n != want {
			t.Errorf("request %d counted as %d, err %v", want, n, err)
		}
	}
}
