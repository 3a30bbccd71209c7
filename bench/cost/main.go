// Command cost turns the counts of bench/calls into a cost per 1,000 delivered
// orders at the list prices of one dated file (bench/prices-us-east-1.json).
//
//	go run ./bench/cost -prices bench/prices-us-east-1.json -calls .run/bench/calls.txt \
//	    -template .run/4596/cdk.out/FoodDelivery.template.json
//
// Measured (bench/calls, handlers in-process against the emulator): the AWS
// calls of every step, the DynamoDB capacity units each step consumed
// (ReturnConsumedCapacity=TOTAL) and each handler's wall time. Read from the
// synthesized template: each function's memory size and the alarms. Stated
// here, as flags: how often a courier reports its position and how often the
// customer reads the tracking, per delivery. The model of one delivered order:
//
//	HTTP API requests   place 1, courier: GET /couriers/me 1, location reports L, picked up 1, delivered 1;
//	                    customer: tracking reads T
//	Lambda invocations  order-api 1, stream-publisher 5 (one status change per invocation: low traffic, no
//	                    batching), payment 1, delivery-assignment 1, notification 4, tracking 3+L+T; billed
//	                    duration: the measured handler time rounded up to 1 ms, times the function's memory
//	DynamoDB            the units of the delivered-order journey, plus GET /couriers/me, L reports, T reads
//	SQS                 6 messages (payment 1, assignment 1, notification 4), each 3 requests: the rule's
//	                    SendMessage, the poller's ReceiveMessage and DeleteMessage (an upper bound: pollers
//	                    batch under load)
//	EventBridge         5 custom events (the stream publisher's PutEvents entries)
//	S3                  1 PUT (the receipt)
//
// Not counted: DynamoDB stream reads (free for Lambda triggers), storage (items, receipts, logs), CloudWatch Logs
// ingestion, Cognito (priced per monthly active user, not per order), data transfer, free tiers, cold-start
// INIT time. Idle: the alarms of the template, and the sweeper's schedule (sweeps per month × one idle sweep's
// invocation, duration and read units). Figures: cost.per_1000_orders.<service> and .total (USD),
// cost.per_order.<count>, cost.assumed.<rate>, cost.idle_per_month.<item> (USD).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"strings"

	"github.com/fooddelivery/serverless-food-delivery/bench/internal/benchfile"
)

type priceFile struct {
	Date    string             `json:"date"`
	Region  string             `json:"region"`
	Sources []string           `json:"sources"`
	Prices  map[string]float64 `json:"prices"`
}

func main() {
	pricesPath := flag.String("prices", "bench/prices-us-east-1.json", "the dated price file")
	callsPath := flag.String("calls", ".run/bench/calls.txt", "BENCH lines of bench/calls")
	templatePath := flag.String("template", ".run/4596/cdk.out/FoodDelivery.template.json", "the synthesized FoodDelivery template")
	locations := flag.Float64("location-reports", 60, "courier location reports per delivery (one every 10 s of a 10-minute trip)")
	trackingReads := flag.Float64("tracking-reads", 30, "customer tracking reads per delivery (one every 20 s)")
	flag.Parse()
	if err := run(*pricesPath, *callsPath, *templatePath, *locations, *trackingReads); err != nil {
		fmt.Fprintln(os.Stderr, "cost:", err)
		os.Exit(1)
	}
}

