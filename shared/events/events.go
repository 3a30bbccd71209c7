// Package events defines the domain events the functions exchange through
// EventBridge: their envelope, their types and how an order change becomes one.
// The JSON Schemas in events/schemas describe the same shapes; tests check the
// two agree.
package events

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/tracecontext"
)

// Source is the EventBridge source of every event this system publishes.
const Source = "food-delivery.orders"

// SchemaVersion is the envelope's version; bump it on breaking changes.
const SchemaVersion = "1"

// Event types, one per order status.
const (
	OrderPlaced      = "OrderPlaced"
	PaymentConfirmed = "PaymentConfirmed"
	PaymentFailed    = "PaymentFailed"
	CourierAssigned  = "CourierAssigned"
	OrderPickedUp    = "OrderPickedUp"
	OrderDelivered   = "OrderDelivered"
	OrderCancelled   = "OrderCancelled"
	OrderRefunded    = "OrderRefunded"
	// NoCourierAvailable closes the assignment saga step: no courier was
	// found in time, so the payment is refunded.
	NoCourierAvailable = "NoCourierAvailable"
)

var typeByStatus = map[domain.Status]string{
	domain.StatusPlaced:          OrderPlaced,
	domain.StatusPaid:            PaymentConfirmed,
	domain.StatusPaymentFailed:   PaymentFailed,
	domain.StatusCourierAssigned: CourierAssigned,
	domain.StatusPickedUp:        OrderPickedUp,
	domain.StatusDelivered:       OrderDelivered,
	domain.StatusCancelled:       OrderCancelled,
	domain.StatusRefunded:        OrderRefunded,
	domain.StatusNoCourier:       NoCourierAvailable,
}

// TypeForStatus names the event announcing that an order reached status s.
func TypeForStatus(s domain.Status) (string, bool) {
	t, ok := typeByStatus[s]
	return t, ok
}

// Envelope is the common wrapper of every event (EventBridge "detail").
type Envelope struct {
	ID            string    `json:"id"`
	Type          string    `json:"type"`
	Version       string    `json:"version"`
	OccurredAt    time.Time `json:"occurred_at"`
	OrderID       string    `json:"order_id"`
	CorrelationID string    `json:"correlation_id"`
	CausationID   string    `json:"causation_id,omitempty"`
	// TraceParent is the W3C trace context of the order (shared/platform/tracecontext): its trace id is the
	// order's for life, its parent span the invocation that wrote the version this event announces.
	TraceParent string    `json:"traceparent"`
	Data        OrderData `json:"data"`
}

// OrderData is the order snapshot every order event carries, so consumers
// rarely need to read the table to act.
type OrderData struct {
	Status           domain.Status `json:"status"`
	CustomerID       string        `json:"customer_id"`
	RestaurantID     string        `json:"restaurant_id"`
	TotalMinor       int64         `json:"total_minor"`
	Currency         string        `json:"currency"`
	CourierID        string        `json:"courier_id,omitempty"`
	OrderVersion     int           `json:"order_version"`
	PickupLocation   domain.LatLng `json:"pickup_location"`
	DeliveryLocation domain.LatLng `json:"delivery_location"`

	// ETA is the estimated delivery time, from the courier's assignment on.
	ETA time.Time `json:"eta,omitzero"`
}

// EventID is derived from the order and the version that was written, so the
// same write always yields the same id however often the stream delivers it.
func EventID(orderID string, version int) string {
	sum := sha256.Sum256([]byte(orderID + "#" + strconv.Itoa(version)))
	h := hex.EncodeToString(sum[:16])
	// Formatted like a UUID because that is what readers expect an id to look like.
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// FromOrder builds the event announcing the order's current status.
func FromOrder(o domain.Order) (Envelope, bool) {
	typ, ok := TypeForStatus(o.Status)
	if !ok {
		return Envelope{}, false
	}
	correlation := o.CorrelationID
	if correlation == "" {
		correlation = o.ID
	}
	trace := o.TraceParent
	if _, ok := tracecontext.Parse(trace); !ok {
		// An order stored before trace contexts (or by hand) still gets one trace, derived from its id.
		trace = tracecontext.ForOrder(o.ID).String()
	}
	return Envelope{
		ID:            EventID(o.ID, o.Version),
		Type:          typ,
		Version:       SchemaVersion,
		OccurredAt:    o.UpdatedAt,
		OrderID:       o.ID,
		CorrelationID: correlation,
		CausationID:   o.CausationID,
		TraceParent:   trace,
		Data: OrderData{
			Status:           o.Status,
			CustomerID:       o.CustomerID,
			RestaurantID:     o.RestaurantID,
			TotalMinor:       o.TotalMinor,
			Currency:         o.Currency,
			CourierID:        o.CourierID,
			ETA:              o.ETA.UTC(),
			OrderVersion:     o.Version,
			PickupLocation:   o.PickupLocation,
			DeliveryLocation: o.DeliveryLocation,
		},
	}, true
}
