package platform

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// NewID returns a random RFC 4122 version 4 UUID.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// The environment variables most functions share; a function's own are declared with its Config.
const (
	EnvTableName    = "TABLE_NAME"     // the app's DynamoDB table
	EnvEventBusName = "EVENT_BUS_NAME" // the app's EventBridge bus
)

// TableConfig is the configuration of a function that needs only the app's table (order-api, tracking).
type TableConfig struct {
	TableName string
}

// TableConfigFromEnv reads a TableConfig (getenv is os.Getenv in the function).
func TableConfigFromEnv(getenv func(string) string) (TableConfig, error) {
	env := ReadEnv(getenv)
	c := TableConfig{TableName: env.Required(EnvTableName)}
	return c, env.Err()
}

// Env reads one function's configuration from its environment (a Config's FromEnv). It collects every missing or
// malformed variable, so the error a cold start fails with names them all at once.
type Env struct {
	getenv func(string) string
	errs   []error
}

// ReadEnv reads through getenv: os.Getenv in a function, a map's lookup in tests and tools.
func ReadEnv(getenv func(string) string) *Env { return &Env{getenv: getenv} }

// Required is a variable that must be set.
func (e *Env) Required(name string) string {
	v := e.getenv(name)
	if v == "" {
		e.errs = append(e.errs, fmt.Errorf("environment variable %s is required", name))
	}
	return v
}

// Optional is a variable that may be unset ("").
func (e *Env) Optional(name string) string { return e.getenv(name) }

// Int is a whole number, or def when the variable is unset.
func (e *Env) Int(name string, def int) int {
	v := e.getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		e.errs = append(e.errs, fmt.Errorf("environment variable %s=%q is not a whole number", name, v))
	}
	return n
}

// Millis is a duration given in milliseconds (NAME_MS=800), or def when the variable is unset.
func (e *Env) Millis(name string, def time.Duration) time.Duration {
	if e.getenv(name) == "" {
		return def
	}
	return time.Duration(e.Int(name, 0)) * time.Millisecond
}

// Check adds a problem found in the values read (a Config's own validation).
func (e *Env) Check(err error) {
	if err != nil {
		e.errs = append(e.errs, err)
	}
}

// Err is every problem found, or nil.
func (e *Env) Err() error {
	if len(e.errs) == 0 {
		return nil
	}
	return fmt.Errorf("configuration: %w", errors.Join(e.errs...))
}

// MustConfig returns c, or stops the cold start with err: a misconfigured function fails loudly at init, naming
// what is wrong, not on its first request. main.go calls it with a Config's FromEnv.
func MustConfig[C any](c C, err error) C {
	if err != nil {
		panic(err)
	}
	return c
}
