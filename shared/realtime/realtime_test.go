package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/realtime/framespec"
)

// fakeConns is an in-memory Connections with the store's semantics.
type fakeConns struct {
	mu    sync.Mutex
	conns map[string]Connection
	subs  map[string]map[string]Subscriber // order → connection → sub
	seq   map[string]int64
	calls int
}

func newFakeConns() *fakeConns {
	return &fakeConns{conns: map[string]Connection{}, subs: map[string]map[string]Subscriber{}, seq: map[string]int64{}}
}

func (f *fakeConns) SaveConnection(_ context.Context, c Connection) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.conns[c.ID] = c
	return nil
}
func (f *fakeConns) GetConnection(_ context.Context, id string) (Connection, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.conns[id]
	if !ok {
		return Connection{}, domain.ErrNotFound
	}
	return c, nil
}
func (f *fakeConns) DeleteConnection(_ context.Context, c Connection) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.conns, c.ID)
	for _, o := range c.Orders {
		delete(f.subs[o], c.ID)
	}
	return nil
}
func (f *fakeConns) Subscribe(_ context.Context, s Subscriber) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.conns[s.ConnectionID]
	if !ok {
		return domain.ErrConflict
	}
	has := false
	for _, o := range c.Orders {
		has = has || o == s.OrderID
	}
	if !has {
		if len(c.Orders) >= MaxSubscriptions {
			return domain.ErrConflict
		}
		c.Orders = append(c.Orders, s.OrderID)
		f.conns[c.ID] = c
	}
	if f.subs[s.OrderID] == nil {
		f.subs[s.OrderID] = map[string]Subscriber{}
	}
	f.subs[s.OrderID][s.ConnectionID] = s
	return nil
}
func (f *fakeConns) Subscribers(_ context.Context, orderID string, now time.Time) ([]Subscriber, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	var out []Subscriber
	for _, s := range f.subs[orderID] {
		if now.Before(s.ExpiresAt) {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ConnectionID < out[j].ConnectionID })
	return out, nil
}
func (f *fakeConns) Unsubscribe(_ context.Context, s Subscriber) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.subs[s.OrderID], s.ConnectionID)
	return nil
}
func (f *fakeConns) NextSeq(_ context.Context, orderID string, n int) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq[orderID] += int64(n)
	return f.seq[orderID], nil
}
func (f *fakeConns) CurrentSeq(_ context.Context, orderID string) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.seq[orderID], nil
}

type fakeOrders struct {
	orders    map[string]domain.Order
	positions map[string]domain.TrackingPosition
}

func (f fakeOrders) GetOrder(_ context.Context, id string) (domain.Order, error) {
	o, ok := f.orders[id]
	if !ok {
		return domain.Order{}, domain.ErrNotFound
	}
	return o, nil
}
func (f fakeOrders) GetTracking(_ context.Context, id string) (domain.TrackingPosition, error) {
	p, ok := f.positions[id]
	if !ok {
		return domain.TrackingPosition{}, domain.ErrNotFound
	}
	return p, nil
}

// tokenAuth accepts "token-<sub>" and "ops-<sub>".
type tokenAuth struct{}

func (tokenAuth) Authenticate(_ context.Context, token string) (Identity, error) {
	if sub, ok := strings.CutPrefix(token, "token-"); ok {
		return Identity{Subject: sub}, nil
	}
	if sub, ok := strings.CutPrefix(token, "ops-"); ok {
		return Identity{Subject: sub, Ops: true}, nil
	}
	return Identity{}, errors.New("bad token")
}

// poster records frames per connection; gone connections answer ErrGone.
type poster struct {
	mu     sync.Mutex
	frames map[string][]json.RawMessage
	gone   map[string]bool
}

func (p *poster) Post(_ context.Context, id string, data []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.gone[id] {
		return ErrGone
	}
	p.frames[id] = append(p.frames[id], append([]byte(nil), data...))
	return nil
}

var spec = func() *framespec.Spec {
	s, err := framespec.Load("../../asyncapi.yaml")
	if err != nil {
		panic(err)
	}
	return s
}()

