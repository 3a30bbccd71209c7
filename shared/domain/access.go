package domain

// CarriedBy reports whether courierID is carrying the order right now: it is the order's courier and the order is
// between assignment and delivery. A courier's access to an order (its tracking, its status) lasts exactly that
// long: delivery, cancellation or reassignment to someone else ends it, although CourierID stays on the order as
// its history.
func (o Order) CarriedBy(courierID string) bool {
	if courierID == "" || o.CourierID != courierID {
		return false
	}
	return o.Status == StatusCourierAssigned || o.Status == StatusPickedUp
}
