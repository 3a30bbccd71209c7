// Command e2e measures, on the emulator, the order-placed → courier-assigned
// latency of the deployed app and of its no-op floor (the FoodDeliveryFloor
// stack: the same four hops and event source settings, functions that only
// forward; infra/floor.go, bench/floor), back to back on the same emulator.
// Between them it measures the topology floor (infra/floor_topology.go, in the
// same stack): the floor's four hops plus what the app's design adds on that
// path with no-op functions and the app's settings (a second stream consumer
// in realtime-push's place, three notification channels on the Paid and
// Assigned events, the payment waiting the simulated provider's latency). So
// app / floor splits into topology / floor, what the design costs on the
// emulator, and app / topology, what the app's code costs.
//
// Each system gets the same loads: -orders orders offered at -rate per second
// for the latency, then -orders more at -burst-rate per second for the
// sustained throughput (after 5 unmeasured orders); in each run the floor,
// then the topology floor, then the app. The app's orders go through the HTTP API as the demo customer
// (POST /orders with an Idempotency-Key); the floor's are PutItems of a PLACED
// item. Latency is measured from the timestamps the writes carry, both taken
// on this machine's clock: the order's created_at (set by order-api right
// before its write) to its updated_at when COURIER_ASSIGNED (set by
// delivery-assignment), and the floor item's placed_at to its assigned_at (the
// topology floor's the same).
// Polling only detects completion, so its interval adds nothing to the figures.
// Sustained throughput is orders / (last assignment − first placing) of the
// burst, reported only if every order was assigned (anything else fails the
// run: an order lost). The floor's orders enter by PutItem, the app's through
// the HTTP API and order-api, a hop of its own.
//
//	go run ./bench/e2e -outputs .run/4596/outputs.json -floor-outputs .run/4596/floor-outputs.json
//
// Figures (stdout):
//
//	e2e.assign_latency.{p50,p99,floor_p50,floor_p99}   ms
//	e2e.assign_latency.{ratio_p50,ratio_p99}           x
//	e2e.sustained_orders_per_s, .floor, .ratio          orders/s, orders/s, x
//	e2e.topology.assign_latency.{p50,p99}               ms
//	e2e.topology.{ratio_p50,ratio_p99,sustained_ratio}  x, topology / floor
//	e2e.topology.sustained_orders_per_s                 orders/s
//	e2e.ratio_vs_topology_{p50,p99}                     x, app / topology
//	e2e.sustained.ratio_vs_topology                     x, app / topology
//	e2e.orders, e2e.offered_rate                        orders, orders/s
//
// Every ratio is taken within a run and printed as the median over the runs
// with _min and _max.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/fooddelivery/serverless-food-delivery/bench/internal/benchfile"
	"github.com/fooddelivery/serverless-food-delivery/shared/devstack"
	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awsclient"
	"github.com/fooddelivery/serverless-food-delivery/shared/store"
)

// clients bounds the placings in flight. The offered rate must not depend on how long a placing takes, or the app
// (a POST /orders of a few hundred ms on the emulator) would get a lower load than the floor (a PutItem of a few ms):
// with 8 clients the app was offered 22.6/s where the floor got 25.2/s. 32 keep the offer at the rate for placings of
// up to 32/rate seconds (1.28 s at 25/s); offer reports the rate it achieved on stderr.
const clients = 32

// warmup orders go through each system, unmeasured, before its measured ones.
const warmup = 5

func main() {
	outputsPath := flag.String("outputs", ".run/4596/outputs.json", "outputs of the FoodDelivery stack")
	floorPath := flag.String("floor-outputs", ".run/4596/floor-outputs.json", "outputs of the FoodDeliveryFloor stack")
	n := flag.Int("orders", 100, "orders per system")
	runs := flag.Int("runs", 1, "runs, each the floor then the app on the same emulator; figures are medians over them")
	rate := flag.Float64("rate", 5, "orders offered per second for the latency")
	burst := flag.Float64("burst-rate", 25, "orders offered per second for the sustained throughput")
	deadline := flag.Duration("deadline", 150*time.Second, "how long each system may take to assign every order")
	stampsPath := flag.String("timestamps", "", "also write every measured order's placing and assignment times to this TSV file, "+
		"to join with the functions' log lines (per-hop times, docs/performance.md)")
	flag.Parse()
	if *runs < 1 {
		fmt.Fprintln(os.Stderr, "e2e: -runs must be at least 1")
		os.Exit(2)
	}
	var stamps io.Writer
	if *stampsPath != "" {
		f, err := os.Create(*stampsPath)
		if err != nil {
			fmt.Fprintln(os.Stderr, "e2e:", err)
			os.Exit(1)
		}
		defer f.Close()
		stamps = f
	}
	if err := run(*outputsPath, *floorPath, *n, *runs, *rate, *burst, *deadline, stamps); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
}