// checkFrame validates a frame against asyncapi.yaml and that it carries nothing internal.
func checkFrame(t *testing.T, raw []byte) Frame {
	t.Helper()
	if err := spec.CheckFrame(raw); err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"cust-1", "courier-1", "tok_visa", "customer_id", "courier_id", "payment_token", "total_minor"} {
		if strings.Contains(string(raw), secret) {
			t.Fatalf("frame %s leaks %q", raw, secret)
		}
	}
	var f Frame
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

var now = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func fixture() (*Service, *Handler, *fakeConns, fakeOrders) {
	conns := newFakeConns()
	orders := fakeOrders{
		orders: map[string]domain.Order{
			"o-1": {ID: "o-1", CustomerID: "cust-1", CourierID: "courier-1", Status: domain.StatusPickedUp, PaymentToken: "tok_visa", TotalMinor: 1234},
		},
		positions: map[string]domain.TrackingPosition{
			"o-1": {OrderID: "o-1", CourierID: "courier-1", Location: domain.LatLng{Lat: 52.5, Lng: 13.4}, RecordedAt: now},
		},
	}
	svc := NewService(tokenAuth{}, conns, orders, func() time.Time { return now })
	return svc, NewHandler(svc), conns, orders
}

func wsEvent(route, conn, body string, query map[string]string, headers map[string]string) events.APIGatewayWebsocketProxyRequest {
	return events.APIGatewayWebsocketProxyRequest{
		Body: body, QueryStringParameters: query, Headers: headers,
		RequestContext: events.APIGatewayWebsocketProxyRequestContext{RouteKey: route, ConnectionID: conn},
	}
}

func TestConnectRefusesWithoutAValidToken(t *testing.T) {
	_, h, conns, _ := fixture()
	ctx := context.Background()
	for name, ev := range map[string]events.APIGatewayWebsocketProxyRequest{
		"no token":         wsEvent(RouteConnect, "c1", "", nil, nil),
		"bad query token":  wsEvent(RouteConnect, "c1", "", map[string]string{"token": "forged"}, nil),
		"bad protocol tok": wsEvent(RouteConnect, "c1", "", nil, map[string]string{"Sec-WebSocket-Protocol": Subprotocol + ", a.b.c"}),
	} {
		resp, err := h.Serve(ctx, ev)
		if err != nil || resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: %d %v, want 401", name, resp.StatusCode, err)
		}
	}
	if len(conns.conns) != 0 {
		t.Fatalf("refused connects stored %v", conns.conns)
	}
	resp, _ := h.Serve(ctx, wsEvent(RouteConnect, "c1", "", map[string]string{"token": "token-cust-1"}, nil))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("valid query token: %d", resp.StatusCode)
	}
	c := conns.conns["c1"]
	if c.Subject != "cust-1" || !c.ExpiresAt.Equal(now.Add(ConnectionTTL)) {
		t.Fatalf("stored connection %+v, want subject cust-1 and a TTL of %s", c, ConnectionTTL)
	}
	// The token as a subprotocol: the server must select ours, never echo the token.
	resp, _ = h.Serve(ctx, wsEvent(RouteConnect, "c2", "", nil, map[string]string{"sec-websocket-protocol": Subprotocol + ", token-x.y.z"}))
	if resp.StatusCode != http.StatusOK || resp.Headers["Sec-WebSocket-Protocol"] != Subprotocol {
		t.Fatalf("subprotocol token: %d %v", resp.StatusCode, resp.Headers)
	}
	// $disconnect removes the connection; a second one is harmless.
	for i := 0; i < 2; i++ {
		if resp, _ := h.Serve(ctx, wsEvent(RouteDisconnect, "c1", "", nil, nil)); resp.StatusCode != http.StatusOK {
			t.Fatalf("disconnect: %d", resp.StatusCode)
		}
	}
	if _, ok := conns.conns["c1"]; ok {
		t.Fatal("connection kept after $disconnect")
	}
}

func subscribe(t *testing.T, h *Handler, conn, orderID string) Frame {
	t.Helper()
	body := fmt.Sprintf(`{"action":"subscribe","order_id":%q}`, orderID)
	if err := spec.CheckSubscribe([]byte(body)); err != nil {
		t.Fatal(err)
	}
	resp, err := h.Serve(context.Background(), wsEvent(RouteSubscribe, conn, body, nil, nil))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("subscribe: %d %v", resp.StatusCode, err)
	}
	return checkFrame(t, []byte(resp.Body))
}

