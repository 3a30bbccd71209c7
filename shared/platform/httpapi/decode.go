package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/fooddelivery/serverless-food-delivery/shared/apischema"
	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
)

// MaxBodyBytes caps request bodies; larger ones are refused before parsing.
const MaxBodyBytes = 64 * 1024

// DecodeJSON parses the request body into dst and turns every failure into a
// *domain.ValidationError naming the field at fault. Unknown fields are
// ignored on purpose: clients may send prices or totals, and the server never
// reads them.
func DecodeJSON(r Request, dst any) error {
	body, err := boundedBody(r)
	if err != nil {
		return err
	}
	return decode(body, dst)
}

// DecodeValidated checks the body against the named request schema (package
// apischema) and then decodes it: the schema speaks for the API contract, so
// nothing the contract forbids reaches the domain.
func DecodeValidated(r Request, schema string, dst any) error {
	body, err := boundedBody(r)
	if err != nil {
		return err
	}
	if err := apischema.Validate(schema, body); err != nil {
		return err
	}
	return decode(body, dst)
}

func boundedBody(r Request) ([]byte, error) {
	body, err := r.BodyBytes()
	if err != nil {
		return nil, domain.Invalid("body", "is not valid base64")
	}
	if len(body) > MaxBodyBytes {
		return nil, domain.Invalid("body", "is larger than %d bytes", MaxBodyBytes)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, domain.Invalid("body", "is required")
	}
	return body, nil
}

func decode(body []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return domain.Invalid("body", "must hold a single JSON object")
	}
	return nil
}

func decodeError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "body"
		}
		return domain.Invalid(field, "must be a %s", jsonKind(typeErr.Type.Kind().String()))
	case errors.As(err, &syntaxErr):
		return domain.Invalid("body", "is not valid JSON (at byte %d)", syntaxErr.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return domain.Invalid("body", "is truncated JSON")
	}
	return domain.Invalid("body", "could not be read: %s", strings.TrimPrefix(err.Error(), "json: "))
}

func jsonKind(goKind string) string {
	switch goKind {
	case "int", "int64", "int32", "float64", "float32", "uint", "uint64":
		return "number"
	case "slice", "array":
		return "list"
	case "struct", "map", "ptr":
		return "object"
	case "bool":
		return "boolean"
	}
	return fmt.Sprint(goKind)
}
