// Package store is the DynamoDB adapter: it maps domain values to the items of
// the single table described in docs/architecture.md and back, and turns
// conditional-write failures into domain errors.
package store

import (
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
)

// Key prefixes and fixed sort keys of the single-table design.
const (
	restaurantPrefix   = "RESTAURANT#"
	itemPrefix         = "ITEM#"
	orderPrefix        = "ORDER#"
	customerPrefix     = "CUSTOMER#"
	courierPrefix      = "COURIER#"
	notificationPrefix = "NOTIFICATION#"
	availablePrefix    = "AVAILABLE#"
	awaitingPrefix     = "AWAITING#"
	profileSK          = "PROFILE"
	orderSK            = "ORDER"
	chargeSK           = "PAYMENT#CHARGE"
	trackingSK         = "TRACKING"
	idempotencyPrefix  = "IDEMPOTENCY#"
	idempotencySK      = "IDEMPOTENCY"
	restaurantsGSI1PK  = "RESTAURANTS"
	gsi1               = "GSI1"
	gsi2               = "GSI2"
)

// ItemTypeOrder is the "type" of order items: the only items whose stream
// records make events (infra filters the publisher's stream on it).
const ItemTypeOrder = "order"

// Item types, stored in the "type" attribute so that a stream reader (and a
// person browsing the table) can tell items apart.
const (
	typeOrder        = ItemTypeOrder
	typeRestaurant   = "restaurant"
	typeMenuItem     = "menu_item"
	typeCourier      = "courier"
	typeCharge       = "charge"
	typeNotification = "notification"
	typeTracking     = "tracking"
	typeIdempotency  = "idempotency"
)

type keys struct {
	PK string `dynamodbav:"PK"`
	SK string `dynamodbav:"SK"`
}

type restaurantItem struct {
	keys
	GSI1PK  string  `dynamodbav:"GSI1PK"`
	GSI1SK  string  `dynamodbav:"GSI1SK"`
	Type    string  `dynamodbav:"type"`
	ID      string  `dynamodbav:"restaurant_id"`
	Name    string  `dynamodbav:"name"`
	Cuisine string  `dynamodbav:"cuisine"`
	Address string  `dynamodbav:"address"`
	Lat     float64 `dynamodbav:"lat"`
	Lng     float64 `dynamodbav:"lng"`
	// Nested values use the domain types' own fields: they have no key
	// role, so their stored names need no separate mapping.
	TimeZone string                `dynamodbav:"time_zone"`
	Hours    []domain.OpeningHours `dynamodbav:"opening_hours"`
}

type menuItem struct {
	keys
	Type         string               `dynamodbav:"type"`
	ID           string               `dynamodbav:"item_id"`
	Name         string               `dynamodbav:"name"`
	Description  string               `dynamodbav:"description,omitempty"`
	Category     string               `dynamodbav:"category,omitempty"`
	PriceMinor   int64                `dynamodbav:"price_minor"`
	Available    bool                 `dynamodbav:"available"`
	OptionGroups []domain.OptionGroup `dynamodbav:"option_groups,omitempty"`
}

type orderLineItem struct {
	ItemID    string              `dynamodbav:"item_id"`
	Name      string              `dynamodbav:"name"`
	Options   []domain.LineOption `dynamodbav:"options,omitempty"`
	Quantity  int                 `dynamodbav:"quantity"`
	UnitPrice int64               `dynamodbav:"unit_price_minor"`
	LineTotal int64               `dynamodbav:"line_total_minor"`
}

