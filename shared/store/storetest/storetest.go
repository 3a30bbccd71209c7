// Package storetest is the behaviour the use cases rely on from their store, as one suite both adapters run: the
// in-memory store of the unit tests (memstore, in `go test`) and the DynamoDB table (store.Table) on the emulator
// (tests/store_contract_test.go, in the deployed-stack tests). The unit tests trust memstore to behave like
// DynamoDB; this suite is what proves it: conditional creates, optimistic versions, the courier and notification
// claims, idempotency records and their expiry, newest-first pages with cursors, and the sweeper's index.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/queue"
)

// Store is every method the use cases' ports ask of the table (orders, payments, delivery, notify, tracking,
// sweeper, and the failure records of the consumers and the redrive tool).
type Store interface {
	CreateOrder(context.Context, domain.Order) error
	CreateOrderOnce(ctx context.Context, o domain.Order, key, requestHash string, ttl time.Duration) (domain.IdempotencyRecord, bool, error)
	GetOrder(context.Context, string) (domain.Order, error)
	UpdateOrder(context.Context, domain.Order) error
	ListCustomerOrders(ctx context.Context, customerID, cursor string, limit int) ([]domain.Order, string, error)
	HomeFeed(ctx context.Context, customerID string, limit int) (recent []domain.Order, unread int, err error)
	ListAwaiting(ctx context.Context, s domain.Status, from, to time.Time, limit int) ([]domain.Order, error)

	BeginCharge(context.Context, domain.Charge) (domain.Charge, bool, error)
	SettleCharge(context.Context, domain.Order, domain.Charge) error
	ResolveCharge(context.Context, domain.Charge) error
	GetCharge(context.Context, string) (domain.Charge, error)
	BeginRefund(context.Context, domain.Refund) (domain.Refund, bool, error)
	SettleRefund(context.Context, domain.Order, domain.Refund) error
	GetRefund(context.Context, string) (domain.Refund, error)

	CreateCourier(context.Context, domain.Courier) (bool, error)
	GetCourier(context.Context, string) (domain.Courier, error)
	AvailableCouriers(context.Context, domain.SearchRing) ([]domain.Courier, error)
	AssignCourier(ctx context.Context, o domain.Order, courierID string, now time.Time) error
	ReleaseCourier(ctx context.Context, o domain.Order, now time.Time) error
	MoveCourier(ctx context.Context, c domain.Courier, to domain.Fix, now time.Time) error

	RecordNotification(context.Context, domain.Notification) (bool, error)
	ListNotifications(context.Context, string) ([]domain.Notification, error)
	ListInbox(ctx context.Context, customerID, cursor string, limit int) ([]domain.Notification, string, error)
	CountUnread(context.Context, string) (int, error)
	MarkRead(ctx context.Context, customerID string, eventIDs []string, upTo *time.Time, at time.Time) (int, error)
	ClaimDelivery(ctx context.Context, d domain.Delivery, staleBefore time.Time) (bool, domain.Delivery, error)
	FinishDelivery(context.Context, domain.Delivery) error
	ListDeliveries(context.Context, string) ([]domain.Delivery, error)
	GetPreferences(context.Context, string) (domain.Preferences, bool, error)
	PutPreferences(context.Context, string, domain.Preferences) error

	SaveTracking(context.Context, domain.TrackingPosition) error
	GetTracking(context.Context, string) (domain.TrackingPosition, error)

	RecordFailure(context.Context, queue.Failure) error
	GetFailure(context.Context, string) (queue.Failure, error)
}

// Run checks s. prefix keeps the suite's ids (orders, customers, couriers, messages) apart from anything else in
// the store, and apart from an earlier run against the same table.
func Run(t *testing.T, s Store, prefix string) {
	t.Helper()
	c := &contract{s: s, p: fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano())}
	t.Run("OrdersAreCreatedOnce", c.ordersCreatedOnce)
	t.Run("OrderVersionsAreOptimistic", c.orderVersions)
	t.Run("IdempotencyRecords", c.idempotency)
	t.Run("IdempotencyRecordsExpireBySecond", c.idempotencyExpiry)
	t.Run("CustomerOrdersPageNewestFirst", c.customerOrderPages)
	t.Run("ChargesAndRefundsAreBegunOnceAndSettledOnce", c.ledger)
	t.Run("CourierClaims", c.courierClaims)
	t.Run("CourierMovesOnlyForward", c.courierMoves)
	t.Run("NotificationsAreRecordedOncePerEvent", c.notifications)
	t.Run("InboxPagesNewestFirstAndMarksRead", c.inbox)
	t.Run("DeliveryClaims", c.deliveryClaims)
	t.Run("TrackingKeepsTheNewestPosition", c.tracking)
	t.Run("PreferencesAndFailureRecords", c.preferencesAndFailures)
	t.Run("AwaitingOrdersOldestFirstInTheirWindow", c.awaiting)
}

type contract struct {
	s Store
	p string
}

// at is the suite's clock: a fixed instant with a millisecond part, so that stores which keep less than
// nanoseconds (DynamoDB keeps milliseconds in its numeric time attributes) show where they round.
var at = time.Date(2026, 11, 23, 12, 0, 0, 700_000_000, time.UTC)

func (c *contract) id(kind string) string { return c.p + "-" + kind }

