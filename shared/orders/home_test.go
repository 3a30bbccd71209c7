package orders_test

import (
	"context"
	"testing"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/orders"
	"github.com/fooddelivery/serverless-food-delivery/shared/store/memstore"
)

// countingStore counts the store calls, each of which is one DynamoDB call in the table adapter.
type countingStore struct {
	*memstore.Store
	calls []string
}

func (c *countingStore) ListRestaurants(ctx context.Context) ([]domain.Restaurant, error) {
	c.calls = append(c.calls, "ListRestaurants")
	return c.Store.ListRestaurants(ctx)
}

func (c *countingStore) ListCustomerOrders(ctx context.Context, id, cursor string, limit int) ([]domain.Order, string, error) {
	c.calls = append(c.calls, "ListCustomerOrders")
	return c.Store.ListCustomerOrders(ctx, id, cursor, limit)
}

func (c *countingStore) HomeFeed(ctx context.Context, id string, limit int) ([]domain.Order, int, error) {
	c.calls = append(c.calls, "HomeFeed")
	return c.Store.HomeFeed(ctx, id, limit)
}

func (c *countingStore) CountUnread(ctx context.Context, id string) (int, error) {
	c.calls = append(c.calls, "CountUnread")
	return c.Store.CountUnread(ctx, id)
}

func (c *countingStore) ListNotifications(ctx context.Context, id string) ([]domain.Notification, error) {
	c.calls = append(c.calls, "ListNotifications")
	return c.Store.ListNotifications(ctx, id)
}

func (c *countingStore) GetTracking(ctx context.Context, id string) (domain.TrackingPosition, error) {
	c.calls = append(c.calls, "GetTracking")
	return c.Store.GetTracking(ctx, id)
}

