package domain

import (
	"fmt"

	"github.com/fooddelivery/serverless-food-delivery/shared/apperr"
)

// Sentinel errors the adapters and handlers map to HTTP statuses or retries (shared/apperr, which the adapters
// recognise them by without importing the domain).
var (
	ErrNotFound  = apperr.ErrNotFound
	ErrConflict  = apperr.ErrConflict
	ErrForbidden = apperr.ErrForbidden
)

// ErrCourierTaken says a courier was claimed by another order first.
var ErrCourierTaken = fmt.Errorf("%w: courier no longer available", ErrConflict)

// ValidationError says which field of a request is wrong and why. Handlers turn
// it into a 400 whose JSON body names the field.
type ValidationError = apperr.ValidationError

// Invalid builds a *ValidationError.
func Invalid(field, format string, args ...any) error {
	return apperr.Invalid(field, format, args...)
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

// RefusedTransition marks it as an apperr.RefusedTransition.
func (e *TransitionError) RefusedTransition() {}