func connect(t *testing.T, h *Handler, conn, token string) {
	t.Helper()
	if resp, _ := h.Serve(context.Background(), wsEvent(RouteConnect, conn, "", map[string]string{"token": token}, nil)); resp.StatusCode != http.StatusOK {
		t.Fatalf("connect %s: %d", conn, resp.StatusCode)
	}
}

func TestSubscribeOnlyForThoseWhoMayWatch(t *testing.T) {
	_, h, conns, orders := fixture()
	connect(t, h, "customer", "token-cust-1")
	connect(t, h, "stranger", "token-cust-2")
	connect(t, h, "courier", "token-courier-1")
	connect(t, h, "ops", "ops-someone")

	f := subscribe(t, h, "customer", "o-1")
	if f.Type != FrameSubscribed || f.Status != domain.StatusPickedUp || f.Position == nil || f.Position.Lat != 52.5 {
		t.Fatalf("customer's subscribe: %+v", f)
	}
	for _, who := range []string{"courier", "ops"} {
		if f := subscribe(t, h, who, "o-1"); f.Type != FrameSubscribed {
			t.Fatalf("%s's subscribe: %+v", who, f)
		}
	}
	// A stranger's subscribe and one to an unknown order get the same answer.
	refused := subscribe(t, h, "stranger", "o-1")
	unknown := subscribe(t, h, "stranger", "o-404")
	if refused.Type != FrameError || refused.Error.Code != CodeNotFound {
		t.Fatalf("stranger's subscribe: %+v", refused)
	}
	refused.OrderID, unknown.OrderID = "", ""
	refused.Error.Message = strings.ReplaceAll(refused.Error.Message, "o-1", "X")
	unknown.Error.Message = strings.ReplaceAll(unknown.Error.Message, "o-404", "X")
	a, _ := json.Marshal(refused)
	b, _ := json.Marshal(unknown)
	if string(a) != string(b) {
		t.Fatalf("refusal %+v differs from unknown %+v: it tells the order exists", refused.Error, unknown.Error)
	}
	if _, ok := conns.subs["o-1"]["stranger"]; ok {
		t.Fatal("stranger subscribed")
	}
	// A courier's access ends with the delivery.
	o := orders.orders["o-1"]
	o.Status = domain.StatusDelivered
	orders.orders["o-1"] = o
	connect(t, h, "courier-late", "token-courier-1")
	if f := subscribe(t, h, "courier-late", "o-1"); f.Type != FrameError || f.Error.Code != CodeNotFound {
		t.Fatalf("courier after delivery: %+v", f)
	}
	// Malformed and unknown messages get error frames.
	for body, code := range map[string]string{`nope`: CodeInvalidRequest, `{"action":"subscribe","order_id":"a#b"}`: CodeInvalidRequest} {
		resp, _ := h.Serve(context.Background(), wsEvent(RouteSubscribe, "customer", body, nil, nil))
		if f := checkFrame(t, []byte(resp.Body)); f.Error == nil || f.Error.Code != code {
			t.Errorf("%s: %s", body, resp.Body)
		}
	}
	resp, _ := h.Serve(context.Background(), wsEvent(RouteDefault, "customer", `{"action":"dance"}`, nil, nil))
	if f := checkFrame(t, []byte(resp.Body)); f.Error == nil || f.Error.Code != CodeUnknownAction {
		t.Errorf("$default: %s", resp.Body)
	}
	// At most MaxSubscriptions orders per connection.
	for i := 0; i < MaxSubscriptions; i++ {
		orders.orders[fmt.Sprint("m-", i)] = domain.Order{ID: fmt.Sprint("m-", i), CustomerID: "cust-1", Status: domain.StatusPaid}
	}
	var last Frame
	for i := 0; i < MaxSubscriptions; i++ {
		last = subscribe(t, h, "customer", fmt.Sprint("m-", i))
	}
	if last.Type != FrameError || last.Error.Code != CodeInvalidRequest {
		t.Fatalf("subscription %d of one connection: %+v", MaxSubscriptions+1, last)
	}
}

