package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fooddelivery/serverless-food-delivery/shared/apperr"
)

// Response is what handlers return; the router renders it.
type Response = events.APIGatewayV2HTTPResponse

// ErrorBody is the shape of every error: {"error": {"code", "message", "field"}}.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail names what went wrong; Field is set for validation errors.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// JSON renders v with the given status.
func JSON(status int, v any) Response {
	body, err := json.Marshal(v)
	if err != nil {
		return Error(http.StatusInternalServerError, "internal", "could not render the response", "")
	}
	return Response{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       string(body),
	}
}

// Error renders an error body.
func Error(status int, code, message, field string) Response {
	body, _ := json.Marshal(ErrorBody{Error: ErrorDetail{Code: code, Message: message, Field: field}})
	return Response{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       string(body),
	}
}

// FromError maps the domain's errors to statuses, recognising them by their kinds in shared/apperr. Anything
// unexpected becomes a 500 whose message says nothing about internals; the caller logs the cause.
func FromError(err error) Response {
	var invalid *apperr.ValidationError
	var transition apperr.RefusedTransition
	switch {
	case errors.As(err, &invalid) && errors.Is(err, apperr.ErrConflict):
		// A request that is well formed but clashes with what exists, such
		// as an Idempotency-Key reused for another request.
		return Error(http.StatusConflict, "conflict", invalid.Error(), invalid.Field)
	case errors.As(err, &invalid):
		return Error(http.StatusBadRequest, "invalid_request", invalid.Error(), invalid.Field)
	case errors.As(err, &transition):
		return Error(http.StatusConflict, "invalid_transition", transition.Error(), "status")
	case errors.Is(err, apperr.ErrNotFound):
		return Error(http.StatusNotFound, "not_found", "no such resource", "")
	case errors.Is(err, apperr.ErrForbidden):
		return Error(http.StatusForbidden, "forbidden", "you may not do this", "")
	case errors.Is(err, apperr.ErrConflict):
		return Error(http.StatusConflict, "conflict", "the resource changed; retry", "")
	}
	return Error(http.StatusInternalServerError, "internal", "something went wrong; retry later", "")
}
