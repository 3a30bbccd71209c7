package devstack

import "github.com/fooddelivery/serverless-food-delivery/shared/domain"

// DemoPassword is the password of every demo user. It is printed by `make run`
// and only ever used against a local emulator.
const DemoPassword = "demo-password-1"

// DemoCustomer is the customer login printed by `make run`.
const DemoCustomer = "demo-customer"

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

// DemoMenus is the seeded catalogue. Prices are in euro cents.
var DemoMenus = []domain.Menu{
	{
		Restaurant: domain.Restaurant{ID: "trattoria-roma", Name: "Trattoria Roma", Cuisine: "Italian",
			Address: "Rosenthaler Str. 12, 10119 Berlin", Location: domain.LatLng{Lat: 52.5262, Lng: 13.4019}},
		Items: []domain.MenuItem{
			{ID: "margherita", Name: "Pizza Margherita", Description: "Tomato, fior di latte, basil", PriceMinor: 950, Available: true},
			{ID: "diavola", Name: "Pizza Diavola", Description: "Tomato, mozzarella, spicy salami", PriceMinor: 1150, Available: true},
			{ID: "carbonara", Name: "Spaghetti Carbonara", Description: "Guanciale, egg yolk, pecorino", PriceMinor: 1250, Available: true},
			{ID: "tiramisu", Name: "Tiramisù", PriceMinor: 650, Available: true},
			{ID: "truffle-risotto", Name: "Truffle Risotto", Description: "Seasonal, when the truffles come in", PriceMinor: 1890, Available: false},
		},
	},
	{
		Restaurant: domain.Restaurant{ID: "sakura-sushi", Name: "Sakura Sushi", Cuisine: "Japanese",
			Address: "Friedrichstr. 101, 10117 Berlin", Location: domain.LatLng{Lat: 52.5180, Lng: 13.3880}},
		Items: []domain.MenuItem{
			{ID: "salmon-nigiri", Name: "Salmon Nigiri (2 pcs)", PriceMinor: 480, Available: true},
			{ID: "california-roll", Name: "California Roll (8 pcs)", PriceMinor: 890, Available: true},
			{ID: "miso-soup", Name: "Miso Soup", PriceMinor: 350, Available: true},
			{ID: "chicken-katsu", Name: "Chicken Katsu Curry", PriceMinor: 1390, Available: true},
		},
	},
	{
		Restaurant: domain.Restaurant{ID: "curry-haus", Name: "Curry Haus", Cuisine: "German",
			Address: "Oranienstr. 40, 10999 Berlin", Location: domain.LatLng{Lat: 52.5019, Lng: 13.4210}},
		Items: []domain.MenuItem{
			{ID: "currywurst", Name: "Currywurst", Description: "With our own curry ketchup", PriceMinor: 450, Available: true},
			{ID: "fries", Name: "Pommes", PriceMinor: 300, Available: true},
			{ID: "schnitzel", Name: "Schnitzel with potato salad", PriceMinor: 1490, Available: true},
			{ID: "apfelschorle", Name: "Apfelschorle 0.5 l", PriceMinor: 290, Available: true},
		},
	},
	{
		Restaurant: domain.Restaurant{ID: "taco-loco", Name: "Taco Loco", Cuisine: "Mexican",
			Address: "Kastanienallee 77, 10435 Berlin", Location: domain.LatLng{Lat: 52.5380, Lng: 13.4090}},
		Items: []domain.MenuItem{
			{ID: "tacos-al-pastor", Name: "Tacos al Pastor (3)", PriceMinor: 990, Available: true},
			{ID: "burrito", Name: "Bean Burrito", PriceMinor: 1090, Available: true},
			{ID: "guacamole", Name: "Guacamole & Chips", PriceMinor: 650, Available: true},
			{ID: "horchata", Name: "Horchata", PriceMinor: 390, Available: true},
		},
	},
}
