// Command cost turns the counts of bench/calls into a cost per 1,000 delivered
// orders at the list prices of one dated file (bench/prices-us-east-1.json),
// with the live-tracking part printed separately.
//
//	go run ./bench/cost -prices bench/prices-us-east-1.json -calls .run/bench/calls.txt \
//	    -template .run/4596/cdk.out/FoodDelivery.template.json
//
// Measured (bench/calls, handlers in-process against the emulator): the AWS
// calls of every step, the DynamoDB capacity units each step consumed
// (ReturnConsumedCapacity=TOTAL) and each handler's wall time. Read from the
// synthesized template: each function's memory size and the alarms.
//
// The order's way, for one delivered order:
//
//	HTTP API requests   place 1, courier: GET /couriers/me 1, picked up 1, delivered 1
//	Lambda invocations  order-api 1, stream-publisher 5 (one status change per invocation: low traffic, no
//	                    batching), payment 1, delivery-assignment 1, notification (inbox) 4, notify-email 4,
//	                    notify-sms 4 (each channel's consumer gets every customer-facing event, also the ones it
//	                    skips), tracking 3; billed duration: the measured handler time rounded up to 1 ms, times
//	                    the function's memory
//	DynamoDB            the units of the delivered-order journey and of GET /couriers/me
//	SQS                 14 messages (payment 1, assignment 1, 4 per notification channel), each 3 requests: the
//	                    rule's SendMessage, the poller's ReceiveMessage and DeleteMessage (an upper bound: pollers
//	                    batch under load)
//	SES, SMS            the emails of the journey (every customer-facing event, as the default preferences send
//	                    them) and -sms-per-order texts (the default preferences text only how the order ended: 1).
//	                    These per-message fees are priced apart from the headline total, which stays the app's
//	                    own bill: total_without_sms adds the emails, total_with_sms the texts too
//	EventBridge         5 custom events (the stream publisher's PutEvents entries)
//	S3                  1 PUT (the receipt)
//
// Tracking, for a delivery of -watch (20 minutes) that the customer watches from start to end, from what the
// shipped clients do (shared/tracking/cadence is the one statement of their pace):
//
//	courier             watch / cadence.SendEvery location batches: HTTP API requests, tracking invocations and
//	                    units as measured for one batch of SendEvery/RecordEvery fixes
//	customer's page     (web/js/views/order.js) one socket for the whole watch: connection-minutes = watch;
//	                    WebSocket messages: 1 subscribe, 1 subscribed, one frame per status change after it (4) and
//	                    per location batch. HTTP reads while the socket is up: the order, its inbox and the
//	                    position once when the page opens, the order and its inbox once per status frame and once
//	                    more after the final one. While the socket is down (-socket-down-share of the watch) it
//	                    polls all three every cadence.FallbackPollEvery.
//	realtime            $connect, subscribe, $disconnect, as measured (bench/calls: a real ID token verified
//	                    against the pool's keys, the order's items)
//	realtime-push       one invocation per filtered stream record (low traffic: no batching): the 4 status
//	                    changes after PLACED (its filter drops new orders, which nobody watches yet) and each
//	                    location batch's position, each as measured for one position pushed to one subscriber (its
//	                    Query, its counter bump; the frame is a WebSocket message, counted above)
//
// Not counted: DynamoDB stream reads (free for Lambda triggers), storage (items, receipts, logs),
// CloudWatch Logs ingestion, Cognito (priced per monthly active user, not per order), data transfer, free tiers,
// cold-start INIT time. Idle: the alarms and the secrets of the template, and the sweeper's schedule (sweeps per month × one idle
// sweep's invocation, duration and read units). Figures: cost.per_1000_orders.<service>, .order_flow, .tracking and
// .total (USD); cost.tracking.per_1000_orders.<part>; cost.per_order.<count>; cost.assumed.<rate>;
// cost.idle_per_month.<item> (USD).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"strings"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/bench/internal/benchfile"
	"github.com/fooddelivery/serverless-food-delivery/shared/tracking/cadence"
)

type priceFile struct {
	Date    string             `json:"date"`
	Region  string             `json:"region"`
	Sources []string           `json:"sources"`
	Prices  map[string]float64 `json:"prices"`
}

// model is what one delivered, watched order is assumed to be beyond the measured counts.
type model struct {
	watch                      time.Duration
	socketDownShare            float64
	statusFramesAfterSubscribe float64 // PAID, COURIER_ASSIGNED, PICKED_UP, DELIVERED
	statusRecords              float64 // the four changes after PLACED (the push's filter drops the insert)
	smsPerOrder                float64 // text messages per delivered order
}

