//go:build e2e

package tests

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TestBadOrdersAreRejectedAndNothingStored sends malformed orders and checks
// each gets a 400 naming the field, and that the table holds no order of the
// customer afterwards.
func TestBadOrdersAreRejectedAndNothingStored(t *testing.T) {
	token, subject := newCustomer(t)
	item := func(id string, qty int) []map[string]any { return []map[string]any{{"item_id": id, "quantity": qty}} }
	where := map[string]any{"lat": 52.53, "lng": 13.41}
	cases := []struct {
		name  string
		body  any
		field string
	}{
		{"malformed JSON", `{"restaurant_id": "trattoria-roma", "items": [`, "body"},
		{"not an object", `[1, 2, 3]`, "body"},
		{"empty body", ``, "body"},
		{"missing restaurant", map[string]any{"items": item("margherita", 1), "delivery_location": where}, "restaurant_id"},
		{"unknown restaurant", map[string]any{"restaurant_id": "no-such-place", "items": item("margherita", 1), "delivery_location": where}, "restaurant_id"},
		{"missing items", map[string]any{"restaurant_id": "trattoria-roma", "delivery_location": where}, "items"},
		{"unknown item", map[string]any{"restaurant_id": "trattoria-roma", "items": item("sushi", 1), "delivery_location": where}, "items[0].item_id"},
		{"unavailable item", map[string]any{"restaurant_id": "trattoria-roma", "items": item("truffle-risotto", 1), "delivery_location": where}, "items[0].item_id"},
		{"zero quantity", map[string]any{"restaurant_id": "trattoria-roma", "items": item("margherita", 0), "delivery_location": where}, "items[0].quantity"},
		{"negative quantity", map[string]any{"restaurant_id": "trattoria-roma", "items": item("margherita", -2), "delivery_location": where}, "items[0].quantity"},
		{"quantity not a number", `{"restaurant_id":"trattoria-roma","items":[{"item_id":"margherita","quantity":"two"}],"delivery_location":{"lat":52.53,"lng":13.41}}`, "items[0].quantity"},
		{"missing delivery location", map[string]any{"restaurant_id": "trattoria-roma", "items": item("margherita", 1)}, "delivery_location"},
		{"latitude out of range", map[string]any{"restaurant_id": "trattoria-roma", "items": item("margherita", 1), "delivery_location": map[string]any{"lat": 91, "lng": 13.4}}, "delivery_location.lat"},
		{"too far away", map[string]any{"restaurant_id": "trattoria-roma", "items": item("margherita", 1), "delivery_location": map[string]any{"lat": 48.14, "lng": 11.58}}, "delivery_location"},
		{"body over 64 KiB", `{"restaurant_id":"trattoria-roma","padding":"` + strings.Repeat("x", 65*1024) + `"}`, "body"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := call(t, http.MethodPost, "/orders", token, tc.body)
			if resp.Status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", resp.Status, resp.Raw)
			}
			errBody, _ := resp.Body["error"].(map[string]any)
			if errBody["field"] != tc.field || errBody["code"] != "invalid_request" || errBody["message"] == "" {
				t.Fatalf("error %s, want field %q", resp.Raw, tc.field)
			}
		})
	}
	out, err := deployed.ddb.Query(context.Background(), &dynamodb.QueryInput{
		TableName:              &deployed.out.TableName,
		IndexName:              aws.String("GSI1"),
		KeyConditionExpression: aws.String("GSI1PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: "CUSTOMER#" + subject},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.Count != 0 {
		t.Fatalf("%d orders stored for a customer whose every order was refused", out.Count)
	}
}

// TestTokensAreRequired checks the JWT authorizer: no token and a forged token
// are refused with 401 before any function runs; the catalogue is public.
func TestTokensAreRequired(t *testing.T) {
	body := map[string]any{"restaurant_id": "trattoria-roma"}
	if resp := call(t, http.MethodPost, "/orders", "", body); resp.Status != http.StatusUnauthorized {
		t.Errorf("no token: %d %s", resp.Status, resp.Raw)
	}
	forged := "eyJhbGciOiJSUzI1NiIsImtpZCI6ImZvcmdlZCJ9.eyJzdWIiOiJtYWxsb3J5IiwiY29nbml0bzpncm91cHMiOlsib3BzIl19.c2lnbmF0dXJl"
	if resp := call(t, http.MethodPost, "/orders", forged, body); resp.Status != http.StatusUnauthorized {
		t.Errorf("forged token: %d %s", resp.Status, resp.Raw)
	}
	if resp := call(t, http.MethodGet, "/orders/anything/tracking", "", nil); resp.Status != http.StatusUnauthorized {
		t.Errorf("tracking without token: %d %s", resp.Status, resp.Raw)
	}
	resp := call(t, http.MethodGet, "/restaurants", "", nil)
	list, _ := resp.Body["restaurants"].([]any)
	if resp.Status != http.StatusOK || len(list) == 0 {
		t.Errorf("public catalogue: %d %s", resp.Status, resp.Raw)
	}
}