func (c *contract) order(id, customer string, created time.Time) domain.Order {
	return domain.Order{ID: id, CustomerID: customer, RestaurantID: "r-" + c.p, RestaurantName: "Contract Kitchen",
		PickupLocation: domain.LatLng{Lat: 52.52, Lng: 13.405}, DeliveryLocation: domain.LatLng{Lat: 52.53, Lng: 13.41},
		Lines:         []domain.OrderLine{{ItemID: "soup", Name: "Soup", Quantity: 2, UnitPrice: 450, LineTotal: 900}},
		SubtotalMinor: 900, TotalMinor: 900, Currency: "EUR", Status: domain.StatusPlaced, Version: 1,
		CreatedAt: created, UpdatedAt: created}
}

// next is o moved to status st, as a use case writes it: one version up.
func next(o domain.Order, st domain.Status, when time.Time) domain.Order {
	o.Status, o.Version, o.UpdatedAt = st, o.Version+1, when
	return o
}

func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func wantConflict(t *testing.T, err error, what string) {
	t.Helper()
	if !errors.Is(err, domain.ErrConflict) {
		t.Errorf("%s: got %v, want domain.ErrConflict", what, err)
	}
}

func wantInvalidCursor(t *testing.T, err error, what string) {
	t.Helper()
	var ve *domain.ValidationError
	if !errors.As(err, &ve) || ve.Field != "cursor" {
		t.Errorf("%s: got %v, want a validation error naming cursor", what, err)
	}
}

func (c *contract) ordersCreatedOnce(t *testing.T) {
	ctx := context.Background()
	o := c.order(c.id("once"), c.id("cust-once"), at)
	if _, err := c.s.GetOrder(ctx, o.ID); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("unknown order: %v, want domain.ErrNotFound", err)
	}
	must(t, c.s.CreateOrder(ctx, o), "create")
	again := o
	again.TotalMinor = 1
	wantConflict(t, c.s.CreateOrder(ctx, again), "second create of the same id")
	got, err := c.s.GetOrder(ctx, o.ID)
	must(t, err, "get")
	if got.TotalMinor != o.TotalMinor || got.Status != o.Status || got.Version != 1 || got.CustomerID != o.CustomerID ||
		!got.CreatedAt.Equal(o.CreatedAt) || len(got.Lines) != 1 || fmt.Sprint(got.Lines) != fmt.Sprint(o.Lines) {
		t.Errorf("stored order %+v, want the first create's %+v", got, o)
	}
	if got.TraceParent == "" {
		t.Error("the stored version carries no trace context")
	}
}

func (c *contract) orderVersions(t *testing.T) {
	ctx := context.Background()
	o := c.order(c.id("versions"), c.id("cust-versions"), at)
	must(t, c.s.CreateOrder(ctx, o), "create")
	paid := next(o, domain.StatusPaid, at.Add(time.Second))
	must(t, c.s.UpdateOrder(ctx, paid), "update from the version read")
	wantConflict(t, c.s.UpdateOrder(ctx, next(o, domain.StatusCancelled, at.Add(2*time.Second))), "update from a stale version")
	skip := paid
	skip.Version += 2
	wantConflict(t, c.s.UpdateOrder(ctx, skip), "update that skips a version")
	wantConflict(t, c.s.UpdateOrder(ctx, next(c.order(c.id("never-created"), c.id("cust-versions"), at), domain.StatusPaid, at)),
		"update of an order never created")
	if got, err := c.s.GetOrder(ctx, o.ID); err != nil || got.Status != domain.StatusPaid || got.Version != 2 {
		t.Errorf("after the refused updates: %s v%d (%v), want PAID v2", got.Status, got.Version, err)
	}

	// Racing writers of the same version: exactly one wins, the others conflict.
	var wg sync.WaitGroup
	var mu sync.Mutex
	won, conflicts := 0, 0
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := next(paid, domain.StatusCourierAssigned, at.Add(time.Duration(3+i)*time.Second))
			w.CourierID = fmt.Sprintf("racer-%d", i)
			err := c.s.UpdateOrder(ctx, w)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case errors.Is(err, domain.ErrConflict):
				conflicts++
			default:
				t.Errorf("racing update: %v", err)
			}
		}()
	}
	wg.Wait()
	if won != 1 || conflicts != 5 {
		t.Errorf("racing updates of v2: %d won, %d conflicted; want 1 and 5", won, conflicts)
	}
}

func (c *contract) idempotency(t *testing.T) {
	ctx := context.Background()
	cust := c.id("cust-idem")
	first := c.order(c.id("idem-1"), cust, at)
	rec, created, err := c.s.CreateOrderOnce(ctx, first, "key-0001", "hash-a", 24*time.Hour)
	must(t, err, "first use of a key")
	if !created || rec.OrderID != first.ID || rec.RequestHash != "hash-a" {
		t.Errorf("first use: %+v created %v, want a record of %s", rec, created, first.ID)
	}
	// A retry (a new order id, as a retried request gets) under the same key gets the first record back, and its
	// order is not stored.
	retry := c.order(c.id("idem-2"), cust, at.Add(time.Minute))
	rec, created, err = c.s.CreateOrderOnce(ctx, retry, "key-0001", "hash-b", 24*time.Hour)
	must(t, err, "second use of a key")
	if created || rec.OrderID != first.ID || rec.RequestHash != "hash-a" {
		t.Errorf("second use: %+v created %v, want the first record back", rec, created)
	}
	if _, err := c.s.GetOrder(ctx, retry.ID); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("the retry's order was stored (%v): the key and the order are one write", err)
	}
	// Keys are per customer.
	other := c.order(c.id("idem-3"), c.id("cust-idem-other"), at)
	if rec, created, err := c.s.CreateOrderOnce(ctx, other, "key-0001", "hash-a", 24*time.Hour); err != nil || !created || rec.OrderID != other.ID {
		t.Errorf("another customer's same key: %+v created %v err %v, want a record of its own", rec, created, err)
	}
	// A new key for an order id that exists writes nothing.
	dup := first
	_, created, err = c.s.CreateOrderOnce(ctx, dup, "key-0002", "hash-c", 24*time.Hour)
	wantConflict(t, err, "a new key for an existing order id")
	if created {
		t.Error("a new key for an existing order id was created")
	}
	if rec, created, err := c.s.CreateOrderOnce(ctx, c.order(c.id("idem-4"), cust, at), "key-0002", "hash-d", 24*time.Hour); err != nil || !created {
		t.Errorf("key-0002 after its refused use: %+v created %v err %v, want it unused", rec, created, err)
	}

	// Racing first uses of one key: one creates, every other gets its record.
	var wg sync.WaitGroup
	var mu sync.Mutex
	creators, seen := 0, map[string]int{}
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := c.order(c.id(fmt.Sprintf("idem-race-%d", i)), cust, at)
			rec, created, err := c.s.CreateOrderOnce(ctx, o, "key-race", "hash-race", 24*time.Hour)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				t.Errorf("racing use of a key: %v", err)
				return
			}
			seen[rec.OrderID]++
			if created {
				creators++
			}
		}()
	}
	wg.Wait()
	if creators != 1 || len(seen) != 1 {
		t.Errorf("racing uses of a key: %d created, they saw %v; want one record everyone sees", creators, seen)
	}
}

