package domain

// Restaurant is a place customers order from.
type Restaurant struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Cuisine  string `json:"cuisine"`
	Address  string `json:"address"`
	Location LatLng `json:"location"`
}

// MenuItem is one dish. Prices are integer minor units (cents) so that sums
// never round.
type MenuItem struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	PriceMinor  int64  `json:"price_minor"`
	Available   bool   `json:"available"`
}

// Menu is a restaurant with its dishes, read in one query.
type Menu struct {
	Restaurant Restaurant `json:"restaurant"`
	Currency   string     `json:"currency"`
	Items      []MenuItem `json:"items"`
}

// Item finds a dish by id.
func (m Menu) Item(id string) (MenuItem, bool) {
	for _, it := range m.Items {
		if it.ID == id {
			return it, true
		}
	}
	return MenuItem{}, false
}

// Currency is the single currency this deployment charges in.
const Currency = "EUR"
