package apischema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// This file is a small JSON Schema (2020-12) validator for the keywords our
// request schemas use. A general-purpose library compiles every draft's
// meta-schema in its package init, which tripled the order API's cold start
// (make bench); these few keywords need a page of code. Compiling refuses any
// keyword it does not implement, so a schema can never rely on one silently,
// and validator_test.go checks every verdict against a full implementation.

// node is one compiled schema.
type node struct {
	ref        string
	typ        string
	required   []string
	properties []property // in the schema's order, so errors are reported deterministically
	items      *node
	minItems   *int
	maxItems   *int
	minLength  *int
	maxLength  *int
	minimum    *float64
	maximum    *float64
	pattern    *regexp.Regexp
	enum       []any
	format     string
	defs       map[string]*node
}

type property struct {
	name   string
	schema *node
}

// annotations are keywords that carry no validation.
var annotations = map[string]bool{"$schema": true, "$id": true, "title": true, "description": true, "examples": true}

// compile parses a schema document.
func compile(raw []byte) (*node, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc orderedObject
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	return compileNode(doc)
}

func compileNode(obj orderedObject) (*node, error) {
	n := &node{}
	for _, kv := range obj {
		var err error
		switch kv.key {
		case "$ref":
			err = json.Unmarshal(kv.raw, &n.ref)
		case "type":
			err = json.Unmarshal(kv.raw, &n.typ)
		case "required":
			err = json.Unmarshal(kv.raw, &n.required)
		case "properties":
			var props orderedObject
			if err = json.Unmarshal(kv.raw, &props); err == nil {
				for _, p := range props {
					var sub orderedObject
					if err = json.Unmarshal(p.raw, &sub); err != nil {
						break
					}
					child, cerr := compileNode(sub)
					if cerr != nil {
						return nil, fmt.Errorf("properties.%s: %w", p.key, cerr)
					}
					n.properties = append(n.properties, property{name: p.key, schema: child})
				}
			}
		case "items":
			var sub orderedObject
			if err = json.Unmarshal(kv.raw, &sub); err == nil {
				n.items, err = compileNode(sub)
			}
		case "$defs":
			var defs orderedObject
			if err = json.Unmarshal(kv.raw, &defs); err == nil {
				n.defs = map[string]*node{}
				for _, d := range defs {
					var sub orderedObject
					if err = json.Unmarshal(d.raw, &sub); err != nil {
						break
					}
					if n.defs[d.key], err = compileNode(sub); err != nil {
						break
					}
				}
			}
		case "minItems":
			n.minItems, err = intPtr(kv.raw)
		case "maxItems":
			n.maxItems, err = intPtr(kv.raw)
		case "minLength":
			n.minLength, err = intPtr(kv.raw)
		case "maxLength":
			n.maxLength, err = intPtr(kv.raw)
		case "minimum":
			n.minimum, err = floatPtr(kv.raw)
		case "maximum":
			n.maximum, err = floatPtr(kv.raw)
		case "pattern":
			var p string
			if err = json.Unmarshal(kv.raw, &p); err == nil {
				n.pattern, err = regexp.Compile(p)
			}
		case "enum":
			if err = json.Unmarshal(kv.raw, &n.enum); err == nil {
				for _, e := range n.enum {
					if _, isString := e.(string); !isString {
						err = fmt.Errorf("only string enums are supported, got %v", e)
					}
				}
			}
		case "format":
			if err = json.Unmarshal(kv.raw, &n.format); err == nil && n.format != "date-time" {
				err = fmt.Errorf("format %q is not supported", n.format)
			}
		default:
			if !annotations[kv.key] {
				return nil, fmt.Errorf("keyword %q is not supported by this validator", kv.key)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", kv.key, err)
		}
	}
	switch n.typ {
	case "", "object", "array", "string", "number", "integer", "boolean":
	default:
		return nil, fmt.Errorf("type %q is not supported", n.typ)
	}
	return n, nil
}

func intPtr(raw json.RawMessage) (*int, error) {
	var v int
	err := json.Unmarshal(raw, &v)
	return &v, err
}

func floatPtr(raw json.RawMessage) (*float64, error) {
	var v float64
	err := json.Unmarshal(raw, &v)
	return &v, err
}

// orderedObject is a JSON object whose keys keep their order.
type orderedObject []struct {
	key string
	raw json.RawMessage
}

func (o *orderedObject) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return fmt.Errorf("schema must be an object")
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		*o = append(*o, struct {
			key string
			raw json.RawMessage
		}{tok.(string), raw})
	}
	return nil
}