// idempotencyExpiry: a record lives until the second its TTL ends (DynamoDB's TTL attribute is in Unix seconds,
// and an expired record counts as absent before TTL deletes it), then the key is free again.
func (c *contract) idempotencyExpiry(t *testing.T) {
	ctx := context.Background()
	cust := c.id("cust-expiry")
	ttl := time.Hour
	first := c.order(c.id("exp-1"), cust, at) // at has 0.7 s past the second
	if _, created, err := c.s.CreateOrderOnce(ctx, first, "key-expiry", "h1", ttl); err != nil || !created {
		t.Fatalf("first use: created %v err %v", created, err)
	}
	// 0.1 s after the TTL's exact end, but in the same second: still live.
	sameSecond := at.Add(ttl).Truncate(time.Second).Add(800 * time.Millisecond)
	rec, created, err := c.s.CreateOrderOnce(ctx, c.order(c.id("exp-2"), cust, sameSecond), "key-expiry", "h2", ttl)
	if err != nil || created || rec.OrderID != first.ID {
		t.Errorf("in the second the TTL ends: %+v created %v err %v, want the first record (still live)", rec, created, err)
	}
	// The next second: expired, so the key is used afresh.
	later := at.Add(ttl).Truncate(time.Second).Add(time.Second)
	rec, created, err = c.s.CreateOrderOnce(ctx, c.order(c.id("exp-3"), cust, later), "key-expiry", "h3", ttl)
	if err != nil || !created || rec.OrderID != c.id("exp-3") {
		t.Errorf("after the TTL: %+v created %v err %v, want a new record", rec, created, err)
	}
}

func (c *contract) customerOrderPages(t *testing.T) {
	ctx := context.Background()
	cust := c.id("cust-pages")
	var want []string // newest first
	for i := range 5 {
		o := c.order(c.id(fmt.Sprintf("page-%d", i)), cust, at.Add(time.Duration(i)*time.Minute))
		must(t, c.s.CreateOrder(ctx, o), "create")
		want = append([]string{o.ID}, want...)
	}
	// Two orders in the same instant come newest id first, in every store.
	tieA, tieB := c.order(c.id("page-tie-a"), cust, at.Add(time.Hour)), c.order(c.id("page-tie-b"), cust, at.Add(time.Hour))
	must(t, c.s.CreateOrder(ctx, tieA), "create")
	must(t, c.s.CreateOrder(ctx, tieB), "create")
	want = append([]string{tieB.ID, tieA.ID}, want...)
	// Within one second, by the instant, whatever the number of digits its fraction needs (.1 s before .15 s).
	second := at.Add(2 * time.Hour).Truncate(time.Second)
	for i, frac := range []time.Duration{0, 100 * time.Millisecond, 150 * time.Millisecond} {
		o := c.order(c.id(fmt.Sprintf("page-frac-%d", i)), cust, second.Add(frac))
		must(t, c.s.CreateOrder(ctx, o), "create")
		want = append([]string{o.ID}, want...)
	}
	must(t, c.s.CreateOrder(ctx, c.order(c.id("page-other"), c.id("cust-pages-other"), at)), "create another customer's order")

	got := readPages(t, want, 2, func(cursor string) ([]string, string, error) {
		os, next, err := c.s.ListCustomerOrders(ctx, cust, cursor, 2)
		ids := make([]string, len(os))
		for i, o := range os {
			ids[i] = o.ID
		}
		return ids, next, err
	})
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("pages of 2: %v, want %v", got, want)
	}
	one, _, err := c.s.ListCustomerOrders(ctx, cust, "", 100)
	must(t, err, "one page")
	if len(one) != len(want) {
		t.Errorf("one page of 100: %d orders, want %d", len(one), len(want))
	}
	recent, unread, err := c.s.HomeFeed(ctx, cust, 3)
	if err != nil || fmt.Sprint(orderIDs(recent)) != fmt.Sprint(want[:3]) || unread != 0 {
		t.Errorf("home feed of 3: %v, %d unread (%v); want %v and none unread", orderIDs(recent), unread, err, want[:3])
	}

	// Another customer's cursor and garbage are refused.
	_, otherCursor, err := c.s.ListCustomerOrders(ctx, c.id("cust-pages-other"), "", 1)
	must(t, err, "the other customer's page")
	if otherCursor == "" {
		otherCursor = "not-a-cursor" // a store that knows the page was the last; garbage then
	}
	_, _, err = c.s.ListCustomerOrders(ctx, cust, otherCursor, 2)
	wantInvalidCursor(t, err, "another customer's cursor")
	_, _, err = c.s.ListCustomerOrders(ctx, cust, "%%%", 2)
	wantInvalidCursor(t, err, "a cursor that is not one")
}

