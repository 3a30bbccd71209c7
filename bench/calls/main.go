// Command calls counts the AWS calls every function makes per API request and
// per event. It builds each function's handler in this process exactly as the
// function's main.go does, but from an SDK configuration that counts calls
// (awsclient.WithCallCounter), and drives orders through the whole flow
// against a real DynamoDB table, EventBridge bus and S3 bucket on an emulator
// where the stack is deployed and seeded:
//
//	place (API) → stream publisher → payment → stream publisher → assignment →
//	notification, notify-email, notify-sms → courier reads, reports location, picks up, delivers (API) → ...
//
// plus the read-only routes, duplicate deliveries of each event, an order
// placed without Idempotency-Key and cancelled, and one stream batch of 10.
// The deployed functions must not race the in-process ones for the same
// orders, so the bus's rules are disabled first: the deployed stream
// publisher still runs on each write, but its events go nowhere.
//
//	go run ./bench/calls -outputs .run/4596/outputs.json   (with scripts/lib.sh's emulator_env)
//
// Figures (stdout), means over the orders driven:
//
//	calls.<function>.<step>.<service>   calls   per request or per event
//	calls.order_api.place_order.floor   calls   the physical floor: one DynamoDB write
//	calls.delivered_order.<service>     calls   one order from POST /orders to DELIVERED, writes only
//	calls.per_assignment.dynamodb       calls   DynamoDB calls of one courier assignment (mean; _max the largest)
//	calls.per_location_batch.dynamodb   calls   DynamoDB calls of one location batch as the clients send it
//	calls.order_api.home.dynamodb       calls   GET /me/home with the catalogue cached, while a courier carries the order (at most 2)
//	calls.order_api.home.dynamodb_max   calls   the largest sample of it; above 2 the command exits 3 after printing
//	calls.retries                       attempts  HTTP attempts beyond the first, over the run (0 expected)
//	calls.samples                       orders
//	calls.sweeper.sweeps_per_month      sweeps  from the deployed sweeper's period (its idle cost is sweeper.idle_sweep)
//
// A per-operation breakdown of every step goes to stderr.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/fooddelivery/serverless-food-delivery/bench/internal/benchfile"
	"github.com/fooddelivery/serverless-food-delivery/shared/devstack"
	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	domainevents "github.com/fooddelivery/serverless-food-delivery/shared/events"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awsclient"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/httpapi"
	"github.com/fooddelivery/serverless-food-delivery/shared/realtime"
	"github.com/fooddelivery/serverless-food-delivery/shared/store"
	"github.com/fooddelivery/serverless-food-delivery/shared/tracking/cadence"
)

// batchSize is the stream batch whose per-event cost is measured.
const batchSize = 10

func main() {
	outputsPath := flag.String("outputs", ".run/4596/outputs.json", "stack outputs written by scripts/deploy.sh")
	n := flag.Int("orders", batchSize, "orders to drive through the flow (at least 10)")
	logPath := flag.String("log", "", "file for the handlers' logs (default: discarded)")
	flag.Parse()
	if err := run(*outputsPath, *n, *logPath); err != nil {
		fmt.Fprintln(os.Stderr, "calls:", err)
		if errors.As(err, new(overBudget)) {
			os.Exit(exitOverBudget)
		}
		os.Exit(1)
	}
}

// harness holds the counted handlers and the uncounted clients used to set up
// and inspect what they did.
type harness struct {
	fn      functions
	counter *awsclient.CallCounter
	db      *dynamodb.Client // uncounted
	table   *store.Table     // uncounted
	tname   string
	steps   []string
	samples map[string][]awsclient.Counts
	per     map[string]int     // events per sample, for batches
	journey []awsclient.Counts // per order: the writes from placing to delivered
	// DynamoDB capacity units and handler wall time, per sample of each step and per order's journey.
	meter      *capacityMeter
	caps       map[string][]capacity
	durs       map[string][]time.Duration
	journeyCap []capacity
	retries    int
	runID      string
	extra      []benchfile.Figure // printed after the steps' figures
	opsToken   string             // a real ID token of an ops user, for the WebSocket steps
}