func main() {
	pricesPath := flag.String("prices", "bench/prices-us-east-1.json", "the dated price file")
	callsPath := flag.String("calls", ".run/bench/calls.txt", "BENCH lines of bench/calls")
	templatePath := flag.String("template", ".run/4596/cdk.out/FoodDelivery.template.json", "the synthesized FoodDelivery template")
	m := model{statusFramesAfterSubscribe: 4, statusRecords: 4}
	flag.DurationVar(&m.watch, "watch", 20*time.Minute, "how long the customer watches a delivery, start to end")
	flag.Float64Var(&m.socketDownShare, "socket-down-share", 0.01, "share of the watch the page's socket is down (it polls then)")
	flag.Float64Var(&m.smsPerOrder, "sms-per-order", 1, "text messages per delivered order (default preferences: only how it ended)")
	flag.Parse()
	if err := run(*pricesPath, *callsPath, *templatePath, m); err != nil {
		fmt.Fprintln(os.Stderr, "cost:", err)
		os.Exit(1)
	}
}

// bill accumulates what a part of the model uses.
type bill struct {
	api, invocations, gbs, wru, rru, sqs, events, s3, wsMessages, wsMinutes float64
}

func (b *bill) add(o bill) {
	b.api += o.api
	b.invocations += o.invocations
	b.gbs += o.gbs
	b.wru += o.wru
	b.rru += o.rru
	b.sqs += o.sqs
	b.events += o.events
	b.s3 += o.s3
	b.wsMessages += o.wsMessages
	b.wsMinutes += o.wsMinutes
}