// readPages follows cursors to the end and checks each page's size. A store may answer a full last page with a
// cursor to an empty page (DynamoDB does not look ahead) but never an empty page with another cursor.
func readPages(t *testing.T, want []string, size int, page func(cursor string) ([]string, string, error)) []string {
	t.Helper()
	var all []string
	cursor := ""
	for range len(want) + 2 {
		ids, next, err := page(cursor)
		if err != nil {
			t.Fatalf("page after %q: %v", cursor, err)
		}
		if len(ids) > size || (next != "" && len(ids) < size) {
			t.Fatalf("page after %q: %d items with next %q; want at most %d, and a cursor only after a full page", cursor, len(ids), next, size)
		}
		all = append(all, ids...)
		if next == "" {
			return all
		}
		cursor = next
	}
	t.Fatalf("pages never end: %v", all)
	return nil
}

func (c *contract) ledger(t *testing.T) {
	ctx := context.Background()
	o := c.order(c.id("ledger"), c.id("cust-ledger"), at)
	must(t, c.s.CreateOrder(ctx, o), "create")
	if _, err := c.s.GetCharge(ctx, o.ID); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("charge before any: %v, want domain.ErrNotFound", err)
	}
	pending := domain.Charge{OrderID: o.ID, AmountMinor: 900, Currency: "EUR", Status: domain.ChargePending, CreatedAt: at, UpdatedAt: at}
	got, created, err := c.s.BeginCharge(ctx, pending)
	if err != nil || !created || got != pending {
		t.Fatalf("begin charge: %+v created %v err %v", got, created, err)
	}
	second := pending
	second.AmountMinor = 1
	if got, created, err := c.s.BeginCharge(ctx, second); err != nil || created || got != pending {
		t.Errorf("second begin: %+v created %v err %v, want the first back", got, created, err)
	}
	captured := pending
	captured.Status, captured.ProviderRef, captured.UpdatedAt = domain.ChargeCaptured, "ch_1", at.Add(time.Second)
	paid := next(o, domain.StatusPaid, at.Add(time.Second))
	wantConflict(t, c.s.SettleCharge(ctx, next(o, domain.StatusPaid, at), domain.Charge{OrderID: c.id("no-charge"), Status: domain.ChargeCaptured}),
		"settle a charge never begun")
	stale := paid
	stale.Version = 5
	wantConflict(t, c.s.SettleCharge(ctx, stale, captured), "settle with a stale order version")
	if got, _ := c.s.GetCharge(ctx, o.ID); got.Status != domain.ChargePending {
		t.Errorf("a refused settle changed the charge to %s: the order and the charge are one write", got.Status)
	}
	must(t, c.s.SettleCharge(ctx, paid, captured), "settle")
	if got, err := c.s.GetCharge(ctx, o.ID); err != nil || got != captured {
		t.Errorf("settled charge %+v (%v), want %+v", got, err, captured)
	}
	wantConflict(t, c.s.SettleCharge(ctx, next(paid, domain.StatusPaid, at), captured), "second settle")
	wantConflict(t, c.s.ResolveCharge(ctx, captured), "resolve a settled charge")

	// ResolveCharge settles only a PENDING charge, on its own.
	lone := domain.Charge{OrderID: c.id("ledger-resolve"), AmountMinor: 5, Currency: "EUR", Status: domain.ChargePending, CreatedAt: at, UpdatedAt: at}
	wantConflict(t, c.s.ResolveCharge(ctx, lone), "resolve a charge never begun")
	_, _, err = c.s.BeginCharge(ctx, lone)
	must(t, err, "begin")
	voided := lone
	voided.Status, voided.DeclineReason = domain.ChargeVoided, "order_cancelled"
	must(t, c.s.ResolveCharge(ctx, voided), "resolve")
	if got, _ := c.s.GetCharge(ctx, lone.OrderID); got.Status != domain.ChargeVoided {
		t.Errorf("resolved charge is %s, want VOIDED", got.Status)
	}

	// Refunds: one per order, settled once with the order.
	if _, err := c.s.GetRefund(ctx, o.ID); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("refund before any: %v, want domain.ErrNotFound", err)
	}
	refund := domain.Refund{OrderID: o.ID, AmountMinor: 900, Currency: "EUR", Status: domain.RefundPending, Reason: "no_courier", CreatedAt: at, UpdatedAt: at}
	if got, created, err := c.s.BeginRefund(ctx, refund); err != nil || !created || got != refund {
		t.Fatalf("begin refund: %+v created %v err %v", got, created, err)
	}
	other := refund
	other.Reason = "cancelled"
	if got, created, err := c.s.BeginRefund(ctx, other); err != nil || created || got != refund {
		t.Errorf("second begin refund: %+v created %v err %v, want the first back", got, created, err)
	}
	done := refund
	done.Status, done.ProviderRef = domain.RefundDone, "re_1"
	refunded := next(paid, domain.StatusRefunded, at.Add(time.Minute))
	must(t, c.s.SettleRefund(ctx, refunded, done), "settle refund")
	wantConflict(t, c.s.SettleRefund(ctx, next(refunded, domain.StatusRefunded, at), done), "second settle refund")
	if got, err := c.s.GetRefund(ctx, o.ID); err != nil || got != done {
		t.Errorf("settled refund %+v (%v), want %+v", got, err, done)
	}
}