type orderItem struct {
	keys
	GSI1PK string `dynamodbav:"GSI1PK"`
	GSI1SK string `dynamodbav:"GSI1SK"`
	// GSI2 keys are present only while the order awaits a saga step
	// (domain.AwaitingSaga) or has ended (domain.Status.Terminal): the sparse
	// index the sweeper reads, for lost saga events and for customers not yet
	// told how their order ended.
	GSI2PK           string          `dynamodbav:"GSI2PK,omitempty"`
	GSI2SK           string          `dynamodbav:"GSI2SK,omitempty"`
	Type             string          `dynamodbav:"type"`
	ID               string          `dynamodbav:"order_id"`
	CustomerID       string          `dynamodbav:"customer_id"`
	CustomerName     string          `dynamodbav:"customer_first_name,omitempty"`
	RestaurantID     string          `dynamodbav:"restaurant_id"`
	RestaurantName   string          `dynamodbav:"restaurant_name"`
	PickupLat        float64         `dynamodbav:"pickup_lat"`
	PickupLng        float64         `dynamodbav:"pickup_lng"`
	DeliveryLat      float64         `dynamodbav:"delivery_lat"`
	DeliveryLng      float64         `dynamodbav:"delivery_lng"`
	DeliveryAddress  string          `dynamodbav:"delivery_address,omitempty"`
	Lines            []orderLineItem `dynamodbav:"lines"`
	SubtotalMinor    int64           `dynamodbav:"subtotal_minor"`
	DeliveryFeeMinor int64           `dynamodbav:"delivery_fee_minor"`
	TaxMinor         int64           `dynamodbav:"tax_minor"`
	TotalMinor       int64           `dynamodbav:"total_minor"`
	Currency         string          `dynamodbav:"currency"`
	Status           string          `dynamodbav:"status"`
	CourierID        string          `dynamodbav:"courier_id,omitempty"`
	ETA              *time.Time      `dynamodbav:"eta,omitempty"`
	CourierName      string          `dynamodbav:"courier_name,omitempty"`
	PaymentToken     string          `dynamodbav:"payment_token"`
	ContactEmail     string          `dynamodbav:"contact_email,omitempty"`
	CorrelationID    string          `dynamodbav:"correlation_id"`
	CausationID      string          `dynamodbav:"causation_id,omitempty"`
	TraceParent      string          `dynamodbav:"trace_parent,omitempty"`
	Version          int             `dynamodbav:"version"`
	CreatedAt        time.Time       `dynamodbav:"created_at"`
	UpdatedAt        time.Time       `dynamodbav:"updated_at"`
}

type courierItem struct {
	keys
	// GSI2 keys are present only while the courier is available (sparse index).
	GSI2PK    string    `dynamodbav:"GSI2PK,omitempty"`
	GSI2SK    string    `dynamodbav:"GSI2SK,omitempty"`
	Type      string    `dynamodbav:"type"`
	ID        string    `dynamodbav:"courier_id"`
	Name      string    `dynamodbav:"name"`
	Status    string    `dynamodbav:"status"`
	Lat       float64   `dynamodbav:"lat"`
	Lng       float64   `dynamodbav:"lng"`
	Geohash   string    `dynamodbav:"geohash"`
	OrderID   string    `dynamodbav:"order_id,omitempty"`
	UpdatedAt time.Time `dynamodbav:"updated_at"`
	// LocatedAtMs is when the device recorded lat/lng (Unix ms, so a condition can compare it numerically);
	// absent until the courier reports a position.
	LocatedAtMs int64 `dynamodbav:"located_at_ms,omitempty"`
}

type chargeItem struct {
	keys
	Type          string    `dynamodbav:"type"`
	OrderID       string    `dynamodbav:"order_id"`
	AmountMinor   int64     `dynamodbav:"amount_minor"`
	Currency      string    `dynamodbav:"currency"`
	Status        string    `dynamodbav:"status"`
	ProviderRef   string    `dynamodbav:"provider_ref,omitempty"`
	DeclineReason string    `dynamodbav:"decline_reason,omitempty"`
	CreatedAt     time.Time `dynamodbav:"created_at"`
	UpdatedAt     time.Time `dynamodbav:"updated_at"`
}

