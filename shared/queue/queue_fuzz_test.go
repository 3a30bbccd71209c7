package queue_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/fooddelivery/serverless-food-delivery/shared/queue"
)

// FuzzQueueDecode feeds SQS message bodies to Decode. It must never panic,
// every failure must wrap queue.ErrPoison (so the message is dead-lettered,
// not retried as if it could succeed), and an envelope it accepts has an id,
// a type and an order id, and survives being sent again. `go test` runs the
// seeds; `make fuzz` fuzzes.
func FuzzQueueDecode(f *testing.F) {
	for _, seed := range []string{
		`{"version":"0","id":"eb-1","detail-type":"OrderPlaced","source":"food-delivery.orders",
		  "detail":{"id":"evt-1","type":"OrderPlaced","version":"1","occurred_at":"2026-11-23T12:00:00Z",
		  "order_id":"o-1","correlation_id":"o-1","data":{"status":"PLACED","customer_id":"c-1","total_minor":100,
		  "pickup_location":{"lat":52.5,"lng":13.4}}}}`,
		`{"detail":{"id":"evt-2","type":"OrderPlaced","order_id":"o-2"}}`,
		`{"detail":{"id":"evt-3","type":"OrderPlaced","order_id":"o-3","occurred_at":"not a time"}}`,
		`{"detail":{"id":"evt-4","type":"OrderPlaced","order_id":"o-4","data":{"total_minor":1.5}}}`,
		`{"detail":{"id":"evt-5"}}`,
		`{"detail":null}`, `{"detail":[]}`, `{}`, `[]`, `null`, `"x"`, ``, `not json`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		env, err := queue.Decode(body)
		if err != nil {
			if !errors.Is(err, queue.ErrPoison) {
				t.Fatalf("failure %v does not wrap ErrPoison", err)
			}
			return
		}
		if env.ID == "" || env.Type == "" || env.OrderID == "" {
			t.Fatalf("accepted an envelope without id, type or order id: %+v", env)
		}
		resent, err := json.Marshal(map[string]any{"detail": env})
		if err != nil {
			t.Fatalf("encode %+v: %v", env, err)
		}
		again, err := queue.Decode(string(resent))
		if err != nil || !reflect.DeepEqual(again, env) && !sameJSON(t, again, env) {
			t.Fatalf("round trip: %+v\nthen %+v (%v)", env, again, err)
		}
	})
}

// sameJSON compares values by their encoding, for times whose locations are
// equal but not the same pointer.
func sameJSON(t *testing.T, a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	if errA != nil || errB != nil {
		t.Fatalf("encode: %v %v", errA, errB)
	}
	return string(ja) == string(jb)
}