func (c *contract) courierClaims(t *testing.T) {
	ctx := context.Background()
	// A spot of its own, so that the suite's couriers are the only ones its rings find.
	spot := domain.LatLng{Lat: -45.8 + float64(time.Now().UnixNano()%1000)/10000, Lng: 170.5}
	courier := domain.Courier{ID: c.id("courier"), Name: "Contract Courier", Status: domain.CourierAvailable, Location: spot, UpdatedAt: at}
	if _, err := c.s.GetCourier(ctx, courier.ID); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("unknown courier: %v, want domain.ErrNotFound", err)
	}
	created, err := c.s.CreateCourier(ctx, courier)
	if err != nil || !created {
		t.Fatalf("create courier: created %v err %v", created, err)
	}
	moved := courier
	moved.Name = "Someone Else"
	if created, err := c.s.CreateCourier(ctx, moved); err != nil || created {
		t.Errorf("second create: created %v err %v, want false", created, err)
	}
	if got, _ := c.s.GetCourier(ctx, courier.ID); got.Name != courier.Name {
		t.Errorf("second create replaced the courier: %+v", got)
	}
	ring := domain.CourierSearchRings(spot)[0]
	found := func() []string {
		cs, err := c.s.AvailableCouriers(ctx, ring)
		must(t, err, "available couriers")
		var ids []string
		for _, x := range cs {
			if x.ID == courier.ID {
				ids = append(ids, x.ID)
			}
		}
		return ids
	}
	if ids := found(); len(ids) != 1 {
		t.Errorf("available couriers around the courier: %v, want it once", ids)
	}

	// Racing orders claim the one courier: exactly one gets it.
	var orders []domain.Order
	for i := range 5 {
		o := next(c.order(c.id(fmt.Sprintf("claim-%d", i)), c.id("cust-claim"), at), domain.StatusPaid, at)
		o.Version = 1
		must(t, c.s.CreateOrder(ctx, o), "create")
		orders = append(orders, o)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	winner, taken := -1, 0
	for i, o := range orders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := next(o, domain.StatusCourierAssigned, at.Add(time.Second))
			a.CourierID = courier.ID
			err := c.s.AssignCourier(ctx, a, courier.ID, at.Add(time.Second))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				if winner >= 0 {
					t.Errorf("orders %d and %d both got the courier", winner, i)
				}
				winner = i
			case errors.Is(err, domain.ErrCourierTaken):
				taken++
			default:
				t.Errorf("racing assignment: %v", err)
			}
		}()
	}
	wg.Wait()
	if winner < 0 || taken != len(orders)-1 {
		t.Fatalf("racing assignments: winner %d, %d told taken; want one winner and %d taken", winner, taken, len(orders)-1)
	}
	got, err := c.s.GetCourier(ctx, courier.ID)
	if err != nil || got.Status != domain.CourierAssigned || got.OrderID != orders[winner].ID {
		t.Errorf("claimed courier %+v (%v), want ASSIGNED to %s", got, err, orders[winner].ID)
	}
	if ids := found(); len(ids) != 0 {
		t.Errorf("an assigned courier is still offered: %v", ids)
	}
	loser := orders[(winner+1)%len(orders)]
	if o, _ := c.s.GetOrder(ctx, loser.ID); o.Status != domain.StatusPaid || o.Version != 1 {
		t.Errorf("a losing order was written (%s v%d): the order and the claim are one write", o.Status, o.Version)
	}
	// A stale order version is a plain conflict, not "taken".
	stale := next(loser, domain.StatusCourierAssigned, at)
	stale.Version = 9
	if err := c.s.AssignCourier(ctx, stale, c.id("nobody"), at); !errors.Is(err, domain.ErrConflict) || errors.Is(err, domain.ErrCourierTaken) {
		t.Errorf("assignment from a stale order: %v, want a conflict that is not ErrCourierTaken", err)
	}

	// Release: only by the order the courier carries, then it is offered again.
	assigned, err := c.s.GetOrder(ctx, orders[winner].ID)
	must(t, err, "get the winner")
	wrong := next(loser, domain.StatusCancelled, at.Add(time.Minute))
	wrong.CourierID = courier.ID
	wantConflict(t, c.s.ReleaseCourier(ctx, wrong, at.Add(time.Minute)), "release by another order")
	delivered := next(assigned, domain.StatusDelivered, at.Add(time.Hour))
	must(t, c.s.ReleaseCourier(ctx, delivered, at.Add(time.Hour)), "release")
	if got, _ := c.s.GetCourier(ctx, courier.ID); got.Status != domain.CourierAvailable || got.OrderID != "" {
		t.Errorf("released courier %+v, want AVAILABLE with no order", got)
	}
	if ids := found(); len(ids) != 1 {
		t.Errorf("a released courier is not offered again: %v", ids)
	}
	wantConflict(t, c.s.ReleaseCourier(ctx, next(delivered, domain.StatusDelivered, at.Add(2*time.Hour)), at.Add(2*time.Hour)), "second release")
}

