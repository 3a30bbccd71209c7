// Command courier-sim drives the demo couriers of a deployed stack through the
// public API, as their phones would: each signs in, asks for its assignment
// (GET /couriers/me), rides to the restaurant recording a position fix every
// cadence.RecordEvery and sending what it recorded as one batch every
// cadence.SendEvery (POST /couriers/me/location), marks the order picked up,
// rides to the customer and marks it delivered. `make run` starts it so that an
// order placed in the web app is delivered while you watch.
//
//	go run ./scripts/courier-sim -outputs .run/4566/outputs.json
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/fooddelivery/serverless-food-delivery/shared/devstack"
	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awsclient"
	"github.com/fooddelivery/serverless-food-delivery/shared/tracking/cadence"
)

func main() {
	outputsPath := flag.String("outputs", ".run/4566/outputs.json", "stack outputs file written by cdk deploy")
	speed := flag.Float64("speed", 40, "courier speed in metres per second (a demo runs fast; under the API's 200 km/h)")
	runFor := flag.Duration("for", 0, "stop after this long (0: until interrupted)")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stdout, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *runFor > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *runFor)
		defer cancel()
	}
	if err := run(ctx, log, *outputsPath, *speed); err != nil {
		log.Error("courier simulator stopped", "error", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, log *slog.Logger, outputsPath string, speed float64) error {
	out, err := devstack.LoadOutputs(outputsPath)
	if err != nil {
		return err
	}
	cfg, err := awsclient.Load(ctx)
	if err != nil {
		return err
	}
	users := devstack.Users{Client: cip.NewFromConfig(cfg), PoolID: out.UserPoolID, ClientID: out.UserPoolClientID}
	api := out.APIBase(os.Getenv("AWS_ENDPOINT_URL"))
	var wg sync.WaitGroup
	for _, c := range devstack.DemoCouriers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &rider{name: c.Username, api: api, users: users, speed: speed, log: log.With("courier", c.Username),
				http: &http.Client{Timeout: 10 * time.Second}}
			r.ride(ctx)
		}()
	}
	log.Info("courier simulator running", "couriers", len(devstack.DemoCouriers), "api", api)
	wg.Wait()
	return nil
}

// rider is one simulated courier.
type rider struct {
	name     string
	api      string
	users    devstack.Users
	speed    float64
	log      *slog.Logger
	http     *http.Client
	token    string
	signedIn time.Time

	job      *job // the order being ridden, nil while waiting for one
	here     domain.LatLng
	pending  []fix // recorded, not yet accepted by the API
	lastSent time.Time
}

// job is the order a rider carries and where it goes next.
type job struct {
	orderID  string
	status   domain.Status // COURIER_ASSIGNED: riding to the pickup; PICKED_UP: to the customer
	pickup   domain.LatLng
	delivery domain.LatLng
}

// fix is one recorded position, as the API takes it.
type fix struct {
	Lat        float64   `json:"lat"`
	Lng        float64   `json:"lng"`
	RecordedAt time.Time `json:"recorded_at"`
}

// tokenLifetime is shorter than Cognito's one-hour ID tokens.
const tokenLifetime = 50 * time.Minute