func run(outputsPath string, n int, logPath string) error {
	if n < batchSize {
		return fmt.Errorf("-orders must be at least %d", batchSize)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := devstack.LoadOutputs(outputsPath)
	if err != nil {
		return err
	}
	if err := setLogging(logPath); err != nil {
		return err
	}
	base, err := awsclient.Load(ctx)
	if err != nil {
		return err
	}
	h := &harness{
		counter: awsclient.NewCallCounter(),
		db:      dynamodb.NewFromConfig(base),
		tname:   out.TableName,
		samples: map[string][]awsclient.Counts{},
		per:     map[string]int{},
		meter:   &capacityMeter{},
		caps:    map[string][]capacity{},
		durs:    map[string][]time.Duration{},
		runID:   strings.ReplaceAll(platform.NewID(), "-", "")[:12],
	}
	h.table = store.New(h.db, out.TableName)
	sweepCfg, err := devstack.SweeperConfig(ctx, lambda.NewFromConfig(base), out.SweeperFunctionName)
	if err != nil {
		return err
	}
	if h.fn, err = wire(h.meter.with(awsclient.WithCallCounter(base, h.counter)), base, out, sweepCfg); err != nil {
		return err
	}

	// The WebSocket steps verify a real ID token; an ops user may watch any order, as the customer may watch theirs
	// (the same reads and writes), while the API steps above use claims of a customer made up for the run.
	users := devstack.Users{Client: cip.NewFromConfig(base), PoolID: out.UserPoolID, ClientID: out.UserPoolClientID}
	if _, err := users.Ensure(ctx, "bench-calls-ops", devstack.DemoPassword, "ops"); err != nil {
		return err
	}
	if h.opsToken, err = users.SignIn(ctx, "bench-calls-ops", devstack.DemoPassword); err != nil {
		return err
	}

	if err := disableRules(ctx, eventbridge.NewFromConfig(base), out.EventBusName); err != nil {
		return err
	}
	// The deployed realtime-push reads the table's stream: it would push the in-process steps' positions to their
	// made-up connections, meet 410 and remove them under the in-process push's feet.
	if err := disablePush(ctx, h.db, lambda.NewFromConfig(base), out.TableName); err != nil {
		return err
	}
	var inserts []events.DynamoDBEventRecord
	for i := 0; i < n; i++ {
		rec, err := h.journey1(ctx, i)
		if err != nil {
			return fmt.Errorf("order %d: %w", i+1, err)
		}
		inserts = append(inserts, rec)
	}
	// One stream batch of 10 order inserts: the publisher sends them in one PutEvents.
	if err := h.measureN("stream_publisher.event_in_batch_of_10", batchSize, func() error {
		return streamOK(h.fn.publisher(ctx, events.DynamoDBEvent{Records: inserts[:batchSize]}))
	}); err != nil {
		return err
	}
	// The sweeper's cost when nothing is stuck, which is its cost at all times in a healthy system: the orders
	// above are over, or too recent to be in a window.
	if err := h.measure("sweeper.idle_sweep", func() error {
		rep, err := h.fn.sweep(ctx)
		if err == nil && rep.Found != 0 {
			fmt.Fprintf(os.Stderr, "calls: warning: the idle sweep found %d orders waiting; its cost is not the idle cost\n", rep.Found)
		}
		return err
	}); err != nil {
		return err
	}
	h.extra = append(h.extra, benchfile.New("calls.sweeper.sweeps_per_month", float64(30*24*time.Hour/sweepCfg.Period), "sweeps"))
	return h.report(n)
}

// setLogging sends the handlers' logs to path, or nowhere: stdout carries the figures.
func setLogging(path string) error {
	w := io.Discard
	if path != "" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		w = f
	}
	slog.SetDefault(slog.New(slog.NewJSONHandler(w, nil)).With("function", "bench-calls"))
	return nil
}

// disableRules stops the deployed consumers from handling the events the
// in-process functions publish.
func disableRules(ctx context.Context, eb *eventbridge.Client, bus string) error {
	rules, err := eb.ListRules(ctx, &eventbridge.ListRulesInput{EventBusName: &bus})
	if err != nil {
		return fmt.Errorf("list rules of %s: %w", bus, err)
	}
	for _, r := range rules.Rules {
		if _, err := eb.DisableRule(ctx, &eventbridge.DisableRuleInput{Name: r.Name, EventBusName: &bus}); err != nil {
			return fmt.Errorf("disable rule %s: %w", aws.ToString(r.Name), err)
		}
	}
	fmt.Fprintf(os.Stderr, "disabled %d rule(s) on bus %s: the deployed consumers stay idle\n", len(rules.Rules), bus)
	return nil
}

// measure runs fn and records the calls it made as one sample of step.
func (h *harness) measure(step string, fn func() error) error {
	return h.measureN(step, 1, fn)
}

// measureN records the calls of fn, which handles per events, as one sample
// of step; the step's figures are then per event.
func (h *harness) measureN(step string, per int, fn func() error) error {
	h.counter.Take()
	h.meter.take()
	start := time.Now()
	err := fn()
	elapsed := time.Since(start)
	c := h.counter.Take()
	cp := h.meter.take()
	h.retries += c.Retries()
	if err != nil {
		return fmt.Errorf("%s: %w", step, err)
	}
	if _, ok := h.samples[step]; !ok {
		h.steps = append(h.steps, step)
		h.per[step] = per
	}
	h.samples[step] = append(h.samples[step], c)
	h.caps[step] = append(h.caps[step], cp)
	h.durs[step] = append(h.durs[step], elapsed)
	return nil
}