// result is one system's run.
type result struct {
	latencies   []time.Duration
	first, last time.Time // first placing, last assignment
	orders      []orderTimes
}

// orderTimes are one order's (or floor item's) id and the times of its placing and assignment.
type orderTimes struct {
	id               string
	placed, assigned time.Time
}

// add counts one order assigned.
func (r *result) add(id string, placed, assigned time.Time) {
	r.latencies = append(r.latencies, assigned.Sub(placed))
	r.orders = append(r.orders, orderTimes{id: id, placed: placed, assigned: assigned})
	if r.first.IsZero() || placed.Before(r.first) {
		r.first = placed
	}
	if assigned.After(r.last) {
		r.last = assigned
	}
}

// writeStamps writes one TSV line per order of a measured pass: run, system, pass, id, placed and assigned (RFC 3339,
// UTC, nanoseconds), the functions' log lines' format.
func writeStamps(w io.Writer, run int, system, pass string, r result) error {
	if w == nil {
		return nil
	}
	for _, o := range r.orders {
		if _, err := fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", run, system, pass, o.id,
			o.placed.UTC().Format(time.RFC3339Nano), o.assigned.UTC().Format(time.RFC3339Nano)); err != nil {
			return err
		}
	}
	return nil
}

func (r result) perSecond() float64 {
	return float64(len(r.latencies)) / r.last.Sub(r.first).Seconds()
}

func run(outputsPath, floorPath string, n, runs int, rate, burst float64, deadline time.Duration, stamps io.Writer) error {
	ctx := context.Background()
	out, err := devstack.LoadOutputs(outputsPath)
	if err != nil {
		return err
	}
	floor, topology, err := floorSystems(floorPath)
	if err != nil {
		return err
	}
	cfg, err := awsclient.Load(ctx)
	if err != nil {
		return err
	}
	// The emulator's x-amz-crc32 of large Scan pages does not always match (a warning per page otherwise).
	db := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.DisableValidateResponseChecksum = true })
	queues := sqs.NewFromConfig(cfg)

	var all []runFigures
	for r := 1; r <= runs; r++ {
		fmt.Fprintf(os.Stderr, "e2e: run %d of %d\n", r, runs)
		stamp := func(system, pass string, res result) error { return writeStamps(stamps, r, system, pass, res) }
		f, err := runOnce(ctx, cfg, db, queues, out, floor, topology, n, rate, burst, deadline, stamp)
		if err != nil {
			return fmt.Errorf("run %d: %w", r, err)
		}
		fmt.Fprintf(os.Stderr, "e2e: run %d: p50 %.1f / %.1f ms (%.2fx), p99 %.1f / %.1f ms (%.2fx), %.2f / %.2f orders/s (%.3fx)\n",
			r, f.p50, f.floorP50, f.p50/f.floorP50, f.p99, f.floorP99, f.p99/f.floorP99, f.perS, f.floorPerS, f.perS/f.floorPerS)
		fmt.Fprintf(os.Stderr, "e2e: run %d: topology p50 %.1f ms (%.2fx the floor, app %.2fx it), p99 %.1f ms (%.2fx, app %.2fx), %.2f orders/s (%.3fx, app %.3fx)\n",
			r, f.topoP50, f.topoP50/f.floorP50, f.p50/f.topoP50, f.topoP99, f.topoP99/f.floorP99, f.p99/f.topoP99,
			f.topoPerS, f.topoPerS/f.floorPerS, f.perS/f.topoPerS)
		all = append(all, f)
	}
	return benchfile.Print(os.Stdout, figures(all, n, rate, burst)...)
}

// runFigures is what one run measured: the app's, the floor's and the topology floor's latency percentiles (ms) and
// throughputs (orders/s).
type runFigures struct {
	p50, p99, floorP50, floorP99, topoP50, topoP99 float64
	perS, floorPerS, topoPerS                      float64
}

