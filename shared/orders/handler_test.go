package orders_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/orders"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/httpapi"
	"github.com/fooddelivery/serverless-food-delivery/shared/store/memstore"
)

func router(t *testing.T) (*httpapi.Router, *memstore.Store) {
	t.Helper()
	s := memstore.New()
	_ = s.PutMenu(context.Background(), domain.Menu{
		Restaurant: domain.Restaurant{ID: "r1", Name: "R1", Location: domain.LatLng{Lat: 52.52, Lng: 13.40}},
		Items:      []domain.MenuItem{{ID: "pizza", Name: "Pizza", PriceMinor: 950, Available: true}},
	})
	n := 0
	ids := func() string { n++; return fmt.Sprintf("o-%d", n) }
	return orders.NewRouter(orders.NewService(s, time.Now, ids)), s
}

func request(method, path, sub, body string) json.RawMessage {
	auth := ""
	if sub != "" {
		auth = `,"authorizer":{"jwt":{"claims":{"sub":"` + sub + `","cognito:groups":["customer"]}}}`
	}
	b, _ := json.Marshal(body)
	return json.RawMessage(`{"rawPath":"` + path + `","body":` + string(b) +
		`,"requestContext":{"requestId":"req-1","http":{"method":"` + method + `"}` + auth + `}}`)
}

func TestPlaceAndReadAnOrder(t *testing.T) {
	rt, s := router(t)
	ctx := context.Background()
	resp, _ := rt.Serve(ctx, request("POST", "/orders", "c-1",
		`{"restaurant_id":"r1","items":[{"item_id":"pizza","quantity":2,"price_minor":1}],"delivery_location":{"lat":52.521,"lng":13.401},"total_minor":5}`))
	if resp.StatusCode != http.StatusCreated || resp.Headers["Location"] != "/orders/o-1" {
		t.Fatalf("place: %d %s", resp.StatusCode, resp.Body)
	}
	var placed domain.Order
	_ = json.Unmarshal([]byte(resp.Body), &placed)
	if placed.TotalMinor != 2*950+199 || placed.CustomerID != "c-1" {
		t.Fatalf("client prices must be ignored: %+v", placed)
	}
	resp, _ = rt.Serve(ctx, request("GET", "/orders/o-1", "c-1", ""))
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, `"status":"PLACED"`) {
		t.Fatalf("owner read: %d %s", resp.StatusCode, resp.Body)
	}
	resp, _ = rt.Serve(ctx, request("GET", "/orders/o-1", "c-2", ""))
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("another customer read: %d %s", resp.StatusCode, resp.Body)
	}
	if len(s.Orders()) != 1 {
		t.Fatalf("%d orders stored", len(s.Orders()))
	}
}

func TestRejectedOrdersStoreNothing(t *testing.T) {
	rt, s := router(t)
	for body, field := range map[string]string{
		`{"restaurant_id":"r1","items":[{"item_id":"pizza","quantity":0}],"delivery_location":{"lat":52.52,"lng":13.4}}`:   "items[0].quantity",
		`{"restaurant_id":"nope","items":[{"item_id":"pizza","quantity":1}],"delivery_location":{"lat":52.52,"lng":13.4}}`: "restaurant_id",
		`{"restaurant_id":"r1","items":[{"item_id":"soup","quantity":1}],"delivery_location":{"lat":52.52,"lng":13.4}}`:    "items[0].item_id",
		`{"restaurant_id":"r1","items":[`: "body",
	} {
		resp, _ := rt.Serve(context.Background(), request("POST", "/orders", "c-1", body))
		var e httpapi.ErrorBody
		_ = json.Unmarshal([]byte(resp.Body), &e)
		if resp.StatusCode != http.StatusBadRequest || e.Error.Field != field {
			t.Errorf("%s: %d %s, want 400 on %s", body, resp.StatusCode, resp.Body, field)
		}
	}
	if len(s.Orders()) != 0 {
		t.Fatalf("%d orders stored from bad requests", len(s.Orders()))
	}
}

func TestCatalogueIsPublic(t *testing.T) {
	rt, _ := router(t)
	resp, _ := rt.Serve(context.Background(), request("GET", "/restaurants", "", ""))
	if resp.StatusCode != 200 || !strings.Contains(resp.Body, `"id":"r1"`) {
		t.Fatalf("restaurants: %d %s", resp.StatusCode, resp.Body)
	}
	resp, _ = rt.Serve(context.Background(), request("GET", "/restaurants/r1/menu", "", ""))
	if resp.StatusCode != 200 || !strings.Contains(resp.Body, `"price_minor":950`) {
		t.Fatalf("menu: %d %s", resp.StatusCode, resp.Body)
	}
	resp, _ = rt.Serve(context.Background(), request("GET", "/restaurants/zz/menu", "", ""))
	if resp.StatusCode != 404 {
		t.Fatalf("unknown menu: %d", resp.StatusCode)
	}
}
