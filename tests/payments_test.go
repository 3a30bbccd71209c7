//go:build e2e

package tests

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/fooddelivery/serverless-food-delivery/shared/devstack"
	"github.com/fooddelivery/serverless-food-delivery/shared/devstack/audit"
	"github.com/fooddelivery/serverless-food-delivery/shared/dlq"
	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/events"
	"github.com/fooddelivery/serverless-food-delivery/shared/payments"
	"github.com/fooddelivery/serverless-food-delivery/shared/payments/simprovider"
	"github.com/fooddelivery/serverless-food-delivery/shared/payments/simprovider/bookstest"
	"github.com/fooddelivery/serverless-food-delivery/shared/publisher"
	"github.com/fooddelivery/serverless-food-delivery/shared/store"
)

// --- helpers ---------------------------------------------------------------------------------------------

func table() *store.Table { return store.New(deployed.ddb, deployed.out.TableName) }

// placeWith places a small taco-loco order (open around the clock) paid with the given card token.
func placeWith(t *testing.T, token, card string, horchatas int) (id string, total int64) {
	t.Helper()
	body := tacoOrder()
	body["items"] = []map[string]any{{"item_id": "tacos-al-pastor-3", "quantity": 1}, {"item_id": "horchata", "quantity": horchatas}}
	body["payment_token"] = card
	resp := call(t, http.MethodPost, "/orders", token, body)
	if resp.Status != http.StatusCreated {
		t.Fatalf("place order with %s: %d %s", card, resp.Status, resp.Raw)
	}
	return resp.Body["id"].(string), int64(resp.Body["total_minor"].(float64))
}

// cancel asks the API to cancel; ok is false when the order was past cancelling (409).
func cancel(t *testing.T, token, id string) bool {
	t.Helper()
	resp := call(t, http.MethodPost, "/orders/"+id+"/cancel", token, nil)
	switch resp.Status {
	case http.StatusOK:
		return true
	case http.StatusConflict:
		return false
	}
	t.Fatalf("cancel %s: %d %s", id, resp.Status, resp.Raw)
	return false
}

// crew is the demo couriers doing their job: whoever carries an order picks it up and delivers it. The
// deployed-stack tests share them (other tests leave orders assigned), so one crew serves every test here and
// its rounds never overlap.
type crew struct {
	mu     sync.Mutex
	tokens map[string]string // courier username → ID token
}

var (
	crewOnce   sync.Once
	sharedCrew *crew
)

func theCrew(t *testing.T) *crew {
	t.Helper()
	crewOnce.Do(func() {
		c := &crew{tokens: map[string]string{}}
		for _, dc := range devstack.DemoCouriers {
			tok, err := deployed.users.SignIn(context.Background(), dc.Username, devstack.DemoPassword)
			if err != nil {
				t.Fatal(err)
			}
			sub, err := deployed.users.Subject(context.Background(), dc.Username)
			if err != nil {
				t.Fatal(err)
			}
			registerParty(tok, sub)
			c.tokens[dc.Username] = tok
		}
		sharedCrew = c
	})
	if sharedCrew == nil {
		t.Fatal("the demo couriers could not sign in")
	}
	return sharedCrew
}

// round makes every courier that carries an order deliver it, and returns the orders delivered.
func (c *crew) round(t *testing.T) []string {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	var delivered []string
	for name, tok := range c.tokens {
		me := call(t, http.MethodGet, "/couriers/me", tok, nil)
		orderID, _ := me.Body["order_id"].(string)
		if me.Body["status"] != "ASSIGNED" || orderID == "" {
			continue
		}
		ok := true
		for _, status := range []string{"PICKED_UP", "DELIVERED"} {
			if resp := call(t, http.MethodPost, "/orders/"+orderID+"/status", tok, map[string]any{"status": status}); resp.Status != http.StatusOK {
				// Cancelled between our read and our write: the cancellation freed the courier.
				t.Logf("%s could not set %s on %s: %d %s", name, status, orderID, resp.Status, resp.Raw)
				ok = false
				break
			}
		}
		if ok {
			delivered = append(delivered, orderID)
		}
	}
	return delivered
}

