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

var clock = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func allWeek() []domain.OpeningHours {
	var h []domain.OpeningHours
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		h = append(h, domain.OpeningHours{Day: d, Open: "00:00", Close: "24:00"})
	}
	return h
}

func router(t *testing.T) (*httpapi.Router, *memstore.Store) {
	t.Helper()
	s := memstore.New()
	_ = s.PutMenu(context.Background(), domain.Menu{
		Restaurant: domain.Restaurant{ID: "r1", Name: "R1", Location: domain.LatLng{Lat: 52.52, Lng: 13.40},
			TimeZone: "Europe/Berlin", Hours: allWeek()},
		Items: []domain.MenuItem{{ID: "pizza", Name: "Pizza", PriceMinor: 950, Available: true}},
	})
	n := 0
	ids := func() string { n++; return fmt.Sprintf("o-%d", n) }
	tick := clock
	now := func() time.Time { tick = tick.Add(time.Second); return tick }
	return orders.NewRouter(orders.NewService(s, now, ids)), s
}

// request builds an API Gateway event; groups is a JSON array or "".
func request(method, path, sub, groups, body string, headers ...string) json.RawMessage {
	auth := ""
	if sub != "" {
		if groups == "" {
			groups = `["customer"]`
		}
		auth = `,"authorizer":{"jwt":{"claims":{"sub":"` + sub + `","cognito:groups":` + groups + `}}}`
	}
	h := map[string]string{}
	for i := 0; i+1 < len(headers); i += 2 {
		h[headers[i]] = headers[i+1]
	}
	hb, _ := json.Marshal(h)
	b, _ := json.Marshal(body)
	rawPath, query, _ := strings.Cut(path, "?")
	qs := map[string]string{}
	for _, kv := range strings.Split(query, "&") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			qs[k] = v
		}
	}
	qb, _ := json.Marshal(qs)
	return json.RawMessage(`{"rawPath":"` + rawPath + `","headers":` + string(hb) + `,"queryStringParameters":` + string(qb) +
		`,"body":` + string(b) + `,"requestContext":{"requestId":"req-1","http":{"method":"` + method + `"}` + auth + `}}`)
}

const pizzaOrder = `{"restaurant_id":"r1","items":[{"item_id":"pizza","quantity":2,"price_minor":1}],"delivery_location":{"lat":52.521,"lng":13.401},"total_minor":5}`

func serve(t *testing.T, rt *httpapi.Router, raw json.RawMessage) (httpapi.Response, map[string]any) {
	t.Helper()
	resp, err := rt.Serve(context.Background(), raw)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	_ = json.Unmarshal([]byte(resp.Body), &body)
	return resp, body
}

func TestPlaceAndReadAnOrder(t *testing.T) {
	rt, s := router(t)
	resp, body := serve(t, rt, request("POST", "/orders", "c-1", "", pizzaOrder))
	if resp.StatusCode != http.StatusCreated || resp.Headers["Location"] != "/orders/o-1" {
		t.Fatalf("place: %d %s", resp.StatusCode, resp.Body)
	}
	// 1900 + fee 199 + 7 % tax of 2099 (146.93 → 147); the client's prices are ignored.
	if body["total_minor"] != float64(1900+199+147) || body["status"] != "PLACED" {
		t.Fatalf("order %s", resp.Body)
	}
	if resp, _ := serve(t, rt, request("GET", "/orders/o-1", "c-1", "", "")); resp.StatusCode != http.StatusOK {
		t.Fatalf("owner read: %d %s", resp.StatusCode, resp.Body)
	}
	if resp, _ := serve(t, rt, request("GET", "/orders/o-1", "c-2", "", "")); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("another customer read: %d %s", resp.StatusCode, resp.Body)
	}
	if resp, _ := serve(t, rt, request("GET", "/orders/o-1", "ops-1", `["ops"]`, "")); resp.StatusCode != http.StatusOK {
		t.Fatalf("ops read: %d %s", resp.StatusCode, resp.Body)
	}
	if resp, _ := serve(t, rt, request("POST", "/orders", "k-1", `["courier"]`, pizzaOrder)); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("courier placing an order: %d %s", resp.StatusCode, resp.Body)
	}
	// Self-signed-up users are in no group and order as customers.
	if resp, _ := serve(t, rt, request("POST", "/orders", "c-3", `[]`, pizzaOrder)); resp.StatusCode != http.StatusCreated {
		t.Fatalf("self-signed-up customer: %d %s", resp.StatusCode, resp.Body)
	}
	if len(s.Orders()) != 2 {
		t.Fatalf("%d orders stored", len(s.Orders()))
	}
}