// journey1 drives order i from placing to delivery and returns its stream INSERT record.
func (h *harness) journey1(ctx context.Context, i int) (events.DynamoDBEventRecord, error) {
	customer := "bench-customer-" + h.runID
	var restaurants struct {
		Restaurants []domain.Restaurant `json:"restaurants"`
	}
	if err := h.measure("order_api.list_restaurants", func() error {
		return h.api(ctx, h.fn.orderAPI, "GET", "/restaurants", "", nil, nil, http.StatusOK, &restaurants)
	}); err != nil {
		return events.DynamoDBEventRecord{}, err
	}
	restaurant, err := pickRestaurant(restaurants.Restaurants)
	if err != nil {
		return events.DynamoDBEventRecord{}, err
	}
	var menu domain.Menu
	if err := h.measure("order_api.get_menu", func() error {
		return h.api(ctx, h.fn.orderAPI, "GET", "/restaurants/"+restaurant.ID+"/menu", "", nil, nil, http.StatusOK, &menu)
	}); err != nil {
		return events.DynamoDBEventRecord{}, err
	}
	req, err := devstack.SampleOrder(menu)
	if err != nil {
		return events.DynamoDBEventRecord{}, err
	}
	if i == 0 {
		// The customer's notification settings: every channel, every kind of message (each notification step of
		// the journey then sends one message), to an address and a number of the run's own.
		prefs := domain.DefaultPreferences("bench-" + h.runID + "@example.com")
		prefs.Phone, prefs.Channels.SMS.Updates = "+4915100000002", true
		if err := h.measure("order_api.put_preferences", func() error {
			return h.api(ctx, h.fn.orderAPI, "PUT", "/me/preferences", customer, nil, prefs, http.StatusOK, nil)
		}); err != nil {
			return events.DynamoDBEventRecord{}, err
		}
	}

	var journey []awsclient.Counts
	var jcap capacity
	step := func(name string, fn func() error) error {
		if err := h.measure(name, fn); err != nil {
			return err
		}
		s := h.samples[name]
		journey = append(journey, s[len(s)-1])
		c := h.caps[name][len(h.caps[name])-1]
		jcap.read, jcap.write = jcap.read+c.read, jcap.write+c.write
		return nil
	}

	// Placed with an Idempotency-Key, as the web app does. The first order of
	// the process also fills the menu cache, so it is reported on its own.
	placeStep := "order_api.place_order"
	if i == 0 {
		placeStep = "order_api.place_order_first_after_init"
	}
	var order domain.Order
	key := map[string]string{"Idempotency-Key": fmt.Sprintf("bench-%s-%03d", h.runID, i)}
	if err := step(placeStep, func() error {
		return h.api(ctx, h.fn.orderAPI, "POST", "/orders", customer, key, req, http.StatusCreated, &order)
	}); err != nil {
		return events.DynamoDBEventRecord{}, err
	}
	insert, image, err := h.streamRecord(ctx, order.ID, nil)
	if err != nil {
		return events.DynamoDBEventRecord{}, err
	}
	publish := func(rec events.DynamoDBEventRecord) error {
		return step("stream_publisher.status_change", func() error {
			return streamOK(h.fn.publisher(ctx, events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{rec}}))
		})
	}
	// advance publishes the order's latest change and returns the event the bus carried.
	advance := func(want domain.Status) (domainevents.Envelope, error) {
		rec, img, err := h.streamRecord(ctx, order.ID, image)
		if err != nil {
			return domainevents.Envelope{}, err
		}
		image = img
		if err := publish(rec); err != nil {
			return domainevents.Envelope{}, err
		}
		return h.event(ctx, order.ID, want)
	}
	if err := publish(insert); err != nil {
		return events.DynamoDBEventRecord{}, err
	}
	placed, err := h.event(ctx, order.ID, domain.StatusPlaced)
	if err != nil {
		return events.DynamoDBEventRecord{}, err
	}

	// payment
	if err := step("payment.order_placed", func() error { return sqsOK(h.fn.payment(ctx, sqsEvent(placed))) }); err != nil {
		return events.DynamoDBEventRecord{}, err
	}
	if err := h.measure("payment.duplicate_event", func() error { return sqsOK(h.fn.payment(ctx, sqsEvent(placed))) }); err != nil {
		return events.DynamoDBEventRecord{}, err
	}
	if err := h.measure("notification.internal_event", func() error { return sqsOK(h.fn.notification(ctx, sqsEvent(placed))) }); err != nil {
		return events.DynamoDBEventRecord{}, err
	}
	paid, err := advance(domain.StatusPaid)
	if err != nil {
		return events.DynamoDBEventRecord{}, err
	}

	// assignment and the customer's notifications
	if err := step("delivery_assignment.payment_confirmed", func() error { return sqsOK(h.fn.assignment(ctx, sqsEvent(paid))) }); err != nil {
		return events.DynamoDBEventRecord{}, err
	}
	if err := h.measure("delivery_assignment.duplicate_event", func() error { return sqsOK(h.fn.assignment(ctx, sqsEvent(paid))) }); err != nil {
		return events.DynamoDBEventRecord{}, err
	}
	// Every customer-facing event goes to the three channels' consumers: inbox, email (SES) and SMS (SNS). The bench
	// customer has every channel on for every kind of message, so each step is one message sent.
	notifyOnce := func(e domainevents.Envelope) error {
		if err := step("notification.customer_event", func() error { return sqsOK(h.fn.notification(ctx, sqsEvent(e))) }); err != nil {
			return err
		}
		if err := step("notify_email.customer_event", func() error { return sqsOK(h.fn.notifyEmail(ctx, sqsEvent(e))) }); err != nil {
			return err
		}
		return step("notify_sms.customer_event", func() error { return sqsOK(h.fn.notifySMS(ctx, sqsEvent(e))) })
	}
	if err := notifyOnce(paid); err != nil {
		return events.DynamoDBEventRecord{}, err
	}
	if err := h.measure("notification.duplicate_event", func() error { return sqsOK(h.fn.notification(ctx, sqsEvent(paid))) }); err != nil {
		return events.DynamoDBEventRecord{}, err
	}
	if err := h.measure("notify_email.duplicate_event", func() error { return sqsOK(h.fn.notifyEmail(ctx, sqsEvent(paid))) }); err != nil {
		return events.DynamoDBEventRecord{}, err
	}
	if err := h.measure("notify_sms.duplicate_event", func() error { return sqsOK(h.fn.notifySMS(ctx, sqsEvent(paid))) }); err != nil {
		return events.DynamoDBEventRecord{}, err
	}
	assigned, err := advance(domain.StatusCourierAssigned)
	if err != nil {
		return events.DynamoDBEventRecord{}, err
	}
	if err := notifyOnce(assigned); err != nil {
		return events.DynamoDBEventRecord{}, err
	}

	// the courier's app, and the customer watching
	courier := assigned.Data.CourierID
	if courier == "" {
		o, err := h.table.GetOrder(ctx, order.ID)
		if err != nil {
			return events.DynamoDBEventRecord{}, err
		}
		courier = o.CourierID
	}
	if err := h.measure("tracking.get_courier", func() error {
		return h.courierAPI(ctx, "GET", "/couriers/me", courier, nil, http.StatusOK)
	}); err != nil {
		return events.DynamoDBEventRecord{}, err
	}
	// One batch as the shipped clients send it: a fix every cadence.RecordEvery over cadence.SendEvery, riding on
	// from where the courier is (read uncounted), so every fix is plausible.
	location, err := h.locationBatch(ctx, courier)
	if err != nil {
		return events.DynamoDBEventRecord{}, err
	}
	if err := h.measure("tracking.report_location", func() error {
		return h.courierAPI(ctx, "POST", "/couriers/me/location", courier, location, http.StatusOK)
	}); err != nil {
		return events.DynamoDBEventRecord{}, err
	}
	if err := h.measure("tracking.get_tracking", func() error {
		return h.api(ctx, h.fn.tracking, "GET", "/orders/"+order.ID+"/tracking", customer, nil, nil, http.StatusOK, nil)
	}); err != nil {
		return events.DynamoDBEventRecord{}, err
	}
	// What the customer's order page reads over HTTP besides the socket: the order and its inbox, once per status
	// change (web/js/views/order.js; the cost model multiplies them).
	if err := h.liveSteps(ctx, order.ID, i); err != nil {
		return events.DynamoDBEventRecord{}, err
	}
	if err := h.measure("order_api.get_order", func() error {
		return h.api(ctx, h.fn.orderAPI, "GET", "/orders/"+order.ID, customer, nil, nil, http.StatusOK, nil)
	}); err != nil {
		return events.DynamoDBEventRecord{}, err
	}
	if err := h.measure("order_api.get_notifications", func() error {
		return h.api(ctx, h.fn.orderAPI, "GET", "/orders/"+order.ID+"/notifications", customer, nil, nil, http.StatusOK, nil)
	}); err != nil {
		return events.DynamoDBEventRecord{}, err
	}
	// The home screen while the courier carries the order: the customer's orders and the courier's position. The
	// first of the process also fills the catalogue cache, so it is reported on its own.
	homeStep := "order_api.home"
	if i == 0 {
		homeStep = "order_api.home_first_after_init"
	}
	if err := h.measure(homeStep, func() error {
		return h.api(ctx, h.fn.orderAPI, "GET", "/me/home", customer, nil, nil, http.StatusOK, nil)
	}); err != nil {
		return events.DynamoDBEventRecord{}, err
	}
	for _, s := range []domain.Status{domain.StatusPickedUp, domain.StatusDelivered} {
		name := "tracking." + strings.ToLower(string(s))
		if err := step(name, func() error {
			return h.courierAPI(ctx, "POST", "/orders/"+order.ID+"/status", courier, map[string]string{"status": string(s)}, http.StatusOK)
		}); err != nil {
			return events.DynamoDBEventRecord{}, err
		}
		e, err := advance(s)
		if err != nil {
			return events.DynamoDBEventRecord{}, err
		}
		if err := notifyOnce(e); err != nil {
			return events.DynamoDBEventRecord{}, err
		}
	}
	h.journey = append(h.journey, sum(journey))
	h.journeyCap = append(h.journeyCap, jcap)

	// the customer's reads
	for _, r := range []struct{ name, path string }{
		{"order_api.get_order", "/orders/" + order.ID},
		{"order_api.list_notifications", "/orders/" + order.ID + "/notifications"},
		{"order_api.inbox", "/me/notifications"},
		{"order_api.get_preferences", "/me/preferences"},
		{"order_api.list_orders", "/orders"},
	} {
		if err := h.measure(r.name, func() error {
			return h.api(ctx, h.fn.orderAPI, "GET", r.path, customer, nil, nil, http.StatusOK, nil)
		}); err != nil {
			return events.DynamoDBEventRecord{}, err
		}
	}

	// An order placed without Idempotency-Key, then cancelled before payment.
	var second domain.Order
	if err := h.measure("order_api.place_order_without_key", func() error {
		return h.api(ctx, h.fn.orderAPI, "POST", "/orders", customer, nil, req, http.StatusCreated, &second)
	}); err != nil {
		return events.DynamoDBEventRecord{}, err
	}
	if err := h.measure("order_api.cancel_order", func() error {
		return h.api(ctx, h.fn.orderAPI, "POST", "/orders/"+second.ID+"/cancel", customer, nil, nil, http.StatusOK, nil)
	}); err != nil {
		return events.DynamoDBEventRecord{}, err
	}
	return insert, nil
}

