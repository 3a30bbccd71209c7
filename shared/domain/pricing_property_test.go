package domain_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
)

// randomRequest draws a valid request for testMenu: random dishes, quantities
// and option choices that respect every group's bounds.
func randomRequest(r *rand.Rand) domain.PlaceOrderRequest {
	n := 1 + r.IntN(8)
	req := request()
	for range n {
		switch r.IntN(2) {
		case 0:
			req.Items = append(req.Items, domain.RequestedItem{ItemID: "cake", Quantity: 1 + r.IntN(3)})
		default:
			opts := []string{[]string{"regular", "large"}[r.IntN(2)]}
			extras := []string{"cheese", "olives"}
			r.Shuffle(len(extras), func(i, j int) { extras[i], extras[j] = extras[j], extras[i] })
			opts = append(opts, extras[:r.IntN(3)]...)
			req.Items = append(req.Items, domain.RequestedItem{ItemID: "pizza", Quantity: 1 + r.IntN(3), Options: opts})
		}
	}
	req.DeliveryLocation = &domain.LatLng{Lat: 52.52 + (r.Float64()-0.5)*0.2, Lng: 13.40 + (r.Float64()-0.5)*0.2}
	return req
}

// TestPricingInvariants checks, over many random orders, the rules a customer
// trusts: every cent of the total is accounted for by lines, fee and tax; a
// line is its unit price times its quantity; a unit price is the menu price
// plus the chosen options; and neither the order of the items nor splitting a
// line changes the total.
func TestPricingInvariants(t *testing.T) {
	r := rand.New(rand.NewPCG(20261123, 1))
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for i := 0; i < 2000; i++ {
		req := randomRequest(r)
		o, err := domain.NewOrder("o", "c", req, testMenu, now)
		if err != nil {
			t.Fatalf("case %d: %v for %+v", i, err, req)
		}
		var sum int64
		for _, l := range o.Lines {
			item, _ := testMenu.Item(l.ItemID)
			unit := item.PriceMinor
			for _, opt := range l.Options {
				unit += opt.PriceMinor
			}
			if l.UnitPrice != unit || l.LineTotal != l.UnitPrice*int64(l.Quantity) || l.Quantity < 1 {
				t.Fatalf("case %d: line %+v, want unit %d", i, l, unit)
			}
			sum += l.LineTotal
		}
		if o.SubtotalMinor != sum || o.TotalMinor != sum+o.DeliveryFeeMinor+o.TaxMinor {
			t.Fatalf("case %d: subtotal %d (lines %d), total %d", i, o.SubtotalMinor, sum, o.TotalMinor)
		}
		if o.TaxMinor != domain.Tax(o.SubtotalMinor+o.DeliveryFeeMinor) || o.DeliveryFeeMinor < 199 {
			t.Fatalf("case %d: tax %d fee %d", i, o.TaxMinor, o.DeliveryFeeMinor)
		}

		shuffled := req
		shuffled.Items = append([]domain.RequestedItem(nil), req.Items...)
		r.Shuffle(len(shuffled.Items), func(a, b int) { shuffled.Items[a], shuffled.Items[b] = shuffled.Items[b], shuffled.Items[a] })
		if o2, _ := domain.NewOrder("o", "c", shuffled, testMenu, now); o2.TotalMinor != o.TotalMinor {
			t.Fatalf("case %d: item order changed the total: %d vs %d", i, o2.TotalMinor, o.TotalMinor)
		}

		split := req
		split.Items = nil
		for _, it := range req.Items {
			for range it.Quantity {
				one := it
				one.Quantity = 1
				split.Items = append(split.Items, one)
			}
		}
		if len(split.Items) <= domain.MaxOrderLines {
			if o3, err := domain.NewOrder("o", "c", split, testMenu, now); err != nil || o3.TotalMinor != o.TotalMinor || len(o3.Lines) != len(o.Lines) {
				t.Fatalf("case %d: splitting lines changed the order: %v %d vs %d", i, err, o3.TotalMinor, o.TotalMinor)
			}
		}
	}
}
