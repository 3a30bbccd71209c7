package domain

import (
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// OrderLine is one priced line of an order. Prices are copied from the menu at
// the time of ordering, so later menu changes do not alter a placed order.
type OrderLine struct {
	ItemID    string       `json:"item_id"`
	Name      string       `json:"name"`
	Options   []LineOption `json:"options,omitempty"`
	Quantity  int          `json:"quantity"`
	UnitPrice int64        `json:"unit_price_minor"` // the dish plus its options
	LineTotal int64        `json:"line_total_minor"`
}

// LineOption is an option chosen for a line, priced from the menu.
type LineOption struct {
	GroupID    string `json:"group_id"`
	ChoiceID   string `json:"choice_id"`
	Name       string `json:"name"`
	PriceMinor int64  `json:"price_minor"`
}

// Order is the aggregate every function works on. Version grows by one on each
// write; the stream publisher derives event ids from it. It is never a
// response body: the API renders per-route views (orders.OrderView,
// tracking.CourierJob, ...), so internal fields such as PaymentToken and the
// parties' ids stay inside; their JSON names are for logs and tests only.
type Order struct {
	ID         string `json:"id"`
	CustomerID string `json:"customer_id"`
	// CustomerFirstName is the given_name claim of the customer's ID token
	// when it has one; the courier is shown it, never the customer's id.
	CustomerFirstName string      `json:"customer_first_name,omitempty"`
	RestaurantID      string      `json:"restaurant_id"`
	RestaurantName    string      `json:"restaurant_name"`
	PickupLocation    LatLng      `json:"pickup_location"`
	DeliveryLocation  LatLng      `json:"delivery_location"`
	DeliveryAddress   string      `json:"delivery_address,omitempty"`
	Lines             []OrderLine `json:"lines"`
	SubtotalMinor     int64       `json:"subtotal_minor"`
	DeliveryFeeMinor  int64       `json:"delivery_fee_minor"`
	TaxMinor          int64       `json:"tax_minor"`
	TotalMinor        int64       `json:"total_minor"`
	Currency          string      `json:"currency"`
	Status            Status      `json:"status"`
	CourierID         string      `json:"courier_id,omitempty"`
	// CourierName is the assigned courier's display name, copied by the
	// assignment; the customer is shown it, never the courier's id.
	CourierName  string `json:"courier_name,omitempty"`
	PaymentToken string `json:"-"` // only the payment function needs it
	// ContactEmail is the email address the customer's sign-in token carried
	// when they ordered: where notifications go until they choose another in
	// their preferences. Never in a response.
	ContactEmail  string `json:"-"`
	CorrelationID string `json:"-"`
	CausationID   string `json:"-"`
	// TraceParent is the order's W3C trace context (shared/platform/tracecontext): one trace id for the
	// order's whole life, the span of the invocation that wrote this version. Stored, and carried in events.
	TraceParent string    `json:"-"`
	Version     int       `json:"version"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`

	// ETA is when the order should reach the customer, estimated from distances when a courier is assigned
	// (EstimateDelivery); zero before.
	ETA time.Time `json:"eta,omitzero"`
}

// PlaceOrderRequest is the body of POST /orders. It deliberately has no price
// fields: anything a client sends about prices is ignored.
type PlaceOrderRequest struct {
	RestaurantID     string          `json:"restaurant_id"`
	Items            []RequestedItem `json:"items"`
	DeliveryLocation *LatLng         `json:"delivery_location"`
	DeliveryAddress  string          `json:"delivery_address"`
	// PaymentToken is the tokenised card from the payment provider's SDK; the
	// card itself never reaches this system. Defaults to DefaultPaymentToken.
	PaymentToken string `json:"payment_token"`
	// ContactEmail is not part of the body: the handler copies the email claim
	// of the caller's token here, the default address for their notifications.
	ContactEmail string `json:"-"`
}

// DefaultPaymentToken is used when a request names none: the simulated
// provider's always-approving test card.
const DefaultPaymentToken = "tok_visa"

// ValidPaymentToken reports whether s has the shape of provider tokens: tok_
// and 1 to 60 of [a-z0-9_]. A loop, not a package-level regexp: compiling
// ^tok_[a-z0-9_]{1,60}$ at init cost every cold start of every function 0.2 ms.
func ValidPaymentToken(s string) bool {
	rest, ok := strings.CutPrefix(s, "tok_")
	return ok && len(rest) >= 1 && len(rest) <= 60 && onlyBytes(rest, func(c byte) bool {
		return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_'
	})
}

// onlyBytes reports whether every byte of s satisfies ok.
func onlyBytes(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

// RequestedItem is a dish and how many of it.
type RequestedItem struct {
	ItemID   string   `json:"item_id"`
	Quantity int      `json:"quantity"`
	Options  []string `json:"options"` // choice ids, e.g. ["large", "extra-cheese"]
}

// Limits on an order's shape; they keep an item (and its DynamoDB record)
// well under the 400 KB item limit and catch fat-fingered quantities.
const (
	MaxOrderLines      = 50
	MaxQuantityPerLine = 50
	MaxAddressLength   = 200
	MaxDeliveryMeters  = 15_000
	MaxOptionsPerLine  = 20
)

// TaxRateBasisPoints is the VAT rate applied to food and delivery (7 %,
// Germany's reduced rate for food), in hundredths of a percent.
const TaxRateBasisPoints = 700

// Validate checks the request's own shape, before any lookup.
func (r PlaceOrderRequest) Validate() error {
	if strings.TrimSpace(r.RestaurantID) == "" {
		return Invalid("restaurant_id", "is required")
	}
	if len(r.Items) == 0 {
		return Invalid("items", "must contain at least one item")
	}
	if len(r.Items) > MaxOrderLines {
		return Invalid("items", "must contain at most %d items", MaxOrderLines)
	}
	for i, it := range r.Items {
		if strings.TrimSpace(it.ItemID) == "" {
			return Invalid(indexed("items", i, "item_id"), "is required")
		}
		if it.Quantity < 1 || it.Quantity > MaxQuantityPerLine {
			return Invalid(indexed("items", i, "quantity"), "must be between 1 and %d", MaxQuantityPerLine)
		}
		if len(it.Options) > MaxOptionsPerLine {
			return Invalid(indexed("items", i, "options"), "must hold at most %d options", MaxOptionsPerLine)
		}
	}
	if r.DeliveryLocation == nil {
		return Invalid("delivery_location", "is required")
	}
	if err := r.DeliveryLocation.Validate("delivery_location"); err != nil {
		return err
	}
	if r.PaymentToken != "" && !ValidPaymentToken(r.PaymentToken) {
		return Invalid("payment_token", "must look like tok_xxx")
	}
	if utf8.RuneCountInString(r.DeliveryAddress) > MaxAddressLength {
		return Invalid("delivery_address", "must be at most %d characters", MaxAddressLength)
	}
	return nil
}

func indexed(list string, i int, field string) string {
	return list + "[" + strconv.Itoa(i) + "]." + field
}

// NewOrder prices a validated request against the restaurant's menu. Prices
// come only from the menu; the same dish asked for twice becomes one line.
func NewOrder(id, customerID string, req PlaceOrderRequest, menu Menu, now time.Time) (Order, error) {
	if err := req.Validate(); err != nil {
		return Order{}, err
	}
	if !menu.Restaurant.OpenAt(now) {
		return Order{}, Invalid("restaurant_id", "%s is closed now", menu.Restaurant.Name)
	}
	distance := DistanceMeters(menu.Restaurant.Location, *req.DeliveryLocation)
	if distance > MaxDeliveryMeters {
		return Order{}, Invalid("delivery_location", "is %.1f km from the restaurant; the limit is %d km",
			distance/1000, MaxDeliveryMeters/1000)
	}
	order := Order{
		ID:               id,
		CustomerID:       customerID,
		RestaurantID:     menu.Restaurant.ID,
		RestaurantName:   menu.Restaurant.Name,
		PickupLocation:   menu.Restaurant.Location,
		DeliveryLocation: *req.DeliveryLocation,
		DeliveryAddress:  strings.TrimSpace(req.DeliveryAddress),
		Currency:         Currency,
		PaymentToken:     req.PaymentToken,
		ContactEmail:     req.ContactEmail,
		Status:           StatusPlaced,
		CorrelationID:    id,
		Version:          1,
		CreatedAt:        now.UTC(),
		UpdatedAt:        now.UTC(),
	}
	if order.PaymentToken == "" {
		order.PaymentToken = DefaultPaymentToken
	}
	lineByKey := map[string]int{}
	for i, want := range req.Items {
		item, ok := menu.Item(want.ItemID)
		if !ok {
			return Order{}, Invalid(indexed("items", i, "item_id"), "%q is not on the menu of %s", want.ItemID, menu.Restaurant.ID)
		}
		if !item.Available {
			return Order{}, Invalid(indexed("items", i, "item_id"), "%q is not available right now", want.ItemID)
		}
		options, err := item.chosenOptions(want.Options, indexed("items", i, "options"))
		if err != nil {
			return Order{}, err
		}
		// The same dish with the same options, asked for twice, is one line.
		key := lineKey(item.ID, options)
		if at, seen := lineByKey[key]; seen {
			line := &order.Lines[at]
			line.Quantity += want.Quantity
			if line.Quantity > MaxQuantityPerLine {
				return Order{}, Invalid(indexed("items", i, "quantity"), "adds up to more than %d of %q", MaxQuantityPerLine, item.ID)
			}
			line.LineTotal = line.UnitPrice * int64(line.Quantity)
			continue
		}
		unit := item.PriceMinor
		for _, o := range options {
			unit += o.PriceMinor
		}
		lineByKey[key] = len(order.Lines)
		order.Lines = append(order.Lines, OrderLine{
			ItemID:    item.ID,
			Name:      item.Name,
			Options:   options,
			Quantity:  want.Quantity,
			UnitPrice: unit,
			LineTotal: unit * int64(want.Quantity),
		})
	}
	for _, l := range order.Lines {
		order.SubtotalMinor += l.LineTotal
	}
	order.DeliveryFeeMinor = DeliveryFee(distance)
	order.TaxMinor = Tax(order.SubtotalMinor + order.DeliveryFeeMinor)
	order.TotalMinor = order.SubtotalMinor + order.DeliveryFeeMinor + order.TaxMinor
	return order, nil
}

// lineKey identifies a dish with a set of options, whatever their order.
func lineKey(itemID string, options []LineOption) string {
	ids := make([]string, len(options))
	for i, o := range options {
		ids[i] = o.ChoiceID
	}
	sort.Strings(ids)
	return itemID + "|" + strings.Join(ids, ",")
}

// Tax is the VAT on an amount, rounded half up to the cent.
func Tax(amountMinor int64) int64 {
	return (amountMinor*TaxRateBasisPoints + 5_000) / 10_000
}

// DeliveryFee is a base fee covering the first two kilometres plus a fixed
// amount for every further started kilometre, in minor units.
func DeliveryFee(distanceMeters float64) int64 {
	const base, perKm, freeMeters = 199, 50, 2000
	if distanceMeters <= freeMeters {
		return base
	}
	extraKm := int64((distanceMeters - freeMeters + 999) / 1000)
	return base + perKm*extraKm
}

// Transition moves the order to status to, or says why it cannot. causation is
// the id of the event that led to the change (empty for API calls).
func (o *Order) Transition(to Status, causation string, now time.Time) error {
	if !CanTransition(o.Status, to) {
		return &TransitionError{From: o.Status, To: to}
	}
	o.Status = to
	o.CausationID = causation
	o.Version++
	o.UpdatedAt = now.UTC()
	return nil
}

// IdempotencyRecord is what a customer's Idempotency-Key points to: the order
// it created and a hash of the request that created it.
type IdempotencyRecord struct {
	OrderID     string
	RequestHash string
}