type notificationItem struct {
	keys
	// GSI1 keys list the customer's inbox across orders, newest first; GSI2
	// keys are present only while it is unread (store/inbox.go).
	GSI1PK     string     `dynamodbav:"GSI1PK,omitempty"`
	GSI1SK     string     `dynamodbav:"GSI1SK,omitempty"`
	GSI2PK     string     `dynamodbav:"GSI2PK,omitempty"`
	GSI2SK     string     `dynamodbav:"GSI2SK,omitempty"`
	Type       string     `dynamodbav:"type"`
	OrderID    string     `dynamodbav:"order_id"`
	EventID    string     `dynamodbav:"event_id"`
	EventType  string     `dynamodbav:"event_type"`
	CustomerID string     `dynamodbav:"customer_id"`
	Channel    string     `dynamodbav:"channel"`
	Subject    string     `dynamodbav:"subject"`
	Body       string     `dynamodbav:"body"`
	SentAt     time.Time  `dynamodbav:"sent_at"`
	ReadAt     *time.Time `dynamodbav:"read_at,omitempty"`
}

type trackingItem struct {
	keys
	Type       string    `dynamodbav:"type"`
	OrderID    string    `dynamodbav:"order_id"`
	CourierID  string    `dynamodbav:"courier_id"`
	Lat        float64   `dynamodbav:"lat"`
	Lng        float64   `dynamodbav:"lng"`
	RecordedAt time.Time `dynamodbav:"recorded_at"`
	// RecordedAtMs orders positions numerically; RFC 3339 strings with
	// trimmed fractions do not sort correctly as strings.
	RecordedAtMs int64 `dynamodbav:"recorded_at_ms"`
	// ExpiresAt lets DynamoDB's TTL drop positions a day after the last ping.
	ExpiresAt int64 `dynamodbav:"expires_at"`
}

func restaurantKey(id string) keys { return keys{PK: restaurantPrefix + id, SK: profileSK} }
func orderKey(id string) keys      { return keys{PK: orderPrefix + id, SK: orderSK} }
func courierKey(id string) keys    { return keys{PK: courierPrefix + id, SK: profileSK} }
func chargeKey(orderID string) keys {
	return keys{PK: orderPrefix + orderID, SK: chargeSK}
}

func toRestaurantItem(r domain.Restaurant) restaurantItem {
	return restaurantItem{
		keys:   restaurantKey(r.ID),
		GSI1PK: restaurantsGSI1PK, GSI1SK: r.Name + "#" + r.ID,
		Type: typeRestaurant, ID: r.ID, Name: r.Name, Cuisine: r.Cuisine, Address: r.Address,
		Lat: r.Location.Lat, Lng: r.Location.Lng, TimeZone: r.TimeZone, Hours: r.Hours,
	}
}

func (it restaurantItem) domain() domain.Restaurant {
	return domain.Restaurant{ID: it.ID, Name: it.Name, Cuisine: it.Cuisine, Address: it.Address,
		Location: domain.LatLng{Lat: it.Lat, Lng: it.Lng}, TimeZone: it.TimeZone, Hours: it.Hours}
}

func toMenuItem(restaurantID string, m domain.MenuItem) menuItem {
	return menuItem{
		keys: keys{PK: restaurantPrefix + restaurantID, SK: itemPrefix + m.ID},
		Type: typeMenuItem, ID: m.ID, Name: m.Name, Description: m.Description, Category: m.Category,
		PriceMinor: m.PriceMinor, Available: m.Available, OptionGroups: m.OptionGroups,
	}
}

func (it menuItem) domain() domain.MenuItem {
	return domain.MenuItem{ID: it.ID, Name: it.Name, Description: it.Description, Category: it.Category,
		PriceMinor: it.PriceMinor, Available: it.Available, OptionGroups: it.OptionGroups}
}

