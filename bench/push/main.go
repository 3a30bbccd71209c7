// Command push measures, on the emulator, the live-tracking push latency of the deployed app against its no-op
// floor: from the moment a courier's location POST is sent to the moment the customer's socket receives the frame
// with that position, both on this machine's clock.
//
//   - App: POST /couriers/me/location (HTTP API → tracking: validate, move the courier, put the order's TRACKING
//     item) → table stream → realtime-push (query the order's subscriptions, bump its sequence counter,
//     PostToConnection) → the customer's socket, subscribed to the order.
//   - Floor (FoodDeliveryFloor, infra/floor.go, bench/floor): POST /ping (HTTP API → a function that puts one item)
//     → table stream, with realtime-push's event source settings → a function that posts the item to the
//     connection it names → the socket.
//
// The same hops, so the ratio is what the app's own work costs on top of the emulator's plumbing. The two are
// measured alternately, one request in flight at a time, after a few unmeasured rounds, so both see the same machine.
// The app side runs on an order written for the purpose (COURIER_ASSIGNED to a courier user created here), so the
// measurement does not depend on which courier the assignment would pick.
//
//	go run ./bench/push -outputs .run/4596/outputs.json -floor-outputs .run/4596/floor-outputs.json -n 60
//
// Figures (stdout): push.latency.{p50,p99,floor_p50,floor_p99} ms, push.latency.{ratio_p50,ratio_p99} x,
// push.samples.
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
	"strings"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/coder/websocket"

	"github.com/fooddelivery/serverless-food-delivery/bench/internal/benchfile"
	"github.com/fooddelivery/serverless-food-delivery/shared/devstack"
	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awsclient"
	"github.com/fooddelivery/serverless-food-delivery/shared/store"
)

const warmup = 3

func main() {
	outputsPath := flag.String("outputs", ".run/4596/outputs.json", "outputs of the FoodDelivery stack")
	floorPath := flag.String("floor-outputs", ".run/4596/floor-outputs.json", "outputs of the FoodDeliveryFloor stack")
	n := flag.Int("n", 60, "measured pushes per system")
	gap := flag.Duration("gap", 100*time.Millisecond, "pause between two pushes")
	timeout := flag.Duration("timeout", 15*time.Second, "longest wait for one frame")
	flag.Parse()
	if err := run(*outputsPath, *floorPath, *n, *gap, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "push:", err)
		os.Exit(1)
	}
}

// socket reads frames in the background into a channel.
type socket struct {
	conn   *websocket.Conn
	frames chan []byte
}

func dial(ctx context.Context, url string) (*socket, error) {
	c, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", strings.Split(url, "?")[0], err)
	}
	s := &socket{conn: c, frames: make(chan []byte, 256)}
	go func() {
		defer close(s.frames)
		// The reader outlives dial's deadline: it stops when the socket closes, not when ctx does.
		rctx := context.WithoutCancel(ctx)
		for {
			_, data, err := c.Read(rctx)
			if err != nil {
				return
			}
			s.frames <- data
		}
	}()
	return s, nil
}

// await reads frames until match accepts one.
func (s *socket) await(timeout time.Duration, match func([]byte) bool) error {
	deadline := time.After(timeout)
	for {
		select {
		case f, ok := <-s.frames:
			if !ok {
				return errors.New("socket closed")
			}
			if match(f) {
				return nil
			}
		case <-deadline:
			return fmt.Errorf("no matching frame within %s", timeout)
		}
	}
}

func post(ctx context.Context, url, token string, body any) error {
	raw, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("encode the body of %s: %w", url, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(raw))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST %s: %d %s", url, resp.StatusCode, b)
	}
	return nil
}