// pickRestaurant prefers the README's sakura-sushi, else any restaurant open now.
func pickRestaurant(list []domain.Restaurant) (domain.Restaurant, error) {
	now := time.Now()
	var open []domain.Restaurant
	for _, r := range list {
		if r.OpenAt(now) {
			open = append(open, r)
		}
	}
	if len(open) == 0 {
		return domain.Restaurant{}, fmt.Errorf("none of the %d seeded restaurants is open at %s", len(list), now.Format(time.RFC3339))
	}
	for _, r := range open {
		if r.ID == "sakura-sushi" {
			return r, nil
		}
	}
	return open[0], nil
}

// api sends one API Gateway (HTTP API, payload 2.0) request to a router
// handler, as the customer sub (or unauthenticated when sub is ""), checks the
// status and decodes the body into into (when not nil).
func (h *harness) api(ctx context.Context, handler func(context.Context, json.RawMessage) (httpapi.Response, error),
	method, path, sub string, headers map[string]string, body any, want int, into any) error {
	return h.call(ctx, handler, method, path, sub, []string{httpapi.GroupCustomer}, headers, body, want, into)
}

func (h *harness) courierAPI(ctx context.Context, method, path, courier string, body any, want int) error {
	return h.call(ctx, h.fn.tracking, method, path, courier, []string{httpapi.GroupCourier}, nil, body, want, nil)
}