func toOrderItem(o domain.Order) orderItem {
	lines := make([]orderLineItem, len(o.Lines))
	for i, l := range o.Lines {
		lines[i] = orderLineItem{ItemID: l.ItemID, Name: l.Name, Options: l.Options, Quantity: l.Quantity,
			UnitPrice: l.UnitPrice, LineTotal: l.LineTotal}
	}
	it := orderItem{
		keys:   orderKey(o.ID),
		GSI1PK: customerPrefix + o.CustomerID,
		// Fixed width (sortableTime): RFC 3339 drops trailing zeros of the fraction, and "…:00Z" and "…:00.1Z"
		// sort after "…:00.15Z" as strings, which put orders of one second in the wrong order.
		GSI1SK: sortableTime(o.CreatedAt) + "#" + o.ID,
		Type:   typeOrder, ID: o.ID, CustomerID: o.CustomerID, CustomerName: o.CustomerFirstName,
		RestaurantID: o.RestaurantID, RestaurantName: o.RestaurantName,
		PickupLat: o.PickupLocation.Lat, PickupLng: o.PickupLocation.Lng,
		DeliveryLat: o.DeliveryLocation.Lat, DeliveryLng: o.DeliveryLocation.Lng,
		DeliveryAddress: o.DeliveryAddress, Lines: lines,
		SubtotalMinor: o.SubtotalMinor, DeliveryFeeMinor: o.DeliveryFeeMinor, TaxMinor: o.TaxMinor, TotalMinor: o.TotalMinor,
		Currency: o.Currency, Status: string(o.Status), CourierID: o.CourierID, CourierName: o.CourierName,
		PaymentToken: o.PaymentToken,
		ContactEmail: o.ContactEmail, CorrelationID: o.CorrelationID, CausationID: o.CausationID, TraceParent: o.TraceParent, Version: o.Version,
		CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt,
	}
	if o.Status.Swept() {
		it.GSI2PK, it.GSI2SK = awaitingKeys(o.Status, o.UpdatedAt, o.ID)
	}
	if !o.ETA.IsZero() {
		eta := o.ETA
		it.ETA = &eta
	}
	return it
}

// awaitingKeys index an order that awaits a saga step under its status,
// sorted by when it got there, so "waiting longer than X" is a key range.
func awaitingKeys(s domain.Status, since time.Time, orderID string) (string, string) {
	return awaitingPrefix + string(s), sortableTime(since) + "#" + orderID
}

// sortableTime formats t in UTC with a fixed number of fraction digits, so
// that the strings sort as the times do (RFC3339Nano drops trailing zeros,
// and "05Z" sorts after "05.1Z").
func sortableTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000000Z")
}

func (it orderItem) domain() domain.Order {
	lines := make([]domain.OrderLine, len(it.Lines))
	for i, l := range it.Lines {
		lines[i] = domain.OrderLine{ItemID: l.ItemID, Name: l.Name, Options: l.Options, Quantity: l.Quantity,
			UnitPrice: l.UnitPrice, LineTotal: l.LineTotal}
	}
	o := domain.Order{
		ID: it.ID, CustomerID: it.CustomerID, CustomerFirstName: it.CustomerName, RestaurantID: it.RestaurantID, RestaurantName: it.RestaurantName,
		PickupLocation:   domain.LatLng{Lat: it.PickupLat, Lng: it.PickupLng},
		DeliveryLocation: domain.LatLng{Lat: it.DeliveryLat, Lng: it.DeliveryLng},
		DeliveryAddress:  it.DeliveryAddress, Lines: lines,
		SubtotalMinor: it.SubtotalMinor, DeliveryFeeMinor: it.DeliveryFeeMinor, TaxMinor: it.TaxMinor, TotalMinor: it.TotalMinor,
		Currency: it.Currency, Status: domain.Status(it.Status), CourierID: it.CourierID, CourierName: it.CourierName,
		PaymentToken: it.PaymentToken,
		ContactEmail: it.ContactEmail, CorrelationID: it.CorrelationID, CausationID: it.CausationID, TraceParent: it.TraceParent, Version: it.Version,
		CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt,
	}
	if it.ETA != nil {
		o.ETA = it.ETA.UTC()
	}
	return o
}

func toCourierItem(c domain.Courier) courierItem {
	hash := domain.Geohash(c.Location, domain.PointPrecision)
	it := courierItem{
		keys: courierKey(c.ID), Type: typeCourier, ID: c.ID, Name: c.Name, Status: string(c.Status),
		Lat: c.Location.Lat, Lng: c.Location.Lng, Geohash: hash, OrderID: c.OrderID, UpdatedAt: c.UpdatedAt,
	}
	if !c.LocatedAt.IsZero() {
		it.LocatedAtMs = c.LocatedAt.UnixMilli()
	}
	if c.Status == domain.CourierAvailable {
		it.GSI2PK, it.GSI2SK = availabilityKeys(hash, c.ID)
	}
	return it
}

