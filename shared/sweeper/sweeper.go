// Package sweeper finds orders the saga has lost track of and announces them
// again.
//
// Every saga step starts from an event, and SQS gives each copy of an event a
// bounded number of tries before its dead-letter queue takes it. When every
// copy that a step needed was dead-lettered (a crash took the whole batch each
// time, a dependency was down for longer than the retries), the order stays
// PLACED, PAID, NO_COURIER or CANCELLED-with-money-taken, and nothing moves
// it on: the DLQ alarm tells a person, but the customer waits.
//
// The sweeper runs on a schedule. It reads the orders that have waited in one
// of those statuses (domain.AwaitingSaga) for longer than the retries take,
// from a sparse index only such orders are in, and publishes the event of
// their current status again: the same event, with the same id, that the
// stream published when the order got there. Consumers are idempotent per
// event and per order state, so a re-announcement that races a late original
// changes nothing; one that finds the step undone does it.
//
// An order is re-announced when its wait reaches After, then each time the wait
// doubles (2·After, 4·After, …) until GiveUpAfter: a lost event is repaired
// within a sweep of After, and an order no re-announcement helps (a bug, a
// poison event) costs a handful of events and DLQ messages, not one per sweep.
// Past GiveUpAfter it is reported once as needing a person.
//
// Nobody is left untold either. An order that ended (DELIVERED, PAYMENT_FAILED,
// REFUNDED, CANCELLED) stays in the same index, and in each of its windows the
// sweeper reads its notification deliveries: if the event announcing how it
// ended has not been settled (sent, skipped by the customer's choice, or
// refused for good) on every channel, because every copy of it was
// dead-lettered on one of them, the event is published again. Channels that
// already told the customer find their claim and send nothing; the one that
// lost it sends. Past GiveUpAfter an untold customer is reported like a stuck
// saga.
package sweeper

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	domainevents "github.com/fooddelivery/serverless-food-delivery/shared/events"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/logging"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/tracecontext"
	"github.com/fooddelivery/serverless-food-delivery/shared/publisher"
)

// Store is what the sweeper reads.
type Store interface {
	// ListAwaiting returns up to limit orders in status s that got there in
	// [from, to), oldest first.
	ListAwaiting(ctx context.Context, s domain.Status, from, to time.Time, limit int) ([]domain.Order, error)
	GetCharge(ctx context.Context, orderID string) (domain.Charge, error)
	// ListDeliveries returns the order's notifications on every channel.
	ListDeliveries(ctx context.Context, orderID string) ([]domain.Delivery, error)
}

// Config is when the sweeper acts.
type Config struct {
	// After is how long an order waits in a saga status before it is first
	// re-announced. It must exceed the time SQS keeps retrying a message
	// (visibility timeout × maxReceiveCount), so the sweeper only steps in
	// once the normal retries are over.
	After time.Duration
	// Period is the time between two sweeps: the schedule's rate.
	Period time.Duration
	// GiveUpAfter is the wait after which an order is no longer re-announced
	// but reported as needing a person.
	GiveUpAfter time.Duration
	// MaxPerSweep bounds the orders one sweep looks at, so that the sweep
	// after an outage does not flood the consumers. Orders it skips are found
	// again in their next window; the report says when that happened.
	MaxPerSweep int
}

// Validate reports a configuration the sweeper cannot work with.
func (c Config) Validate() error {
	switch {
	case c.After <= 0 || c.Period <= 0:
		return fmt.Errorf("sweeper: After (%s) and Period (%s) must be positive", c.After, c.Period)
	case c.GiveUpAfter <= c.After:
		return fmt.Errorf("sweeper: GiveUpAfter (%s) must be longer than After (%s)", c.GiveUpAfter, c.After)
	case c.MaxPerSweep <= 0:
		return fmt.Errorf("sweeper: MaxPerSweep (%d) must be positive", c.MaxPerSweep)
	}
	return nil
}

// Environment variables of the sweeper function (infra sets them per stage).
const (
	EnvAfter       = "SWEEP_AFTER_MS"
	EnvPeriod      = "SWEEP_PERIOD_MS"
	EnvGiveUpAfter = "SWEEP_GIVE_UP_AFTER_MS"
	EnvMaxOrders   = "SWEEP_MAX_ORDERS"
)