func TestIdempotencyKey(t *testing.T) {
	rt, s := router(t)
	key := []string{"Idempotency-Key", "3f2a9c1e-retry-key"}
	first, body := serve(t, rt, request("POST", "/orders", "c-1", "", pizzaOrder, key...))
	if first.StatusCode != http.StatusCreated {
		t.Fatalf("first: %d %s", first.StatusCode, first.Body)
	}
	// The same request again (whitespace and ignored fields differ): same order.
	again := strings.Replace(pizzaOrder, `"total_minor":5`, `"total_minor": 99`, 1)
	retry, retryBody := serve(t, rt, request("POST", "/orders", "c-1", "", again, key...))
	if retry.StatusCode != http.StatusOK || retryBody["id"] != body["id"] || retry.Headers["Idempotent-Replayed"] != "true" {
		t.Fatalf("retry: %d %s", retry.StatusCode, retry.Body)
	}
	different := strings.Replace(pizzaOrder, `"quantity":2`, `"quantity":3`, 1)
	clash, clashBody := serve(t, rt, request("POST", "/orders", "c-1", "", different, key...))
	if clash.StatusCode != http.StatusConflict || clashBody["error"].(map[string]any)["field"] != "Idempotency-Key" {
		t.Fatalf("same key, other body: %d %s", clash.StatusCode, clash.Body)
	}
	// Keys are per customer: another customer's identical key is theirs.
	if other, _ := serve(t, rt, request("POST", "/orders", "c-2", "", pizzaOrder, key...)); other.StatusCode != http.StatusCreated {
		t.Fatalf("other customer: %d %s", other.StatusCode, other.Body)
	}
	if bad, _ := serve(t, rt, request("POST", "/orders", "c-1", "", pizzaOrder, "Idempotency-Key", "x")); bad.StatusCode != http.StatusBadRequest {
		t.Fatalf("short key: %d %s", bad.StatusCode, bad.Body)
	}
	if len(s.Orders()) != 2 {
		t.Fatalf("%d orders stored, want 2", len(s.Orders()))
	}
}

func TestRejectedOrdersStoreNothing(t *testing.T) {
	rt, s := router(t)
	for body, field := range map[string]string{
		`{"restaurant_id":"r1","items":[{"item_id":"pizza","quantity":0}],"delivery_location":{"lat":52.52,"lng":13.4}}`:   "items[0].quantity",
		`{"restaurant_id":"r1","items":[{"item_id":"pizza","quantity":"2"}],"delivery_location":{"lat":52.52,"lng":13.4}}`: "items[0].quantity",
		`{"restaurant_id":"r1","items":[{"quantity":1}],"delivery_location":{"lat":52.52,"lng":13.4}}`:                     "items[0].item_id",
		`{"restaurant_id":"nope","items":[{"item_id":"pizza","quantity":1}],"delivery_location":{"lat":52.52,"lng":13.4}}`: "restaurant_id",
		`{"restaurant_id":"r1","items":[{"item_id":"soup","quantity":1}],"delivery_location":{"lat":52.52,"lng":13.4}}`:    "items[0].item_id",
		`{"restaurant_id":"r1","items":[{"item_id":"pizza","quantity":1}],"delivery_location":{"lat":95,"lng":13.4}}`:      "delivery_location.lat",
		`{"restaurant_id":"r1","items":[{"item_id":"pizza","quantity":1}]}`:                                                "delivery_location",
		`{"restaurant_id":"r1","items":[],"delivery_location":{"lat":52.52,"lng":13.4}}`:                                   "items",
		`{"restaurant_id":"r1","items":[`: "body",
		`"just a string"`:                 "body",
	} {
		resp, parsed := serve(t, rt, request("POST", "/orders", "c-1", "", body))
		errBody, _ := parsed["error"].(map[string]any)
		if resp.StatusCode != http.StatusBadRequest || errBody["field"] != field {
			t.Errorf("%s: %d %s, want 400 on %s", body, resp.StatusCode, resp.Body, field)
		}
	}
	if len(s.Orders()) != 0 {
		t.Fatalf("%d orders stored from bad requests", len(s.Orders()))
	}
}