// runOnce measures the floor, then the topology floor, then the app, on the same emulator: latency at rate, then
// throughput at burst.
func runOnce(ctx context.Context, cfg aws.Config, db *dynamodb.Client, queues *sqs.Client, out devstack.Outputs,
	floorSys, topoSys floorSystem, n int, rate, burst float64, deadline time.Duration,
	stamp func(system, pass string, r result) error) (runFigures, error) {
	// The floor first: after its last assignment it has nothing left to do, while the app still sends
	// notifications and publishes CourierAssigned, which would load the emulator during the floor's run.
	// Each system first gets a few unmeasured orders, so that neither pays for first invocations.
	measure := func(sys floorSystem) (latency, throughput result, err error) {
		if _, err := runFloor(ctx, db, sys, warmup, rate, deadline); err != nil {
			return result{}, result{}, fmt.Errorf("%s warm-up: %w", sys.name, err)
		}
		if latency, err = runFloor(ctx, db, sys, n, rate, deadline); err != nil {
			return result{}, result{}, fmt.Errorf("%s: %w", sys.name, err)
		}
		if throughput, err = runFloor(ctx, db, sys, n, burst, deadline); err != nil {
			return result{}, result{}, fmt.Errorf("%s, throughput: %w", sys.name, err)
		}
		return latency, throughput, errors.Join(stamp(sys.name, "latency", latency), stamp(sys.name, "throughput", throughput))
	}
	floor, floorBurst, err := measure(floorSys)
	if err != nil {
		return runFigures{}, err
	}
	// The topology floor's channels still get the last orders' Assigned events after the last assignment, as the
	// app's do: they must be done before the app's orders. The publisher's last invocations come first.
	topo, topoBurst, err := measure(topoSys)
	if err != nil {
		return runFigures{}, err
	}
	time.Sleep(time.Second)
	if err := drain(ctx, queues, deadline, topoSys.queueURLs...); err != nil {
		return runFigures{}, fmt.Errorf("%s: %w", topoSys.name, err)
	}
	// Every app order keeps its courier (nobody delivers): each pass gets as many fresh free couriers as it has
	// orders, so that every run finds the same number of them whatever the runs before it took.
	if err := addCouriers(ctx, db, out.TableName, warmup+2*n); err != nil {
		return runFigures{}, err
	}
	if _, err := runApp(ctx, cfg, db, out, warmup, rate, deadline); err != nil {
		return runFigures{}, fmt.Errorf("app warm-up: %w", err)
	}
	app, err := runApp(ctx, cfg, db, out, n, rate, deadline)
	if err != nil {
		return runFigures{}, fmt.Errorf("app: %w", err)
	}
	appBurst, err := runApp(ctx, cfg, db, out, n, burst, deadline)
	if err != nil {
		return runFigures{}, fmt.Errorf("app, throughput: %w", err)
	}
	if err := errors.Join(stamp("app", "latency", app), stamp("app", "throughput", appBurst)); err != nil {
		return runFigures{}, err
	}
	// The next run's floor, and what follows on this emulator (bench/calls), must not share it with our orders'
	// notifications.
	if err := drain(ctx, queues, deadline, out.PaymentQueueURL, out.AssignmentQueueURL, out.NotificationQueueURL,
		out.NotifyEmailQueueURL, out.NotifySmsQueueURL); err != nil {
		return runFigures{}, err
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return runFigures{
		p50: ms(pct(app.latencies, 50)), p99: ms(pct(app.latencies, 99)),
		floorP50: ms(pct(floor.latencies, 50)), floorP99: ms(pct(floor.latencies, 99)),
		topoP50: ms(pct(topo.latencies, 50)), topoP99: ms(pct(topo.latencies, 99)),
		perS: appBurst.perSecond(), floorPerS: floorBurst.perSecond(), topoPerS: topoBurst.perSecond(),
	}, nil
}

// figures are the BENCH lines of the runs: each figure the median over the runs, and each ratio (taken within a
// run, app against the floor of the same run) the median with its min and max.
func figures(runs []runFigures, n int, rate, burst float64) []benchfile.Figure {
	med := func(get func(runFigures) float64) float64 {
		v := make([]float64, len(runs))
		for i, r := range runs {
			v[i] = get(r)
		}
		return median(v)
	}
	fs := []benchfile.Figure{
		benchfile.New("e2e.runs", float64(len(runs)), "runs"),
		benchfile.New("e2e.orders", float64(n), "orders"),
		benchfile.New("e2e.offered_rate", rate, "orders/s"),
		benchfile.New("e2e.assign_latency.p50", med(func(r runFigures) float64 { return r.p50 }), "ms"),
		benchfile.New("e2e.assign_latency.p99", med(func(r runFigures) float64 { return r.p99 }), "ms"),
		benchfile.New("e2e.assign_latency.floor_p50", med(func(r runFigures) float64 { return r.floorP50 }), "ms"),
		benchfile.New("e2e.assign_latency.floor_p99", med(func(r runFigures) float64 { return r.floorP99 }), "ms"),
	}
	ratio := func(name string, get func(runFigures) float64) {
		v := make([]float64, len(runs))
		for i, r := range runs {
			v[i] = get(r)
		}
		fs = append(fs, benchfile.New(name, median(v), "x"),
			benchfile.New(name+"_min", slices.Min(v), "x"), benchfile.New(name+"_max", slices.Max(v), "x"))
	}
	ratio("e2e.assign_latency.ratio_p50", func(r runFigures) float64 { return r.p50 / r.floorP50 })
	ratio("e2e.assign_latency.ratio_p99", func(r runFigures) float64 { return r.p99 / r.floorP99 })
	fs = append(fs,
		benchfile.New("e2e.offered_rate.throughput", burst, "orders/s"),
		benchfile.New("e2e.sustained_orders_per_s", med(func(r runFigures) float64 { return r.perS }), "orders/s"),
		benchfile.New("e2e.sustained_orders_per_s.floor", med(func(r runFigures) float64 { return r.floorPerS }), "orders/s"))
	ratio("e2e.sustained_orders_per_s.ratio", func(r runFigures) float64 { return r.perS / r.floorPerS })
	// The topology floor: what the app's design costs on the emulator with no-op code (topology / floor), and what
	// the app's code costs on top of it (app / topology).
	fs = append(fs,
		benchfile.New("e2e.topology.assign_latency.p50", med(func(r runFigures) float64 { return r.topoP50 }), "ms"),
		benchfile.New("e2e.topology.assign_latency.p99", med(func(r runFigures) float64 { return r.topoP99 }), "ms"),
		benchfile.New("e2e.topology.sustained_orders_per_s", med(func(r runFigures) float64 { return r.topoPerS }), "orders/s"))
	ratio("e2e.topology.ratio_p50", func(r runFigures) float64 { return r.topoP50 / r.floorP50 })
	ratio("e2e.topology.ratio_p99", func(r runFigures) float64 { return r.topoP99 / r.floorP99 })
	ratio("e2e.topology.sustained_ratio", func(r runFigures) float64 { return r.topoPerS / r.floorPerS })
	ratio("e2e.ratio_vs_topology_p50", func(r runFigures) float64 { return r.p50 / r.topoP50 })
	ratio("e2e.ratio_vs_topology_p99", func(r runFigures) float64 { return r.p99 / r.topoP99 })
	ratio("e2e.sustained.ratio_vs_topology", func(r runFigures) float64 { return r.perS / r.topoPerS })
	return fs
}

// median of v (the mean of the middle two for an even count).
func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// addCouriers creates n free couriers without logins at the demo couriers' places, with ids of their own.
func addCouriers(ctx context.Context, db *dynamodb.Client, tableName string, n int) error {
	table := store.New(db, tableName)
	batch := platform.NewID()[:8]
	jobs := make(chan int)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				place := devstack.DemoCouriers[i%len(devstack.DemoCouriers)].Location
				if _, err := table.CreateCourier(ctx, domain.Courier{
					ID: fmt.Sprintf("bench-courier-%s-%03d", batch, i+1), Name: fmt.Sprintf("Bench %d", i+1),
					Status: domain.CourierAvailable, Location: place, UpdatedAt: time.Now().UTC(),
				}); err != nil {
					errs <- err
				}
			}
		}()
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return fmt.Errorf("add bench couriers: %w", err)
	}
	// Let the stream's pollers pass the courier items (filtered out) before anything is measured.
	time.Sleep(2 * time.Second)
	return nil
}

