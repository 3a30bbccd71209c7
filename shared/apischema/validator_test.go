package apischema

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
)

// reference compiles the schemas with a complete JSON Schema implementation.
// It is only linked into tests.
func reference(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	out := map[string]*jsonschema.Schema{}
	for _, name := range Names {
		raw, _ := Source(name)
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		url := "https://food-delivery.example/api/" + name + ".schema.json"
		if err := c.AddResource(url, doc); err != nil {
			t.Fatal(err)
		}
		if out[name], err = c.Compile(url); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

var valid = map[string]string{
	PlaceOrder:    `{"restaurant_id":"trattoria-roma","items":[{"item_id":"margherita","quantity":2,"options":["large","olives"]},{"item_id":"tiramisu","quantity":1}],"delivery_location":{"lat":52.53,"lng":13.41},"delivery_address":"Invalidenstr. 1","payment_token":"tok_visa"}`,
	LocationBatch: `{"positions":[{"lat":52.5,"lng":13.4,"recorded_at":"2026-11-23T12:00:00Z"},{"lat":-90,"lng":180,"recorded_at":"2026-11-23T12:00:05Z"}]}`,
	OrderStatus:   `{"status":"PICKED_UP"}`,
}

// replacements are values a mutation puts somewhere in a valid document.
var replacements = []any{nil, true, false, 0, -1, 1, 1.5, 50, 51, 90, 91, -181, 1e30, "", "x", "tok_visa", "tok_BAD",
	"2026-11-23T12:00:00Z", "yesterday", "DELIVERED", "PICKED_UP", strings.Repeat("y", 65), strings.Repeat("z", 201),
	[]any{}, []any{"a"}, []any{1}, map[string]any{}, map[string]any{"lat": 1, "lng": 2}}

// pick returns a fresh copy of a random replacement, so that mutating it in
// one document never changes another.
func pick(r *rand.Rand) any {
	raw, _ := json.Marshal(replacements[r.IntN(len(replacements))])
	var v any
	_ = json.Unmarshal(raw, &v)
	return v
}

// mutate replaces, deletes or adds one value somewhere in v.
func mutate(r *rand.Rand, v any) any {
	switch val := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(val))
		for k := range val {
			keys = append(keys, k)
		}
		if len(keys) == 0 || r.IntN(6) == 0 {
			val[[]string{"extra", "lat", "items", "status", "positions"}[r.IntN(5)]] = pick(r)
			return val
		}
		k := keys[r.IntN(len(keys))]
		switch r.IntN(4) {
		case 0:
			delete(val, k)
		case 1:
			val[k] = pick(r)
		default:
			val[k] = mutate(r, val[k])
		}
		return val
	case []any:
		if len(val) == 0 || r.IntN(5) == 0 {
			return append(val, pick(r))
		}
		i := r.IntN(len(val))
		val[i] = mutate(r, val[i])
		return val
	}
	return pick(r)
}

// TestAgreesWithAFullImplementation validates thousands of mutated documents
// with both validators: they must agree on every verdict, and our field must
// be where the reference found a problem.
func TestAgreesWithAFullImplementation(t *testing.T) {
	ref := reference(t)
	r := rand.New(rand.NewPCG(11, 23))
	counts := map[bool]int{}
	for _, name := range Names {
		for i := 0; i < 4000; i++ {
			var doc any
			_ = json.Unmarshal([]byte(valid[name]), &doc)
			for m := r.IntN(3); m >= 0 && i > 0; m-- {
				doc = mutate(r, doc)
			}
			raw, _ := json.Marshal(doc)
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
			if err != nil {
				t.Fatalf("%s: %v", raw, err)
			}
			refErr := ref[name].Validate(inst)
			ours := Validate(name, raw)
			counts[ours == nil]++
			if (refErr == nil) != (ours == nil) {
				t.Fatalf("%s: %s\nreference: %v\nours: %v", name, raw, refErr, ours)
			}
			var invalid *domain.ValidationError
			if ours != nil && (!errors.As(ours, &invalid) || invalid.Field == "") {
				t.Fatalf("%s: %s: error %v names no field", name, raw, ours)
			}
		}
	}
	if counts[true] < 500 || counts[false] < 500 {
		t.Fatalf("the corpus is lopsided: %d valid, %d invalid", counts[true], counts[false])
	}
	t.Logf("%d valid and %d invalid documents, same verdicts", counts[true], counts[false])
}

func TestRefusesKeywordsItDoesNotImplement(t *testing.T) {
	for _, schema := range []string{
		`{"type":"object","additionalProperties":false}`,
		`{"oneOf":[{"type":"string"}]}`,
		`{"type":"null"}`,
		`{"format":"email"}`,
		`{"enum":[1,2]}`,
	} {
		if _, err := compile([]byte(schema)); err == nil {
			t.Errorf("%s compiled", schema)
		}
	}
}

func TestFieldNames(t *testing.T) {
	for body, field := range map[string]string{
		`{"restaurant_id":"r","items":[{"item_id":"a","quantity":0}],"delivery_location":{"lat":1,"lng":2}}`: "items[0].quantity",
		`{"restaurant_id":"r","items":[{"quantity":1}],"delivery_location":{"lat":1,"lng":2}}`:               "items[0].item_id",
		`{"restaurant_id":"r","items":[{"item_id":"a","quantity":1}],"delivery_location":{"lat":1}}`:         "delivery_location.lng",
		`{"items":[{"item_id":"a","quantity":1}],"delivery_location":{"lat":1,"lng":2}}`:                     "restaurant_id",
		`[1]`:   "body",
		`{`:     "body",
		`{} {}`: "body",
	} {
		err := Validate(PlaceOrder, []byte(body))
		var invalid *domain.ValidationError
		if !errors.As(err, &invalid) || invalid.Field != field {
			t.Errorf("%s: %v, want field %s", body, err, field)
		}
	}
	if err := Validate(PlaceOrder, []byte(valid[PlaceOrder])); err != nil {
		t.Fatalf("valid order refused: %v", err)
	}
}
