package httpapi_test

import (
	"errors"
	"testing"

	"github.com/fooddelivery/serverless-food-delivery/shared/apischema"
	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/httpapi"
)

// TestDecodeValidatedRefusesCaseVariantNames pins a gap FuzzDecodePlaceOrder's
// round-trip property exposed: encoding/json matches keys to fields ignoring
// case, the schema matches them exactly, so a key like "RESTAURANT_ID" used
// to skip the schema and still land in the field.
func TestDecodeValidatedRefusesCaseVariantNames(t *testing.T) {
	for body, field := range map[string]string{
		`{"restaurant_id":"r1","RESTAURANT_ID":"x","items":[{"item_id":"pizza","quantity":1}],"delivery_location":{"lat":1,"lng":1}}`: "RESTAURANT_ID",
		`{"restaurant_id":"r1","items":[{"item_id":"pizza","quantity":1,"Options":[""]}],"delivery_location":{"lat":1,"lng":1}}`:      "items[0].Options",
		`{"restaurant_id":"r1","items":[{"item_id":"pizza","quantity":1}],"delivery_location":{"lat":1,"lng":1,"LAT":95}}`:            "delivery_location.LAT",
	} {
		var req domain.PlaceOrderRequest
		err := httpapi.DecodeValidated(httpapi.Request{Body: body}, apischema.PlaceOrder, &req)
		var invalid *domain.ValidationError
		if !errors.As(err, &invalid) || invalid.Field != field {
			t.Errorf("%s: %v, want a 400 on %s", body, err, field)
		}
	}
	// Unknown keys that name no field are still ignored, prices included.
	var req domain.PlaceOrderRequest
	body := `{"restaurant_id":"r1","items":[{"item_id":"pizza","quantity":1,"price_minor":1}],"delivery_location":{"lat":1,"lng":1},"total_minor":5}`
	if err := httpapi.DecodeValidated(httpapi.Request{Body: body}, apischema.PlaceOrder, &req); err != nil || req.RestaurantID != "r1" {
		t.Fatalf("unknown fields: %v %+v", err, req)
	}
}
