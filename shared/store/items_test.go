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
		Status: domain.StatusCourierAssigned, CourierID: "k-1", CourierName: "Kim", PaymentToken: "tok_visa", CustomerFirstName: "Ada",
		CorrelationID: "o-1", CausationID: "e-2", Version: 3, CreatedAt: now, UpdatedAt: now.Add(time.Second),
	}
}

// toStream is the stream image of an item, failing the test if it has an
// attribute the stream could not carry.
func toStream(tb testing.TB, item map[string]types.AttributeValue) map[string]events.DynamoDBAttributeValue {
	tb.Helper()
	image, err := StreamImage(item)
	if err != nil {
		tb.Fatal(err)
	}
	return image
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
	got, ok, err := OrderFromImage(toStream(t, av))
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

// Only orders that await a saga step or have ended carry the sweeper's index
// keys (an order on its way with a courier does not), and the keys sort by the
// time the order reached its status.
func TestAwaitingIndexIsSparseAndSortsByTime(t *testing.T) {
	o := sampleOrder()
	for _, s := range []domain.Status{domain.StatusPlaced, domain.StatusPaid, domain.StatusCourierAssigned, domain.StatusPickedUp,
		domain.StatusDelivered, domain.StatusPaymentFailed, domain.StatusCancelled, domain.StatusNoCourier, domain.StatusRefunded} {
		o.Status = s
		item, err := attributevalue.MarshalMap(toOrderItem(o))
		if err != nil {
			t.Fatal(err)
		}
		_, indexed := item["GSI2PK"]
		if want := s != domain.StatusCourierAssigned && s != domain.StatusPickedUp; indexed != want {
			t.Errorf("%s: in the awaiting index %v, want %v", s, indexed, want)
		}
		if indexed && item["GSI2PK"].(*types.AttributeValueMemberS).Value != "AWAITING#"+string(s) {
			t.Errorf("%s: GSI2PK %v", s, item["GSI2PK"])
		}
	}

	base := time.Date(2026, 11, 23, 12, 0, 5, 0, time.UTC)
	times := []time.Time{base, base.Add(time.Nanosecond), base.Add(100 * time.Millisecond), base.Add(time.Second),
		base.In(time.FixedZone("CET", 3600)).Add(2 * time.Second)}
	for i := 1; i < len(times); i++ {
		_, a := awaitingKeys(domain.StatusPaid, times[i-1], "zzz")
		_, b := awaitingKeys(domain.StatusPaid, times[i], "aaa")
		if a >= b {
			t.Errorf("key of %s (%s) does not sort before that of %s (%s)", times[i-1], a, times[i], b)
		}
	}
}
