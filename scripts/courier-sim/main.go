// Command courier-sim drives the demo couriers of a deployed stack through the
// public API, as their phones would: each signs in, asks for its assignment
// (GET /couriers/me), rides to the restaurant reporting its position
// (POST /couriers/me/location), marks the order picked up, rides to the
// customer and marks it delivered. `make run` starts it so that an order placed
// in the web app is delivered while you watch.
//
//	go run ./scripts/courier-sim -outputs .run/4566/outputs.json
package main

import (
	"bytes"
	"context"
	"encoding/json"
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
)

func main() {
	outputsPath := flag.String("outputs", ".run/4566/outputs.json", "stack outputs file written by cdk deploy")
	speed := flag.Float64("speed", 40, "courier speed in metres per second (a demo runs fast)")
	tick := flag.Duration("tick", 2*time.Second, "how often each courier reports its position")
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
	if err := run(ctx, log, *outputsPath, *speed, *tick); err != nil {
		log.Error("courier simulator stopped", "error", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, log *slog.Logger, outputsPath string, speed float64, tick time.Duration) error {
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
			r.ride(ctx, tick)
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
}

// tokenLifetime is shorter than Cognito's one-hour ID tokens.
const tokenLifetime = 50 * time.Minute

func (r *rider) ride(ctx context.Context, tick time.Duration) {
	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	for {
		if err := r.step(ctx, tick); err != nil && ctx.Err() == nil {
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

// step moves the courier one tick along its current job.
func (r *rider) step(ctx context.Context, tick time.Duration) error {
	if r.token == "" || time.Since(r.signedIn) > tokenLifetime {
		token, err := r.users.SignIn(ctx, r.name, devstack.DemoPassword)
		if err != nil {
			return err
		}
		r.token, r.signedIn = token, time.Now()
	}
	var self me
	if err := r.do(ctx, http.MethodGet, "/couriers/me", nil, &self); err != nil {
		return err
	}
	if self.Status != string(domain.CourierAssigned) || self.OrderID == "" {
		return nil // waiting for work
	}
	var job trip
	if err := r.do(ctx, http.MethodGet, "/orders/"+self.OrderID+"/tracking", nil, &job); err != nil {
		return err
	}
	target, next := job.Pickup, domain.StatusPickedUp
	if job.Status == string(domain.StatusPickedUp) {
		target, next = job.Delivery, domain.StatusDelivered
	} else if job.Status != string(domain.StatusCourierAssigned) {
		return nil // cancelled or delivered meanwhile; the courier is freed by the API
	}
	pos, arrived := toward(self.Location, target, r.speed*tick.Seconds())
	batch := map[string]any{"positions": []map[string]any{{"lat": pos.Lat, "lng": pos.Lng, "recorded_at": time.Now().UTC()}}}
	if err := r.do(ctx, http.MethodPost, "/couriers/me/location", batch, nil); err != nil {
		return err
	}
	if arrived {
		if err := r.do(ctx, http.MethodPost, "/orders/"+self.OrderID+"/status", map[string]any{"status": next}, nil); err != nil {
			return err
		}
		r.log.Info("order moved on", "order_id", self.OrderID, "status", next)
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
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}
