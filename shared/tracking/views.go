package tracking

import (
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
)

// The response bodies of the tracking routes: views, not domain objects (see
// shared/orders/views.go). A courier is shown what the job needs (pickup,
// drop-off, how many items, the customer's first name when known), never the
// customer's id or payment token; a customer is shown the courier's name and
// position, never the courier's id.

// CourierSelf is the signed-in courier's own status (GET /couriers/me and the
// answer to a location report). The caller's own id is left out: it is the
// token's subject.
type CourierSelf struct {
	Name      string               `json:"name"`
	Status    domain.CourierStatus `json:"status"`
	Location  domain.LatLng        `json:"location"`
	OrderID   string               `json:"order_id,omitempty"`
	UpdatedAt time.Time            `json:"updated_at"`
}

// NewCourierSelf renders the caller's courier profile.
func NewCourierSelf(c domain.Courier) CourierSelf {
	return CourierSelf{Name: c.Name, Status: c.Status, Location: c.Location, OrderID: c.OrderID, UpdatedAt: c.UpdatedAt}
}

// CourierJob is an order as its courier sees it (the answer to POST
// /orders/{id}/status).
type CourierJob struct {
	OrderID           string        `json:"order_id"`
	Status            domain.Status `json:"status"`
	RestaurantName    string        `json:"restaurant_name"`
	PickupLocation    domain.LatLng `json:"pickup_location"`
	DeliveryLocation  domain.LatLng `json:"delivery_location"`
	DeliveryAddress   string        `json:"delivery_address,omitempty"`
	ItemsCount        int           `json:"items_count"`
	CustomerFirstName string        `json:"customer_first_name,omitempty"`
	UpdatedAt         time.Time     `json:"updated_at"`
}

// NewCourierJob renders an order for its courier.
func NewCourierJob(o domain.Order) CourierJob {
	items := 0
	for _, l := range o.Lines {
		items += l.Quantity
	}
	return CourierJob{
		OrderID: o.ID, Status: o.Status, RestaurantName: o.RestaurantName,
		PickupLocation: o.PickupLocation, DeliveryLocation: o.DeliveryLocation, DeliveryAddress: o.DeliveryAddress,
		ItemsCount: items, CustomerFirstName: o.CustomerFirstName, UpdatedAt: o.UpdatedAt,
	}
}

// TrackingView is the body of GET /orders/{id}/tracking, the same for the
// order's customer, its courier and ops: nobody's id but the order's.
type TrackingView struct {
	OrderID          string        `json:"order_id"`
	Status           domain.Status `json:"status"`
	CourierName      string        `json:"courier_name,omitempty"`
	PickupLocation   domain.LatLng `json:"pickup_location"`
	DeliveryLocation domain.LatLng `json:"delivery_location"`
	Position         *PositionView `json:"position"`
}

// PositionView is the courier's last reported position on the order.
type PositionView struct {
	Location   domain.LatLng `json:"location"`
	RecordedAt time.Time     `json:"recorded_at"`
}

// NewTrackingView renders the service's view.
func NewTrackingView(v View) TrackingView {
	out := TrackingView{OrderID: v.OrderID, Status: v.Status, CourierName: v.CourierName,
		PickupLocation: v.PickupLocation, DeliveryLocation: v.DeliveryLocation}
	if v.Position != nil {
		out.Position = &PositionView{Location: v.Position.Location, RecordedAt: v.Position.RecordedAt}
	}
	return out
}