func TestPushReachesSubscribersInOrder(t *testing.T) {
	_, h, conns, _ := fixture()
	connect(t, h, "customer", "token-cust-1")
	connect(t, h, "courier", "token-courier-1")
	connect(t, h, "gone", "token-cust-1")
	for _, c := range []string{"customer", "courier", "gone"} {
		subscribe(t, h, c, "o-1")
	}
	post := &poster{frames: map[string][]json.RawMessage{}, gone: map[string]bool{"gone": true}}
	p := NewPusher(conns, post, func() time.Time { return now })

	assigned := domain.Order{ID: "o-1", CustomerID: "cust-1", CourierID: "courier-1", Status: domain.StatusCourierAssigned, UpdatedAt: now}
	picked := assigned
	picked.Status = domain.StatusPickedUp
	delivered := picked
	delivered.Status = domain.StatusDelivered
	pos := func(lat float64) Change {
		return PositionChange(domain.TrackingPosition{OrderID: "o-1", CourierID: "courier-1", Location: domain.LatLng{Lat: lat, Lng: 13.4}, RecordedAt: now})
	}
	res, failed := p.Push(context.Background(), []Change{
		StatusChange(assigned, picked), pos(52.1), pos(52.2), StatusChange(picked, delivered),
		// nobody watches o-2: no sequence number is spent on it
		StatusChange(domain.Order{}, domain.Order{ID: "o-2", Status: domain.StatusPlaced}),
	})
	if len(failed) != 0 || res.Gone != 1 {
		t.Fatalf("push: %+v %v", res, failed)
	}
	if _, ok := conns.subs["o-1"]["gone"]; ok {
		t.Fatal("a gone connection's subscription was kept")
	}
	if _, ok := conns.conns["gone"]; ok {
		t.Fatal("a gone connection was kept")
	}
	if conns.seq["o-2"] != 0 {
		t.Fatal("a sequence number was spent on an order nobody watches")
	}
	for _, who := range []string{"customer", "courier"} {
		var got []string
		var lastSeq int64
		for _, raw := range post.frames[who] {
			f := checkFrame(t, raw)
			if f.Seq != lastSeq+1 {
				t.Fatalf("%s: seq %d after %d", who, f.Seq, lastSeq)
			}
			lastSeq = f.Seq
			if f.Type == FramePosition {
				got = append(got, fmt.Sprint(f.Position.Lat))
			} else {
				got = append(got, string(f.Status))
			}
		}
		if want := "[PICKED_UP 52.1 52.2 DELIVERED]"; fmt.Sprint(got) != want {
			t.Fatalf("%s got %v, want %s", who, got, want)
		}
	}
	// Delivery ended the courier's access: the courier is no longer subscribed, the customer still is.
	if _, ok := conns.subs["o-1"]["courier"]; ok {
		t.Fatal("courier still subscribed after delivery")
	}
	if _, ok := conns.subs["o-1"]["customer"]; !ok {
		t.Fatal("customer unsubscribed")
	}
	// A later subscribe's snapshot is current at the last pushed seq.
	connect(t, h, "late", "token-cust-1")
	if f := subscribe(t, h, "late", "o-1"); f.Seq != 4 {
		t.Fatalf("late subscribe seq %d, want 4", f.Seq)
	}
}

func TestReassignedCourierGetsNothingMore(t *testing.T) {
	_, h, conns, orders := fixture()
	o := orders.orders["o-1"]
	o.Status = domain.StatusCourierAssigned
	orders.orders["o-1"] = o
	connect(t, h, "courier", "token-courier-1")
	subscribe(t, h, "courier", "o-1")
	post := &poster{frames: map[string][]json.RawMessage{}}
	p := NewPusher(conns, post, func() time.Time { return now })
	// The order moved to another courier: positions of the new one never reach the old one.
	p.Push(context.Background(), []Change{PositionChange(domain.TrackingPosition{OrderID: "o-1", CourierID: "courier-2", RecordedAt: now})})
	if len(post.frames["courier"]) != 0 {
		t.Fatalf("former courier got %s", post.frames["courier"])
	}
	if _, ok := conns.subs["o-1"]["courier"]; ok {
		t.Fatal("former courier still subscribed")
	}
}