// drain waits until the queues hold no message, visible or in flight.
func drain(ctx context.Context, client *sqs.Client, deadline time.Duration, urls ...string) error {
	end := time.Now().Add(deadline)
	for {
		busy := 0
		for _, u := range urls {
			a, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &u, AttributeNames: []sqstypes.QueueAttributeName{
				sqstypes.QueueAttributeNameApproximateNumberOfMessages, sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
			}})
			if err != nil {
				return err
			}
			for _, v := range a.Attributes {
				k, _ := strconv.Atoi(v)
				busy += k
			}
		}
		if busy == 0 {
			return nil
		}
		if time.Now().After(end) {
			return fmt.Errorf("the queues still hold %d message(s) after %s", busy, deadline)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// pct is the nearest-rank percentile.
func pct(d []time.Duration, p float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[max(i, 0)]
}

// floorSystem is a floor as bench/e2e drives it: items put in its table, its queues to drain.
type floorSystem struct {
	name, table string
	// item holds the attributes every item carries beside PK, status and placed_at.
	item      map[string]types.AttributeValue
	queueURLs []string
}

// floorSystems reads the floor's and the topology floor's resources from the FoodDeliveryFloor stack's outputs.
func floorSystems(path string) (floor, topology floorSystem, err error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return floor, topology, err
	}
	var byStack map[string]map[string]string
	if err := json.Unmarshal(raw, &byStack); err != nil {
		return floor, topology, err
	}
	outputs := byStack["FoodDeliveryFloor"]
	for _, k := range []string{"FloorTableName", "TopologyTableName", "TopologyQueueUrls"} {
		if outputs[k] == "" {
			return floor, topology, fmt.Errorf("%s has no FoodDeliveryFloor.%s", path, k)
		}
	}
	floor = floorSystem{name: "floor", table: outputs["FloorTableName"]}
	// The topology floor's items are order items to the app's push filter (infra.realtimePushSource), which it
	// shares: the type the app's order items carry.
	topology = floorSystem{name: "topology floor", table: outputs["TopologyTableName"],
		item:      map[string]types.AttributeValue{"type": &types.AttributeValueMemberS{Value: store.ItemTypeOrder}},
		queueURLs: strings.Split(outputs["TopologyQueueUrls"], ",")}
	return floor, topology, nil
}