func run(outputsPath, floorPath string, n int, gap, timeout time.Duration) error {
	ctx := context.Background()
	out, err := devstack.LoadOutputs(outputsPath)
	if err != nil {
		return err
	}
	if out.WebSocketURL == "" {
		return fmt.Errorf("%s has no WebSocketUrl", outputsPath)
	}
	floor, err := floorOutputs(floorPath)
	if err != nil {
		return err
	}
	endpoint := os.Getenv("AWS_ENDPOINT_URL")
	if endpoint == "" {
		return errors.New("AWS_ENDPOINT_URL must name the emulator")
	}
	cfg, err := awsclient.Load(ctx)
	if err != nil {
		return err
	}
	users := devstack.Users{Client: cip.NewFromConfig(cfg), PoolID: out.UserPoolID, ClientID: out.UserPoolClientID}
	table := store.New(dynamodb.NewFromConfig(cfg), out.TableName)

	app, err := newAppSide(ctx, users, table, out, endpoint)
	if err != nil {
		return fmt.Errorf("app: %w", err)
	}
	fl, err := newFloorSide(ctx, floor, endpoint, timeout)
	if err != nil {
		return fmt.Errorf("floor: %w", err)
	}
	var appLat, floorLat []time.Duration
	for i := 1; i <= warmup+n; i++ {
		fd, err := fl.push(ctx, i, timeout)
		if err != nil {
			return fmt.Errorf("floor push %d: %w", i, err)
		}
		time.Sleep(gap)
		ad, err := app.push(ctx, i, timeout)
		if err != nil {
			return fmt.Errorf("app push %d: %w", i, err)
		}
		time.Sleep(gap)
		if i > warmup {
			appLat, floorLat = append(appLat, ad), append(floorLat, fd)
		}
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	ap50, ap99, fp50, fp99 := pct(appLat, 50), pct(appLat, 99), pct(floorLat, 50), pct(floorLat, 99)
	return benchfile.Print(os.Stdout,
		benchfile.New("push.samples", float64(n), "pushes"),
		benchfile.New("push.latency.p50", ms(ap50), "ms"),
		benchfile.New("push.latency.p99", ms(ap99), "ms"),
		benchfile.New("push.latency.floor_p50", ms(fp50), "ms"),
		benchfile.New("push.latency.floor_p99", ms(fp99), "ms"),
		benchfile.New("push.latency.ratio_p50", ms(ap50)/ms(fp50), "x"),
		benchfile.New("push.latency.ratio_p99", ms(ap99)/ms(fp99), "x"),
	)
}

// appSide is a customer's socket subscribed to an order that a courier created here is carrying.
type appSide struct {
	sock        *socket
	courier     string // ID token
	locationURL string
	start       domain.LatLng
	orderID     string
}

func newAppSide(ctx context.Context, users devstack.Users, table *store.Table, out devstack.Outputs, endpoint string) (*appSide, error) {
	customerToken, err := users.SignIn(ctx, devstack.DemoCustomer, devstack.DemoPassword)
	if err != nil {
		return nil, err
	}
	customer, err := users.Subject(ctx, devstack.DemoCustomer)
	if err != nil {
		return nil, err
	}
	name := fmt.Sprintf("bench-push-%d", time.Now().UnixNano())
	courier, err := users.Ensure(ctx, name, devstack.DemoPassword, "courier")
	if err != nil {
		return nil, err
	}
	courierToken, err := users.SignIn(ctx, name, devstack.DemoPassword)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	start := domain.LatLng{Lat: 52.5200, Lng: 13.4050}
	o := domain.Order{
		ID: "bench-push-" + fmt.Sprint(now.UnixNano()), CustomerID: customer, RestaurantID: "bench", RestaurantName: "bench",
		PickupLocation: start, DeliveryLocation: domain.LatLng{Lat: 52.5300, Lng: 13.4100},
		Lines:    []domain.OrderLine{{ItemID: "bench", Name: "bench", Quantity: 1, UnitPrice: 100, LineTotal: 100}},
		Currency: "EUR", SubtotalMinor: 100, TotalMinor: 100, Status: domain.StatusCourierAssigned, CourierID: courier,
		PaymentToken: "tok_visa", CorrelationID: "bench-push", Version: 1, CreatedAt: now, UpdatedAt: now,
	}
	if err := table.CreateOrder(ctx, o); err != nil {
		return nil, err
	}
	if _, err := table.CreateCourier(ctx, domain.Courier{ID: courier, Name: name, Status: domain.CourierAssigned,
		Location: start, OrderID: o.ID, UpdatedAt: now}); err != nil {
		return nil, err
	}
	sock, err := dial(ctx, out.WebSocketURL+"?token="+customerToken)
	if err != nil {
		return nil, err
	}
	sub, _ := json.Marshal(map[string]string{"action": "subscribe", "order_id": o.ID})
	if err := sock.conn.Write(ctx, websocket.MessageText, sub); err != nil {
		return nil, err
	}
	if err := sock.await(15*time.Second, func(f []byte) bool { return bytes.Contains(f, []byte(`"subscribed"`)) }); err != nil {
		return nil, fmt.Errorf("subscribe: %w", err)
	}
	return &appSide{sock: sock, courier: courierToken, locationURL: out.APIBase(endpoint) + "/couriers/me/location", start: start, orderID: o.ID}, nil
}

// push sends the i-th position (about a metre further each time) and waits for its frame.
func (a *appSide) push(ctx context.Context, i int, timeout time.Duration) (time.Duration, error) {
	lat := a.start.Lat + float64(i)*1e-5
	batch := map[string]any{"positions": []map[string]any{{"lat": lat, "lng": a.start.Lng, "recorded_at": time.Now().UTC().Format(time.RFC3339Nano)}}}
	t0 := time.Now()
	if err := post(ctx, a.locationURL, a.courier, batch); err != nil {
		return 0, err
	}
	err := a.sock.await(timeout, func(raw []byte) bool {
		var f struct {
			Type     string `json:"type"`
			Position *struct {
				Lat float64 `json:"lat"`
			} `json:"position"`
		}
		return json.Unmarshal(raw, &f) == nil && f.Type == "position" && f.Position != nil && math.Abs(f.Position.Lat-lat) < 1e-9
	})
	return time.Since(t0), err
}

// floorSide is a socket of the floor's WebSocket API that knows its own connection id.
type floorSide struct {
	sock    *socket
	conn    string
	pingURL string
}

func newFloorSide(ctx context.Context, f floorOut, endpoint string, timeout time.Duration) (*floorSide, error) {
	sock, err := dial(ctx, f.WebSocketURL)
	if err != nil {
		return nil, err
	}
	if err := sock.conn.Write(ctx, websocket.MessageText, []byte(`{"action":"whoami"}`)); err != nil {
		return nil, err
	}
	var id string
	if err := sock.await(timeout, func(raw []byte) bool {
		var m struct {
			ConnectionID string `json:"connection_id"`
		}
		if json.Unmarshal(raw, &m) == nil && m.ConnectionID != "" {
			id = m.ConnectionID
			return true
		}
		return false
	}); err != nil {
		return nil, fmt.Errorf("connection id: %w", err)
	}
	return &floorSide{sock: sock, conn: id, pingURL: strings.TrimSuffix(endpoint, "/") + "/_aws/execute-api/" + f.HTTPApiID + "/ping"}, nil
}

func (f *floorSide) push(ctx context.Context, i int, timeout time.Duration) (time.Duration, error) {
	t0 := time.Now()
	if err := post(ctx, f.pingURL, "", map[string]any{"conn": f.conn, "n": i}); err != nil {
		return 0, err
	}
	want := fmt.Sprintf(`{"n":"%d"}`, i)
	err := f.sock.await(timeout, func(raw []byte) bool { return string(raw) == want })
	return time.Since(t0), err
}

type floorOut struct {
	HTTPApiID    string `json:"FloorHttpApiId"`
	WebSocketURL string `json:"FloorWebSocketUrl"`
}

func floorOutputs(path string) (floorOut, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return floorOut{}, err
	}
	var byStack map[string]floorOut
	if err := json.Unmarshal(raw, &byStack); err != nil {
		return floorOut{}, err
	}
	f := byStack["FoodDeliveryFloor"]
	if f.HTTPApiID == "" || f.WebSocketURL == "" {
		return floorOut{}, fmt.Errorf("%s lacks FloorHttpApiId or FloorWebSocketUrl", path)
	}
	return f, nil
}

// pct is the nearest-rank percentile.
func pct(d []time.Duration, p float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[max(i, 0)]
}
