package store

import (
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
)

func sampleOrder() domain.Order {
	now := time.Date(2026, 11, 23, 12, 0, 0, 123000000, time.UTC)
	return domain.Order{
		ID: "o-1", CustomerID: "c-1", RestaurantID: "r-1", RestaurantName: "R",
		PickupLocation: domain.LatLng{Lat: 52.5, Lng: 13.4}, DeliveryLocation: domain.LatLng{Lat: 52.51, Lng: 13.41},
		DeliveryAddress: "Somewhere 1",
		Lines: []domain.OrderLine{{ItemID: "pizza", Name: "Pizza", Quantity: 2, UnitPrice: 1250, LineTotal: 2500,
			Options: []domain.LineOption{{GroupID: "size", ChoiceID: "large", Name: "Large", PriceMinor: 300}}}},
		SubtotalMinor: 2500, DeliveryFeeMinor: 199, TaxMinor: 189, TotalMinor: 2888, Currency: "EUR",
		Status: domain.StatusCourierAssigned, CourierID: "k-1", PaymentToken: "tok_visa",
		CorrelationID: "o-1", CausationID: "e-2", Version: 3, CreatedAt: now, UpdatedAt: now.Add(time.Second),
	}
}

// toStream converts an item to the shape Lambda receives from the stream.
func toStream(t testing.TB, av types.AttributeValue) events.DynamoDBAttributeValue {
	t.Helper()
	switch v := av.(type) {
	case *types.AttributeValueMemberS:
		return events.NewStringAttribute(v.Value)
	case *types.AttributeValueMemberN:
		return events.NewNumberAttribute(v.Value)
	case *types.AttributeValueMemberBOOL:
		return events.NewBooleanAttribute(v.Value)
	case *types.AttributeValueMemberNULL:
		return events.NewNullAttribute()
	case *types.AttributeValueMemberL:
		list := make([]events.DynamoDBAttributeValue, len(v.Value))
		for i, e := range v.Value {
			list[i] = toStream(t, e)
		}
		return events.NewListAttribute(list)
	case *types.AttributeValueMemberM:
		m := map[string]events.DynamoDBAttributeValue{}
		for k, e := range v.Value {
			m[k] = toStream(t, e)
		}
		return events.NewMapAttribute(m)
	}
	t.Fatalf("unexpected attribute %T", av)
	return events.DynamoDBAttributeValue{}
}

func TestOrderSurvivesTheTableAndTheStream(t *testing.T) {
	want := sampleOrder()
	av, err := attributevalue.MarshalMap(toOrderItem(want))
	if err != nil {
		t.Fatal(err)
	}
	var back orderItem
	if err := attributevalue.UnmarshalMap(av, &back); err != nil {
		t.Fatal(err)
	}
	if got := back.domain(); !reflect.DeepEqual(got, want) {
		t.Fatalf("table round trip:\n got %+v\nwant %+v", got, want)
	}
	image := map[string]events.DynamoDBAttributeValue{}
	for k, v := range av {
		image[k] = toStream(t, v)
	}
	got, ok, err := OrderFromImage(image)
	if err != nil || !ok || !reflect.DeepEqual(got, want) {
		t.Fatalf("stream round trip: ok=%v err=%v\n got %+v\nwant %+v", ok, err, got, want)
	}
	if _, ok, _ := OrderFromImage(map[string]events.DynamoDBAttributeValue{"type": events.NewStringAttribute("courier")}); ok {
		t.Fatal("a courier image decoded as an order")
	}
}

func TestMenuSurvivesTheTable(t *testing.T) {
	r := domain.Restaurant{ID: "r-1", Name: "R", Cuisine: "Thai", Address: "A", Location: domain.LatLng{Lat: 1, Lng: 2},
		TimeZone: "Europe/Berlin", Hours: []domain.OpeningHours{{Day: "mon", Open: "11:00", Close: "22:00"}}}
	m := domain.MenuItem{ID: "curry", Name: "Curry", Category: "Mains", PriceMinor: 1200, Available: true,
		OptionGroups: []domain.OptionGroup{{ID: "spice", Name: "Spice", Min: 1, Max: 1,
			Choices: []domain.OptionChoice{{ID: "mild", Name: "Mild", Available: true}, {ID: "hot", Name: "Hot", PriceMinor: 50, Available: true}}}}}
	rav, _ := attributevalue.MarshalMap(toRestaurantItem(r))
	mav, _ := attributevalue.MarshalMap(toMenuItem(r.ID, m))
	var rBack restaurantItem
	var mBack menuItem
	if err := attributevalue.UnmarshalMap(rav, &rBack); err != nil {
		t.Fatal(err)
	}
	if err := attributevalue.UnmarshalMap(mav, &mBack); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rBack.domain(), r) || !reflect.DeepEqual(mBack.domain(), m) {
		t.Fatalf("round trip: %+v %+v", rBack.domain(), mBack.domain())
	}
}