// violation is the first rule a document breaks: where, and what.
type violation struct {
	path    []string
	message string
}

// validate checks v (decoded with UseNumber) against n; root resolves $refs.
func (n *node) validate(root *node, v any, path []string) *violation {
	if n.ref != "" {
		target, err := root.resolve(n.ref)
		if err != nil {
			return &violation{path, err.Error()}
		}
		return target.validate(root, v, path)
	}
	if n.typ != "" && !hasType(v, n.typ) {
		return &violation{path, fmt.Sprintf("must be of type %s, got %s", n.typ, typeOf(v))}
	}
	if n.enum != nil && !inEnum(v, n.enum) {
		return &violation{path, fmt.Sprintf("must be one of %v", n.enum)}
	}
	switch val := v.(type) {
	case map[string]any:
		for _, r := range n.required {
			if _, ok := val[r]; !ok {
				return &violation{append(path[:len(path):len(path)], r), "is required"}
			}
		}
		for _, p := range n.properties {
			if child, ok := val[p.name]; ok {
				if bad := p.schema.validate(root, child, append(path[:len(path):len(path)], p.name)); bad != nil {
					return bad
				}
			}
		}
	case []any:
		if n.minItems != nil && len(val) < *n.minItems {
			return &violation{path, fmt.Sprintf("must hold at least %d items", *n.minItems)}
		}
		if n.maxItems != nil && len(val) > *n.maxItems {
			return &violation{path, fmt.Sprintf("must hold at most %d items", *n.maxItems)}
		}
		if n.items != nil {
			for i, e := range val {
				if bad := n.items.validate(root, e, append(path[:len(path):len(path)], strconv.Itoa(i))); bad != nil {
					return bad
				}
			}
		}
	case string:
		length := utf8.RuneCountInString(val)
		if n.minLength != nil && length < *n.minLength {
			return &violation{path, fmt.Sprintf("must be at least %d characters", *n.minLength)}
		}
		if n.maxLength != nil && length > *n.maxLength {
			return &violation{path, fmt.Sprintf("must be at most %d characters", *n.maxLength)}
		}
		if n.pattern != nil && !n.pattern.MatchString(val) {
			return &violation{path, fmt.Sprintf("must match %s", n.pattern)}
		}
		if n.format == "date-time" {
			if _, err := time.Parse(time.RFC3339Nano, val); err != nil {
				return &violation{path, "must be an RFC 3339 date-time"}
			}
		}
	case json.Number:
		f, _ := val.Float64()
		if n.minimum != nil && f < *n.minimum {
			return &violation{path, fmt.Sprintf("must be at least %v", *n.minimum)}
		}
		if n.maximum != nil && f > *n.maximum {
			return &violation{path, fmt.Sprintf("must be at most %v", *n.maximum)}
		}
	}
	return nil
}

func (n *node) resolve(ref string) (*node, error) {
	name, ok := strings.CutPrefix(ref, "#/$defs/")
	if !ok || n.defs[name] == nil {
		return nil, fmt.Errorf("unresolvable $ref %q", ref)
	}
	return n.defs[name], nil
}

func hasType(v any, typ string) bool {
	switch typ {
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "number":
		_, ok := v.(json.Number)
		return ok
	case "integer":
		num, ok := v.(json.Number)
		if !ok {
			return false
		}
		f, err := num.Float64()
		return err == nil && !math.IsInf(f, 0) && f == math.Trunc(f)
	}
	return false
}

func typeOf(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number:
		return "number"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

func inEnum(v any, enum []any) bool {
	for _, e := range enum {
		if es, ok := e.(string); ok {
			if vs, ok := v.(string); ok && vs == es {
				return true
			}
		}
	}
	return false
}
