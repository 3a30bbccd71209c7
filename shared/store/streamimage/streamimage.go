// Package streamimage decodes the order and courier-position items of the single table from the stream images
// Lambda hands to a DynamoDB stream consumer (aws-lambda-go's events.DynamoDBAttributeValue), without the AWS
// SDK's DynamoDB packages: the stream publisher and the push function never call DynamoDB through it, and loading
// service/dynamodb and its attributevalue package cost them cold-start time (docs/performance.md).
//
// The attribute names are those shared/store writes (its orderItem and trackingItem); shared/store's tests decode
// every field both ways, through this package and through the SDK's attributevalue, so the two cannot drift.
package streamimage

import (
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
)

// Item types (the "type" attribute) this package decodes; shared/store uses the same values.
const (
	TypeOrder    = "order"
	TypeTracking = "tracking"
)

// Image is a stream image: one item's attributes.
type Image = map[string]events.DynamoDBAttributeValue

// isType reports whether the image is an item of the given type (the stream carries every item of the table).
func isType(image Image, typ string) bool {
	t, found := image["type"]
	return found && t.DataType() == events.DataTypeString && t.String() == typ
}

// Order decodes an order item's image. ok is false when the image is empty or not an order item.
func Order(image Image) (o domain.Order, ok bool, err error) {
	if len(image) == 0 || !isType(image, TypeOrder) {
		return domain.Order{}, false, nil
	}
	r := reader{image: image}
	o = domain.Order{
		ID: r.str("order_id"), CustomerID: r.str("customer_id"), CustomerFirstName: r.str("customer_first_name"),
		RestaurantID: r.str("restaurant_id"), RestaurantName: r.str("restaurant_name"),
		PickupLocation:   domain.LatLng{Lat: r.float("pickup_lat"), Lng: r.float("pickup_lng")},
		DeliveryLocation: domain.LatLng{Lat: r.float("delivery_lat"), Lng: r.float("delivery_lng")},
		DeliveryAddress:  r.str("delivery_address"),
		SubtotalMinor:    r.int64("subtotal_minor"), DeliveryFeeMinor: r.int64("delivery_fee_minor"),
		TaxMinor: r.int64("tax_minor"), TotalMinor: r.int64("total_minor"), Currency: r.str("currency"),
		Status: domain.Status(r.str("status")), CourierID: r.str("courier_id"), CourierName: r.str("courier_name"),
		PaymentToken: r.str("payment_token"), ContactEmail: r.str("contact_email"), CorrelationID: r.str("correlation_id"), CausationID: r.str("causation_id"),
		TraceParent: r.str("trace_parent"), Version: r.int("version"),
		CreatedAt: r.time("created_at"), UpdatedAt: r.time("updated_at"),
	}
	if eta, present := r.optionalTime("eta"); present {
		o.ETA = eta.UTC()
	}
	lines := r.list("lines")
	o.Lines = make([]domain.OrderLine, len(lines))
	for i, v := range lines {
		lr := r.sub(fmt.Sprintf("lines[%d]", i), v)
		l := domain.OrderLine{ItemID: lr.str("item_id"), Name: lr.str("name"), Quantity: lr.int("quantity"),
			UnitPrice: lr.int64("unit_price_minor"), LineTotal: lr.int64("line_total_minor")}
		// Options carry no dynamodbav tags, so the SDK names their attributes after the Go fields.
		for j, ov := range lr.list("options") {
			or := lr.sub(fmt.Sprintf("options[%d]", j), ov)
			l.Options = append(l.Options, domain.LineOption{GroupID: or.str("GroupID"), ChoiceID: or.str("ChoiceID"),
				Name: or.str("Name"), PriceMinor: or.int64("PriceMinor")})
		}
		o.Lines[i] = l
	}
	if r.err != nil {
		return domain.Order{}, false, fmt.Errorf("decode order image: %w", r.err)
	}
	return o, true, nil
}

