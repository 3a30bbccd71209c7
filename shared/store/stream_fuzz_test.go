package store

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
)

// FuzzOrderFromImage feeds DynamoDB stream images, in the JSON form Lambda
// receives them, to OrderFromImage. It must never panic (the stream publisher
// would crash on the record and retry it forever), and an order it decodes
// must survive the table and the stream again unchanged. `go test` runs the
// seeds; `make fuzz` fuzzes.
func FuzzOrderFromImage(f *testing.F) {
	f.Add(imageJSON(f, sampleOrder()))
	bare := domain.Order{ID: "o-2", Status: domain.StatusPlaced, Version: 1}
	f.Add(imageJSON(f, bare))
	for _, seed := range []string{
		`{"type":{"S":"order"},"order_id":{"S":"o-3"},"version":{"N":"x"}}`,
		`{"type":{"S":"order"},"lines":{"L":[{"M":{"quantity":{"N":"1e99"}}}]},"created_at":{"N":"1"}}`,
		`{"type":{"S":"order"},"lines":{"S":"not a list"},"pickup_lat":{"BOOL":true}}`,
		`{"type":{"S":"order"},"lines":{"L":[{"NULL":true}]},"created_at":{"S":"yesterday"}}`,
		`{"type":{"S":"order"},"causation_id":{"SS":["a","b"]},"courier_id":{"B":"AAEC"}}`,
		`{"type":{"N":"1"}}`, `{"type":{"S":"courier"}}`, `{"type":{"NULL":true}}`, `{}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var image map[string]events.DynamoDBAttributeValue
		if err := json.Unmarshal(raw, &image); err != nil {
			return // not an image Lambda could hand us
		}
		o, ok, err := OrderFromImage(image)
		if err != nil || !ok {
			return
		}
		av, err := attributevalue.MarshalMap(toOrderItem(o))
		if err != nil {
			t.Fatalf("decoded order %+v does not go back into the table: %v", o, err)
		}
		o2, ok, err := OrderFromImage(toStream(t, av))
		if err != nil || !ok {
			t.Fatalf("order %+v written back is not an order image: ok=%v err=%v", o, ok, err)
		}
		// %+v, not reflect.DeepEqual: NaN never equals itself, and times
		// with equal zones may hold different *time.Location pointers.
		if a, b := fmt.Sprintf("%+v", o), fmt.Sprintf("%+v", o2); a != b {
			t.Fatalf("round trip changed the order:\n first %s\nsecond %s", a, b)
		}
	})
}

// imageJSON is the stream image of o as Lambda receives it.
func imageJSON(tb testing.TB, o domain.Order) []byte {
	av, err := attributevalue.MarshalMap(toOrderItem(o))
	if err != nil {
		tb.Fatal(err)
	}
	raw, err := json.Marshal(toStream(tb, av))
	if err != nil {
		tb.Fatal(err)
	}
	return raw
}