func run(pricesPath, callsPath, templatePath string, L, T float64) error {
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
	memory, alarms, err := readTemplate(templatePath)
	if err != nil {
		return err
	}

	// Invocations per delivered order and the step whose handler time each one takes.
	type inv struct {
		function, step string
		count          float64
	}
	invs := []inv{
		{"order-api", "order_api.place_order", 1},
		{"stream-publisher", "stream_publisher.status_change", 5},
		{"payment", "payment.order_placed", 1},
		{"delivery-assignment", "delivery_assignment.payment_confirmed", 1},
		{"notification", "notification.customer_event", 4},
		{"tracking", "tracking.get_courier", 1},
		{"tracking", "tracking.report_location", L},
		{"tracking", "tracking.get_tracking", T},
		{"tracking", "tracking.picked_up", 1},
		{"tracking", "tracking.delivered", 1},
	}
	var invocations, gbs float64
	for _, i := range invs {
		mb, ok := memory[i.function]
		if !ok {
			return fmt.Errorf("%s has no function %q", templatePath, i.function)
		}
		ms := math.Ceil(get("calls." + i.step + ".handler_ms"))
		invocations += i.count
		gbs += i.count * ms / 1000 * mb / 1024
	}
	apiRequests := 1 + 1 + L + 1 + 1 + T
	wru := get("calls.delivered_order.dynamodb_wru") + get("calls.tracking.get_courier.dynamodb_wru") +
		L*get("calls.tracking.report_location.dynamodb_wru") + T*get("calls.tracking.get_tracking.dynamodb_wru")
	rru := get("calls.delivered_order.dynamodb_rru") + get("calls.tracking.get_courier.dynamodb_rru") +
		L*get("calls.tracking.report_location.dynamodb_rru") + T*get("calls.tracking.get_tracking.dynamodb_rru")
	sqsRequests := 6.0 * 3
	ebEvents := get("calls.delivered_order.eventbridge")
	s3Puts := get("calls.delivered_order.s3")
	if len(missing) > 0 {
		return fmt.Errorf("%s lacks %s", callsPath, strings.Join(missing, ", "))
	}
	if share := idx["calls.dynamodb_capacity_reported"].Value; share < 1 {
		fmt.Fprintf(os.Stderr, "cost: warning: only %.0f%% of DynamoDB calls reported consumed capacity\n", share*100)
	}

	k := 1000.0
	lambdaReq := k * invocations * price("lambda_request")
	lambdaGBs := k * gbs * price("lambda_arm64_gb_second")
	api := k * apiRequests * price("http_api_request")
	ddbW := k * wru * price("dynamodb_wru")
	ddbR := k * rru * price("dynamodb_rru")
	sqs := k * sqsRequests * price("sqs_request")
	eb := k * ebEvents * price("eventbridge_custom_event")
	s3 := k * s3Puts * price("s3_put")
	total := lambdaReq + lambdaGBs + api + ddbW + ddbR + sqs + eb + s3
	idleAlarms := float64(alarms) * price("cloudwatch_alarm_month")
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
		benchfile.New("cost.assumed.location_reports_per_delivery", L, "requests"),
		benchfile.New("cost.assumed.tracking_reads_per_delivery", T, "requests"),
		benchfile.New("cost.per_order.api_requests", apiRequests, "requests"),
		benchfile.New("cost.per_order.lambda_invocations", invocations, "invocations"),
		benchfile.New("cost.per_order.lambda_gb_s", gbs, "GB-s"),
		benchfile.New("cost.per_order.dynamodb_wru", wru, "WRU"),
		benchfile.New("cost.per_order.dynamodb_rru", rru, "RRU"),
		benchfile.New("cost.per_order.sqs_requests", sqsRequests, "requests"),
		benchfile.New("cost.per_order.eventbridge_events", ebEvents, "events"),
		benchfile.New("cost.per_order.s3_puts", s3Puts, "requests"),
		benchfile.New("cost.per_1000_orders.lambda_requests", lambdaReq, "usd"),
		benchfile.New("cost.per_1000_orders.lambda_duration", lambdaGBs, "usd"),
		benchfile.New("cost.per_1000_orders.http_api", api, "usd"),
		benchfile.New("cost.per_1000_orders.dynamodb_writes", ddbW, "usd"),
		benchfile.New("cost.per_1000_orders.dynamodb_reads", ddbR, "usd"),
		benchfile.New("cost.per_1000_orders.sqs", sqs, "usd"),
		benchfile.New("cost.per_1000_orders.eventbridge", eb, "usd"),
		benchfile.New("cost.per_1000_orders.s3", s3, "usd"),
		benchfile.New("cost.per_1000_orders.total", total, "usd"),
		benchfile.New("cost.idle_per_month.alarms", idleAlarms, "usd"),
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
// and the number of CloudWatch alarms.
func readTemplate(path string) (map[string]float64, int, error) {
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
		return nil, 0, err
	}
	memory := map[string]float64{}
	alarms := 0
	for _, r := range tpl.Resources {
		switch r.Type {
		case "AWS::Lambda::Function":
			if folder, ok := strings.CutPrefix(r.Properties.Description, "food-delivery "); ok {
				memory[folder] = r.Properties.MemorySize
			}
		case "AWS::CloudWatch::Alarm":
			alarms++
		}
	}
	return memory, alarms, nil
}