// ConfigFromEnv reads a Config from the function's environment (getenv is
// os.Getenv in the function; tools pass a deployed function's variables).
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	num := func(name string) (int64, error) {
		n, err := strconv.ParseInt(getenv(name), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("sweeper: %s=%q: %w", name, getenv(name), err)
		}
		return n, nil
	}
	var c Config
	for _, f := range []struct {
		name string
		into *time.Duration
	}{{EnvAfter, &c.After}, {EnvPeriod, &c.Period}, {EnvGiveUpAfter, &c.GiveUpAfter}} {
		ms, err := num(f.name)
		if err != nil {
			return Config{}, err
		}
		*f.into = time.Duration(ms) * time.Millisecond
	}
	n, err := num(EnvMaxOrders)
	if err != nil {
		return Config{}, err
	}
	c.MaxPerSweep = int(n)
	return c, c.Validate()
}

// FunctionConfig is the sweeper function's configuration (functions/sweeper): where it reads and announces, and
// its sweep's Config.
type FunctionConfig struct {
	TableName, EventBusName string
	Sweep                   Config
}

// FunctionConfigFromEnv reads the sweeper function's FunctionConfig (getenv is os.Getenv in the function).
func FunctionConfigFromEnv(getenv func(string) string) (FunctionConfig, error) {
	env := platform.ReadEnv(getenv)
	c := FunctionConfig{TableName: env.Required(platform.EnvTableName), EventBusName: env.Required(platform.EnvEventBusName)}
	var err error
	c.Sweep, err = ConfigFromEnv(getenv)
	env.Check(err)
	return c, env.Err()
}

// Window is a range of waits [From, To): a sweep acts on the orders whose
// wait falls in one of its windows.
type Window struct {
	From, To time.Duration
	// GiveUp marks the last window, in which an order is reported instead of
	// re-announced.
	GiveUp bool
}

// Windows returns the re-announcement windows, [After·2^k, After·2^k + Period)
// for each k with After·2^k < GiveUpAfter, then the give-up window
// [GiveUpAfter, GiveUpAfter + Period). Each is one sweep long, so a sweep
// every Period finds an order in each window about once.
func (c Config) Windows() []Window {
	var ws []Window
	for w := c.After; w < c.GiveUpAfter; w *= 2 {
		ws = append(ws, Window{From: w, To: min(w+c.Period, c.GiveUpAfter)})
	}
	return append(ws, Window{From: c.GiveUpAfter, To: c.GiveUpAfter + c.Period, GiveUp: true})
}

// Report is what one sweep did. It is the function's answer and its summary
// log line, from which the stack's metric filters count re-announcements and
// give-ups.
type Report struct {
	// Found is the orders found waiting in one of the windows.
	Found int `json:"found"`
	// Reannounced is how many of them had their event published again.
	Reannounced int `json:"reannounced"`
	// NothingOwed is the cancelled orders among them that were never charged
	// (or whose charge failed): they wait for nothing.
	NothingOwed int `json:"nothing_owed"`
	// GaveUp is the orders that waited past GiveUpAfter: a person must look.
	GaveUp int `json:"gave_up"`
	// Failed is the events the bus did not take; the next window retries.
	Failed int `json:"failed"`
	// Untold is the ended orders whose customer had not yet been told on every
	// channel; their last event is among the re-announced (or, past
	// GiveUpAfter, among the given up).
	Untold int `json:"untold"`
	// Truncated is set when MaxPerSweep may have left orders of this sweep's
	// windows for later (a query returned as many as the sweep still took).
	Truncated bool `json:"truncated"`
}

// Service is the sweep use case.
type Service struct {
	store Store
	bus   publisher.Bus
	cfg   Config
	now   func() time.Time
}

// New wires the service; it returns an error for an invalid Config.
func New(store Store, bus publisher.Bus, cfg Config, now func() time.Time) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Service{store: store, bus: bus, cfg: cfg, now: now}, nil
}

// maxEventsPerPublish is EventBridge's PutEvents limit.
const maxEventsPerPublish = 10