func (c *contract) courierMoves(t *testing.T) {
	ctx := context.Background()
	home := domain.LatLng{Lat: 52.50, Lng: 13.40}
	courier := domain.Courier{ID: c.id("mover"), Name: "Mover", Status: domain.CourierAvailable, Location: home, UpdatedAt: at}
	_, err := c.s.CreateCourier(ctx, courier)
	must(t, err, "create courier")
	there := domain.Fix{Location: domain.LatLng{Lat: 52.51, Lng: 13.41}, RecordedAt: at.Add(time.Minute)}
	must(t, c.s.MoveCourier(ctx, courier, there, at.Add(time.Minute)), "first move")
	back := domain.Fix{Location: home, RecordedAt: at.Add(30 * time.Second)}
	wantConflict(t, c.s.MoveCourier(ctx, courier, back, at.Add(2*time.Minute)), "a move to an older fix")
	wantConflict(t, c.s.MoveCourier(ctx, courier, there, at.Add(2*time.Minute)), "a move to the same fix again")
	assigned := courier
	assigned.Status = domain.CourierAssigned
	wantConflict(t, c.s.MoveCourier(ctx, assigned, domain.Fix{Location: home, RecordedAt: at.Add(time.Hour)}, at.Add(time.Hour)),
		"a move read with another status")
	got, err := c.s.GetCourier(ctx, courier.ID)
	must(t, err, "get courier")
	if got.Location != there.Location || !got.LocatedAt.Equal(there.RecordedAt) {
		t.Errorf("courier at %+v since %s, want %+v since %s", got.Location, got.LocatedAt, there.Location, there.RecordedAt)
	}
	if cs, err := c.s.AvailableCouriers(ctx, domain.CourierSearchRings(there.Location)[0]); err != nil || !hasCourier(cs, courier.ID) {
		t.Errorf("a free courier is not offered where it moved to (%v)", err)
	}
}

func hasCourier(cs []domain.Courier, id string) bool {
	for _, c := range cs {
		if c.ID == id {
			return true
		}
	}
	return false
}

func (c *contract) notifications(t *testing.T) {
	ctx := context.Background()
	orderID := c.id("notified")
	n := domain.Notification{OrderID: orderID, EventID: c.id("evt-1"), EventType: "PaymentConfirmed", CustomerID: c.id("cust-notified"),
		Channel: domain.ChannelInbox, Subject: "Paid", Body: "Your order is paid.", SentAt: at}
	if created, err := c.s.RecordNotification(ctx, n); err != nil || !created {
		t.Fatalf("record: created %v err %v", created, err)
	}
	dup := n
	dup.Body = "again"
	if created, err := c.s.RecordNotification(ctx, dup); err != nil || created {
		t.Errorf("record the same event again: created %v err %v, want false", created, err)
	}
	list, err := c.s.ListNotifications(ctx, orderID)
	must(t, err, "list")
	if len(list) != 1 || list[0].Body != n.Body || !list[0].SentAt.Equal(at) || list[0].ReadAt != nil {
		t.Errorf("notifications %+v, want the first one, unread", list)
	}

	// An order's notifications come oldest first, whatever order they were recorded in (at-least-once delivery
	// records a late event late) and whatever their event ids (hashes) are.
	orderID = c.id("notified-order")
	var want []string
	for i, sent := range []int{3, 1, 4, 2, 0} { // seconds after at
		n := domain.Notification{OrderID: orderID, EventID: fmt.Sprintf("%x-%s", (i*7919)%97, c.id("evt")), EventType: "OrderPlaced",
			CustomerID: c.id("cust-notified"), Channel: domain.ChannelInbox, SentAt: at.Add(time.Duration(sent) * time.Second)}
		_, err := c.s.RecordNotification(ctx, n)
		must(t, err, "record")
		want = append(want, n.EventID)
	}
	want = []string{want[4], want[1], want[3], want[0], want[2]} // by SentAt: 0 1 2 3 4 s
	list, err = c.s.ListNotifications(ctx, orderID)
	must(t, err, "list")
	got := make([]string, len(list))
	for i, n := range list {
		got[i] = n.EventID
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("an order's notifications: %v, want oldest first %v", got, want)
	}
}

