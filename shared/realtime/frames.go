// Package realtime pushes an order's live state to the people watching it over the WebSocket API: its customer,
// its courier while assigned, and ops. $connect authenticates the Cognito ID token, `subscribe` checks the same
// ownership rules as GET /orders/{id}/tracking, and the push function turns the table's stream (order status
// changes, accepted courier positions) into small frames with a per-order sequence number. docs/realtime.md
// explains the design; asyncapi.yaml describes the frames.
package realtime

import (
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
)

// Frame types (the "type" of every frame; asyncapi.yaml has one message per type).
const (
	FrameSubscribed = "subscribed"
	FrameStatus     = "status"
	FramePosition   = "position"
	FrameError      = "error"
)

// Error codes of error frames.
const (
	// CodeNotFound answers a subscribe to an order the caller may not watch, whether or not it exists.
	CodeNotFound = "not_found"
	// CodeInvalidRequest answers a malformed message.
	CodeInvalidRequest = "invalid_request"
	// CodeUnknownAction answers a message whose action is not a route ($default).
	CodeUnknownAction = "unknown_action"
	// CodeInternal answers a message the function failed to handle; the client may retry.
	CodeInternal = "internal"
)

// Position is a courier position as frames carry it: no courier id, nothing but where and when.
type Position struct {
	Lat        float64   `json:"lat"`
	Lng        float64   `json:"lng"`
	RecordedAt time.Time `json:"recorded_at"`
}

// FrameErr is the error of an error frame, shaped like the HTTP API's errors.
type FrameErr struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// Frame is every message the server sends. Which fields are set depends on Type (asyncapi.yaml); nothing else
// about the order (customer, courier, payment, prices) is ever put in one.
type Frame struct {
	Type    string `json:"type"`
	OrderID string `json:"order_id,omitempty"`
	// Seq orders an order's frames: it grows by one for each frame pushed for the order, so a client keeps the
	// highest it has applied and drops any frame at or below it (a redelivery, or one overtaken in flight).
	// A subscribed frame carries the sequence number its snapshot is current at.
	Seq    int64         `json:"seq,omitempty"`
	Status domain.Status `json:"status,omitempty"`
	// At is when the status was written (status frames).
	At *time.Time `json:"at,omitempty"`
	// Position is the courier's latest position: always present in position frames, null in a subscribed frame
	// when there is none yet.
	Position *Position `json:"position,omitempty"`
	Error    *FrameErr `json:"error,omitempty"`
}

func errorFrame(orderID, code, message, field string) Frame {
	return Frame{Type: FrameError, OrderID: orderID, Error: &FrameErr{Code: code, Message: message, Field: field}}
}

func positionOf(p domain.TrackingPosition) *Position {
	return &Position{Lat: p.Location.Lat, Lng: p.Location.Lng, RecordedAt: p.RecordedAt.UTC()}
}
