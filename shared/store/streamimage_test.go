package store

import (
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/store/streamimage"
)

// fullOrder is sampleOrder with every field of domain.Order set, so a field the stream decoder forgets fails
// TestStreamDecoderAgreesWithTheSDK (TestFullOrderSetsEveryField keeps it full when domain.Order grows).
func fullOrder() domain.Order {
	o := sampleOrder()
	o.ETA = o.UpdatedAt.Add(25 * time.Minute)
	o.ContactEmail = "ada@example.com"
	o.TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	o.Lines = append(o.Lines, domain.OrderLine{ItemID: "cola", Name: "Cola", Quantity: 1, UnitPrice: 300, LineTotal: 300})
	return o
}

func TestFullOrderSetsEveryField(t *testing.T) {
	v := reflect.ValueOf(fullOrder())
	for i := 0; i < v.NumField(); i++ {
		if v.Field(i).IsZero() {
			t.Errorf("fullOrder leaves domain.Order.%s unset: set it, so the stream decoder is checked on it", v.Type().Field(i).Name)
		}
	}
}

// TestStreamDecoderAgreesWithTheSDK: streamimage (the stream publisher's and the push function's decoder, free of
// the SDK's DynamoDB packages) reads every item this package writes exactly as the SDK's attributevalue reads it
// back from the table.
func TestStreamDecoderAgreesWithTheSDK(t *testing.T) {
	for name, o := range map[string]domain.Order{"full": fullOrder(), "bare": {ID: "o-2", Status: domain.StatusPlaced, Version: 1}} {
		av, err := attributevalue.MarshalMap(toOrderItem(o))
		if err != nil {
			t.Fatal(err)
		}
		var it orderItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			t.Fatal(err)
		}
		got, ok, err := streamimage.Order(toStream(t, av))
		if err != nil || !ok || !reflect.DeepEqual(got, it.domain()) {
			t.Errorf("%s order: ok=%v err=%v\n stream %+v\n    sdk %+v", name, ok, err, got, it.domain())
		}
	}

	p := domain.TrackingPosition{OrderID: "o-1", CourierID: "k-1", Location: domain.LatLng{Lat: 52.52, Lng: 13.405},
		RecordedAt: time.Date(2026, 11, 23, 12, 0, 1, 500000000, time.UTC)}
	av, err := attributevalue.MarshalMap(toTrackingItem(p))
	if err != nil {
		t.Fatal(err)
	}
	var it trackingItem
	if err := attributevalue.UnmarshalMap(av, &it); err != nil {
		t.Fatal(err)
	}
	got, ok, err := streamimage.Tracking(toStream(t, av))
	if err != nil || !ok || !reflect.DeepEqual(got, it.domain()) || !reflect.DeepEqual(got, p) {
		t.Errorf("tracking: ok=%v err=%v\n stream %+v\n    sdk %+v", ok, err, got, it.domain())
	}
	if streamimage.TypeOrder != typeOrder || streamimage.TypeTracking != typeTracking {
		t.Errorf("item types differ: %s/%s against %s/%s", streamimage.TypeOrder, streamimage.TypeTracking, typeOrder, typeTracking)
	}
}

// TestStreamDecoderRefusesWrongTypesWithoutPanicking: events.DynamoDBAttributeValue panics when read as another
// type, which would crash the stream publisher on the record and retry it for ever; the decoder returns an error.
func TestStreamDecoderRefusesWrongTypesWithoutPanicking(t *testing.T) {
	s, n := events.NewStringAttribute, events.NewNumberAttribute
	for name, image := range map[string]map[string]events.DynamoDBAttributeValue{
		"number as string": {"type": s("order"), "version": s("3")},
		"string as number": {"type": s("order"), "status": n("1")},
		"bad number":       {"type": s("order"), "total_minor": n("1e99")},
		"bad time":         {"type": s("order"), "created_at": s("yesterday")},
		"lines not a list": {"type": s("order"), "lines": s("x")},
		"line not a map":   {"type": s("order"), "lines": events.NewListAttribute([]events.DynamoDBAttributeValue{n("1")})},
		"option field": {"type": s("order"), "lines": events.NewListAttribute([]events.DynamoDBAttributeValue{
			events.NewMapAttribute(map[string]events.DynamoDBAttributeValue{"options": events.NewListAttribute(
				[]events.DynamoDBAttributeValue{events.NewMapAttribute(map[string]events.DynamoDBAttributeValue{"PriceMinor": s("x")})})})})},
	} {
		if _, ok, err := streamimage.Order(image); err == nil || ok {
			t.Errorf("%s: ok=%v err=%v, want an error", name, ok, err)
		}
	}
	if _, ok, err := streamimage.Tracking(map[string]events.DynamoDBAttributeValue{"type": s("tracking"), "lat": s("north")}); err == nil || ok {
		t.Errorf("tracking with a string lat: ok=%v err=%v, want an error", ok, err)
	}
	for _, image := range []map[string]events.DynamoDBAttributeValue{nil, {"type": s("courier")}, {"type": n("1")}, {"type": events.NewNullAttribute()}} {
		if _, ok, err := streamimage.Order(image); ok || err != nil {
			t.Errorf("image %v: ok=%v err=%v, want not an order", image, ok, err)
		}
	}
}
