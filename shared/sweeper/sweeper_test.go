package sweeper_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/delivery"
	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	domainevents "github.com/fooddelivery/serverless-food-delivery/shared/events"
	"github.com/fooddelivery/serverless-food-delivery/shared/store/memstore"
	"github.com/fooddelivery/serverless-food-delivery/shared/sweeper"
)

// bus records what it is given; rejectID makes it refuse one event, down
// makes the whole call fail.
type bus struct {
	got      []domainevents.Envelope
	calls    int
	rejectID string
	down     bool
}

func (b *bus) Publish(_ context.Context, evts []domainevents.Envelope) ([]error, error) {
	b.calls++
	if b.down {
		return nil, errors.New("bus unavailable")
	}
	if len(evts) > 10 {
		return nil, errors.New("more than 10 entries")
	}
	results := make([]error, len(evts))
	for i, e := range evts {
		if e.ID == b.rejectID {
			results[i] = errors.New("InternalFailure")
			continue
		}
		b.got = append(b.got, e)
	}
	return results, nil
}

// clock is a settable now.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

var (
	t0  = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	cfg = sweeper.Config{After: 45 * time.Second, Period: time.Minute, GiveUpAfter: 30 * time.Minute, MaxPerSweep: 100}
)

func order(id string, s domain.Status, at time.Time) domain.Order {
	return domain.Order{ID: id, CustomerID: "c", Status: s, Version: 2, TotalMinor: 1000, Currency: "EUR",
		PickupLocation: domain.LatLng{Lat: 52.5262, Lng: 13.4019}, CreatedAt: at, UpdatedAt: at}
}