func TestListOrdersNewestFirstInPages(t *testing.T) {
	rt, _ := router(t)
	for i := 0; i < 5; i++ {
		serve(t, rt, request("POST", "/orders", "c-1", "", pizzaOrder))
	}
	serve(t, rt, request("POST", "/orders", "c-2", "", pizzaOrder)) // not c-1's
	var seen []string
	cursor := ""
	for page := 0; page < 5; page++ {
		path := "/orders?limit=2"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		resp, body := serve(t, rt, request("GET", path, "c-1", "", ""))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("page %d: %d %s", page, resp.StatusCode, resp.Body)
		}
		for _, o := range body["orders"].([]any) {
			seen = append(seen, o.(map[string]any)["id"].(string))
		}
		next, _ := body["next_cursor"].(string)
		if next == "" {
			break
		}
		cursor = next
	}
	if strings.Join(seen, ",") != "o-5,o-4,o-3,o-2,o-1" {
		t.Fatalf("listed %v", seen)
	}
	if resp, _ := serve(t, rt, request("GET", "/orders?limit=0", "c-1", "", "")); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("limit 0: %d", resp.StatusCode)
	}
	if resp, _ := serve(t, rt, request("GET", "/orders?cursor=o-6", "c-1", "", "")); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("someone else's cursor: %d %s", resp.StatusCode, resp.Body)
	}
}

func TestCancelBeforePickupOnly(t *testing.T) {
	rt, s := router(t)
	ctx := context.Background()
	serve(t, rt, request("POST", "/orders", "c-1", "", pizzaOrder))
	if resp, _ := serve(t, rt, request("POST", "/orders/o-1/cancel", "c-2", "", "")); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("stranger cancels: %d", resp.StatusCode)
	}
	for i := 0; i < 2; i++ { // cancelling twice is harmless
		resp, body := serve(t, rt, request("POST", "/orders/o-1/cancel", "c-1", "", ""))
		if resp.StatusCode != http.StatusOK || body["status"] != "CANCELLED" {
			t.Fatalf("cancel %d: %d %s", i, resp.StatusCode, resp.Body)
		}
	}
	if o, _ := s.GetOrder(ctx, "o-1"); o.Version != 2 {
		t.Fatalf("second cancel wrote again: version %d", o.Version)
	}

	// An assigned courier is freed by the cancellation.
	_, _ = s.CreateCourier(ctx, domain.Courier{ID: "k1", Status: domain.CourierAssigned, OrderID: "o-2"})
	_ = s.CreateOrder(ctx, domain.Order{ID: "o-2", CustomerID: "c-1", Status: domain.StatusCourierAssigned, CourierID: "k1", Version: 3})
	if resp, _ := serve(t, rt, request("POST", "/orders/o-2/cancel", "c-1", "", "")); resp.StatusCode != http.StatusOK {
		t.Fatalf("cancel assigned: %d %s", resp.StatusCode, resp.Body)
	}
	if k, _ := s.GetCourier(ctx, "k1"); k.Status != domain.CourierAvailable || k.OrderID != "" {
		t.Fatalf("courier not freed: %+v", k)
	}

	_ = s.CreateOrder(ctx, domain.Order{ID: "o-3", CustomerID: "c-1", Status: domain.StatusPickedUp, CourierID: "k1", Version: 4})
	resp, body := serve(t, rt, request("POST", "/orders/o-3/cancel", "c-1", "", ""))
	if resp.StatusCode != http.StatusConflict || body["error"].(map[string]any)["code"] != "invalid_transition" {
		t.Fatalf("cancel after pickup: %d %s", resp.StatusCode, resp.Body)
	}
}