// ride ticks at the device's record pace: each tick asks for work while there is none (a real app would be
// told by a push), or records a fix along the job and sends the recorded fixes every cadence.SendEvery.
func (r *rider) ride(ctx context.Context) {
	ticker := time.NewTicker(cadence.RecordEvery)
	defer ticker.Stop()
	for {
		if err := r.step(ctx, time.Now()); err != nil && ctx.Err() == nil {
			r.log.Warn("step failed; trying again next tick", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// me is the part of GET /couriers/me the rider needs.
type me struct {
	Status   string        `json:"status"`
	OrderID  string        `json:"order_id"`
	Location domain.LatLng `json:"location"`
}

// trip is the part of GET /orders/{id}/tracking the rider needs.
type trip struct {
	Status   string        `json:"status"`
	Pickup   domain.LatLng `json:"pickup_location"`
	Delivery domain.LatLng `json:"delivery_location"`
}

// errGone is an API answer saying the order is no longer this courier's (404: cancelled, reassigned, or
// delivered by someone else's hand).
var errGone = errors.New("the order is no longer this courier's")

// step is one tick of the device.
func (r *rider) step(ctx context.Context, now time.Time) error {
	if r.token == "" || time.Since(r.signedIn) > tokenLifetime {
		token, err := r.users.SignIn(ctx, r.name, devstack.DemoPassword)
		if err != nil {
			return err
		}
		r.token, r.signedIn = token, time.Now()
	}
	if r.job == nil {
		return r.findWork(ctx, now)
	}
	target, next := r.job.pickup, domain.StatusPickedUp
	if r.job.status == domain.StatusPickedUp {
		target, next = r.job.delivery, domain.StatusDelivered
	}
	var arrived bool
	r.here, arrived = toward(r.here, target, r.speed*cadence.RecordEvery.Seconds())
	r.record(fix{Lat: r.here.Lat, Lng: r.here.Lng, RecordedAt: now.UTC()})
	// On arrival the fixes go first, so the customer's map shows the courier there when the status changes.
	if arrived || now.Sub(r.lastSent) >= cadence.SendEvery {
		if err := r.send(ctx, now); err != nil {
			return err
		}
	}
	if !arrived || r.job == nil {
		return nil
	}
	err := r.do(ctx, http.MethodPost, "/orders/"+r.job.orderID+"/status", map[string]any{"status": next}, nil)
	if errors.Is(err, errGone) {
		r.log.Info("order gone before it was done", "order_id", r.job.orderID)
		r.job = nil
		return nil
	}
	if err != nil {
		return err
	}
	r.log.Info("order moved on", "order_id", r.job.orderID, "status", next)
	if r.job.status = next; next == domain.StatusDelivered {
		r.job = nil
	}
	return nil
}

// findWork asks whether an order was assigned and, if so, where it goes.
func (r *rider) findWork(ctx context.Context, now time.Time) error {
	var self me
	if err := r.do(ctx, http.MethodGet, "/couriers/me", nil, &self); err != nil {
		return err
	}
	if self.Status != string(domain.CourierAssigned) || self.OrderID == "" {
		return nil // waiting for work
	}
	var t trip
	err := r.do(ctx, http.MethodGet, "/orders/"+self.OrderID+"/tracking", nil, &t)
	if errors.Is(err, errGone) {
		return nil // cancelled between the two reads
	}
	if err != nil {
		return err
	}
	st := domain.Status(t.Status)
	if st != domain.StatusCourierAssigned && st != domain.StatusPickedUp {
		return nil
	}
	r.job = &job{orderID: self.OrderID, status: st, pickup: t.Pickup, delivery: t.Delivery}
	r.here, r.lastSent, r.pending = self.Location, now, nil
	r.log.Info("riding", "order_id", self.OrderID, "status", st)
	return nil
}

// record keeps a fix for the next batch; a device that could not send for long keeps the newest
// cadence.MaxBatch, which is all one request may carry.
func (r *rider) record(f fix) {
	r.pending = append(r.pending, f)
	if n := len(r.pending); n > cadence.MaxBatch {
		r.pending = append([]fix(nil), r.pending[n-cadence.MaxBatch:]...)
	}
}

// send posts the recorded fixes as one batch. A 400 means the batch can never be accepted (a fix too old, or an
// impossible jump): it is dropped rather than sent for ever. Any other failure keeps it for the next try.
func (r *rider) send(ctx context.Context, now time.Time) error {
	if len(r.pending) == 0 {
		return nil
	}
	var self me
	err := r.do(ctx, http.MethodPost, "/couriers/me/location", map[string]any{"positions": r.pending}, &self)
	var refused *apiError
	if errors.As(err, &refused) && refused.status == http.StatusBadRequest {
		r.log.Warn("batch refused; dropped", "fixes", len(r.pending), "error", err)
		r.pending, r.lastSent = nil, now
		return nil
	}
	if err != nil {
		return err
	}
	r.pending, r.lastSent = nil, now
	if self.OrderID != r.job.orderID {
		r.log.Info("order gone before it was done", "order_id", r.job.orderID)
		r.job = nil
	}
	return nil
}

// toward moves from a to b by at most meters; arrived is true on reaching b.
func toward(a, b domain.LatLng, meters float64) (domain.LatLng, bool) {
	d := domain.DistanceMeters(a, b)
	if d <= meters {
		return b, true
	}
	f := meters / d
	return domain.LatLng{Lat: a.Lat + (b.Lat-a.Lat)*f, Lng: a.Lng + (b.Lng-a.Lng)*f}, false
}

func (r *rider) do(ctx context.Context, method, path string, body, out any) error {
	var reader io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return err
		}
		reader = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, r.api+path, reader)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+r.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode == http.StatusUnauthorized {
		r.token = "" // sign in again next tick
	}
	if resp.StatusCode == http.StatusNotFound {
		return fmt.Errorf("%s %s: %w", method, path, errGone)
	}
	if resp.StatusCode >= 300 {
		return &apiError{status: resp.StatusCode, msg: fmt.Sprintf("%s %s: %d %s", method, path, resp.StatusCode, raw)}
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

// apiError is an answer of the API that is not a success.
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return e.msg }