func run(pricesPath, callsPath, templatePath string, m model) error {
	var pf priceFile
	if err := readJSON(pricesPath, &pf); err != nil {
		return err
	}
	price := func(k string) float64 {
		v, ok := pf.Prices[k]
		if !ok {
			panic(fmt.Sprintf("%s has no price %q", pricesPath, k))
		}
		return v
	}
	f, err := os.Open(callsPath)
	if err != nil {
		return err
	}
	figs, err := benchfile.Parse(f)
	f.Close()
	if err != nil {
		return err
	}
	idx := benchfile.Index(figs)
	var missing []string
	get := func(name string) float64 {
		v, ok := idx[name]
		if !ok {
			missing = append(missing, name)
			return 0
		}
		return v.Value
	}
	memory, alarms, secrets, err := readTemplate(templatePath)
	if err != nil {
		return err
	}
	gbs := func(function string, ms, count float64) float64 {
		mb, ok := memory[function]
		if !ok {
			panic(fmt.Sprintf("%s has no function %q", templatePath, function))
		}
		return count * math.Ceil(ms) / 1000 * mb / 1024
	}
	// invoke is count invocations of a measured step; step is count requests of one through the HTTP API.
	invoke := func(function, name string, count float64) bill {
		return bill{invocations: count, gbs: gbs(function, get("calls."+name+".handler_ms"), count),
			wru: count * get("calls."+name+".dynamodb_wru"), rru: count * get("calls."+name+".dynamodb_rru")}
	}
	step := func(function, name string, count float64) bill {
		b := invoke(function, name, count)
		b.api = count
		return b
	}

	// The order's way.
	var order bill
	for _, i := range []struct {
		function, step string
		count          float64
	}{
		{"order-api", "order_api.place_order", 1},
		{"stream-publisher", "stream_publisher.status_change", 5},
		{"payment", "payment.order_placed", 1},
		{"delivery-assignment", "delivery_assignment.payment_confirmed", 1},
		{"notification", "notification.customer_event", 4},
		{"notify-email", "notify_email.customer_event", 4},
		{"notify-sms", "notify_sms.customer_event", 4},
		{"tracking", "tracking.get_courier", 1},
		{"tracking", "tracking.picked_up", 1},
		{"tracking", "tracking.delivered", 1},
	} {
		order.invocations += i.count
		order.gbs += gbs(i.function, get("calls."+i.step+".handler_ms"), i.count)
	}
	order.api = 4
	order.wru = get("calls.delivered_order.dynamodb_wru") + get("calls.tracking.get_courier.dynamodb_wru")
	order.rru = get("calls.delivered_order.dynamodb_rru") + get("calls.tracking.get_courier.dynamodb_rru")
	order.sqs = 14.0 * 3
	emails := get("calls.delivered_order.sesv2")
	order.events = get("calls.delivered_order.eventbridge")
	order.s3 = get("calls.delivered_order.s3")

	// Tracking: what the shipped clients do over one watched delivery.
	batches := float64(m.watch / cadence.SendEvery)
	courier := step("tracking", "tracking.report_location", batches)
	reads := func(n float64) bill {
		var b bill
		b.add(step("order-api", "order_api.get_order", n))
		b.add(step("order-api", "order_api.get_notifications", n))
		return b
	}
	web := reads(1 + m.statusFramesAfterSubscribe + 1)
	web.add(step("tracking", "tracking.get_tracking", 1))
	polls := m.socketDownShare * float64(m.watch/cadence.FallbackPollEvery)
	fallback := reads(polls)
	fallback.add(step("tracking", "tracking.get_tracking", polls))
	frames := m.statusFramesAfterSubscribe + batches
	socket := bill{wsMessages: 2 + frames, wsMinutes: m.watch.Minutes()}
	var realtimeFn bill
	for _, name := range []string{"realtime.connect", "realtime.subscribe", "realtime.disconnect"} {
		realtimeFn.add(invoke("realtime", name, 1))
	}
	pushRecords := m.statusRecords + batches
	push := invoke("realtime-push", "realtime_push.position", pushRecords)
	var tracking bill
	for _, b := range []bill{courier, web, fallback, socket, realtimeFn, push} {
		tracking.add(b)
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s lacks %s", callsPath, strings.Join(missing, ", "))
	}
	if share := idx["calls.dynamodb_capacity_reported"].Value; share < 1 {
		fmt.Fprintf(os.Stderr, "cost: warning: only %.0f%% of DynamoDB calls reported consumed capacity\n", share*100)
	}

	k := 1000.0
	usd := func(b bill) float64 {
		return k * (b.invocations*price("lambda_request") + b.gbs*price("lambda_arm64_gb_second") + b.api*price("http_api_request") +
			b.wru*price("dynamodb_wru") + b.rru*price("dynamodb_rru") + b.sqs*price("sqs_request") +
			b.events*price("eventbridge_custom_event") + b.s3*price("s3_put") +
			b.wsMessages*price("websocket_message") + b.wsMinutes*price("websocket_connection_minute"))
	}
	var all bill
	all.add(order)
	all.add(tracking)
	ses := k * emails * price("ses_outbound_email")
	sms := k * m.smsPerOrder * price("sms_us_outbound_message")

	idleAlarms := float64(alarms) * price("cloudwatch_alarm_month")
	// The payment provider's API key: a secret is billed per month whatever the traffic. Its reads are left out
	// (the function's: one per container every 5 minutes; the simulated provider's are not a real provider's cost).
	idleSecrets := float64(secrets) * price("secretsmanager_secret_month")
	// The sweeper runs on its schedule whatever the traffic: each sweep is an invocation that queries the
	// awaiting index (measured as an idle sweep: nothing waiting).
	sweeps := get("calls.sweeper.sweeps_per_month")
	sweepGBs := math.Ceil(get("calls.sweeper.idle_sweep.handler_ms")) / 1000 * memory["sweeper"] / 1024
	idleSweeper := sweeps * (price("lambda_request") + sweepGBs*price("lambda_arm64_gb_second") +
		get("calls.sweeper.idle_sweep.dynamodb_rru")*price("dynamodb_rru"))
	if len(missing) > 0 {
		return fmt.Errorf("%s lacks %s", callsPath, strings.Join(missing, ", "))
	}

	fmt.Fprintf(os.Stderr, "cost: prices of %s (%s), %s\n", pf.Date, pf.Region, pricesPath)
	return benchfile.Print(os.Stdout,
		benchfile.New("cost.assumed.watch_minutes", m.watch.Minutes(), "min"),
		benchfile.New("cost.assumed.location_batches_per_delivery", batches, "requests"),
		benchfile.New("cost.assumed.socket_down_share", m.socketDownShare, "share"),
		benchfile.New("cost.assumed.fallback_polls_per_delivery", polls, "polls"),
		benchfile.New("cost.per_order.api_requests", all.api, "requests"),
		benchfile.New("cost.per_order.lambda_invocations", all.invocations, "invocations"),
		benchfile.New("cost.per_order.lambda_gb_s", all.gbs, "GB-s"),
		benchfile.New("cost.per_order.dynamodb_wru", all.wru, "WRU"),
		benchfile.New("cost.per_order.dynamodb_rru", all.rru, "RRU"),
		benchfile.New("cost.per_order.sqs_requests", all.sqs, "requests"),
		benchfile.New("cost.per_order.eventbridge_events", all.events, "events"),
		benchfile.New("cost.per_order.s3_puts", all.s3, "requests"),
		benchfile.New("cost.per_order.websocket_messages", all.wsMessages, "messages"),
		benchfile.New("cost.per_order.websocket_connection_minutes", all.wsMinutes, "min"),
		benchfile.New("cost.per_1000_orders.lambda_requests", k*all.invocations*price("lambda_request"), "usd"),
		benchfile.New("cost.per_1000_orders.lambda_duration", k*all.gbs*price("lambda_arm64_gb_second"), "usd"),
		benchfile.New("cost.per_1000_orders.http_api", k*all.api*price("http_api_request"), "usd"),
		benchfile.New("cost.per_1000_orders.dynamodb_writes", k*all.wru*price("dynamodb_wru"), "usd"),
		benchfile.New("cost.per_1000_orders.dynamodb_reads", k*all.rru*price("dynamodb_rru"), "usd"),
		benchfile.New("cost.per_1000_orders.sqs", k*all.sqs*price("sqs_request"), "usd"),
		benchfile.New("cost.per_1000_orders.eventbridge", k*all.events*price("eventbridge_custom_event"), "usd"),
		benchfile.New("cost.per_1000_orders.s3", k*all.s3*price("s3_put"), "usd"),
		benchfile.New("cost.per_1000_orders.websocket_messages", k*all.wsMessages*price("websocket_message"), "usd"),
		benchfile.New("cost.per_1000_orders.websocket_minutes", k*all.wsMinutes*price("websocket_connection_minute"), "usd"),
		benchfile.New("cost.per_1000_orders.order_flow", usd(order), "usd"),
		benchfile.New("cost.per_1000_orders.tracking", usd(tracking), "usd"),
		benchfile.New("cost.per_1000_orders.total", usd(all), "usd"),
		benchfile.New("cost.per_order.emails", emails, "emails"),
		benchfile.New("cost.assumed.sms_per_order", m.smsPerOrder, "messages"),
		benchfile.New("cost.per_1000_orders.ses", ses, "usd"),
		benchfile.New("cost.per_1000_orders.sms", sms, "usd"),
		benchfile.New("cost.per_1000_orders.total_without_sms", usd(all)+ses, "usd"),
		benchfile.New("cost.per_1000_orders.total_with_sms", usd(all)+ses+sms, "usd"),
		benchfile.New("cost.tracking.per_1000_orders.courier_batches", usd(courier), "usd"),
		benchfile.New("cost.tracking.per_1000_orders.page_reads", usd(web), "usd"),
		benchfile.New("cost.tracking.per_1000_orders.fallback_polls", usd(fallback), "usd"),
		benchfile.New("cost.tracking.per_1000_orders.websocket", usd(socket), "usd"),
		benchfile.New("cost.tracking.per_1000_orders.realtime", usd(realtimeFn), "usd"),
		benchfile.New("cost.tracking.per_1000_orders.push", usd(push), "usd"),
		benchfile.New("cost.idle_per_month.alarms", idleAlarms, "usd"),
		benchfile.New("cost.idle_per_month.secrets", idleSecrets, "usd"),
		benchfile.New("cost.idle_per_month.sweeper", idleSweeper, "usd"),
		benchfile.New("cost.idle_per_month.sweeper_queries", sweeps*get("calls.sweeper.idle_sweep.dynamodb"), "calls"),
		benchfile.New("cost.idle_per_month.on_demand", 0, "usd"),
	)
}

func readJSON(path string, v any) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// readTemplate returns each function's memory size (MB) by folder, from its description "food-delivery <folder>",
// and the numbers of CloudWatch alarms and Secrets Manager secrets.
func readTemplate(path string) (memory map[string]float64, alarms, secrets int, err error) {
	var tpl struct {
		Resources map[string]struct {
			Type       string `json:"Type"`
			Properties struct {
				Description string  `json:"Description"`
				MemorySize  float64 `json:"MemorySize"`
			} `json:"Properties"`
		} `json:"Resources"`
	}
	if err := readJSON(path, &tpl); err != nil {
		return nil, 0, 0, err
	}
	memory = map[string]float64{}
	for _, r := range tpl.Resources {
		switch r.Type {
		case "AWS::Lambda::Function":
			if folder, ok := strings.CutPrefix(r.Properties.Description, "food-delivery "); ok {
				memory[folder] = r.Properties.MemorySize
			}
		case "AWS::CloudWatch::Alarm":
			alarms++
		case "AWS::SecretsManager::Secret":
			secrets++
		}
	}
	return memory, alarms, secrets, nil
}
