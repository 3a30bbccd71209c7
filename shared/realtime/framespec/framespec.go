// Package framespec checks WebSocket frames against asyncapi.yaml (components/schemas/Frame), for the unit tests of
// shared/realtime and the deployed-stack tests, which check every frame they read from a socket. Test tooling: no
// function links it.
package framespec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// Spec holds the compiled frame schemas.
type Spec struct {
	frame, subscribe *jsonschema.Schema
}

// Load compiles the frame schemas of the AsyncAPI document at path.
func Load(path string) (*Spec, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	// Through JSON, so the YAML maps become map[string]any the compiler reads.
	js, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	parsed, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	const url = "file:///asyncapi.json"
	if err := c.AddResource(url, parsed); err != nil {
		return nil, err
	}
	frame, err := c.Compile(url + "#/components/schemas/Frame")
	if err != nil {
		return nil, fmt.Errorf("compile Frame: %w", err)
	}
	sub, err := c.Compile(url + "#/components/schemas/Subscribe")
	if err != nil {
		return nil, fmt.Errorf("compile Subscribe: %w", err)
	}
	return &Spec{frame: frame, subscribe: sub}, nil
}

// CheckFrame validates a frame the server sent.
func (s *Spec) CheckFrame(raw []byte) error { return check(s.frame, raw) }

// CheckSubscribe validates a client's subscribe message.
func (s *Spec) CheckSubscribe(raw []byte) error { return check(s.subscribe, raw) }

func check(schema *jsonschema.Schema, raw []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("frame is not JSON: %w", err)
	}
	if err := schema.Validate(v); err != nil {
		return fmt.Errorf("frame %s does not match asyncapi.yaml: %w", raw, err)
	}
	return nil
}
