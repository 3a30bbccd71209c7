package domain

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

// ErrCourierTaken says a courier was claimed by another order first.
var ErrCourierTaken = fmt.Errorf("%w: courier no longer available", ErrConflict)

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

// TransitionError is returned when an order is asked to move to a status its
// lifecycle does not allow from where it is.
type TransitionError struct {
	From, To Status
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("order cannot go from %s to %s", e.From, e.To)
}

// Is makes errors.Is(err, ErrConflict) true for illegal transitions.
func (e *TransitionError) Is(target error) bool { return target == ErrConflict }