// eventAt is the event the stream published when the order was written at an earlier status and version.
func eventAt(t *testing.T, o domain.Order, status domain.Status, version int) events.Envelope {
	t.Helper()
	o.Status, o.Version, o.CausationID = status, version, ""
	if version == 1 {
		o.CourierID, o.UpdatedAt = "", o.CreatedAt
	}
	e, ok := events.FromOrder(o)
	if !ok || e.ID != events.EventID(o.ID, version) {
		t.Fatalf("no event for %s v%d", status, version)
	}
	return e
}

// publishTimes puts the event on the bus n more times, the way at-least-once delivery would.
func publishTimes(t *testing.T, e events.Envelope, n int) {
	t.Helper()
	bus := publisher.NewEventBridgeBus(deployed.events, deployed.out.EventBusName)
	batch := make([]events.Envelope, n)
	for i := range batch {
		batch[i] = e
	}
	results, err := bus.Publish(context.Background(), batch)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if r != nil {
			t.Fatal(r)
		}
	}
}

// readBooks is the simulated provider's record of what moved, per idempotency key (shared/devstack/audit, which
// `make reliability` uses too).
func readBooks(t *testing.T) audit.Books {
	t.Helper()
	b, err := audit.ReadBooks(context.Background(), deployed.ddb, deployed.out.ProviderTableName)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// notified counts the notifications of each event type an order's customer got.
func notified(t *testing.T, orderID string) map[string]int {
	t.Helper()
	n, err := audit.Notified(t.Context(), table(), orderID)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// terminalEvent is what the customer must have been told when an order ended in a status.
var terminalEvent = audit.TerminalEvent

// settled reports whether an order is over, money included (audit.Settled).
func settled(t *testing.T, o domain.Order) (bool, string) {
	t.Helper()
	return audit.Settled(t.Context(), table(), o)
}

// TestProviderBooksInDynamoDBKeepTheContract runs the books contract (conditional creates, one refund per
// charge, request counts) against the provider's deployed table: the DynamoDB books behave as the memory ones
// the unit tests use.
func TestProviderBooksInDynamoDBKeepTheContract(t *testing.T) {
	bookstest.Run(t, simprovider.NewDynamoBooks(deployed.ddb, deployed.out.ProviderTableName), "e2e-contract")
}

// --- at-least-once delivery ------------------------------------------------------------------------------

// TestEveryEventDeliveredThreeTimesMovesMoneyOnce publishes OrderPlaced and OrderCancelled three more times
// each, on top of the stream's own delivery and racing it, and counts what the provider's books say moved.
func TestEveryEventDeliveredThreeTimesMovesMoneyOnce(t *testing.T) {
	ctx := context.Background()
	token, _ := newCustomer(t)
	crew := theCrew(t)

	// Charge: OrderPlaced four times in all, the three duplicates racing the stream's own.
	paidID, paidTotal := placeWith(t, token, simprovider.TokenVisa, 1)
	o, err := table().GetOrder(ctx, paidID)
	if err != nil {
		t.Fatal(err)
	}
	publishTimes(t, eventAt(t, o, domain.StatusPlaced, 1), 3)
	var paid domain.Order
	eventually(t, 60*time.Second, "first order over", func() (bool, string) {
		crew.round(t)
		paid, _ = table().GetOrder(ctx, paidID)
		done, why := settled(t, paid)
		return done, fmt.Sprintf("%s (%s)", paid.Status, why)
	})
	b := readBooks(t)
	captured, back := b.Money(paidID)
	wantBack := int64(0)
	if paid.Status == domain.StatusRefunded { // no courier came in time: also a valid end
		wantBack = paidTotal
	}
	if len(b.Charges[paidID]) != 1 || b.ByRef[paidID] != 1 || captured != paidTotal || back != wantBack {
		t.Fatalf("order 1 (%s): provider has %d charge records under its key and %d under its reference, captured %d refunded %d; want one capture of %d",
			paid.Status, len(b.Charges[paidID]), b.ByRef[paidID], captured, back, paidTotal)
	}
	if c, err := table().GetCharge(ctx, paidID); err != nil || c.Status != domain.ChargeCaptured || c.AmountMinor != paidTotal {
		t.Errorf("ledger charge of order 1: %+v %v", c, err)
	}
	if _, err := deployed.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &deployed.out.ReceiptsBucketName, Key: ptr(payments.ReceiptKey(paidID))}); err != nil {
		t.Errorf("receipt of order 1: %v", err)
	}

	// Refund: an order cancelled once paid, then OrderCancelled four times in all.
	cancelID, cancelTotal := placeWith(t, token, simprovider.TokenVisa, 2)
	eventually(t, 30*time.Second, "second order paid", func() (bool, string) {
		o, _ := table().GetOrder(ctx, cancelID)
		return o.Status == domain.StatusPaid || o.Status == domain.StatusCourierAssigned, string(o.Status)
	})
	if !cancel(t, token, cancelID) {
		t.Fatal("a paid order could not be cancelled")
	}
	cancelled, err := table().GetOrder(ctx, cancelID)
	if err != nil || cancelled.Status != domain.StatusCancelled {
		t.Fatalf("after cancel: %+v %v", cancelled.Status, err)
	}
	cancelEvent, _ := events.FromOrder(cancelled)
	publishTimes(t, cancelEvent, 3)
	eventually(t, 30*time.Second, "second order refunded", func() (bool, string) {
		o, _ := table().GetOrder(ctx, cancelID)
		return o.Status == domain.StatusRefunded, string(o.Status)
	})
	b = readBooks(t)
	captured2, back2 := b.Money(cancelID)
	if len(b.Charges[cancelID]) != 1 || len(b.Refunds[cancelID]) != 1 || captured2 != cancelTotal || back2 != cancelTotal {
		t.Errorf("order 2: %d charge records, %d refunds, captured %d refunded %d; want one of each for %d",
			len(b.Charges[cancelID]), len(b.Refunds[cancelID]), captured2, back2, cancelTotal)
	}
	if r, err := table().GetRefund(ctx, cancelID); err != nil || r.Status != domain.RefundDone || r.Reason != domain.RefundReasonCancelled || r.AmountMinor != cancelTotal {
		t.Errorf("ledger refund of order 2: %+v %v", r, err)
	}

	// The customer heard about each step once.
	eventually(t, 20*time.Second, "each step notified", func() (bool, string) {
		n1, n2 := notified(t, paidID), notified(t, cancelID)
		return n1[events.PaymentConfirmed] >= 1 && n2[events.OrderCancelled] >= 1 && n2[events.OrderRefunded] >= 1,
			fmt.Sprintf("order 1 %v, order 2 %v", n1, n2)
	})
	if n1, n2 := notified(t, paidID), notified(t, cancelID); n1[events.PaymentConfirmed] != 1 || n2[events.OrderCancelled] != 1 || n2[events.OrderRefunded] != 1 {
		t.Errorf("notifications: order 1 %v, order 2 %v; want each once", n1, n2)
	}
	t.Logf("OrderPlaced ×4 → %d provider charge record(s), %d captured (order ended %s); OrderCancelled ×4 → %d refund record(s), %d refunded of %d",
		len(b.Charges[paidID]), captured, paid.Status, len(b.Refunds[cancelID]), back2, captured2)
}