// Tracking decodes a courier position item's image. ok is false when the image is not a position item.
func Tracking(image Image) (p domain.TrackingPosition, ok bool, err error) {
	if !isType(image, TypeTracking) {
		return domain.TrackingPosition{}, false, nil
	}
	r := reader{image: image}
	p = domain.TrackingPosition{OrderID: r.str("order_id"), CourierID: r.str("courier_id"),
		Location: domain.LatLng{Lat: r.float("lat"), Lng: r.float("lng")}, RecordedAt: r.time("recorded_at")}
	if r.err != nil {
		return domain.TrackingPosition{}, false, fmt.Errorf("decode tracking image: %w", r.err)
	}
	return p, true, nil
}

// reader reads typed attributes of one map, keeping the first error. A missing or NULL attribute reads as the
// zero value, as the SDK's attributevalue decodes it; an attribute of another type is an error (never a panic:
// events.DynamoDBAttributeValue panics when read as the wrong type).
type reader struct {
	path  string
	image Image
	err   error
	// parent receives the error of a sub-reader.
	parent *reader
}

func (r *reader) fail(name string, err error) {
	if r.parent != nil {
		r.parent.fail(r.path+"."+name, err)
		return
	}
	if r.err == nil {
		r.err = fmt.Errorf("attribute %s: %w", name, err)
	}
}

// get returns the attribute when it is present, not NULL and of type want.
func (r *reader) get(name string, want events.DynamoDBDataType) (events.DynamoDBAttributeValue, bool) {
	v, found := r.image[name]
	if !found || v.DataType() == events.DataTypeNull {
		return v, false
	}
	if v.DataType() != want {
		r.fail(name, fmt.Errorf("stream type %v, want %v", v.DataType(), want))
		return v, false
	}
	return v, true
}

func (r *reader) str(name string) string {
	if v, ok := r.get(name, events.DataTypeString); ok {
		return v.String()
	}
	return ""
}

func (r *reader) int64(name string) int64 {
	v, ok := r.get(name, events.DataTypeNumber)
	if !ok {
		return 0
	}
	n, err := strconv.ParseInt(v.Number(), 10, 64)
	if err != nil {
		r.fail(name, err)
	}
	return n
}

func (r *reader) int(name string) int {
	v, ok := r.get(name, events.DataTypeNumber)
	if !ok {
		return 0
	}
	n, err := strconv.ParseInt(v.Number(), 10, strconv.IntSize)
	if err != nil {
		r.fail(name, err)
	}
	return int(n)
}

func (r *reader) float(name string) float64 {
	v, ok := r.get(name, events.DataTypeNumber)
	if !ok {
		return 0
	}
	f, err := strconv.ParseFloat(v.Number(), 64)
	if err != nil {
		r.fail(name, err)
	}
	return f
}

// optionalTime reads a time the SDK wrote as an RFC 3339 string (its default for time.Time).
func (r *reader) optionalTime(name string) (time.Time, bool) {
	v, ok := r.get(name, events.DataTypeString)
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, v.String())
	if err != nil {
		r.fail(name, err)
		return time.Time{}, false
	}
	return t, true
}

func (r *reader) time(name string) time.Time {
	t, _ := r.optionalTime(name)
	return t
}

func (r *reader) list(name string) []events.DynamoDBAttributeValue {
	if v, ok := r.get(name, events.DataTypeList); ok {
		return v.List()
	}
	return nil
}

// sub reads the map v (an element named path of one of r's lists); a NULL element reads as an empty map.
func (r *reader) sub(path string, v events.DynamoDBAttributeValue) *reader {
	s := &reader{path: path, parent: r}
	switch v.DataType() {
	case events.DataTypeMap:
		s.image = v.Map()
	case events.DataTypeNull:
	default:
		r.fail(path, fmt.Errorf("stream type %v, want a map", v.DataType()))
	}
	return s
}
