// Package apischema checks request bodies against the JSON Schemas that the
// OpenAPI description (openapi.yaml) references, before anything is decoded or
// stored. A failure becomes a *domain.ValidationError naming the field, in the
// same "items[0].quantity" form the domain rules use.
package apischema

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
)

// Request body schemas.
const (
	PlaceOrder    = "place-order"
	LocationBatch = "location-batch"
	OrderStatus   = "order-status"
)

//go:embed schemas/*.schema.json
var files embed.FS

const idBase = "https://food-delivery.example/api/"

// compiled holds the schemas, compiled once per process (at the first
// request) and read-only afterwards.
var compiled = sync.OnceValues(func() (map[string]*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	names := []string{PlaceOrder, LocationBatch, OrderStatus}
	for _, name := range names {
		raw, err := files.ReadFile("schemas/" + name + ".schema.json")
		if err != nil {
			return nil, err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("schema %s: %w", name, err)
		}
		if err := c.AddResource(idBase+name+".schema.json", doc); err != nil {
			return nil, err
		}
	}
	out := map[string]*jsonschema.Schema{}
	for _, name := range names {
		s, err := c.Compile(idBase + name + ".schema.json")
		if err != nil {
			return nil, fmt.Errorf("compile schema %s: %w", name, err)
		}
		out[name] = s
	}
	return out, nil
})

var printer = message.NewPrinter(language.English)

// Validate checks a JSON body against the named schema. It returns a
// *domain.ValidationError for any body that is not valid JSON or breaks the
// schema, and a plain error only if the schema itself is broken.
func Validate(name string, body []byte) error {
	schemas, err := compiled()
	if err != nil {
		return err
	}
	schema, ok := schemas[name]
	if !ok {
		return fmt.Errorf("no request schema %q", name)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return domain.Invalid("body", "is not valid JSON")
	}
	err = schema.Validate(doc)
	var verr *jsonschema.ValidationError
	if err == nil {
		return nil
	}
	if !errors.As(err, &verr) {
		return fmt.Errorf("validate against %s: %w", name, err)
	}
	leaf := deepest(verr)
	field := fieldName(leaf.InstanceLocation)
	if req, ok := leaf.ErrorKind.(*kind.Required); ok && len(req.Missing) > 0 {
		return domain.Invalid(join(field, req.Missing[0]), "is required")
	}
	return domain.Invalid(field, "%s", leaf.ErrorKind.LocalizedString(printer))
}

// deepest follows the first cause down to the most specific error, which is
// the one that names the field at fault.
func deepest(e *jsonschema.ValidationError) *jsonschema.ValidationError {
	for len(e.Causes) > 0 {
		e = e.Causes[0]
	}
	return e
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

func join(parent, child string) string {
	if parent == "body" {
		return child
	}
	return parent + "." + child
}
