// Package apischema checks request bodies against the JSON Schemas that the
// OpenAPI description (openapi.yaml) references, before anything is decoded or
// stored. A failure becomes a *apperr.ValidationError naming the field, in the
// same "items[0].quantity" form the domain rules use.
package apischema

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/fooddelivery/serverless-food-delivery/shared/apperr"
)

// Request body schemas.
const (
	PlaceOrder    = "place-order"
	LocationBatch = "location-batch"
	OrderStatus   = "order-status"
	Preferences   = "preferences"
	MarkRead      = "mark-read"
	Redrive       = "redrive"
)

// Names lists every request schema.
var Names = []string{PlaceOrder, LocationBatch, OrderStatus, Preferences, MarkRead, Redrive}

//go:embed schemas/*.schema.json
var files embed.FS

// Source returns a schema document as stored, for tools and tests.
func Source(name string) ([]byte, error) {
	return files.ReadFile("schemas/" + name + ".schema.json")
}

// compiled holds the schemas, compiled once per process (at the first
// request) and read-only afterwards.
var compiled = sync.OnceValues(func() (map[string]*node, error) {
	out := map[string]*node{}
	for _, name := range Names {
		raw, err := Source(name)
		if err != nil {
			return nil, err
		}
		if out[name], err = compile(raw); err != nil {
			return nil, fmt.Errorf("schema %s: %w", name, err)
		}
	}
	return out, nil
})

// Validate checks a JSON body against the named schema. It returns a
// *apperr.ValidationError for any body that is not valid JSON or breaks the
// schema, and a plain error only if the schema itself is broken.
func Validate(name string, body []byte) error {
	_, err := ValidateDocument(name, body)
	return err
}

// ValidateDocument is Validate that also returns the body as parsed (objects
// as map[string]any, numbers as json.Number), so that a caller can look at it
// without parsing it again.
func ValidateDocument(name string, body []byte) (any, error) {
	schemas, err := compiled()
	if err != nil {
		return nil, err
	}
	schema, ok := schemas[name]
	if !ok {
		return nil, fmt.Errorf("no request schema %q", name)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, apperr.Invalid("body", "is not valid JSON")
	}
	if dec.More() {
		return nil, apperr.Invalid("body", "must hold a single JSON value")
	}
	if bad := schema.validate(schema, doc, nil); bad != nil {
		return nil, apperr.Invalid(fieldName(bad.path), "%s", bad.message)
	}
	return doc, nil
}

// fieldName turns ["items","0","quantity"] into "items[0].quantity"; the
// document root is "body".
func fieldName(location []string) string {
	var sb strings.Builder
	for _, seg := range location {
		if _, err := strconv.Atoi(seg); err == nil && sb.Len() > 0 {
			sb.WriteString("[" + seg + "]")
			continue
		}
		if sb.Len() > 0 {
			sb.WriteByte('.')
		}
		sb.WriteString(seg)
	}
	if sb.Len() == 0 {
		return "body"
	}
	return sb.String()
}
