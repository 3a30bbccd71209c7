package orders

import (
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
)

// The response bodies of the order API. They are not the domain objects:
// each route renders a view that lists what its caller may see, so a field
// added to domain.Order stays inside until someone adds it here on purpose
// (and to openapi.yaml, whose schemas forbid anything else). What a view
// leaves out, and why:
//   - the payment token: only the payment function needs it;
//   - the customer's id: the caller is the customer, or ops, who finds the
//     order by its id;
//   - the courier's id: another party's; the customer is shown the courier's
//     name;
//   - correlation and causation ids: tracing internals.

// OrderView is an order as its customer (or ops) sees it: the receipt, the
// trip and the progress.
type OrderView struct {
	ID               string             `json:"id"`
	RestaurantID     string             `json:"restaurant_id"`
	RestaurantName   string             `json:"restaurant_name"`
	PickupLocation   domain.LatLng      `json:"pickup_location"`
	DeliveryLocation domain.LatLng      `json:"delivery_location"`
	DeliveryAddress  string             `json:"delivery_address,omitempty"`
	Lines            []domain.OrderLine `json:"lines"`
	SubtotalMinor    int64              `json:"subtotal_minor"`
	DeliveryFeeMinor int64              `json:"delivery_fee_minor"`
	TaxMinor         int64              `json:"tax_minor"`
	TotalMinor       int64              `json:"total_minor"`
	Currency         string             `json:"currency"`
	Status           domain.Status      `json:"status"`
	CourierName      string             `json:"courier_name,omitempty"`
	Version          int                `json:"version"`
	CreatedAt        time.Time          `json:"created_at"`
	UpdatedAt        time.Time          `json:"updated_at"`
	// ETA is when the order should arrive, estimated when a courier is assigned; absent before.
	ETA time.Time `json:"eta,omitzero"`
}

// NewOrderView renders an order for its customer.
func NewOrderView(o domain.Order) OrderView {
	lines := o.Lines
	if lines == nil {
		lines = []domain.OrderLine{}
	}
	return OrderView{
		ID: o.ID, RestaurantID: o.RestaurantID, RestaurantName: o.RestaurantName,
		PickupLocation: o.PickupLocation, DeliveryLocation: o.DeliveryLocation, DeliveryAddress: o.DeliveryAddress,
		Lines: lines, SubtotalMinor: o.SubtotalMinor, DeliveryFeeMinor: o.DeliveryFeeMinor, TaxMinor: o.TaxMinor,
		TotalMinor: o.TotalMinor, Currency: o.Currency, Status: o.Status, CourierName: o.CourierName,
		Version: o.Version, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt, ETA: o.ETA,
	}
}

// OrderList is the body of GET /orders.
type OrderList struct {
	Orders     []OrderView `json:"orders"`
	NextCursor *string     `json:"next_cursor"`
}

// NotificationView is one message the customer was sent, without the
// customer's id (the caller is the customer).
type NotificationView struct {
	OrderID   string    `json:"order_id"`
	EventID   string    `json:"event_id"`
	EventType string    `json:"event_type"`
	Channel   string    `json:"channel"`
	Subject   string    `json:"subject"`
	Body      string    `json:"body"`
	SentAt    time.Time `json:"sent_at"`
	// ReadAt is when the customer marked it read (POST /me/notifications/read).
	ReadAt *time.Time `json:"read_at,omitempty"`
}

// NotificationList is the body of GET /orders/{id}/notifications.
type NotificationList struct {
	Notifications []NotificationView `json:"notifications"`
}

// NewNotificationList renders what the customer was told.
func NewNotificationList(list []domain.Notification) NotificationList {
	out := NotificationList{Notifications: make([]NotificationView, 0, len(list))}
	for _, n := range list {
		out.Notifications = append(out.Notifications, NotificationView{
			OrderID: n.OrderID, EventID: n.EventID, EventType: n.EventType, Channel: n.Channel,
			Subject: n.Subject, Body: n.Body, SentAt: n.SentAt, ReadAt: n.ReadAt,
		})
	}
	return out
}

// HomeView is the body of GET /me/home.
type HomeView struct {
	Near            *domain.LatLng      `json:"near"`
	Restaurants     []domain.Restaurant `json:"restaurants"`
	ActiveOrder     *OrderView          `json:"active_order"`
	CourierPosition *PositionView       `json:"courier_position"`
	RecentOrders    []OrderView         `json:"recent_orders"`
	// UnreadNotifications counts the customer's unread notifications across all their orders (GET /me/notifications).
	UnreadNotifications int `json:"unread_notifications"`
}

// PositionView is where the courier of the customer's order last was, without the courier's id.
type PositionView struct {
	Location   domain.LatLng `json:"location"`
	RecordedAt time.Time     `json:"recorded_at"`
}

// NewHomeView renders the home screen for its customer.
func NewHomeView(h Home) HomeView {
	v := HomeView{Near: h.Near, Restaurants: h.Restaurants, RecentOrders: make([]OrderView, 0, len(h.Recent)), UnreadNotifications: h.Unread}
	if v.Restaurants == nil {
		v.Restaurants = []domain.Restaurant{}
	}
	for _, o := range h.Recent {
		v.RecentOrders = append(v.RecentOrders, NewOrderView(o))
	}
	if h.Active != nil {
		a := NewOrderView(*h.Active)
		v.ActiveOrder = &a
	}
	if h.Position != nil {
		v.CourierPosition = &PositionView{Location: h.Position.Location, RecordedAt: h.Position.RecordedAt}
	}
	return v
}
