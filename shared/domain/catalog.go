package domain

import (
	"fmt"
	"strings"
	"time"
)

// Restaurant is a place customers order from.
type Restaurant struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Cuisine  string `json:"cuisine"`
	Address  string `json:"address"`
	Location LatLng `json:"location"`
	// TimeZone is an IANA zone name; opening hours are local to it.
	TimeZone string         `json:"time_zone"`
	Hours    []OpeningHours `json:"opening_hours"`
}

// OpeningHours is one opening window. Close may be earlier than Open for a
// window that runs past midnight ("18:00"–"02:00"); "00:00"–"24:00" is all day.
type OpeningHours struct {
	Day   string `json:"day"` // mon, tue, wed, thu, fri, sat, sun
	Open  string `json:"open"`
	Close string `json:"close"`
}

var weekdays = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// OpenAt reports whether the restaurant takes orders at t.
func (r Restaurant) OpenAt(t time.Time) bool {
	loc, err := time.LoadLocation(r.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	local := t.In(loc)
	minute := local.Hour()*60 + local.Minute()
	today := weekdays[local.Weekday()]
	yesterday := weekdays[(local.Weekday()+6)%7]
	for _, h := range r.Hours {
		open, okOpen := minutesOfDay(h.Open)
		closing, okClose := minutesOfDay(h.Close)
		if !okOpen || !okClose {
			continue
		}
		overnight := closing <= open
		switch {
		case h.Day == today && !overnight && minute >= open && minute < closing:
			return true
		case h.Day == today && overnight && minute >= open:
			return true
		case h.Day == yesterday && overnight && minute < closing:
			return true
		}
	}
	return false
}

func minutesOfDay(hhmm string) (int, bool) {
	var h, m int
	if _, err := fmt.Sscanf(hhmm, "%d:%d", &h, &m); err != nil || h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m != 0) {
		return 0, false
	}
	return h*60 + m, true
}

// MenuItem is one dish. Prices are integer minor units (cents) so that sums
// never round.
type MenuItem struct {
	ID           string        `json:"id"`
	Name         string        `json:"name"`
	Description  string        `json:"description,omitempty"`
	Category     string        `json:"category,omitempty"`
	PriceMinor   int64         `json:"price_minor"`
	Available    bool          `json:"available"`
	OptionGroups []OptionGroup `json:"option_groups,omitempty"`
}

// OptionGroup is a choice a customer makes about a dish, such as its size
// (exactly one) or extras (any number up to Max).
type OptionGroup struct {
	ID      string         `json:"id"`
	Name    string         `json:"name"`
	Min     int            `json:"min"`
	Max     int            `json:"max"`
	Choices []OptionChoice `json:"choices"`
}

// OptionChoice is one answer to an option group; its price is added to the
// dish's.
type OptionChoice struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	PriceMinor int64  `json:"price_minor"`
	Available  bool   `json:"available"`
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

// MinimalOptions returns the fewest choices that satisfy every option group:
// the first available choices of each group that requires some. ok is false
// when a required group has too few available choices, so the dish cannot be
// ordered right now.
func (it MenuItem) MinimalOptions() (choices []string, ok bool) {
	choices = []string{}
	for _, g := range it.OptionGroups {
		picked := 0
		for _, c := range g.Choices {
			if picked < g.Min && c.Available {
				choices = append(choices, c.ID)
				picked++
			}
		}
		if picked < g.Min {
			return nil, false
		}
	}
	return choices, true
}

// chosenOptions resolves the option ids a customer picked for a dish and
// checks every group's bounds; field names the request field for errors.
func (it MenuItem) chosenOptions(picked []string, field string) ([]LineOption, error) {
	seen := map[string]bool{}
	perGroup := map[string]int{}
	var chosen []LineOption
	for j, id := range picked {
		if seen[id] {
			return nil, Invalid(fmt.Sprintf("%s[%d]", field, j), "%q is chosen twice", id)
		}
		seen[id] = true
		group, choice, ok := it.findChoice(id)
		if !ok {
			return nil, Invalid(fmt.Sprintf("%s[%d]", field, j), "%q is not an option of %q", id, it.ID)
		}
		if !choice.Available {
			return nil, Invalid(fmt.Sprintf("%s[%d]", field, j), "%q is not available right now", id)
		}
		perGroup[group.ID]++
		chosen = append(chosen, LineOption{GroupID: group.ID, ChoiceID: choice.ID, Name: choice.Name, PriceMinor: choice.PriceMinor})
	}
	for _, g := range it.OptionGroups {
		if n := perGroup[g.ID]; n < g.Min || n > g.Max {
			return nil, Invalid(field, "%s of %q: choose %s", strings.ToLower(g.Name), it.ID, bounds(g.Min, g.Max))
		}
	}
	return chosen, nil
}

func bounds(lo, hi int) string {
	switch {
	case lo == hi:
		return fmt.Sprintf("exactly %d", lo)
	case lo == 0:
		return fmt.Sprintf("at most %d", hi)
	}
	return fmt.Sprintf("between %d and %d", lo, hi)
}

func (it MenuItem) findChoice(id string) (OptionGroup, OptionChoice, bool) {
	for _, g := range it.OptionGroups {
		for _, c := range g.Choices {
			if c.ID == id {
				return g, c, true
			}
		}
	}
	return OptionGroup{}, OptionChoice{}, false
}

// Currency is the single currency this deployment charges in.
const Currency = "EUR"
