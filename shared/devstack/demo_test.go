package devstack

import (
	"testing"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
)

// TestDemoCatalogueIsOrderable checks the seed data a newcomer meets: enough
// of it, ids unique, every option group satisfiable, and every dish orderable
// (with its cheapest valid options) from a restaurant that is open.
func TestDemoCatalogueIsOrderable(t *testing.T) {
	menus, err := DemoMenus()
	if err != nil {
		t.Fatal(err)
	}
	items := 0
	restaurants := map[string]bool{}
	monday := time.Date(2026, 11, 23, 12, 30, 0, 0, time.UTC)
	for _, m := range menus {
		if restaurants[m.Restaurant.ID] {
			t.Fatalf("duplicate restaurant %s", m.Restaurant.ID)
		}
		restaurants[m.Restaurant.ID] = true
		if _, err := time.LoadLocation(m.Restaurant.TimeZone); err != nil || len(m.Restaurant.Hours) == 0 {
			t.Fatalf("%s: zone %q, %d opening hours", m.Restaurant.ID, m.Restaurant.TimeZone, len(m.Restaurant.Hours))
		}
		seen := map[string]bool{}
		for _, it := range m.Items {
			if seen[it.ID] || it.PriceMinor <= 0 {
				t.Fatalf("%s/%s: duplicate or unpriced", m.Restaurant.ID, it.ID)
			}
			seen[it.ID] = true
			items++
			if !it.Available || !m.Restaurant.OpenAt(monday) {
				continue
			}
			options, ok := it.MinimalOptions()
			if !ok {
				t.Errorf("%s/%s: a required option group has no available choice", m.Restaurant.ID, it.ID)
				continue
			}
			req := domain.PlaceOrderRequest{RestaurantID: m.Restaurant.ID, DeliveryLocation: &m.Restaurant.Location,
				Items: []domain.RequestedItem{{ItemID: it.ID, Quantity: 1, Options: options}}}
			if _, err := domain.NewOrder("o", "c", req, m, monday); err != nil {
				t.Errorf("%s/%s not orderable: %v", m.Restaurant.ID, it.ID, err)
			}
		}
	}
	if len(menus) < 8 || items < 150 {
		t.Fatalf("%d restaurants, %d items; the demo promises at least 8 and 150", len(menus), items)
	}
}