func (h *harness) call(ctx context.Context, handler func(context.Context, json.RawMessage) (httpapi.Response, error),
	method, path, sub string, groups []string, headers map[string]string, body any, want int, into any) error {
	hdrs := map[string]string{"content-type": "application/json"}
	for k, v := range headers {
		hdrs[strings.ToLower(k)] = v
	}
	reqCtx := map[string]any{"requestId": platform.NewID(), "http": map[string]string{"method": method, "path": path}}
	if sub != "" {
		reqCtx["authorizer"] = map[string]any{"jwt": map[string]any{"claims": map[string]any{
			"sub": sub, "cognito:username": sub, "cognito:groups": groups}}}
	}
	ev := map[string]any{"version": "2.0", "routeKey": "$default", "rawPath": path, "headers": hdrs, "requestContext": reqCtx}
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return err
		}
		ev["body"] = string(raw)
	}
	raw, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	resp, err := handler(ctx, raw)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, resp.Body)
	}
	if into != nil {
		if err := json.Unmarshal([]byte(resp.Body), into); err != nil {
			return fmt.Errorf("%s %s: decode: %w", method, path, err)
		}
	}
	return nil
}

// streamRecord reads the order item (uncounted) and returns the stream record
// its last write produced: INSERT without a previous image, else MODIFY.
func (h *harness) streamRecord(ctx context.Context, orderID string, prev map[string]events.DynamoDBAttributeValue) (events.DynamoDBEventRecord, map[string]events.DynamoDBAttributeValue, error) {
	res, err := h.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &h.tname, ConsistentRead: aws.Bool(true), Key: map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: "ORDER#" + orderID}, "SK": &types.AttributeValueMemberS{Value: "ORDER"},
	}})
	if err != nil {
		return events.DynamoDBEventRecord{}, nil, err
	}
	if len(res.Item) == 0 {
		return events.DynamoDBEventRecord{}, nil, fmt.Errorf("order %s is not in the table", orderID)
	}
	image, err := store.StreamImage(res.Item)
	if err != nil {
		return events.DynamoDBEventRecord{}, nil, err
	}
	rec := events.DynamoDBEventRecord{EventName: "INSERT", EventSource: "aws:dynamodb", AWSRegion: "us-east-1",
		Change: events.DynamoDBStreamRecord{Keys: map[string]events.DynamoDBAttributeValue{"PK": image["PK"], "SK": image["SK"]},
			NewImage: image, SequenceNumber: fmt.Sprint(time.Now().UnixNano()), StreamViewType: "NEW_AND_OLD_IMAGES"}}
	if prev != nil {
		rec.EventName, rec.Change.OldImage = "MODIFY", prev
	}
	return rec, image, nil
}