func (c *contract) inbox(t *testing.T) {
	ctx := context.Background()
	cust := c.id("cust-inbox")
	var want []string // newest first
	for i := range 5 {
		n := domain.Notification{OrderID: c.id(fmt.Sprintf("inbox-order-%d", i%2)), EventID: c.id(fmt.Sprintf("inbox-evt-%d", i)),
			EventType: "OrderPlaced", CustomerID: cust, Channel: domain.ChannelInbox, Subject: "s", Body: "b",
			SentAt: at.Add(time.Duration(i) * time.Second)}
		_, err := c.s.RecordNotification(ctx, n)
		must(t, err, "record")
		want = append([]string{n.EventID}, want...)
	}
	_, err := c.s.RecordNotification(ctx, domain.Notification{OrderID: c.id("inbox-else"), EventID: c.id("inbox-else-evt"),
		EventType: "OrderPlaced", CustomerID: c.id("cust-inbox-other"), Channel: domain.ChannelInbox, SentAt: at})
	must(t, err, "record another customer's")

	got := readPages(t, want, 2, func(cursor string) ([]string, string, error) {
		ns, next, err := c.s.ListInbox(ctx, cust, cursor, 2)
		ids := make([]string, len(ns))
		for i, n := range ns {
			ids[i] = n.EventID
		}
		return ids, next, err
	})
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("inbox pages of 2: %v, want %v", got, want)
	}
	_, custCursor, err := c.s.ListInbox(ctx, cust, "", 1)
	must(t, err, "first page")
	_, _, err = c.s.ListInbox(ctx, c.id("cust-inbox-other"), custCursor, 1)
	wantInvalidCursor(t, err, "another customer's inbox cursor")

	count := func() int {
		n, err := c.s.CountUnread(ctx, cust)
		must(t, err, "count unread")
		return n
	}
	again := domain.Notification{OrderID: c.id("inbox-order-0"), EventID: want[4], EventType: "OrderPlaced", CustomerID: cust,
		Channel: domain.ChannelInbox, Subject: "s", Body: "b", SentAt: at}
	if created, err := c.s.RecordNotification(ctx, again); err != nil || created {
		t.Errorf("a duplicate notification: created %v err %v, want false", created, err)
	}
	if n := count(); n != 5 {
		t.Errorf("unread %d, want 5 (a duplicate is not counted)", n)
	}
	// By id (another customer's id is passed over), then everything up to an instant.
	marked, err := c.s.MarkRead(ctx, cust, []string{want[0], c.id("inbox-else-evt")}, nil, at.Add(time.Hour))
	if err != nil || marked != 1 || count() != 4 {
		t.Errorf("mark one read: marked %d err %v, %d unread; want 1 and 4", marked, err, count())
	}
	upTo := at.Add(time.Second) // the two oldest
	if marked, err := c.s.MarkRead(ctx, cust, nil, &upTo, at.Add(time.Hour)); err != nil || marked != 2 || count() != 2 {
		t.Errorf("mark up to %s read: marked %d err %v, %d unread; want 2 and 2", upTo, marked, err, count())
	}
	if marked, err := c.s.MarkRead(ctx, cust, []string{want[0]}, &upTo, at.Add(2*time.Hour)); err != nil || marked != 0 {
		t.Errorf("marking again: marked %d err %v, want 0 (idempotent)", marked, err)
	}
	if n, err := c.s.CountUnread(ctx, c.id("cust-inbox-other")); err != nil || n != 1 {
		t.Errorf("the other customer's unread: %d (%v), want 1 (untouched)", n, err)
	}
	// The home screen's one read: the newest orders and the unread count together.
	for i := range 2 {
		must(t, c.s.CreateOrder(ctx, c.order(c.id(fmt.Sprintf("inbox-home-%d", i)), cust, at.Add(time.Duration(i)*time.Minute))), "create")
	}
	if recent, unread, err := c.s.HomeFeed(ctx, cust, 1); err != nil || len(recent) != 1 || recent[0].ID != c.id("inbox-home-1") || unread != 2 {
		t.Errorf("home feed of 1: %v, %d unread (%v); want [%s] and 2 unread", orderIDs(recent), unread, err, c.id("inbox-home-1"))
	}
	page, _, err := c.s.ListInbox(ctx, cust, "", 5)
	must(t, err, "inbox")
	for _, n := range page {
		read := n.ReadAt != nil
		if wantRead := n.EventID == want[0] || !n.SentAt.After(upTo); read != wantRead {
			t.Errorf("%s read %v, want %v", n.EventID, read, wantRead)
		}
		if read && !n.ReadAt.Equal(at.Add(time.Hour)) {
			t.Errorf("%s read at %s, want the first mark's %s", n.EventID, n.ReadAt, at.Add(time.Hour))
		}
	}
}

func (c *contract) deliveryClaims(t *testing.T) {
	ctx := context.Background()
	orderID := c.id("deliveries")
	d := domain.Delivery{OrderID: orderID, EventID: c.id("dlv-evt"), EventType: "PaymentConfirmed", CustomerID: c.id("cust-dlv"),
		Channel: domain.ChannelEmail, Status: domain.DeliverySending, ClaimedAt: at}
	lease := 5 * time.Minute
	if claimed, _, err := c.s.ClaimDelivery(ctx, d, at.Add(-lease)); err != nil || !claimed {
		t.Fatalf("first claim: claimed %v err %v", claimed, err)
	}
	again := d
	again.ClaimedAt = at.Add(time.Minute)
	claimed, existing, err := c.s.ClaimDelivery(ctx, again, again.ClaimedAt.Add(-lease))
	if err != nil || claimed || existing.Status != domain.DeliverySending || !existing.ClaimedAt.Equal(at) {
		t.Errorf("claim while the first is live: claimed %v %+v err %v, want refused with the first claim", claimed, existing, err)
	}
	// Another channel of the same event is a claim of its own.
	inbox := d
	inbox.Channel = domain.ChannelInbox
	if claimed, _, err := c.s.ClaimDelivery(ctx, inbox, at.Add(-lease)); err != nil || !claimed {
		t.Errorf("claim on another channel: claimed %v err %v", claimed, err)
	}
	// A SENDING claim is stale only from the millisecond after the lease (DynamoDB compares milliseconds).
	edge := d
	edge.ClaimedAt = at.Add(lease)
	if claimed, _, err := c.s.ClaimDelivery(ctx, edge, at.Add(400*time.Microsecond)); err != nil || claimed {
		t.Errorf("a claim whose lease ended less than a millisecond ago was taken over (claimed %v err %v)", claimed, err)
	}
	takeover := d
	takeover.ClaimedAt = at.Add(lease + time.Second)
	if claimed, _, err := c.s.ClaimDelivery(ctx, takeover, at.Add(time.Millisecond)); err != nil || !claimed {
		t.Errorf("takeover of an abandoned claim: claimed %v err %v", claimed, err)
	}
	// A finished delivery is never claimed again, however old.
	sent := takeover
	sent.Status, sent.ProviderMessageID, sent.DoneAt = domain.DeliverySent, "msg-1", at.Add(lease+2*time.Second)
	must(t, c.s.FinishDelivery(ctx, sent), "finish")
	late := d
	late.ClaimedAt = at.Add(24 * time.Hour)
	claimed, existing, err = c.s.ClaimDelivery(ctx, late, late.ClaimedAt)
	if err != nil || claimed || existing.Status != domain.DeliverySent || existing.ProviderMessageID != "msg-1" {
		t.Errorf("claim of a sent delivery: claimed %v %+v err %v, want refused with the SENT delivery", claimed, existing, err)
	}
	list, err := c.s.ListDeliveries(ctx, orderID)
	must(t, err, "list deliveries")
	byChannel := map[string]domain.Delivery{}
	for _, x := range list {
		byChannel[x.Channel] = x
	}
	if len(list) != 2 || byChannel[domain.ChannelEmail].Status != domain.DeliverySent || !byChannel[domain.ChannelEmail].DoneAt.Equal(sent.DoneAt) ||
		byChannel[domain.ChannelInbox].Status != domain.DeliverySending {
		t.Errorf("deliveries %+v, want the email SENT and the inbox SENDING", list)
	}
}