// Sweep re-announces the orders due in this sweep's windows. It fails only
// when it cannot read or publish at all; a partly failed publish is counted
// in the report, logged, and retried by the order's next window.
func (s *Service) Sweep(ctx context.Context) (Report, error) {
	now := s.now().UTC()
	var rep Report
	var due []domainevents.Envelope
	seen := map[string]bool{} // windows overlap when After < Period
	for _, status := range sweptStatuses {
		for _, w := range s.cfg.Windows() {
			limit := s.cfg.MaxPerSweep - len(due)
			if limit <= 0 {
				rep.Truncated = true
				break
			}
			// Waited more than w.From and at most w.To: got there in [now−To, now−From).
			orders, err := s.store.ListAwaiting(ctx, status, now.Add(-w.To), now.Add(-w.From), limit)
			if err != nil {
				return rep, err
			}
			if len(orders) == limit { // a full page: there may be more than this sweep takes
				rep.Truncated = true
			}
			for _, o := range orders {
				if seen[o.ID] || o.Status != status {
					continue
				}
				seen[o.ID] = true
				log := logging.From(ctx).With("order_id", o.ID, "trace_id", tracecontext.OrderTraceID(o.TraceParent, o.ID),
					"status", o.Status, "waited", now.Sub(o.UpdatedAt).Round(time.Second).String())
				evt, ok := domainevents.FromOrder(o)
				if !ok {
					continue // every swept status has an event: domain statuses and events agree
				}
				owes := false
				if o.Status.AwaitsSaga() {
					if owes, err = s.stillOwed(ctx, o); err != nil {
						return rep, err
					}
				}
				if !owes && o.Status.Terminal() {
					// Over as far as the saga goes: what is left is telling the customer.
					untold, err := s.untold(ctx, o, evt)
					if err != nil {
						return rep, err
					}
					if len(untold) == 0 {
						if o.Status == domain.StatusCancelled {
							rep.Found++
							rep.NothingOwed++
						}
						continue
					}
					rep.Untold++
					log = log.With("untold_channels", untold)
				}
				rep.Found++
				if w.GiveUp {
					rep.GaveUp++
					log.Error("sweeper: order still waits for the saga after the last re-announcement; it needs a person",
						"give_up_after", s.cfg.GiveUpAfter.String())
					continue
				}
				if owes {
					log.Warn("sweeper: re-announcing an order that waits for the saga", "event_type", evt.Type, "event_id", evt.ID)
				} else {
					log.Warn("sweeper: re-announcing how an order ended: its customer was not told on every channel", "event_type", evt.Type, "event_id", evt.ID)
				}
				due = append(due, evt)
			}
		}
	}
	if err := s.publish(ctx, due, &rep); err != nil {
		return rep, err
	}
	logging.From(ctx).Info("sweep done", "found", rep.Found, "reannounced", rep.Reannounced, "nothing_owed", rep.NothingOwed,
		"untold", rep.Untold, "gave_up", rep.GaveUp, "failed", rep.Failed, "truncated", rep.Truncated)
	return rep, nil
}

// sweptStatuses are the statuses the sweeper reads, each once: those that await
// a saga step, then the terminal ones (CANCELLED is both).
var sweptStatuses = func() []domain.Status {
	out := append([]domain.Status{}, domain.AwaitingSaga...)
	for _, s := range domain.TerminalStatuses {
		if !s.AwaitsSaga() {
			out = append(out, s)
		}
	}
	return out
}()

// untold returns the channels on which the event announcing how an order ended
// is not settled: no delivery, or one still SENDING (its consumer crashed and
// every copy was dead-lettered).
func (s *Service) untold(ctx context.Context, o domain.Order, evt domainevents.Envelope) ([]string, error) {
	ds, err := s.store.ListDeliveries(ctx, o.ID)
	if err != nil {
		return nil, fmt.Errorf("notifications of order %s: %w", o.ID, err)
	}
	settled := map[string]bool{}
	for _, d := range ds {
		if d.EventID == evt.ID && d.Status.Final() {
			settled[d.Channel] = true
		}
	}
	var out []string
	for _, ch := range domain.Channels {
		if !settled[ch] {
			out = append(out, ch)
		}
	}
	return out, nil
}

// stillOwed reports whether the saga still owes the order a step. It does for
// every status in domain.AwaitingSaga except a CANCELLED order whose ledger
// says no money was taken: its refund step ran (or, with no ledger entry, has
// yet to run and write the tombstone that stops a late charge).
func (s *Service) stillOwed(ctx context.Context, o domain.Order) (bool, error) {
	if o.Status != domain.StatusCancelled {
		return true, nil
	}
	c, err := s.store.GetCharge(ctx, o.ID)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		return true, nil
	case err != nil:
		return false, fmt.Errorf("ledger of cancelled order %s: %w", o.ID, err)
	}
	return c.Status == domain.ChargePending || c.Status == domain.ChargeCaptured, nil
}

// publish sends the events in chunks the bus accepts.
func (s *Service) publish(ctx context.Context, evts []domainevents.Envelope, rep *Report) error {
	for start := 0; start < len(evts); start += maxEventsPerPublish {
		chunk := evts[start:min(start+maxEventsPerPublish, len(evts))]
		results, err := s.bus.Publish(ctx, chunk)
		if err != nil {
			rep.Failed += len(evts) - start
			return fmt.Errorf("re-announce %d events: %w", len(evts)-start, err)
		}
		for i, perr := range results {
			if perr != nil {
				rep.Failed++
				logging.From(ctx).Error("sweeper: event not accepted by the bus", "order_id", chunk[i].OrderID, "event_id", chunk[i].ID, "error", perr)
				continue
			}
			rep.Reannounced++
		}
	}
	return nil
}