// event is the domain event the stream publisher made of the order's current
// state, which must be want.
func (h *harness) event(ctx context.Context, orderID string, want domain.Status) (domainevents.Envelope, error) {
	o, err := h.table.GetOrder(ctx, orderID)
	if err != nil {
		return domainevents.Envelope{}, err
	}
	if o.Status != want {
		return domainevents.Envelope{}, fmt.Errorf("order %s is %s, want %s", orderID, o.Status, want)
	}
	e, ok := domainevents.FromOrder(o)
	if !ok {
		return domainevents.Envelope{}, fmt.Errorf("no event for order %s in %s", orderID, o.Status)
	}
	return e, nil
}

// sqsEvent is how the SQS target of an EventBridge rule delivers e.
func sqsEvent(e domainevents.Envelope) events.SQSEvent {
	body, _ := json.Marshal(map[string]any{
		"version": "0", "id": platform.NewID(), "detail-type": e.Type, "source": domainevents.Source,
		"account": "000000000000", "time": e.OccurredAt.UTC().Format(time.RFC3339), "region": "us-east-1",
		"resources": []string{"order/" + e.OrderID}, "detail": e,
	})
	return events.SQSEvent{Records: []events.SQSMessage{{
		MessageId: platform.NewID(), Body: string(body), EventSource: "aws:sqs",
		Attributes: map[string]string{"ApproximateReceiveCount": "1"},
	}}}
}

// locationBatch is the body of one POST /couriers/me/location of the courier's device: cadence.SendEvery of fixes
// taken every cadence.RecordEvery, ending now, starting where the courier is. They are only a metre apart: the
// harness drives orders faster than a courier rides, so the same courier's previous batch may be a second old,
// and the earlier fixes of this one are then skipped as already seen; the calls and items written are the same.
func (h *harness) locationBatch(ctx context.Context, courierID string) (map[string]any, error) {
	c, err := h.table.GetCourier(ctx, courierID)
	if err != nil {
		return nil, err
	}
	n := int(cadence.SendEvery / cadence.RecordEvery)
	now := time.Now().UTC()
	fixes := make([]map[string]any, n)
	for i := range fixes {
		step := float64(i + 1)
		fixes[i] = map[string]any{"lat": c.Location.Lat + 0.00001*step, "lng": c.Location.Lng,
			"recorded_at": now.Add(-time.Duration(n-1-i) * cadence.RecordEvery).Format(time.RFC3339Nano)}
	}
	return map[string]any{"positions": fixes}, nil
}

func sqsOK(resp events.SQSEventResponse, err error) error {
	if err != nil {
		return err
	}
	if len(resp.BatchItemFailures) > 0 {
		return errors.New("the handler failed the message (see -log)")
	}
	return nil
}

func streamOK(resp events.DynamoDBEventResponse, err error) error {
	if err != nil {
		return err
	}
	if len(resp.BatchItemFailures) > 0 {
		return errors.New("the publisher failed the record (see -log)")
	}
	return nil
}

func sum(cs []awsclient.Counts) awsclient.Counts {
	out := awsclient.Counts{Calls: map[awsclient.Call]int{}, Attempts: map[awsclient.Call]int{}}
	for _, c := range cs {
		for k, v := range c.Calls {
			out.Calls[k] += v
		}
		for k, v := range c.Attempts {
			out.Attempts[k] += v
		}
	}
	return out
}