func (c *contract) tracking(t *testing.T) {
	ctx := context.Background()
	orderID := c.id("tracked")
	if _, err := c.s.GetTracking(ctx, orderID); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("untracked order: %v, want domain.ErrNotFound", err)
	}
	newer := domain.TrackingPosition{OrderID: orderID, CourierID: c.id("rider"), Location: domain.LatLng{Lat: 52.5, Lng: 13.4}, RecordedAt: at.Add(time.Minute)}
	older := newer
	older.Location, older.RecordedAt = domain.LatLng{Lat: 52.4, Lng: 13.3}, at
	must(t, c.s.SaveTracking(ctx, newer), "save")
	must(t, c.s.SaveTracking(ctx, older), "save an older position (a late batch)")
	if got, err := c.s.GetTracking(ctx, orderID); err != nil || got.Location != newer.Location || !got.RecordedAt.Equal(newer.RecordedAt) {
		t.Errorf("position %+v (%v), want the newer %+v", got, err, newer)
	}
}

func (c *contract) preferencesAndFailures(t *testing.T) {
	ctx := context.Background()
	cust := c.id("cust-prefs")
	if _, found, err := c.s.GetPreferences(ctx, cust); err != nil || found {
		t.Errorf("preferences never stored: found %v err %v", found, err)
	}
	p := domain.DefaultPreferences("someone@example.com")
	p.Phone, p.UpdatedAt = "+4915100000000", at
	must(t, c.s.PutPreferences(ctx, cust, p), "put preferences")
	p.Locale = "de"
	must(t, c.s.PutPreferences(ctx, cust, p), "replace preferences")
	got, found, err := c.s.GetPreferences(ctx, cust)
	if err != nil || !found || got.Email != p.Email || got.Phone != p.Phone || got.Locale != "de" || fmt.Sprint(got.Channels) != fmt.Sprint(p.Channels) {
		t.Errorf("preferences %+v found %v (%v), want %+v", got, found, err, p)
	}

	msg := c.id("msg")
	if _, err := c.s.GetFailure(ctx, msg); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("failure of a message that never failed: %v, want domain.ErrNotFound", err)
	}
	f := queue.Failure{MessageID: msg, Consumer: "payment", EventType: "OrderPlaced", EventID: c.id("f-evt"), OrderID: c.id("f-order"),
		ReceiveCount: 1, Reason: "provider timeout", FailedAt: at}
	must(t, c.s.RecordFailure(ctx, f), "record failure")
	f.ReceiveCount, f.Reason, f.FailedAt = 2, "provider declined the retry", at.Add(time.Minute)
	must(t, c.s.RecordFailure(ctx, f), "record the next failure")
	if got, err := c.s.GetFailure(ctx, msg); err != nil || got.ReceiveCount != 2 || got.Reason != f.Reason || !got.FailedAt.Equal(f.FailedAt) {
		t.Errorf("failure %+v (%v), want the latest %+v", got, err, f)
	}
}

func (c *contract) awaiting(t *testing.T) {
	ctx := context.Background()
	// A window of the suite's own, years back, where no real order got stuck.
	base := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(time.Now().UnixNano()%1_000_000) * time.Minute)
	cust := c.id("cust-awaiting")
	var want []string
	for i, st := range []domain.Status{domain.StatusPaid, domain.StatusPaid, domain.StatusPaid, domain.StatusPlaced} {
		o := c.order(c.id(fmt.Sprintf("await-%d", i)), cust, base)
		must(t, c.s.CreateOrder(ctx, o), "create")
		if st == domain.StatusPaid {
			w := next(o, st, base.Add(time.Duration(3-i)*time.Second)) // the last created got there first
			must(t, c.s.UpdateOrder(ctx, w), "update")
			want = append([]string{w.ID}, want...)
		}
	}
	list, err := c.s.ListAwaiting(ctx, domain.StatusPaid, base, base.Add(time.Minute), 10)
	must(t, err, "list awaiting")
	if ids := orderIDs(list); fmt.Sprint(ids) != fmt.Sprint(want) {
		t.Errorf("PAID in the window: %v, want oldest first %v", ids, want)
	}
	if list, err := c.s.ListAwaiting(ctx, domain.StatusPaid, base, base.Add(time.Minute), 2); err != nil || fmt.Sprint(orderIDs(list)) != fmt.Sprint(want[:2]) {
		t.Errorf("limit 2: %v (%v), want %v", orderIDs(list), err, want[:2])
	}
	// The window is [from, to): the order that got there at `to` is not in it.
	if list, err := c.s.ListAwaiting(ctx, domain.StatusPaid, base.Add(time.Second), base.Add(3*time.Second), 10); err != nil ||
		fmt.Sprint(orderIDs(list)) != fmt.Sprint(want[:2]) {
		t.Errorf("window [1s, 3s): %v (%v), want %v", orderIDs(list), err, want[:2])
	}
}

func orderIDs(os []domain.Order) []string {
	ids := make([]string, len(os))
	for i, o := range os {
		ids[i] = o.ID
	}
	return ids
}