func TestHomeIsOneResponseFromAtMostTwoCallsOnceTheCatalogueIsCached(t *testing.T) {
	ctx := context.Background()
	mem := memstore.New()
	spots := map[string]domain.LatLng{ // Mitte, Kreuzberg, Prenzlauer Berg
		"mitte": {Lat: 52.520, Lng: 13.405}, "kreuzberg": {Lat: 52.497, Lng: 13.422}, "prenzlberg": {Lat: 52.539, Lng: 13.424},
	}
	for _, id := range []string{"mitte", "kreuzberg", "prenzlberg"} {
		if err := mem.PutMenu(ctx, domain.Menu{Restaurant: domain.Restaurant{ID: id, Name: id, Location: spots[id],
			TimeZone: "Europe/Berlin", Hours: allWeek()}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := mem.PutMenu(ctx, domain.Menu{Restaurant: domain.Restaurant{ID: "closed", Name: "closed", Location: spots["kreuzberg"],
		TimeZone: "Europe/Berlin"}}); err != nil { // no opening hours: never open
		t.Fatal(err)
	}
	store := &countingStore{Store: mem}
	now := clock
	svc := orders.NewService(store, func() time.Time { return now }, func() string { return "x" })
	svc.CacheMenus(time.Minute)

	// A customer who never ordered: every open restaurant, no spot, no active order; the catalogue is read once.
	home, err := svc.Home(ctx, "c-new")
	if err != nil {
		t.Fatal(err)
	}
	if home.Near != nil || home.Active != nil || len(home.Recent) != 0 || len(home.Restaurants) != 3 {
		t.Fatalf("new customer's home %+v", home)
	}
	for _, r := range home.Restaurants {
		if r.ID == "closed" {
			t.Fatal("a closed restaurant is on the home screen")
		}
	}

	// An older order delivered to Mitte, the newest to Kreuzberg and carried by a courier right now.
	old := domain.Order{ID: "o-old", CustomerID: "c-1", Status: domain.StatusDelivered, DeliveryLocation: spots["mitte"],
		CreatedAt: clock.Add(-time.Hour), UpdatedAt: clock.Add(-time.Hour), Version: 5}
	active := domain.Order{ID: "o-new", CustomerID: "c-1", Status: domain.StatusPickedUp, DeliveryLocation: spots["kreuzberg"],
		CourierID: "k-1", CourierName: "Anna", CreatedAt: clock.Add(-time.Minute), UpdatedAt: clock, Version: 4}
	for _, o := range []domain.Order{old, active} {
		if err := mem.CreateOrder(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	fix := domain.TrackingPosition{OrderID: "o-new", CourierID: "k-1", Location: domain.LatLng{Lat: 52.50, Lng: 13.42}, RecordedAt: clock}
	if err := mem.SaveTracking(ctx, fix); err != nil {
		t.Fatal(err)
	}
	// Three notifications, one of them twice (at-least-once delivery), one already read: two unread.
	for i, n := range []domain.Notification{
		{OrderID: "o-old", EventID: "e-1", CustomerID: "c-1", SentAt: clock.Add(-time.Hour)},
		{OrderID: "o-new", EventID: "e-2", CustomerID: "c-1", SentAt: clock.Add(-time.Minute)},
		{OrderID: "o-new", EventID: "e-2", CustomerID: "c-1", SentAt: clock.Add(-time.Minute)},
		{OrderID: "o-new", EventID: "e-3", CustomerID: "c-1", SentAt: clock},
		{OrderID: "o-x", EventID: "e-4", CustomerID: "c-2", SentAt: clock}, // another customer's
	} {
		if _, err := mem.RecordNotification(ctx, n); err != nil {
			t.Fatal(i, err)
		}
	}
	if _, err := mem.MarkRead(ctx, "c-1", []string{"e-1"}, nil, clock); err != nil {
		t.Fatal(err)
	}
	store.calls = nil
	home, err = svc.Home(ctx, "c-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(store.calls) != 2 || store.calls[0] != "HomeFeed" || store.calls[1] != "GetTracking" {
		t.Fatalf("store calls %v, want the orders with the unread count, and the courier's position only (catalogue cached)", store.calls)
	}
	if home.Unread != 2 {
		t.Errorf("unread %d, want 2 (e-2 and e-3; e-1 read, e-2's duplicate and c-2's not counted)", home.Unread)
	}
	if home.Near == nil || *home.Near != spots["kreuzberg"] {
		t.Errorf("near %v, want the newest order's spot (Kreuzberg)", home.Near)
	}
	if got := []string{home.Restaurants[0].ID, home.Restaurants[1].ID, home.Restaurants[2].ID}; got[0] != "kreuzberg" || got[1] != "mitte" || got[2] != "prenzlberg" {
		t.Errorf("restaurants %v, want nearest to Kreuzberg first", got)
	}
	if home.Active == nil || home.Active.ID != "o-new" || home.Position == nil || home.Position.Location != fix.Location || len(home.Recent) != 2 {
		t.Fatalf("active %+v position %+v recent %d", home.Active, home.Position, len(home.Recent))
	}
	view := orders.NewHomeView(home)
	if view.CourierPosition == nil || view.ActiveOrder.CourierName != "Anna" || view.UnreadNotifications != 2 {
		t.Errorf("view %+v", view)
	}

	// Delivered: no active order, no position read, one call.
	active.Status, active.Version = domain.StatusDelivered, 5
	if err := mem.UpdateOrder(ctx, active); err != nil {
		t.Fatal(err)
	}
	store.calls = nil
	if home, err = svc.Home(ctx, "c-1"); err != nil || home.Active != nil || home.Position != nil || len(store.calls) != 1 {
		t.Fatalf("after delivery: %+v calls %v err %v", home, store.calls, err)
	}

	// The cache lasts its ttl, then the catalogue is read again.
	now = now.Add(2 * time.Minute)
	store.calls = nil
	if _, err := svc.Home(ctx, "c-1"); err != nil || len(store.calls) != 2 || store.calls[1] != "ListRestaurants" {
		t.Fatalf("after the ttl: calls %v err %v", store.calls, err)
	}
}

func TestHomeIsForCustomers(t *testing.T) {
	rt, _ := router(t)
	if resp, _ := serve(t, rt, request("GET", "/me/home", "k-1", `["courier"]`, "")); resp.StatusCode != 403 {
		t.Fatalf("courier: %d", resp.StatusCode)
	}
	if resp, body := serve(t, rt, request("GET", "/me/home", "c-1", "", "")); resp.StatusCode != 200 || body["unread_notifications"] != float64(0) {
		t.Fatalf("customer: %d %v", resp.StatusCode, body)
	}
}
