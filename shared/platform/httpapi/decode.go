package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/fooddelivery/serverless-food-delivery/shared/apischema"
	"github.com/fooddelivery/serverless-food-delivery/shared/apperr"
)

// MaxBodyBytes caps request bodies; larger ones are refused before parsing.
const MaxBodyBytes = 64 * 1024

// DecodeJSON parses the request body into dst and turns every failure into a
// *apperr.ValidationError naming the field at fault. Unknown fields are
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
	doc, err := apischema.ValidateDocument(schema, body)
	if err != nil {
		return err
	}
	if err := checkNames(doc, reflect.TypeOf(dst), ""); err != nil {
		return err
	}
	return decode(body, dst)
}

// checkNames refuses an object key that names a field of t only when case is
// ignored. encoding/json matches keys to fields case-insensitively, but the
// schema matches them exactly and lets unknown keys through unchecked, so
// without this {"restaurant_id":"r1","RESTAURANT_ID":"<any length>"} would
// decode the unchecked value into the field the schema checked.
func checkNames(v any, t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch doc := v.(type) {
	case map[string]any:
		if t.Kind() != reflect.Struct {
			return nil
		}
		fields := jsonFields(t)
		bad, want := "", ""
		for key := range doc {
			if _, ok := fields.types[key]; ok {
				continue
			}
			for _, name := range fields.names {
				// The smallest offending key, whatever the map's order.
				if strings.EqualFold(name, key) && (bad == "" || key < bad) {
					bad, want = key, name
				}
			}
		}
		if bad != "" {
			return apperr.Invalid(joinField(path, bad), "is not a field (names are case-sensitive): did you mean %q?", want)
		}
		for _, name := range fields.names { // in a fixed order
			if val, ok := doc[name]; ok {
				if err := checkNames(val, fields.types[name], joinField(path, name)); err != nil {
					return err
				}
			}
		}
	case []any:
		if t.Kind() != reflect.Slice && t.Kind() != reflect.Array {
			return nil
		}
		for i, e := range doc {
			if err := checkNames(e, t.Elem(), path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
	}
	return nil
}

// fieldSet is what encoding/json decodes into a struct type: the JSON names
// of its fields (tags, promoted fields of embedded structs), sorted, and
// their types.
type fieldSet struct {
	names []string
	types map[string]reflect.Type
}

func jsonFields(t reflect.Type) fieldSet {
	if cached, ok := fieldCache.Load(t); ok {
		return cached.(fieldSet)
	}
	fs := fieldSet{types: map[string]reflect.Type{}}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		ft := f.Type
		if f.Anonymous && name == "" {
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for n, typ := range jsonFields(ft).types {
					if _, shadowed := fs.types[n]; !shadowed {
						fs.types[n] = typ
					}
				}
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		fs.types[name] = ft
	}
	for n := range fs.types {
		fs.names = append(fs.names, n)
	}
	sort.Strings(fs.names)
	fieldCache.Store(t, fs)
	return fs
}

var fieldCache sync.Map // reflect.Type → fieldSet

func joinField(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func boundedBody(r Request) ([]byte, error) {
	body, err := r.BodyBytes()
	if err != nil {
		return nil, apperr.Invalid("body", "is not valid base64")
	}
	if len(body) > MaxBodyBytes {
		return nil, apperr.Invalid("body", "is larger than %d bytes", MaxBodyBytes)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, apperr.Invalid("body", "is required")
	}
	return body, nil
}

func decode(body []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return apperr.Invalid("body", "must hold a single JSON object")
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
		return apperr.Invalid(field, "must be a %s", jsonKind(typeErr.Type.Kind().String()))
	case errors.As(err, &syntaxErr):
		return apperr.Invalid("body", "is not valid JSON (at byte %d)", syntaxErr.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.Invalid("body", "is truncated JSON")
	}
	return apperr.Invalid("body", "could not be read: %s", strings.TrimPrefix(err.Error(), "json: "))
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
