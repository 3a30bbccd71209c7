package orders_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/fooddelivery/serverless-food-delivery/shared/apischema"
	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/httpapi"
)

// FuzzDecodePlaceOrder feeds POST /orders bodies through what the handler and
// the service do before anything is looked up: the schema check and decoding
// (httpapi.DecodeValidated), then the domain's own validation. It must never
// panic; every refusal must be a *domain.ValidationError naming a field (it
// becomes the 400's "field"); and a body it accepts must be inside the
// contract: the request as the server understood it, encoded again, passes
// the schema and decodes to the same request. `go test` runs the seeds;
// `make fuzz` fuzzes.
func FuzzDecodePlaceOrder(f *testing.F) {
	for _, seed := range []string{
		pizzaOrder,
		`{"restaurant_id":"trattoria-roma","items":[{"item_id":"margherita","quantity":2,"options":["large","extra-cheese"]},{"item_id":"tiramisu","quantity":1}],
		  "delivery_location":{"lat":52.5301,"lng":13.412},"delivery_address":"Invalidenstr. 1, 10115 Berlin","payment_token":"tok_mastercard"}`,
		`{"restaurant_id":"r1","items":[{"item_id":"pizza","quantity":50,"options":[]}],"delivery_location":{"lat":-90,"lng":180},"delivery_address":""}`,
		`{"restaurant_id":"r1","items":[{"item_id":"pizza","quantity":1.0}],"delivery_location":{"lat":1e-3,"lng":-1E2}}`,
		`{"restaurant_id":" ","items":[{"item_id":"pizza","quantity":1}],"delivery_location":{"lat":0,"lng":0}}`,
		`{"restaurant_id":"r1","items":[{"item_id":"pizza","quantity":0}],"delivery_location":{"lat":91,"lng":0}}`,
		`{"restaurant_id":"r1","items":[{"item_id":"pizza","quantity":"2"}],"delivery_location":null}`,
		`{"restaurant_id":"r1","items":{},"delivery_location":{"lat":52.5,"lng":13.4},"payment_token":"tok_"}`,
		`{"restaurant_id":"r1","items":[{"item_id":"pizza","quantity":1}],"delivery_location":{"lat":52.5,"lng":13.4},"delivery_address":"Straße ☃ 1"}`,
		`{"restaurant_id":"r1","restaurant_id":"r2","items":[{"item_id":"pizza","quantity":1}],"delivery_location":{"lat":52.5,"lng":13.4}}`,
		`{"restaurant_id":"r1"} {"restaurant_id":"r2"}`,
		`{"restaurant_id":"r1","items":[`,
		`[1,2,3]`, `"text"`, `null`, `{}`, ``, " \n\t",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var req domain.PlaceOrderRequest
		err := httpapi.DecodeValidated(httpapi.Request{Body: body}, apischema.PlaceOrder, &req)
		if err == nil {
			err = req.Validate()
		}
		if err != nil {
			var invalid *domain.ValidationError
			if !errors.As(err, &invalid) || invalid.Field == "" {
				t.Fatalf("refusal %v (%T) names no field", err, err)
			}
			return
		}
		canonical := encodePlaceOrder(t, req)
		var again domain.PlaceOrderRequest
		if err := httpapi.DecodeValidated(httpapi.Request{Body: string(canonical)}, apischema.PlaceOrder, &again); err != nil {
			t.Fatalf("accepted %q, but the request it decoded to breaks the contract: %s: %v", body, canonical, err)
		}
		if err := again.Validate(); err != nil {
			t.Fatalf("the accepted request fails validation when sent again: %s: %v", canonical, err)
		}
		if !reflect.DeepEqual(normalize(again), normalize(req)) {
			t.Fatalf("round trip changed the request:\n first %+v\nsecond %+v", req, again)
		}
	})
}

// encodePlaceOrder writes a request the way a client would, leaving out
// optional fields that are empty.
func encodePlaceOrder(t *testing.T, req domain.PlaceOrderRequest) []byte {
	items := make([]map[string]any, len(req.Items))
	for i, it := range req.Items {
		items[i] = map[string]any{"item_id": it.ItemID, "quantity": it.Quantity}
		if len(it.Options) > 0 {
			items[i]["options"] = it.Options
		}
	}
	body := map[string]any{"restaurant_id": req.RestaurantID, "items": items, "delivery_location": req.DeliveryLocation}
	if req.DeliveryAddress != "" {
		body["delivery_address"] = req.DeliveryAddress
	}
	if req.PaymentToken != "" {
		body["payment_token"] = req.PaymentToken
	}
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatalf("encode %+v: %v", req, err)
	}
	return raw
}

// normalize makes an empty option list and no option list the same.
func normalize(req domain.PlaceOrderRequest) domain.PlaceOrderRequest {
	items := make([]domain.RequestedItem, len(req.Items))
	for i, it := range req.Items {
		if len(it.Options) == 0 {
			it.Options = nil
		}
		items[i] = it
	}
	req.Items = items
	return req
}