// offer calls place(i) for i in [0, n) at rate per second, from up to clients goroutines at once.
func offer(ctx context.Context, n int, rate float64, place func(int) error) error {
	jobs := make(chan int)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				if err := place(i); err != nil {
					errs <- fmt.Errorf("order %d: %w", i, err)
				}
			}
		}()
	}
	start := time.Now()
	tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
	for i := range n {
		jobs <- i
		if i < n-1 {
			<-tick.C
		}
	}
	tick.Stop()
	close(jobs)
	wg.Wait()
	close(errs)
	// What the clients achieved, to see that both systems got the same load (a slow POST /orders would throttle it).
	took := time.Since(start)
	// The UTC times let the emulator's log be cut to one pass when tracing where the time goes (docs/performance.md).
	fmt.Fprintf(os.Stderr, "e2e:   placed %d in %.2fs: %.1f/s offered (%s to %s UTC)\n", n, took.Seconds(), float64(n)/took.Seconds(),
		start.UTC().Format("15:04:05.000"), time.Now().UTC().Format("15:04:05.000"))
	return errors.Join(slices.Collect(func(yield func(error) bool) {
		for e := range errs {
			if !yield(e) {
				return
			}
		}
	})...)
}

func runApp(ctx context.Context, cfg aws.Config, db *dynamodb.Client, out devstack.Outputs, n int, rate float64, deadline time.Duration) (result, error) {
	users := devstack.Users{Client: cip.NewFromConfig(cfg), PoolID: out.UserPoolID, ClientID: out.UserPoolClientID}
	token, err := users.SignIn(ctx, devstack.DemoCustomer, devstack.DemoPassword)
	if err != nil {
		return result{}, err
	}
	api := out.APIBase(os.Getenv("AWS_ENDPOINT_URL"))
	hc := &http.Client{Timeout: 30 * time.Second}
	call := func(method, path string, body any, header map[string]string, want int, v any) error {
		var rd io.Reader
		if body != nil {
			b, err := json.Marshal(body)
			if err != nil {
				return err
			}
			rd = bytes.NewReader(b)
		}
		req, err := http.NewRequestWithContext(ctx, method, api+path, rd)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, raw)
		}
		return json.Unmarshal(raw, v)
	}
	var list struct {
		Restaurants []domain.Restaurant `json:"restaurants"`
	}
	if err := call("GET", "/restaurants", nil, nil, http.StatusOK, &list); err != nil {
		return result{}, err
	}
	var open []domain.Restaurant
	for _, r := range list.Restaurants {
		if r.OpenAt(time.Now()) {
			open = append(open, r)
		}
	}
	if len(open) == 0 {
		return result{}, errors.New("no seeded restaurant is open now")
	}
	reqs := make([]domain.PlaceOrderRequest, len(open))
	for i, r := range open {
		var menu domain.Menu
		if err := call("GET", "/restaurants/"+r.ID+"/menu", nil, nil, http.StatusOK, &menu); err != nil {
			return result{}, err
		}
		if reqs[i], err = devstack.SampleOrder(menu); err != nil {
			return result{}, err
		}
	}
	run := platform.NewID()
	var mu sync.Mutex
	want := map[string]bool{}
	// Responses are views without the customer's id (f8fe0a8): the demo customer's subject comes from Cognito.
	customer, err := users.Subject(ctx, devstack.DemoCustomer)
	if err != nil {
		return result{}, err
	}
	fmt.Fprintf(os.Stderr, "e2e: app: placing %d orders at %.1f/s through %s\n", n, rate, api)
	if err := offer(ctx, n, rate, func(i int) error {
		var o domain.Order
		key := map[string]string{"Idempotency-Key": fmt.Sprintf("e2e-%s-%03d", run, i)}
		if err := call("POST", "/orders", reqs[i%len(reqs)], key, http.StatusCreated, &o); err != nil {
			return err
		}
		mu.Lock()
		want[o.ID] = true
		mu.Unlock()
		return nil
	}); err != nil {
		return result{}, err
	}
	table := store.New(db, out.TableName)
	var r result
	done := map[string]bool{}
	end := time.Now().Add(deadline)
	for len(done) < n {
		if time.Now().After(end) {
			return result{}, fmt.Errorf("%d of %d orders assigned within %s: the rest are lost or stuck", len(done), n, deadline)
		}
		time.Sleep(time.Second)
		// One Query of the customer's orders per second (GSI1), as light as the floor's one Scan.
		var all []domain.Order
		for cursor := ""; ; {
			page, next, err := table.ListCustomerOrders(ctx, customer, cursor, 100)
			if err != nil {
				return result{}, err
			}
			all = append(all, page...)
			if cursor = next; cursor == "" {
				break
			}
		}
		for _, o := range all {
			if !want[o.ID] || done[o.ID] {
				continue
			}
			id := o.ID
			switch o.Status {
			case domain.StatusPlaced, domain.StatusPaid:
				continue
			case domain.StatusCourierAssigned:
			default:
				return result{}, fmt.Errorf("order %s ended %s", id, o.Status)
			}
			done[id] = true
			r.add(id, o.CreatedAt, o.UpdatedAt)
		}
	}
	return r, nil
}