func newSweeper(t *testing.T, s *memstore.Store, b *bus, c *clock, conf sweeper.Config) *sweeper.Service {
	t.Helper()
	svc, err := sweeper.New(s, b, conf, c.now)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func put(t *testing.T, s *memstore.Store, o domain.Order) {
	t.Helper()
	if err := s.CreateOrder(context.Background(), o); err != nil {
		t.Fatal(err)
	}
}

func TestReannouncesEachStuckOrderWithItsOriginalEvent(t *testing.T) {
	s := memstore.New()
	ctx := context.Background()
	stuckAt := t0.Add(-50 * time.Second) // in the first window
	put(t, s, order("placed", domain.StatusPlaced, stuckAt))
	put(t, s, order("paid", domain.StatusPaid, stuckAt))
	put(t, s, order("no-courier", domain.StatusNoCourier, stuckAt))
	put(t, s, order("cancelled-captured", domain.StatusCancelled, stuckAt))
	put(t, s, order("cancelled-unseen", domain.StatusCancelled, stuckAt)) // its refund step never ran: no ledger entry
	put(t, s, order("cancelled-voided", domain.StatusCancelled, stuckAt))
	put(t, s, order("paid-young", domain.StatusPaid, t0.Add(-10*time.Second)))
	put(t, s, order("assigned", domain.StatusCourierAssigned, stuckAt)) // waits for the courier, not the saga
	put(t, s, order("delivered", domain.StatusDelivered, stuckAt))
	for id, st := range map[string]domain.ChargeStatus{"cancelled-captured": domain.ChargeCaptured, "cancelled-voided": domain.ChargeVoided} {
		if _, _, err := s.BeginCharge(ctx, domain.Charge{OrderID: id, AmountMinor: 1000, Currency: "EUR", Status: st}); err != nil {
			t.Fatal(err)
		}
	}
	// The customers of the orders that ended were told on every channel.
	told(t, s, order("delivered", domain.StatusDelivered, stuckAt), domain.DeliverySent, domain.Channels...)
	told(t, s, order("cancelled-voided", domain.StatusCancelled, stuckAt), domain.DeliverySkipped, domain.Channels...)
	b := &bus{}
	rep, err := newSweeper(t, s, b, &clock{t0}, cfg).Sweep(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"placed": domainevents.OrderPlaced, "paid": domainevents.PaymentConfirmed, "no-courier": domainevents.NoCourierAvailable,
		"cancelled-captured": domainevents.OrderCancelled, "cancelled-unseen": domainevents.OrderCancelled,
	}
	if len(b.got) != len(want) {
		t.Fatalf("published %d events, want %d: %+v", len(b.got), len(want), b.got)
	}
	for _, e := range b.got {
		if want[e.OrderID] != e.Type || e.ID != domainevents.EventID(e.OrderID, 2) {
			t.Errorf("order %s: event %s %s, want %s with the id the stream gave it", e.OrderID, e.Type, e.ID, want[e.OrderID])
		}
	}
	if rep != (sweeper.Report{Found: 6, Reannounced: 5, NothingOwed: 1}) {
		t.Errorf("report %+v", rep)
	}
}

// told records the order's last event as settled on the channels.
func told(t *testing.T, s *memstore.Store, o domain.Order, status domain.DeliveryStatus, channels ...string) {
	t.Helper()
	e, _ := domainevents.FromOrder(o)
	for _, ch := range channels {
		if err := s.FinishDelivery(context.Background(), domain.Delivery{OrderID: o.ID, EventID: e.ID, EventType: e.Type,
			CustomerID: o.CustomerID, Channel: ch, Status: status}); err != nil {
			t.Fatal(err)
		}
	}
}

// An order that ended is re-announced while its last event is not settled on
// every channel (every copy dead-lettered on one of them, or a claim whose
// consumer died), and left alone once it is.
func TestReannouncesHowAnOrderEndedUntilEveryChannelToldTheCustomer(t *testing.T) {
	s := memstore.New()
	ctx := context.Background()
	at := t0.Add(-50 * time.Second)
	orders := map[string]domain.Order{}
	for id, st := range map[string]domain.Status{"told": domain.StatusDelivered, "no-sms": domain.StatusDelivered,
		"sms-stuck": domain.StatusPaymentFailed, "none": domain.StatusRefunded, "opted-out": domain.StatusDelivered,
		"cancelled-untold": domain.StatusCancelled} {
		orders[id] = order(id, st, at)
		put(t, s, orders[id])
	}
	if _, _, err := s.BeginCharge(ctx, domain.Charge{OrderID: "cancelled-untold", Status: domain.ChargeVoided}); err != nil {
		t.Fatal(err)
	}
	told(t, s, orders["told"], domain.DeliverySent, domain.Channels...)
	told(t, s, orders["no-sms"], domain.DeliverySent, domain.ChannelInbox, domain.ChannelEmail)
	told(t, s, orders["sms-stuck"], domain.DeliverySent, domain.ChannelInbox, domain.ChannelEmail)
	told(t, s, orders["sms-stuck"], domain.DeliverySending, domain.ChannelSMS)
	told(t, s, orders["opted-out"], domain.DeliverySent, domain.ChannelInbox)
	told(t, s, orders["opted-out"], domain.DeliverySkipped, domain.ChannelEmail)
	told(t, s, orders["opted-out"], domain.DeliveryFailed, domain.ChannelSMS)
	told(t, s, orders["cancelled-untold"], domain.DeliverySent, domain.ChannelInbox)
	// An earlier event told on every channel does not count for the last one.
	paid := orders["none"]
	paid.Status, paid.Version = domain.StatusPaid, 1
	told(t, s, paid, domain.DeliverySent, domain.Channels...)

	b := &bus{}
	c := &clock{t0}
	svc := newSweeper(t, s, b, c, cfg)
	rep, err := svc.Sweep(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range b.got {
		got[e.OrderID] = e.Type
		if e.ID != domainevents.EventID(e.OrderID, 2) {
			t.Errorf("%s re-announced as %s, want the stream's id", e.OrderID, e.ID)
		}
	}
	want := map[string]string{"no-sms": domainevents.OrderDelivered, "sms-stuck": domainevents.PaymentFailed,
		"none": domainevents.OrderRefunded, "cancelled-untold": domainevents.OrderCancelled}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("re-announced %v, want %v", got, want)
	}
	if rep.Untold != 4 || rep.Reannounced != 4 || rep.Found != 4 || rep.GaveUp != 0 {
		t.Errorf("report %+v", rep)
	}

	// Once every channel settled, the next windows leave them alone; one that never does is given up on.
	for _, id := range []string{"no-sms", "sms-stuck", "none"} {
		told(t, s, orders[id], domain.DeliverySent, domain.Channels...)
	}
	b.got = nil
	for c.t = t0; c.t.Before(t0.Add(cfg.GiveUpAfter + 2*cfg.Period)); c.t = c.t.Add(cfg.Period) {
		rep, err = svc.Sweep(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range b.got {
			if e.OrderID != "cancelled-untold" {
				t.Fatalf("%s re-announced after its customer was told: %+v", e.OrderID, e)
			}
		}
		if rep.GaveUp > 0 && rep.Untold != rep.GaveUp {
			t.Errorf("give-up report %+v", rep)
		}
	}
	if len(b.got) == 0 {
		t.Error("the order told on one channel only was never re-announced again")
	}
}

// Sweeps every Period, at any phase, re-announce a stuck order once per
// window (at waits of about After, 2·After, 4·After …), report it exactly once
// when it has waited GiveUpAfter, and then leave it alone.
func TestBacksOffThenGivesUpOnceWhateverThePhase(t *testing.T) {
	windows := cfg.Windows()
	if len(windows) != 7 || windows[0] != (sweeper.Window{From: 45 * time.Second, To: 105 * time.Second}) ||
		windows[5].From != 1440*time.Second || !windows[6].GiveUp || windows[6].From != cfg.GiveUpAfter {
		t.Fatalf("windows %+v", windows)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for run := 0; run < 200; run++ {
		s := memstore.New()
		put(t, s, order("stuck", domain.StatusPaid, t0))
		b := &bus{}
		c := &clock{}
		svc := newSweeper(t, s, b, c, cfg)
		phase := time.Duration(r.Int64N(int64(cfg.Period)))
		var announcedAt []time.Duration
		gaveUp := 0
		for at := phase; at < 2*cfg.GiveUpAfter; at += cfg.Period {
			c.t = t0.Add(at)
			before := len(b.got)
			rep, err := svc.Sweep(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(b.got) > before+1 {
				t.Fatalf("phase %s: one sweep re-announced the order %d times", phase, len(b.got)-before)
			}
			if len(b.got) > before {
				announcedAt = append(announcedAt, at)
			}
			gaveUp += rep.GaveUp
		}
		if gaveUp != 1 {
			t.Fatalf("phase %s: given up %d times", phase, gaveUp)
		}
		// One per window, merged where windows overlap (After < Period).
		if len(announcedAt) < 4 || len(announcedAt) > len(windows)-1 {
			t.Fatalf("phase %s: re-announced at %v", phase, announcedAt)
		}
		if first := announcedAt[0]; first <= cfg.After || first > cfg.After+cfg.Period {
			t.Fatalf("phase %s: first re-announcement after %s, want within a period of %s", phase, first, cfg.After)
		}
		if last := announcedAt[len(announcedAt)-1]; last >= cfg.GiveUpAfter {
			t.Fatalf("phase %s: re-announced at %s, after the give-up", phase, last)
		}
	}
}

// The payoff: the PaymentConfirmed that assignment never saw is published
// again, and assignment, handed what the sweeper published, assigns.
func TestAnOrderWhoseEventWasLostIsAssignedAfterTheSweep(t *testing.T) {
	ctx := context.Background()
	s := memstore.New()
	if _, err := s.CreateCourier(ctx, domain.Courier{ID: "k1", Status: domain.CourierAvailable,
		Location: domain.LatLng{Lat: 52.5270, Lng: 13.4030}}); err != nil {
		t.Fatal(err)
	}
	put(t, s, order("lost", domain.StatusPaid, t0.Add(-time.Minute)))
	b := &bus{}
	if _, err := newSweeper(t, s, b, &clock{t0}, cfg).Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	assign := delivery.NewService(s, func() time.Time { return t0 }, 0)
	for _, e := range b.got {
		if err := assign.HandleEvent(ctx, e, 1); err != nil {
			t.Fatal(err)
		}
	}
	o, _ := s.GetOrder(ctx, "lost")
	if o.Status != domain.StatusCourierAssigned || o.CourierID != "k1" || o.CausationID != domainevents.EventID("lost", 2) {
		t.Fatalf("after the sweep: %+v", o)
	}
	// The next sweep finds nothing: the order left the saga statuses.
	b.got = nil
	if rep, err := newSweeper(t, s, b, &clock{t0.Add(time.Minute)}, cfg).Sweep(ctx); err != nil || rep.Found != 0 || len(b.got) != 0 {
		t.Fatalf("second sweep: %+v %v, published %d", rep, err, len(b.got))
	}
}

func TestBusFailuresAreCountedAndLeftToTheNextWindow(t *testing.T) {
	ctx := context.Background()
	s := memstore.New()
	for _, id := range []string{"a", "b", "c"} {
		put(t, s, order(id, domain.StatusPaid, t0.Add(-time.Minute)))
	}
	b := &bus{rejectID: domainevents.EventID("b", 2)}
	rep, err := newSweeper(t, s, b, &clock{t0}, cfg).Sweep(ctx)
	if err != nil || rep.Reannounced != 2 || rep.Failed != 1 {
		t.Fatalf("one rejected event: %+v %v", rep, err)
	}
	down := &bus{down: true}
	if rep, err := newSweeper(t, s, down, &clock{t0}, cfg).Sweep(ctx); err == nil || rep.Failed != 3 {
		t.Fatalf("bus down: %+v %v", rep, err)
	}
}

func TestMaxPerSweepBoundsOneSweepAndBatchesTheBus(t *testing.T) {
	ctx := context.Background()
	s := memstore.New()
	for i := 0; i < 25; i++ {
		put(t, s, order(string(rune('a'+i)), domain.StatusPlaced, t0.Add(-time.Minute)))
	}
	conf := cfg
	conf.MaxPerSweep = 20
	b := &bus{}
	rep, err := newSweeper(t, s, b, &clock{t0}, conf).Sweep(ctx)
	if err != nil || rep.Reannounced != 20 || !rep.Truncated || b.calls != 2 {
		t.Fatalf("report %+v, err %v, %d bus calls", rep, err, b.calls)
	}
}

func TestConfigMustMakeSense(t *testing.T) {
	bad := []sweeper.Config{
		{},
		{After: time.Minute, Period: time.Minute, GiveUpAfter: time.Minute, MaxPerSweep: 1},
		{After: time.Minute, Period: 0, GiveUpAfter: time.Hour, MaxPerSweep: 1},
		{After: time.Minute, Period: time.Minute, GiveUpAfter: time.Hour},
	}
	for _, c := range bad {
		if _, err := sweeper.New(memstore.New(), &bus{}, c, time.Now); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
}

// The summary line carries the report under its JSON names: the stack's metric
// filters ($.reannounced, $.gave_up) and devstack.SweepTotals read it.
func TestSummaryLineIsTheReport(t *testing.T) {
	var buf bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(&buf, nil)))
	t.Cleanup(func() { slog.SetDefault(prev) })
	s := memstore.New()
	put(t, s, order("paid", domain.StatusPaid, t0.Add(-time.Minute)))
	put(t, s, order("forgotten", domain.StatusPlaced, t0.Add(-cfg.GiveUpAfter-time.Second)))
	rep, err := newSweeper(t, s, &bus{}, &clock{t0}, cfg).Sweep(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	var last struct {
		Msg string `json:"msg"`
		sweeper.Report
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil || last.Msg != "sweep done" {
		t.Fatalf("last line %q: %v", lines[len(lines)-1], err)
	}
	if last.Report != rep || rep.Reannounced != 1 || rep.GaveUp != 1 {
		t.Errorf("logged %+v, returned %+v", last.Report, rep)
	}
}

func TestConfigFromEnv(t *testing.T) {
	env := map[string]string{sweeper.EnvAfter: "45000", sweeper.EnvPeriod: "60000", sweeper.EnvGiveUpAfter: "1800000", sweeper.EnvMaxOrders: "100"}
	got, err := sweeper.ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil || got != cfg {
		t.Fatalf("got %+v, %v; want %+v", got, err, cfg)
	}
	for _, bad := range []map[string]string{
		{sweeper.EnvAfter: "45s", sweeper.EnvPeriod: "60000", sweeper.EnvGiveUpAfter: "1800000", sweeper.EnvMaxOrders: "100"},
		{sweeper.EnvAfter: "45000", sweeper.EnvPeriod: "60000", sweeper.EnvGiveUpAfter: "1800000"},
		{sweeper.EnvAfter: "45000", sweeper.EnvPeriod: "60000", sweeper.EnvGiveUpAfter: "45000", sweeper.EnvMaxOrders: "100"},
	} {
		if _, err := sweeper.ConfigFromEnv(func(k string) string { return bad[k] }); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