// report prints the mean calls per service of every step (stdout) and the
// per-operation breakdown (stderr).
func (h *harness) report(n int) error {
	var figs []benchfile.Figure
	add := func(name string, samples []awsclient.Counts, per int) {
		total := sum(samples)
		events := float64(len(samples) * max(per, 1))
		services := map[string]int{}
		for call, k := range total.Calls {
			// One word per figure name ("Secrets Manager" → secretsmanager): a BENCH line is name, value, unit.
			services[strings.ToLower(strings.ReplaceAll(call.Service, " ", ""))] += k
		}
		keys := make([]string, 0, len(services))
		for s := range services {
			keys = append(keys, s)
		}
		sort.Strings(keys)
		if len(keys) == 0 {
			figs = append(figs, benchfile.New("calls."+name+".all", 0, "calls"))
		}
		for _, s := range keys {
			figs = append(figs, benchfile.New("calls."+name+"."+s, float64(services[s])/events, "calls"))
		}
		var ops []string
		for _, call := range total.Sorted() {
			ops = append(ops, fmt.Sprintf("%s %s", call, benchfile.FormatValue(benchfile.Round(float64(total.Calls[call])/events))))
		}
		if len(ops) == 0 {
			ops = []string{"no AWS call"}
		}
		what := fmt.Sprintf("%d samples", len(samples))
		if per > 1 {
			what = fmt.Sprintf("%d batch(es) of %d events, per event", len(samples), per)
		}
		fmt.Fprintf(os.Stderr, "  %-44s %s   (%s)\n", name, strings.Join(ops, ", "), what)
		if services["dynamodb"] > 0 {
			var c capacity
			for _, s := range h.caps[name] {
				c.read, c.write = c.read+s.read, c.write+s.write
			}
			if name == "delivered_order" {
				for _, s := range h.journeyCap {
					c.read, c.write = c.read+s.read, c.write+s.write
				}
			}
			figs = append(figs, benchfile.New("calls."+name+".dynamodb_rru", c.read/events, "RRU"),
				benchfile.New("calls."+name+".dynamodb_wru", c.write/events, "WRU"))
		}
		if d := h.durs[name]; len(d) > 0 {
			var total time.Duration
			for _, x := range d {
				total += x
			}
			figs = append(figs, benchfile.New("calls."+name+".handler_ms", float64(total.Microseconds())/1000/events, "ms"))
		}
	}
	fmt.Fprintln(os.Stderr, "AWS calls per request or event, by operation (mean):")
	for _, step := range displayOrder(h.steps) {
		add(step, h.samples[step], h.per[step])
		if step == "order_api.place_order" {
			// DESIGN.md section 8: placing an order needs one DynamoDB write and nothing else.
			figs = append(figs, benchfile.New("calls.order_api.place_order.floor", 1, "calls"))
		}
	}
	add("delivered_order", h.journey, 1)
	// The two figures issue 14 sets targets for, under names of their own: the DynamoDB calls of one courier
	// assignment (PaymentConfirmed, a courier free near the pickup; at most 3) and of one location batch as the
	// clients send it. Also the largest sample, since a mean can hide one assignment that took more.
	for _, hl := range []struct{ name, step string }{
		{"calls.per_assignment.dynamodb", "delivery_assignment.payment_confirmed"},
		{"calls.per_location_batch.dynamodb", "tracking.report_location"},
	} {
		samples := h.samples[hl.step]
		most := 0
		for _, c := range samples {
			most = max(most, c.Total("DynamoDB"))
		}
		figs = append(figs, benchfile.New(hl.name, float64(sum(samples).Total("DynamoDB"))/float64(max(len(samples), 1)), "calls"),
			benchfile.New(hl.name+"_max", float64(most), "calls"))
	}
	// GET /me/home's budget (issue 16): at most HomeBudget DynamoDB calls in every sample with the catalogue cached.
	homeMost := 0
	for _, c := range h.samples["order_api.home"] {
		homeMost = max(homeMost, c.Total("DynamoDB"))
	}
	figs = append(figs,
		benchfile.New("calls.order_api.home.dynamodb_max", float64(homeMost), "calls"),
		benchfile.New("calls.retries", float64(h.retries), "attempts"),
		benchfile.New("calls.dynamodb_capacity_reported", float64(h.meter.reported)/float64(max(h.meter.calls, 1)), "share"),
		benchfile.New("calls.samples", float64(n), "orders"))
	if err := benchfile.Print(os.Stdout, append(figs, h.extra...)...); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "GET /me/home with the catalogue cached: at most %d DynamoDB calls over %d samples (budget %d)\n",
		homeMost, len(h.samples["order_api.home"]), HomeBudget)
	switch {
	case len(h.samples["order_api.home"]) == 0:
		return errors.New("GET /me/home was not measured with the catalogue cached")
	case homeMost > HomeBudget:
		return overBudget{fmt.Sprintf("GET /me/home made %d DynamoDB calls with the catalogue cached; the budget is %d "+
			"(docs/patterns/backend-for-frontend.md)", homeMost, HomeBudget)}
	}
	return nil
}

// HomeBudget is the most DynamoDB calls GET /me/home may make once the catalogue is cached: the customer's
// newest orders with the unread count (one Query) and the courier's position (one GetItem).
const HomeBudget = 2

// overBudget is a figure past its budget: the figures are printed, and the command exits with
// exitOverBudget, so that scripts/bench.sh finishes the report and then fails.
type overBudget struct{ msg string }

func (e overBudget) Error() string { return e.msg }

const exitOverBudget = 3

