// Package openapi loads the API's OpenAPI description (openapi.yaml at the
// repository root) and checks HTTP responses against it: it matches a request's
// method and path to an operation, picks the response the status code
// documents and validates the body with that response's JSON Schema. The
// deployed-stack tests run every response they receive through it, and
// shared/apiroutes' test compares its operations with the route table.
//
// It is test tooling: no function links it.
package openapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// Spec is a loaded OpenAPI description with every schema it uses compiled.
type Spec struct {
	operations []*Operation
	// unrouted is what API Gateway answers for a method and path that is no
	// operation: 404 with components/schemas/GatewayError.
	unrouted *jsonschema.Schema
}

// Operation is one method on one path template, e.g. GET /orders/{id}.
type Operation struct {
	Method string // upper case
	Path   string // the template, e.g. /orders/{id}
	ID     string // operationId
	// Public is true when the operation needs no token (security: []).
	Public bool
	// RequestBody is the compiled schema of the JSON request body, nil when
	// the operation takes none; RequestBodyRef is the $ref it was read from.
	RequestBody    *jsonschema.Schema
	RequestBodyRef string
	// Responses maps a status code ("200", "4XX" or "default") to what the
	// operation answers with it.
	Responses map[string]*Response

	segments []string
}

// Key is "METHOD /path/template", the route table's key (shared/apiroutes).
func (o *Operation) Key() string { return o.Method + " " + o.Path }

// Response is one documented response of an operation.
type Response struct {
	Status string
	// Schema validates the application/json body; nil when the response has
	// no content.
	Schema *jsonschema.Schema
	// Headers are the response headers the description marks required.
	Headers []string
}

// Statuses lists the operation's documented statuses, sorted.
func (o *Operation) Statuses() []string {
	out := make([]string, 0, len(o.Responses))
	for s := range o.Responses {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

var methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// Load reads the description at path. Relative $refs to other files (the
// request body schemas in shared/apischema/schemas) are read from disk
// relative to it and registered under their resolved URLs; nothing else is
// loaded, so a $ref to anything unknown fails here rather than at check time.
func Load(path string) (*Spec, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(abs)
	if err != nil {
		return nil, err
	}
	doc, err := yamlToJSONValue(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	root, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: not a YAML mapping", path)
	}
	if v, _ := root["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		return nil, fmt.Errorf("%s: openapi is %q, want 3.1.x", path, v)
	}
	base := (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()

	c := jsonschema.NewCompiler()
	c.AssertFormat()
	c.UseLoader(refuseLoader{})
	if err := c.AddResource(base, doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for _, ref := range externalRefs(doc) {
		file, _, _ := strings.Cut(ref, "#")
		target := filepath.Join(filepath.Dir(abs), filepath.FromSlash(file))
		raw, err := os.ReadFile(target)
		if err != nil {
			return nil, fmt.Errorf("%s: $ref %q: %w", path, ref, err)
		}
		ext, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("%s: $ref %q: %w", path, ref, err)
		}
		u := (&url.URL{Scheme: "file", Path: filepath.ToSlash(target)}).String()
		if err := c.AddResource(u, ext); err != nil && !isDuplicate(err) {
			return nil, fmt.Errorf("%s: $ref %q: %w", path, ref, err)
		}
	}

	s := &Spec{}
	l := loader{c: c, base: base, root: root}
	if s.unrouted, err = l.compile("/components/schemas/GatewayError"); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	paths, _ := root["paths"].(map[string]any)
	for _, p := range sortedKeys(paths) {
		item, _ := paths[p].(map[string]any)
		for _, m := range methods {
			if _, ok := item[m]; !ok {
				continue
			}
			op, err := l.operation(p, m)
			if err != nil {
				return nil, fmt.Errorf("%s: %s %s: %w", path, strings.ToUpper(m), p, err)
			}
			s.operations = append(s.operations, op)
		}
	}
	return s, nil
}

// Operations lists every operation, by path and then method.
func (s *Spec) Operations() []*Operation { return s.operations }

// Match finds the operation for a concrete request path such as
// /orders/o-1/status (a query string is ignored). Literal segments win over
// templated ones, as OpenAPI prescribes. pathKnown reports whether some
// operation has the path at all, with another method.
func (s *Spec) Match(method, path string) (op *Operation, pathKnown bool) {
	path, _, _ = strings.Cut(path, "?")
	segs := split(path)
	best := -1
	for _, o := range s.operations {
		literal, ok := matchSegments(o.segments, segs)
		if !ok {
			continue
		}
		pathKnown = true
		if o.Method == strings.ToUpper(method) && literal > best {
			op, best = o, literal
		}
	}
	return op, pathKnown
}

// Check validates one response: target is the request's path (a query is
// ignored), header and body the response's. It returns the operation the
// request matched (nil for a method and path the description does not
// list, which API Gateway must answer with its own 404) and every way the
// response departs from the description.
func (s *Spec) Check(method, target string, status int, header http.Header, body []byte) (*Operation, error) {
	op, _ := s.Match(method, target)
	if op == nil {
		if status != http.StatusNotFound {
			return nil, fmt.Errorf("%s %s is no operation of the API description, yet it answered %d: %.300s",
				method, target, status, body)
		}
		if err := validateJSON(s.unrouted, header, body); err != nil {
			return nil, fmt.Errorf("%s %s is no operation, and its 404 is not API Gateway's: %w", method, target, err)
		}
		return nil, nil
	}
	resp := op.response(status)
	if resp == nil {
		return op, fmt.Errorf("%s (%s) answered %d, which it does not document (it documents %s): %.300s",
			op.Key(), target, status, strings.Join(op.Statuses(), ", "), body)
	}
	var problems []error
	for _, h := range resp.Headers {
		if header.Get(h) == "" {
			problems = append(problems, fmt.Errorf("required header %s is missing", h))
		}
	}
	if resp.Schema == nil {
		if len(bytes.TrimSpace(body)) > 0 {
			problems = append(problems, fmt.Errorf("documents no body but got %.300s", body))
		}
	} else if err := validateJSON(resp.Schema, header, body); err != nil {
		problems = append(problems, err)
	}
	if len(problems) > 0 {
		return op, fmt.Errorf("%s (%s) %d does not match the API description: %w", op.Key(), target, status, errors.Join(problems...))
	}
	return op, nil
}

func (o *Operation) response(status int) *Response {
	code := strconv.Itoa(status)
	if r, ok := o.Responses[code]; ok {
		return r
	}
	if r, ok := o.Responses[code[:1]+"XX"]; ok {
		return r
	}
	return o.Responses["default"]
}

func validateJSON(schema *jsonschema.Schema, header http.Header, body []byte) error {
	if ct := header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return fmt.Errorf("content type %q, want application/json", ct)
		}
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("body is not JSON (%w): %.300s", err, body)
	}
	if err := schema.Validate(doc); err != nil {
		return fmt.Errorf("%w\nbody: %.2000s", err, body)
	}
	return nil
}

// loader compiles the parts of one description.
type loader struct {
	c    *jsonschema.Compiler
	base string
	root map[string]any
}

// compile compiles the schema at a JSON pointer into the description.
func (l loader) compile(pointer string) (*jsonschema.Schema, error) {
	return l.c.Compile(l.base + "#" + pointer)
}

// resolve follows a Reference Object ($ref to #/components/...) to what it
// points at, and returns that object with its JSON pointer.
func (l loader) resolve(v any, pointer string) (map[string]any, string, error) {
	for range 10 {
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, "", fmt.Errorf("%s is not an object", pointer)
		}
		ref, ok := obj["$ref"].(string)
		if !ok {
			return obj, pointer, nil
		}
		if !strings.HasPrefix(ref, "#/") {
			return nil, "", fmt.Errorf("%s: only local $refs are supported outside schemas, got %q", pointer, ref)
		}
		pointer = ref[1:]
		if v, ok = lookup(l.root, pointer); !ok {
			return nil, "", fmt.Errorf("$ref %q points at nothing", ref)
		}
	}
	return nil, "", fmt.Errorf("%s: $ref chain too long", pointer)
}

