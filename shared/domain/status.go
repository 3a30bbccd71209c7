package domain

// Status is where an order is in its lifecycle.
type Status string

const (
	StatusPlaced          Status = "PLACED"
	StatusPaid            Status = "PAID"
	StatusPaymentFailed   Status = "PAYMENT_FAILED"
	StatusCourierAssigned Status = "COURIER_ASSIGNED"
	StatusPickedUp        Status = "PICKED_UP"
	StatusDelivered       Status = "DELIVERED"
	StatusCancelled       Status = "CANCELLED"
	// StatusNoCourier means no courier could be found in time; the payment is
	// refunded and the order ends REFUNDED.
	StatusNoCourier Status = "NO_COURIER"
	StatusRefunded  Status = "REFUNDED"
)

// transitions is the order state machine. Every writer (API and consumers)
// checks it before writing, and the store repeats the check as a condition on
// the write so two racing writers cannot both win.
var transitions = map[Status][]Status{
	StatusPlaced:          {StatusPaid, StatusPaymentFailed, StatusCancelled},
	StatusPaid:            {StatusCourierAssigned, StatusCancelled, StatusNoCourier},
	StatusCourierAssigned: {StatusPickedUp, StatusCancelled},
	StatusPickedUp:        {StatusDelivered},
	StatusCancelled:       {StatusRefunded},
	StatusNoCourier:       {StatusRefunded},
}

// CanTransition reports whether an order in status from may move to status to.
func CanTransition(from, to Status) bool {
	for _, next := range transitions[from] {
		if next == to {
			return true
		}
	}
	return false
}

// Terminal reports whether s is one of the end states every order must reach
// (DESIGN section 2). CANCELLED counts even though a paid, cancelled order still
// moves on to REFUNDED: the customer's order is over either way.
func (s Status) Terminal() bool {
	switch s {
	case StatusDelivered, StatusCancelled, StatusPaymentFailed, StatusRefunded:
		return true
	}
	return false
}

// Valid reports whether s is one of the known statuses.
func (s Status) Valid() bool {
	_, known := transitions[s]
	return known || s == StatusDelivered || s == StatusPaymentFailed || s == StatusRefunded
}

// AwaitingSaga lists the statuses in which an order waits for a step of the
// saga rather than for a person: its charge (PLACED), a courier (PAID) or a
// refund (NO_COURIER, and CANCELLED while money it took is not given back).
// Each step is started by the event announcing the status; if every copy of
// that event is lost (dead-lettered), the order stays here, which is what the
// sweeper (shared/sweeper) looks for.
var AwaitingSaga = []Status{StatusPlaced, StatusPaid, StatusNoCourier, StatusCancelled}

// AwaitsSaga reports whether s is one of AwaitingSaga. For CANCELLED it is
// only a maybe: a cancelled order that was never charged waits for nothing,
// which only its ledger entry can tell.
func (s Status) AwaitsSaga() bool {
	for _, a := range AwaitingSaga {
		if s == a {
			return true
		}
	}
	return false
}

// Swept reports whether the sweeper watches orders in status s, which is what
// puts them in its index: while they await a saga step (AwaitsSaga), and once
// they ended (Terminal), until the customer has been told on every channel
// (shared/sweeper reads that from the notification deliveries).
func (s Status) Swept() bool { return s.AwaitsSaga() || s.Terminal() }

// TerminalStatuses lists the statuses of Terminal, in a fixed order.
var TerminalStatuses = []Status{StatusDelivered, StatusPaymentFailed, StatusRefunded, StatusCancelled}
