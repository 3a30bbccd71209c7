package devstack

import (
	_ "embed"
	"encoding/json"
	"fmt"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
)

// DemoPassword is the password of every demo user. It is printed by `make run`
// and only ever used against a local emulator.
const DemoPassword = "demo-password-1"

// DemoCustomer is the customer login printed by `make run`.
const DemoCustomer = "demo-customer"

// DemoOps is the ops login printed by `make run`: the ops console (#/ops) and
// the /ops routes.
const DemoOps = "demo-ops"

// DemoCustomerFirstName is the demo customer's given_name, which the courier
// of their orders is shown.
const DemoCustomerFirstName = "Sam"

// DemoCourier is a courier login; its position is where it starts.
type DemoCourier struct {
	Username string
	Name     string
	Location domain.LatLng
}

// DemoCouriers start spread around central Berlin, near the restaurants.
var DemoCouriers = []DemoCourier{
	{Username: "courier-anna", Name: "Anna", Location: domain.LatLng{Lat: 52.5208, Lng: 13.4095}},
	{Username: "courier-ben", Name: "Ben", Location: domain.LatLng{Lat: 52.5125, Lng: 13.3890}},
	{Username: "courier-chloe", Name: "Chloé", Location: domain.LatLng{Lat: 52.5310, Lng: 13.4200}},
	{Username: "courier-dev", Name: "Dev", Location: domain.LatLng{Lat: 52.4990, Lng: 13.4300}},
}

// catalogJSON is the seeded catalogue: 8 Berlin restaurants and their menus
// (prices in euro cents). Six deliver around the clock so the demo works at
// any hour; Falafel Friends and Saigon Pho keep real opening hours, to show
// how a closed restaurant refuses orders.
//
//go:embed catalog.json
var catalogJSON []byte

// DemoMenus returns the seeded catalogue.
func DemoMenus() ([]domain.Menu, error) {
	var menus []domain.Menu
	if err := json.Unmarshal(catalogJSON, &menus); err != nil {
		return nil, fmt.Errorf("decode demo catalogue: %w", err)
	}
	for i := range menus {
		menus[i].Currency = domain.Currency
	}
	return menus, nil
}

// SampleOrder is a small valid order from the menu: two of its first dish that
// can be ordered now, with the minimal options, delivered a few hundred metres
// from the restaurant. The benchmarks place it.
func SampleOrder(menu domain.Menu) (domain.PlaceOrderRequest, error) {
	for _, it := range menu.Items {
		if !it.Available {
			continue
		}
		options, ok := it.MinimalOptions()
		if !ok {
			continue
		}
		loc := domain.LatLng{Lat: menu.Restaurant.Location.Lat + 0.004, Lng: menu.Restaurant.Location.Lng + 0.004}
		return domain.PlaceOrderRequest{
			RestaurantID: menu.Restaurant.ID, DeliveryLocation: &loc, DeliveryAddress: "Benchstr. 1, Berlin",
			PaymentToken: domain.DefaultPaymentToken,
			Items:        []domain.RequestedItem{{ItemID: it.ID, Quantity: 2, Options: options}},
		}, nil
	}
	return domain.PlaceOrderRequest{}, fmt.Errorf("no orderable dish on the menu of %s", menu.Restaurant.ID)
}