func (l loader) operation(path, method string) (*Operation, error) {
	pointer := "/paths/" + escape(path) + "/" + method
	raw, _ := lookup(l.root, pointer)
	obj, _ := raw.(map[string]any)
	op := &Operation{
		Method:    strings.ToUpper(method),
		Path:      path,
		Responses: map[string]*Response{},
		segments:  split(path),
	}
	op.ID, _ = obj["operationId"].(string)
	if op.ID == "" {
		return nil, errors.New("no operationId")
	}
	security, ok := obj["security"]
	if !ok {
		security = l.root["security"]
	}
	requirements, _ := security.([]any)
	op.Public = len(requirements) == 0
	for _, r := range requirements {
		if m, _ := r.(map[string]any); len(m) == 0 {
			op.Public = true // {} makes the token optional
		}
	}
	if err := l.checkPathParameters(op, obj); err != nil {
		return nil, err
	}
	if rb, ok := obj["requestBody"]; ok {
		body, bodyPointer, err := l.resolve(rb, pointer+"/requestBody")
		if err != nil {
			return nil, err
		}
		schemaPointer := bodyPointer + "/content/application~1json/schema"
		schema, ok := lookup(l.root, schemaPointer)
		if !ok {
			return nil, errors.New("requestBody has no application/json schema")
		}
		if m, _ := schema.(map[string]any); m != nil {
			op.RequestBodyRef, _ = m["$ref"].(string)
		}
		if _, ok := body["required"]; !ok {
			return nil, errors.New("requestBody does not say whether it is required")
		}
		if op.RequestBody, err = l.compile(schemaPointer); err != nil {
			return nil, fmt.Errorf("request body: %w", err)
		}
	}
	responses, _ := obj["responses"].(map[string]any)
	if len(responses) == 0 {
		return nil, errors.New("no responses")
	}
	for _, status := range sortedKeys(responses) {
		resp, respPointer, err := l.resolve(responses[status], pointer+"/responses/"+escape(status))
		if err != nil {
			return nil, fmt.Errorf("response %s: %w", status, err)
		}
		r := &Response{Status: status}
		if content, ok := resp["content"].(map[string]any); ok {
			if _, ok := content["application/json"]; !ok || len(content) != 1 {
				return nil, fmt.Errorf("response %s: content must be application/json only", status)
			}
			if r.Schema, err = l.compile(respPointer + "/content/application~1json/schema"); err != nil {
				return nil, fmt.Errorf("response %s: %w", status, err)
			}
		}
		headers, _ := resp["headers"].(map[string]any)
		for _, name := range sortedKeys(headers) {
			h, _, err := l.resolve(headers[name], respPointer+"/headers/"+escape(name))
			if err != nil {
				return nil, fmt.Errorf("response %s: %w", status, err)
			}
			if req, _ := h["required"].(bool); req {
				r.Headers = append(r.Headers, name)
			}
		}
		op.Responses[status] = r
	}
	return op, nil
}