// --- faults ----------------------------------------------------------------------------------------------

type planned struct {
	card     string
	cancel   string // "", "now" (right after placing, racing the charge) or "paid" (once paid)
	id       string
	total    int64
	canceled bool
}

// TestPaymentFaultsEndEveryOrderAndKeepTheMoneyStraight places 40 orders of which 20 % time out at the provider
// and 10 % are declined (plus 5xx and flaky cards), cancels some, lets the couriers deliver what they get, and
// checks that every order ends terminal, the customer is told, nothing is stuck in a DLQ, and
//
//	sum of captured charges − sum of refunds = sum of the totals of the delivered orders
//
// from the provider's own books.
func TestPaymentFaultsEndEveryOrderAndKeepTheMoneyStraight(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	token, _ := newCustomer(t)
	crew := theCrew(t)

	var plan []*planned
	add := func(n int, card, cancel string) {
		for i := 0; i < n; i++ {
			plan = append(plan, &planned{card: card, cancel: cancel})
		}
	}
	add(3, simprovider.TokenTimeout, "")             // never answered, never charged
	add(1, simprovider.TokenTimeout, "now")          // cancelled while the charge hangs
	add(3, simprovider.TokenTimeoutAfterCapture, "") // charged, answer lost
	add(1, simprovider.TokenTimeoutAfterCapture, "now")
	add(2, simprovider.TokenInsufficientFunds, "")
	add(2, simprovider.TokenExpiredCard, "")
	add(2, simprovider.TokenError5xx, "")
	add(2, simprovider.TokenFlaky, "")
	add(3, simprovider.TokenVisa, "now")
	add(4, simprovider.TokenVisa, "paid")
	add(40-len(plan), simprovider.TokenVisa, "")
	// Interleave the kinds, as real traffic would (seeded: the same order every run).
	rand.New(rand.NewPCG(5, 5)).Shuffle(len(plan), func(i, j int) { plan[i], plan[j] = plan[j], plan[i] })

	started := time.Now()
	for i, p := range plan {
		p.id, p.total = placeWith(t, token, p.card, 1+i%3)
		if p.cancel == "now" {
			p.canceled = cancel(t, token, p.id)
		}
	}
	t.Logf("placed %d orders in %s", len(plan), time.Since(started).Round(time.Millisecond))

	orders := map[string]domain.Order{}
	eventually(t, 150*time.Second, "every order settled", func() (bool, string) {
		for _, p := range plan {
			o, err := table().GetOrder(ctx, p.id)
			if err != nil {
				t.Fatal(err)
			}
			if p.cancel == "paid" && !p.canceled && (o.Status == domain.StatusPaid || o.Status == domain.StatusCourierAssigned) {
				p.canceled = cancel(t, token, p.id)
				o, _ = table().GetOrder(ctx, p.id)
			}
			orders[p.id] = o
		}
		crew.round(t)
		open := map[string]int{}
		for _, p := range plan {
			if ok, why := settled(t, orders[p.id]); !ok {
				open[why]++
			}
		}
		return len(open) == 0, fmt.Sprint(open)
	})
	t.Logf("all %d orders settled %s after the first was placed", len(plan), time.Since(started).Round(time.Second))

	// The customer was told how each order ended.
	eventually(t, 30*time.Second, "every customer told", func() (bool, string) {
		for _, p := range plan {
			o := orders[p.id]
			if notified(t, p.id)[terminalEvent[o.Status]] != 1 {
				return false, fmt.Sprintf("order %s (%s) lacks its %s notification", p.id, o.Status, terminalEvent[o.Status])
			}
		}
		return true, ""
	})

	// The money, from the provider's books.
	b := readBooks(t)
	var sumCaptured, sumRefunded, sumDelivered int64
	status := map[domain.Status]int{}
	captures, refunds := 0, 0
	for _, p := range plan {
		o := orders[p.id]
		status[o.Status]++
		captured, refunded := b.Money(p.id)
		sumCaptured += captured
		sumRefunded += refunded
		if captured > 0 {
			captures++
		}
		refunds += len(b.Refunds[p.id])
		if len(b.Charges[p.id]) > 1 || b.ByRef[p.id] > 1 || len(b.Refunds[p.id]) > 1 {
			t.Errorf("order %s: %d charge records, %d refunds: charged or refunded twice", p.id, len(b.Charges[p.id]), len(b.Refunds[p.id]))
		}
		var want [2]int64 // captured, refunded
		switch o.Status {
		case domain.StatusDelivered:
			sumDelivered += o.TotalMinor
			want = [2]int64{o.TotalMinor, 0}
		case domain.StatusRefunded:
			want = [2]int64{o.TotalMinor, o.TotalMinor}
		case domain.StatusPaymentFailed, domain.StatusCancelled:
			want = [2]int64{0, 0}
		default:
			t.Errorf("order %s ended %s", p.id, o.Status)
		}
		if [2]int64{captured, refunded} != want {
			t.Errorf("order %s (%s, card %s, cancel %q): captured %d refunded %d, want %v", p.id, o.Status, p.card, p.cancel, captured, refunded, want)
		}
		// Hard declines are final; cards that never answer fail; the flaky card gets through.
		switch p.card {
		case simprovider.TokenInsufficientFunds, simprovider.TokenExpiredCard, simprovider.TokenTimeout, simprovider.TokenError5xx:
			if o.Status != domain.StatusPaymentFailed && o.Status != domain.StatusCancelled {
				t.Errorf("order %s with %s ended %s", p.id, p.card, o.Status)
			}
		case simprovider.TokenFlaky, simprovider.TokenTimeoutAfterCapture:
			if o.Status == domain.StatusPaymentFailed {
				t.Errorf("order %s with %s failed: the provider had taken the money", p.id, p.card)
			}
		}
	}
	if sumCaptured-sumRefunded != sumDelivered {
		t.Errorf("money invariant broken: captured %d − refunded %d = %d, delivered orders total %d",
			sumCaptured, sumRefunded, sumCaptured-sumRefunded, sumDelivered)
	}
	t.Logf("terminal: %v", status)
	t.Logf("provider: %d captures (%d), %d refunds (%d); captured − refunded = %d = delivered total %d",
		captures, sumCaptured, refunds, sumRefunded, sumCaptured-sumRefunded, sumDelivered)

	// Nothing needed a person: no message about these orders is in a DLQ.
	mine := map[string]bool{}
	for _, p := range plan {
		mine[p.id] = true
	}
	tool := &dlq.Tool{SQS: deployed.sqs, Failures: table()}
	for _, q := range dlq.QueuesOf(deployed.out) {
		msgs, err := tool.List(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if mine[m.OrderID] {
				t.Errorf("%s DLQ holds %s of order %s: %s", q.Name, m.EventType, m.OrderID, m.Reason)
			}
		}
	}
}