// knownSteps is the order figures are printed in, function by function;
// steps not listed here follow in the order they were measured.
var knownSteps = []string{
	"order_api.list_restaurants", "order_api.get_menu", "order_api.place_order", "order_api.place_order_first_after_init",
	"order_api.place_order_without_key", "order_api.get_order", "order_api.list_orders", "order_api.list_notifications",
	"order_api.home", "order_api.home_first_after_init",
	"order_api.cancel_order",
	"stream_publisher.status_change", "stream_publisher.event_in_batch_of_10",
	"payment.order_placed", "payment.duplicate_event",
	"delivery_assignment.payment_confirmed", "delivery_assignment.duplicate_event",
	"order_api.inbox", "order_api.get_preferences", "order_api.put_preferences",
	"notification.customer_event", "notification.duplicate_event", "notification.internal_event",
	"notify_email.customer_event", "notify_email.duplicate_event", "notify_sms.customer_event", "notify_sms.duplicate_event",
	"tracking.get_courier", "tracking.report_location", "tracking.get_tracking", "tracking.picked_up", "tracking.delivered",
	"sweeper.idle_sweep",
}

func displayOrder(measured []string) []string {
	seen := map[string]bool{}
	for _, s := range measured {
		seen[s] = true
	}
	var out []string
	for _, s := range knownSteps {
		if seen[s] {
			out = append(out, s)
			delete(seen, s)
		}
	}
	for _, s := range measured {
		if seen[s] {
			out = append(out, s)
		}
	}
	return out
}

// liveSteps measures the WebSocket side of watching the order: $connect with a real ID token, subscribe, one
// position pushed by realtime-push from the order's stored position (as the stream carries it) to that subscriber,
// and $disconnect.
func (h *harness) liveSteps(ctx context.Context, orderID string, i int) error {
	conn := fmt.Sprintf("bench%s%03d", h.runID, i)
	ws := func(route, body string, query map[string]string) (events.APIGatewayProxyResponse, error) {
		return h.fn.realtime(ctx, events.APIGatewayWebsocketProxyRequest{Body: body, QueryStringParameters: query,
			RequestContext: events.APIGatewayWebsocketProxyRequestContext{RouteKey: route, ConnectionID: conn}})
	}
	want := func(resp events.APIGatewayProxyResponse, err error, status int, body string) error {
		if err == nil && (resp.StatusCode != status || !strings.Contains(resp.Body, body)) {
			err = fmt.Errorf("answered %d %s", resp.StatusCode, resp.Body)
		}
		return err
	}
	if err := h.measure("realtime.connect", func() error {
		resp, err := ws(realtime.RouteConnect, "", map[string]string{"token": h.opsToken})
		return want(resp, err, http.StatusOK, "")
	}); err != nil {
		return err
	}
	if err := h.measure("realtime.subscribe", func() error {
		resp, err := ws(realtime.RouteSubscribe, `{"action":"subscribe","order_id":"`+orderID+`"}`, nil)
		return want(resp, err, http.StatusOK, `"subscribed"`)
	}); err != nil {
		return err
	}
	item, err := h.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &h.tname, Key: map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: "ORDER#" + orderID}, "SK": &types.AttributeValueMemberS{Value: "TRACKING"}}})
	if err != nil {
		return fmt.Errorf("the order's position item: %w", err)
	}
	if len(item.Item) == 0 {
		return fmt.Errorf("the order's position item: not found")
	}
	image, err := store.StreamImage(item.Item)
	if err != nil {
		return err
	}
	before := h.fn.posts.n
	if err := h.measure("realtime_push.position", func() error {
		return streamOK(h.fn.push(ctx, events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{{
			EventName: "MODIFY", Change: events.DynamoDBStreamRecord{NewImage: image, SequenceNumber: fmt.Sprint(i + 1)}}}}))
	}); err != nil {
		return err
	}
	if h.fn.posts.n != before+1 {
		return fmt.Errorf("realtime_push.position posted %d frames, want 1 (to the subscriber)", h.fn.posts.n-before)
	}
	return h.measure("realtime.disconnect", func() error {
		resp, err := ws(realtime.RouteDisconnect, "", nil)
		return want(resp, err, http.StatusOK, "")
	})
}

// disablePush disables the event source mapping of the deployed realtime-push on the table's stream.
func disablePush(ctx context.Context, db *dynamodb.Client, lc *lambda.Client, table string) error {
	t, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &table})
	if err != nil {
		return err
	}
	ms, err := lc.ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{EventSourceArn: t.Table.LatestStreamArn})
	if err != nil {
		return err
	}
	n := 0
	for _, m := range ms.EventSourceMappings {
		if !strings.Contains(aws.ToString(m.FunctionArn), "RealtimePush") {
			continue
		}
		if _, err := lc.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: m.UUID, Enabled: aws.Bool(false)}); err != nil {
			return err
		}
		n++
	}
	fmt.Fprintf(os.Stderr, "disabled %d stream mapping(s) of realtime-push: the deployed push stays idle\n", n)
	return nil
}