// availabilityKeys index a free courier under its region cell, sorted by its
// full geohash so every smaller cell is a key prefix (and a set of them a range).
func availabilityKeys(geohash, courierID string) (string, string) {
	return availablePrefix + geohash[:domain.RegionCellPrecision], geohash + "#" + courierID
}

func (it courierItem) domain() domain.Courier {
	c := domain.Courier{ID: it.ID, Name: it.Name, Status: domain.CourierStatus(it.Status),
		Location: domain.LatLng{Lat: it.Lat, Lng: it.Lng}, OrderID: it.OrderID, UpdatedAt: it.UpdatedAt}
	if it.LocatedAtMs != 0 {
		c.LocatedAt = time.UnixMilli(it.LocatedAtMs).UTC()
	}
	return c
}

func toChargeItem(c domain.Charge) chargeItem {
	return chargeItem{keys: chargeKey(c.OrderID), Type: typeCharge, OrderID: c.OrderID,
		AmountMinor: c.AmountMinor, Currency: c.Currency, Status: string(c.Status),
		ProviderRef: c.ProviderRef, DeclineReason: c.DeclineReason, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

func (it chargeItem) domain() domain.Charge {
	return domain.Charge{OrderID: it.OrderID, AmountMinor: it.AmountMinor, Currency: it.Currency,
		Status: domain.ChargeStatus(it.Status), ProviderRef: it.ProviderRef, DeclineReason: it.DeclineReason,
		CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt}
}

func toNotificationItem(n domain.Notification) notificationItem {
	it := notificationItem{keys: keys{PK: orderPrefix + n.OrderID, SK: notificationPrefix + n.EventID},
		Type: typeNotification, OrderID: n.OrderID, EventID: n.EventID, EventType: n.EventType,
		CustomerID: n.CustomerID, Channel: n.Channel, Subject: n.Subject, Body: n.Body, SentAt: n.SentAt, ReadAt: n.ReadAt}
	if n.CustomerID != "" {
		it.GSI1PK, it.GSI1SK = inboxKeys(n)
		if n.ReadAt == nil {
			it.GSI2PK, it.GSI2SK = unreadPrefix+n.CustomerID, it.GSI1SK
		}
	}
	return it
}

func (it notificationItem) domain() domain.Notification {
	return domain.Notification{OrderID: it.OrderID, EventID: it.EventID, EventType: it.EventType,
		CustomerID: it.CustomerID, Channel: it.Channel, Subject: it.Subject, Body: it.Body, SentAt: it.SentAt, ReadAt: it.ReadAt}
}

// trackingTTL is how long a courier position outlives its last update.
const trackingTTL = 24 * time.Hour

func toTrackingItem(p domain.TrackingPosition) trackingItem {
	return trackingItem{keys: keys{PK: orderPrefix + p.OrderID, SK: trackingSK}, Type: typeTracking,
		OrderID: p.OrderID, CourierID: p.CourierID, Lat: p.Location.Lat, Lng: p.Location.Lng,
		RecordedAt: p.RecordedAt, RecordedAtMs: p.RecordedAt.UnixMilli(), ExpiresAt: p.RecordedAt.Add(trackingTTL).Unix()}
}

func (it trackingItem) domain() domain.TrackingPosition {
	return domain.TrackingPosition{OrderID: it.OrderID, CourierID: it.CourierID,
		Location: domain.LatLng{Lat: it.Lat, Lng: it.Lng}, RecordedAt: it.RecordedAt}
}

// idempotencyItem remembers which order a customer's Idempotency-Key created
// and a hash of the request, so a retry gets the same order and a different
// request under the same key is refused. DynamoDB's TTL removes it.
type idempotencyItem struct {
	keys
	Type        string `dynamodbav:"type"`
	OrderID     string `dynamodbav:"order_id"`
	RequestHash string `dynamodbav:"request_hash"`
	ExpiresAt   int64  `dynamodbav:"expires_at"`
}

func idempotencyKey(customerID, key string) keys {
	return keys{PK: idempotencyPrefix + customerID + "#" + key, SK: idempotencySK}
}