// checkPathParameters makes sure every {name} of the template is a declared
// path parameter and the other way round.
func (l loader) checkPathParameters(op *Operation, obj map[string]any) error {
	var want []string
	for _, seg := range op.segments {
		if isParam(seg) {
			want = append(want, seg[1:len(seg)-1])
		}
	}
	var got []string
	params, _ := obj["parameters"].([]any)
	for i, p := range params {
		param, _, err := l.resolve(p, fmt.Sprintf("parameters/%d", i))
		if err != nil {
			return err
		}
		if param["in"] == "path" {
			name, _ := param["name"].(string)
			got = append(got, name)
			if param["required"] != true {
				return fmt.Errorf("path parameter %q must be required", name)
			}
		}
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(want, got) {
		return fmt.Errorf("path parameters %v declared, but the template has %v", got, want)
	}
	return nil
}

// refuseLoader makes any $ref that Load did not register an error.
type refuseLoader struct{}

func (refuseLoader) Load(u string) (any, error) {
	return nil, fmt.Errorf("%s is not part of the API description", u)
}

func isDuplicate(err error) bool {
	var dup *jsonschema.ResourceExistsError
	return errors.As(err, &dup)
}

// externalRefs lists the distinct $ref values that name another file.
func externalRefs(v any) []string {
	seen := map[string]bool{}
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok && !strings.HasPrefix(ref, "#") {
				seen[ref] = true
			}
			for _, e := range v {
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(v)
	return sortedKeys(seen)
}

// ExternalRefs lists the files the description's $refs name, relative to it.
func ExternalRefs(path string) ([]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	doc, err := yamlToJSONValue(raw)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, ref := range externalRefs(doc) {
		file, _, _ := strings.Cut(ref, "#")
		if !slices.Contains(files, file) {
			files = append(files, file)
		}
	}
	return files, nil
}

// yamlToJSONValue decodes YAML into the values encoding/json would produce
// for the same document, numbers as json.Number, which is what the schema
// compiler expects.
func yamlToJSONValue(raw []byte) (any, error) {
	var v any
	if err := yaml.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	v, err := stringKeys(v)
	if err != nil {
		return nil, err
	}
	js, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(js))
}

// stringKeys turns YAML mappings into map[string]any. A key that is not a
// string (an unquoted 200) is refused: OpenAPI keys are strings, and quoting
// them keeps every YAML tool reading the same thing.
func stringKeys(v any) (any, error) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			e, err := stringKeys(e)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			v[k] = e
		}
		return v, nil
	case map[any]any:
		for k := range v {
			return nil, fmt.Errorf("key %v is not a string; quote it", k)
		}
		return map[string]any{}, nil
	case []any:
		for i, e := range v {
			e, err := stringKeys(e)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			v[i] = e
		}
	}
	return v, nil
}

func lookup(root any, pointer string) (any, bool) {
	v := root
	for _, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch cur := v.(type) {
		case map[string]any:
			next, ok := cur[tok]
			if !ok {
				return nil, false
			}
			v = next
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(cur) {
				return nil, false
			}
			v = cur[i]
		default:
			return nil, false
		}
	}
	return v, true
}

func escape(tok string) string {
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~", "~0"), "/", "~1")
}

func split(path string) []string {
	return strings.Split(strings.Trim(path, "/"), "/")
}

func isParam(seg string) bool {
	return len(seg) > 2 && strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}")
}

// matchSegments reports whether a concrete path fits a template, and how many
// of the template's segments are literal.
func matchSegments(template, path []string) (literal int, ok bool) {
	if len(template) != len(path) {
		return 0, false
	}
	for i, seg := range template {
		switch {
		case isParam(seg):
			if path[i] == "" {
				return 0, false
			}
		case seg == path[i]:
			literal++
		default:
			return 0, false
		}
	}
	return literal, true
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
