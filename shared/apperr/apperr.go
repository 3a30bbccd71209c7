// Package apperr holds the kinds of error every layer shares: the domain returns them (shared/domain re-exports
// them under its own names), and the adapters map them, shared/platform/httpapi to HTTP statuses and the consumers
// to retries. It imports nothing of the app, so the platform packages can recognise the domain's errors without
// depending on the domain.
package apperr

import (
	"errors"
	"fmt"
)

// Sentinel errors the adapters and handlers map to HTTP statuses or retries.
var (
	ErrNotFound  = errors.New("not found")
	ErrConflict  = errors.New("conflict")
	ErrForbidden = errors.New("forbidden")
)

// ValidationError says which field of a request is wrong and why. Handlers turn
// it into a 400 whose JSON body names the field.
type ValidationError struct {
	Field   string
	Message string
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("invalid %s: %s", e.Field, e.Message)
}

// Invalid builds a *ValidationError.
func Invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// RefusedTransition is implemented by the errors of a state machine that refuses a move from where it is
// (domain.TransitionError); the HTTP API answers them 409 invalid_transition naming the status field.
type RefusedTransition interface {
	error
	RefusedTransition()
}