func runFloor(ctx context.Context, db *dynamodb.Client, sys floorSystem, n int, rate float64, deadline time.Duration) (result, error) {
	run := platform.NewID()
	table := sys.table
	fmt.Fprintf(os.Stderr, "e2e: %s: placing %d items at %.1f/s in %s\n", sys.name, n, rate, table)
	if err := offer(ctx, n, rate, func(i int) error {
		item := map[string]types.AttributeValue{
			"PK":        &types.AttributeValueMemberS{Value: fmt.Sprintf("%s-%03d", run, i)},
			"status":    &types.AttributeValueMemberS{Value: "PLACED"},
			"placed_at": &types.AttributeValueMemberN{Value: strconv.FormatInt(time.Now().UnixNano(), 10)},
		}
		for k, v := range sys.item {
			item[k] = v
		}
		_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: item})
		return err
	}); err != nil {
		return result{}, err
	}
	end := time.Now().Add(deadline)
	for {
		time.Sleep(time.Second)
		var r result
		var items []map[string]types.AttributeValue
		p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{TableName: &table})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return result{}, err
			}
			items = append(items, page.Items...)
		}
		for _, it := range items {
			pk, _ := it["PK"].(*types.AttributeValueMemberS)
			if pk == nil || !strings.HasPrefix(pk.Value, run+"-") {
				continue
			}
			a, ok := it["assigned_at"].(*types.AttributeValueMemberN)
			if !ok {
				continue
			}
			placed, _ := strconv.ParseInt(it["placed_at"].(*types.AttributeValueMemberN).Value, 10, 64)
			assigned, _ := strconv.ParseInt(a.Value, 10, 64)
			pt, at := time.Unix(0, placed), time.Unix(0, assigned)
			r.add(pk.Value, pt, at)
		}
		if len(r.latencies) == n {
			return r, nil
		}
		if time.Now().After(end) {
			return result{}, fmt.Errorf("%d of %d items assigned within %s: the rest are lost or stuck", len(r.latencies), n, deadline)
		}
	}
}