// --- poison messages and redrive ---------------------------------------------------------------------------

// TestPoisonMessageReachesTheDLQAndRedrivesBack makes a message no retry can fix: an order without a courier
// (NO_COURIER) whose charge is missing from the ledger, so the refund step cannot know what to give back. Its
// NoCourierAvailable event must reach the payment DLQ after exactly the queue's maxReceiveCount tries, `redrive
// list` must show it with the reason, and after the fix (the ledger entry restored from the provider's
// records) `redrive` must send it back, where it refunds the order.
func TestPoisonMessageReachesTheDLQAndRedrivesBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, customer := newCustomer(t)

	// The queue's bound on tries, as deployed.
	attrs, err := deployed.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: &deployed.out.PaymentQueueURL, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameRedrivePolicy},
	})
	if err != nil {
		t.Fatal(err)
	}
	var policy struct {
		MaxReceiveCount json.Number `json:"maxReceiveCount"`
	}
	if err := json.Unmarshal([]byte(attrs.Attributes["RedrivePolicy"]), &policy); err != nil {
		t.Fatal(err)
	}
	maxReceives, _ := policy.MaxReceiveCount.Int64()

	now := time.Now().UTC()
	o := domain.Order{ID: fmt.Sprintf("poison-%d", now.UnixNano()), CustomerID: customer, RestaurantID: "taco-loco",
		RestaurantName: "Taco Loco", PickupLocation: domain.LatLng{Lat: 52.538, Lng: 13.409},
		DeliveryLocation: domain.LatLng{Lat: 52.535, Lng: 13.41}, SubtotalMinor: 990, DeliveryFeeMinor: 199, TotalMinor: 1189,
		Currency: "EUR", Status: domain.StatusNoCourier, PaymentToken: simprovider.TokenVisa, CorrelationID: "", Version: 3,
		CreatedAt: now, UpdatedAt: now}
	o.CorrelationID = o.ID
	if err := table().CreateOrder(ctx, o); err != nil { // the stream publishes NoCourierAvailable
		t.Fatal(err)
	}
	eventID := events.EventID(o.ID, 3)

	tool := &dlq.Tool{SQS: deployed.sqs, Failures: table()}
	payment := dlq.QueuesOf(deployed.out)[0]
	var dead dlq.Message
	eventually(t, 90*time.Second, "NoCourierAvailable of the poison order in the payment DLQ", func() (bool, string) {
		msgs, err := tool.List(ctx, payment)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if m.OrderID == o.ID {
				dead = m
				return true, ""
			}
		}
		return false, fmt.Sprintf("%d other messages", len(msgs))
	})
	t.Logf("dead-lettered %s after %s: %d receives, reason %q", dead.MessageID, time.Since(now).Round(time.Second), dead.ReceiveCount, dead.Reason)
	if dead.EventType != events.NoCourierAvailable || int64(dead.ReceiveCount) != maxReceives || !strings.Contains(dead.Reason, "has no charge") {
		t.Fatalf("DLQ message %+v, want NoCourierAvailable after %d receives with its reason", dead, maxReceives)
	}

	// The ops command lists it with its reason.
	listing := redriveCommand(t, "-queue", "payment", "list")
	if !strings.Contains(listing, dead.MessageID) || !strings.Contains(listing, "has no charge") {
		t.Fatalf("`redrive list` does not show the message and its reason:\n%s", listing)
	}

	// The fix: the provider's books say the order was charged; restore the ledger entry from them.
	sim := simprovider.New(simprovider.NewDynamoBooks(deployed.ddb, deployed.out.ProviderTableName), simprovider.Config{}, time.Now)
	res, err := sim.Charge(ctx, payments.ChargeRequest{IdempotencyKey: o.ID, MerchantRef: o.ID, Token: simprovider.TokenVisa, AmountMinor: o.TotalMinor, Currency: o.Currency})
	if err != nil || res.Outcome != payments.Captured {
		t.Fatalf("provider charge %+v %v", res, err)
	}
	if _, created, err := table().BeginCharge(ctx, domain.Charge{OrderID: o.ID, AmountMinor: o.TotalMinor, Currency: o.Currency,
		Status: domain.ChargeCaptured, ProviderRef: res.Reference, CreatedAt: now, UpdatedAt: now}); err != nil || !created {
		t.Fatalf("restore the ledger entry: created %v, %v", created, err)
	}

	// Redrive it with the ops command; leased by a concurrent listing, it may take a second try.
	eventually(t, 30*time.Second, "message redriven", func() (bool, string) {
		out := redriveCommand(t, "-queue", "payment", "-message-id", dead.MessageID, "redrive")
		return strings.Contains(out, "redrove "+dead.MessageID), out
	})
	var refunded domain.Order
	eventually(t, 30*time.Second, "the redriven event refunds the order", func() (bool, string) {
		refunded, _ = table().GetOrder(ctx, o.ID)
		return refunded.Status == domain.StatusRefunded, string(refunded.Status)
	})
	if refunded.CausationID != eventID {
		t.Errorf("order refunded by event %s, want the redriven %s", refunded.CausationID, eventID)
	}
	if captured, back := readBooks(t).Money(o.ID); captured != o.TotalMinor || back != o.TotalMinor {
		t.Errorf("captured %d refunded %d", captured, back)
	}
	if msgs, _ := tool.List(ctx, payment); len(msgs) > 0 {
		for _, m := range msgs {
			if m.OrderID == o.ID {
				t.Errorf("still in the DLQ: %+v", m)
			}
		}
	}
}

// redriveCommand runs the ops command (scripts/redrive) against the deployed stack and returns its output.
func redriveCommand(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "go", append([]string{"run", "./scripts/redrive", "-outputs", os.Getenv("E2E_OUTPUTS")}, args...)...)
	cmd.Dir = ".."
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("redrive %v: %v\n%s", args, err, out)
	}
	return string(out)
}
