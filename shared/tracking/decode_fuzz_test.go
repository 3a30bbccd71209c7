package tracking

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/apischema"
	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/httpapi"
	"github.com/fooddelivery/serverless-food-delivery/shared/tracking/cadence"
)

// The fuzz targets below feed request bodies through what the handlers do
// before they touch the store: the schema check and decoding
// (httpapi.DecodeValidated), then the service's validation. They must never
// panic; every refusal must be a *domain.ValidationError naming a field; and
// a body they accept must be inside the contract: the request as the server
// understood it, encoded again, passes the schema and means the same. `go
// test` runs the seeds; `make fuzz` fuzzes.

var fuzzNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func FuzzDecodeLocationBatch(f *testing.F) {
	for _, seed := range []string{
		`{"positions":[{"lat":52.527,"lng":13.403,"recorded_at":"2026-11-23T11:59:58Z"},{"lat":52.528,"lng":13.406,"recorded_at":"2026-11-23T12:00:00.123+01:00"}]}`,
		`{"positions":[{"lat":52.52,"lng":13.40}]}`,
		`{"positions":[{"lat":-90,"lng":-180,"recorded_at":"2026-11-23T11:58:00Z"},{"lat":-90,"lng":-179.99,"recorded_at":"2026-11-23T12:00:59Z"}]}`,
		`{"positions":[{"lat":52.52,"lng":13.40,"recorded_at":"2026-11-23T11:54:00Z"}]}`,
		`{"positions":[{"lat":52.52,"lng":13.40,"recorded_at":"2026-11-23T11:59:00Z"},{"lat":52.62,"lng":13.40,"recorded_at":"2026-11-23T11:59:05Z"}]}`,
		`{"positions":[{"lat":52.52,"lng":13.40,"recorded_at":"2026-11-23T12:05:00Z"}]}`,
		`{"positions":[{"lat":52.52,"lng":13.40,"recorded_at":"yesterday"}]}`,
		`{"positions":[{"lat":52.52,"lng":13.40,"recorded_at":"2026-12-31T23:59:60Z"}]}`,
		`{"positions":[{"lat":52.52}]}`,
		`{"positions":[{"lat":"52","lng":13.4}]}`,
		`{"positions":[{"lat":95,"lng":13.4}]}`,
		`{"positions":[]}`,
		`{"positions":null}`,
		`{"positions":[1]}`,
		`{}`, `[]`, `null`, ``, `{"positions":[{"lat":1,"lng":1}]} x`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var batch LocationBatch
		err := httpapi.DecodeValidated(httpapi.Request{Body: body}, apischema.LocationBatch, &batch)
		rules := domain.NewFixRules(cadence.MaxBatch)
		var fixes []domain.Fix
		if err == nil {
			fixes, err = batch.fixes()
		}
		if err == nil {
			fixes, err = rules.Check(fixes, nil, fuzzNow)
		}
		if err != nil {
			requireFieldError(t, err)
			return
		}
		positions := make([]map[string]any, len(batch.Positions))
		for i, p := range batch.Positions {
			positions[i] = map[string]any{"lat": *p.Lat, "lng": *p.Lng}
			if p.RecordedAt != nil {
				positions[i]["recorded_at"] = p.RecordedAt
			}
		}
		canonical := encode(t, map[string]any{"positions": positions})
		var again LocationBatch
		if err := httpapi.DecodeValidated(httpapi.Request{Body: string(canonical)}, apischema.LocationBatch, &again); err != nil {
			t.Fatalf("accepted %q, but the batch it decoded to breaks the contract: %s: %v", body, canonical, err)
		}
		fixes2, err := again.fixes()
		if err == nil {
			fixes2, err = rules.Check(fixes2, nil, fuzzNow)
		}
		if err != nil || len(fixes2) != len(fixes) {
			t.Fatalf("round trip changed the batch: %v, then %v (%v)", fixes, fixes2, err)
		}
		for i := range fixes {
			if fixes[i].Location != fixes2[i].Location || !fixes[i].RecordedAt.Equal(fixes2[i].RecordedAt) {
				t.Fatalf("round trip changed fix %d: %v, then %v", i, fixes[i], fixes2[i])
			}
		}
	})
}

func FuzzDecodeOrderStatus(f *testing.F) {
	for _, seed := range []string{
		`{"status":"PICKED_UP"}`, `{"status":"DELIVERED","note":"left at the door"}`,
		`{"status":"CANCELLED"}`, `{"status":"picked_up"}`, `{"status":null}`, `{"status":7}`,
		`{"status":"DELIVERED","status":"PICKED_UP"}`, `{}`, `[]`, `""`, ``, `{"status":"PICKED_UP"`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var update statusUpdate
		err := httpapi.DecodeValidated(httpapi.Request{Body: body}, apischema.OrderStatus, &update)
		if err == nil && !courierSettable[update.Status] {
			// What SetOrderStatus answers before it reads the order.
			err = domain.Invalid("status", "must be PICKED_UP or DELIVERED")
		}
		if err != nil {
			requireFieldError(t, err)
			return
		}
		canonical := encode(t, update)
		var again statusUpdate
		if err := httpapi.DecodeValidated(httpapi.Request{Body: string(canonical)}, apischema.OrderStatus, &again); err != nil || !reflect.DeepEqual(again, update) {
			t.Fatalf("accepted %q as %+v, but %s decodes to %+v (%v)", body, update, canonical, again, err)
		}
	})
}

func requireFieldError(t *testing.T, err error) {
	t.Helper()
	var invalid *domain.ValidationError
	if !errors.As(err, &invalid) || invalid.Field == "" {
		t.Fatalf("refusal %v (%T) names no field", err, err)
	}
}

func encode(t *testing.T, v any) []byte {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encode %+v: %v", v, err)
	}
	return raw
}
