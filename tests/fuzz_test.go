//go:build e2e

package tests

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// badValues are, per field of a place-order body, values that make the
// request invalid whatever the rest says.
var badValues = map[string][]any{
	"restaurant_id":     {nil, 5, "", []any{}, map[string]any{}, strings.Repeat("r", 65), "no-such-restaurant"},
	"items":             {nil, []any{}, map[string]any{}, "pizza", 3, manyItems(51)},
	"delivery_location": {nil, "here", []any{52.5, 13.4}, map[string]any{"lat": 91, "lng": 13.4}, map[string]any{"lat": 52.5}, map[string]any{"lat": "52", "lng": 13.4}, map[string]any{"lat": 52.5, "lng": -181}, map[string]any{"lat": 48.14, "lng": 11.58}},
	"payment_token":     {5, "4111111111111111", "tok_", "TOK_VISA", strings.Repeat("tok_a", 20)},
	"delivery_address":  {7, strings.Repeat("a", 201)},
}

// badItems are invalid values for the first item of the list.
var badItems = []any{
	nil, "margherita", 7,
	map[string]any{"quantity": 1},
	map[string]any{"item_id": "margherita"},
	map[string]any{"item_id": "margherita", "quantity": 0, "options": []any{"regular"}},
	map[string]any{"item_id": "margherita", "quantity": -3, "options": []any{"regular"}},
	map[string]any{"item_id": "margherita", "quantity": 51, "options": []any{"regular"}},
	map[string]any{"item_id": "margherita", "quantity": 1.5, "options": []any{"regular"}},
	map[string]any{"item_id": "margherita", "quantity": "1", "options": []any{"regular"}},
	map[string]any{"item_id": "margherita", "quantity": 1e30, "options": []any{"regular"}},
	map[string]any{"item_id": "margherita", "quantity": 1},                                       // size is required
	map[string]any{"item_id": "margherita", "quantity": 1, "options": []any{"regular", "large"}}, // one size only
	map[string]any{"item_id": "margherita", "quantity": 1, "options": "regular"},
	map[string]any{"item_id": "margherita", "quantity": 1, "options": []any{1}},
	map[string]any{"item_id": "margherita", "quantity": 1, "options": []any{"anchovies"}},
	map[string]any{"item_id": "truffle-risotto", "quantity": 1},
	map[string]any{"item_id": "california-roll-8-pcs", "quantity": 1},
	map[string]any{"item_id": "", "quantity": 1},
}

func manyItems(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = map[string]any{"item_id": "tiramisu", "quantity": 1}
	}
	return out
}

func validOrder() map[string]any {
	return map[string]any{
		"restaurant_id":     "trattoria-roma",
		"items":             []any{map[string]any{"item_id": "margherita", "quantity": 1, "options": []any{"regular"}}},
		"delivery_location": map[string]any{"lat": 52.5301, "lng": 13.412},
	}
}

// malformed returns the i-th malformed body: a field replaced by a bad value,
// a required field removed, a bad first item, truncated JSON, or raw bytes.
func malformed(r *rand.Rand) string {
	body := validOrder()
	switch r.IntN(5) {
	case 0:
		fields := []string{"restaurant_id", "items", "delivery_location", "payment_token", "delivery_address"}
		f := fields[r.IntN(len(fields))]
		body[f] = badValues[f][r.IntN(len(badValues[f]))]
	case 1:
		delete(body, []string{"restaurant_id", "items", "delivery_location"}[r.IntN(3)])
	case 2:
		items := []any{badItems[r.IntN(len(badItems))]}
		if r.IntN(2) == 0 { // a valid item first: the error is in the second
			items = append([]any{map[string]any{"item_id": "tiramisu", "quantity": 1}}, items...)
		}
		body["items"] = items
	case 3:
		raw, _ := json.Marshal(body)
		return string(raw[:r.IntN(len(raw)-1)]) // any proper prefix of an object is not JSON
	default:
		b := make([]byte, r.IntN(64))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		return string(b)
	}
	raw, _ := json.Marshal(body)
	return string(raw)
}

// TestMalformedOrdersNeverFailTheServer sends 1,200 malformed order requests
// (8 at a time) and checks that every one is refused with a 4xx naming a field,
// none is a 5xx, and the customer has no order afterwards.
func TestMalformedOrdersNeverFailTheServer(t *testing.T) {
	const requests, workers = 1200, 8
	token, subject := newCustomer(t)
	r := rand.New(rand.NewPCG(6, 2026))
	bodies := make([]string, requests)
	for i := range bodies {
		bodies[i] = malformed(r)
	}
	statuses := map[int]int{}
	var mu sync.Mutex
	var failures []string
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				resp := call(t, http.MethodPost, "/orders", token, bodies[i])
				errBody, _ := resp.Body["error"].(map[string]any)
				mu.Lock()
				statuses[resp.Status]++
				if resp.Status >= 500 || resp.Status < 400 || errBody["field"] == nil {
					failures = append(failures, fmt.Sprintf("%d %s ← %.200q", resp.Status, resp.Raw, bodies[i]))
				}
				mu.Unlock()
			}
		}()
	}
	for i := range bodies {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	t.Logf("%d malformed requests, statuses %v", requests, statuses)
	if len(failures) > 0 {
		t.Fatalf("%d requests not refused with a 4xx naming a field, e.g.:\n%s", len(failures), strings.Join(failures[:min(5, len(failures))], "\n"))
	}
	out, err := deployed.ddb.Query(context.Background(), &dynamodb.QueryInput{
		TableName: &deployed.out.TableName, IndexName: aws.String("GSI1"),
		KeyConditionExpression: aws.String("GSI1PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: "CUSTOMER#" + subject},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.Count != 0 {
		t.Fatalf("%d orders stored from malformed requests", out.Count)
	}
}