func TestMenuCacheServesWarmInvocations(t *testing.T) {
	s := memstore.New()
	counting := &countingMenus{Store: s}
	_ = s.PutMenu(context.Background(), domain.Menu{Restaurant: domain.Restaurant{ID: "r1"}})
	now := clock
	cache := orders.NewMenuCache(counting, time.Minute, func() time.Time { return now })
	for i := 0; i < 3; i++ {
		if _, err := cache.GetMenu(context.Background(), "r1"); err != nil {
			t.Fatal(err)
		}
	}
	now = now.Add(2 * time.Minute)
	_, _ = cache.GetMenu(context.Background(), "r1")
	if _, err := cache.GetMenu(context.Background(), "missing"); err == nil {
		t.Fatal("missing menu found")
	}
	if counting.reads != 3 { // first read, read after expiry, the missing one
		t.Fatalf("%d reads", counting.reads)
	}
}

type countingMenus struct {
	*memstore.Store
	reads int
}

func (c *countingMenus) GetMenu(ctx context.Context, id string) (domain.Menu, error) {
	c.reads++
	return c.Store.GetMenu(ctx, id)
}

func TestCatalogueIsPublic(t *testing.T) {
	rt, _ := router(t)
	resp, _ := serve(t, rt, request("GET", "/restaurants", "", "", ""))
	if resp.StatusCode != 200 || !strings.Contains(resp.Body, `"id":"r1"`) || !strings.Contains(resp.Body, `"opening_hours"`) {
		t.Fatalf("restaurants: %d %s", resp.StatusCode, resp.Body)
	}
	resp, _ = serve(t, rt, request("GET", "/restaurants/r1/menu", "", "", ""))
	if resp.StatusCode != 200 || !strings.Contains(resp.Body, `"price_minor":950`) {
		t.Fatalf("menu: %d %s", resp.StatusCode, resp.Body)
	}
	resp, _ = serve(t, rt, request("GET", "/restaurants/zz/menu", "", "", ""))
	if resp.StatusCode != 404 {
		t.Fatalf("unknown menu: %d", resp.StatusCode)
	}
}

func TestIdempotencyIgnoresHowOptionsAreSpelled(t *testing.T) {
	rt, s := router(t)
	_ = s.PutMenu(context.Background(), domain.Menu{
		Restaurant: domain.Restaurant{ID: "r2", Name: "R2", Location: domain.LatLng{Lat: 52.52, Lng: 13.40},
			TimeZone: "Europe/Berlin", Hours: allWeek()},
		Items: []domain.MenuItem{
			{ID: "bowl", Name: "Bowl", PriceMinor: 900, Available: true, OptionGroups: []domain.OptionGroup{
				{ID: "toppings", Name: "Toppings", Min: 0, Max: 2, Choices: []domain.OptionChoice{
					{ID: "egg", Name: "Egg", PriceMinor: 100, Available: true},
					{ID: "kimchi", Name: "Kimchi", PriceMinor: 150, Available: true},
				}},
			}},
			{ID: "tea", Name: "Tea", PriceMinor: 300, Available: true},
		},
	})
	key := []string{"Idempotency-Key", "spelling-retry-1"}
	body := func(bowlOptions, teaOptions string) string {
		return `{"restaurant_id":"r2","items":[{"item_id":"bowl","quantity":1` + bowlOptions + `},{"item_id":"tea","quantity":1` + teaOptions + `}],"delivery_location":{"lat":52.521,"lng":13.401}}`
	}
	first, _ := serve(t, rt, request("POST", "/orders", "c-1", "", body(`,"options":["kimchi","egg"]`, ``), key...))
	retry, _ := serve(t, rt, request("POST", "/orders", "c-1", "", body(`,"options":["egg","kimchi"]`, `,"options":[]`), key...))
	if first.StatusCode != http.StatusCreated || retry.StatusCode != http.StatusOK {
		t.Fatalf("first %d %s, retry %d %s", first.StatusCode, first.Body, retry.StatusCode, retry.Body)
	}
}
