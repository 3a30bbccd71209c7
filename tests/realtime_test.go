//go:build e2e

package tests

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/coder/websocket"
	"github.com/golang-jwt/jwt/v5"

	"github.com/fooddelivery/serverless-food-delivery/shared/devstack"
	"github.com/fooddelivery/serverless-food-delivery/shared/realtime"
	"github.com/fooddelivery/serverless-food-delivery/shared/realtime/framespec"
)

var (
	frameSpecOnce sync.Once
	frameSpec     *framespec.Spec
	frameSpecErr  error
)

// liveSocket is a client socket of the live-tracking API that reads every frame in the background, checks it
// against asyncapi.yaml, and keeps them in arrival order.
type liveSocket struct {
	t      *testing.T
	conn   *websocket.Conn
	mu     sync.Mutex
	frames []realtime.Frame
	raw    []string
	closed chan struct{}
}

// dialLive opens a socket with the token in the query string; the handshake's HTTP status on failure.
func dialLive(t *testing.T, token string) (*liveSocket, int, error) {
	t.Helper()
	u := deployed.out.WebSocketURL
	if token != "" {
		u += "?token=" + token
	}
	return dialLiveWith(t, u, nil)
}

func dialLiveWith(t *testing.T, u string, protocols []string) (*liveSocket, int, error) {
	t.Helper()
	frameSpecOnce.Do(func() { frameSpec, frameSpecErr = framespec.Load("../asyncapi.yaml") })
	if frameSpecErr != nil {
		t.Fatal(frameSpecErr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, resp, err := websocket.Dial(ctx, u, &websocket.DialOptions{Subprotocols: protocols})
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		return nil, status, err
	}
	s := &liveSocket{t: t, conn: conn, closed: make(chan struct{})}
	go s.read()
	t.Cleanup(func() { s.conn.Close(websocket.StatusNormalClosure, "") })
	return s, http.StatusSwitchingProtocols, nil
}

func (s *liveSocket) read() {
	defer close(s.closed)
	for {
		_, data, err := s.conn.Read(context.Background())
		if err != nil {
			return
		}
		var f realtime.Frame
		if err := frameSpec.CheckFrame(data); err != nil {
			s.t.Errorf("frame off the description: %v", err)
		}
		if err := json.Unmarshal(data, &f); err != nil {
			s.t.Errorf("frame %s: %v", data, err)
		}
		s.mu.Lock()
		s.frames = append(s.frames, f)
		s.raw = append(s.raw, string(data))
		s.mu.Unlock()
	}
}

func (s *liveSocket) send(msg any) {
	s.t.Helper()
	data, _ := json.Marshal(msg)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.conn.Write(ctx, websocket.MessageText, data); err != nil {
		s.t.Fatalf("send %s: %v", data, err)
	}
}

func (s *liveSocket) snapshot() ([]realtime.Frame, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]realtime.Frame(nil), s.frames...), append([]string(nil), s.raw...)
}

// waitFor waits until a frame satisfies match and returns it.
func (s *liveSocket) waitFor(within time.Duration, what string, match func(realtime.Frame) bool) realtime.Frame {
	s.t.Helper()
	var found realtime.Frame
	eventually(s.t, within, what, func() (bool, string) {
		frames, raw := s.snapshot()
		for _, f := range frames {
			if match(f) {
				found = f
				return true, ""
			}
		}
		return false, strings.Join(raw, "\n")
	})
	return found
}

func (s *liveSocket) subscribe(orderID string) realtime.Frame {
	s.t.Helper()
	s.send(map[string]string{"action": "subscribe", "order_id": orderID})
	return s.waitFor(15*time.Second, "answer to subscribe "+orderID, func(f realtime.Frame) bool {
		return (f.Type == realtime.FrameSubscribed || f.Type == realtime.FrameError) && f.OrderID == orderID
	})
}

// TestLiveConnectNeedsAValidIDToken: missing, garbage, forged, expired and other-pool tokens are refused at the
// handshake; a valid ID token connects, in the query string or as a subprotocol.
func TestLiveConnectNeedsAValidIDToken(t *testing.T) {
	token, _ := newCustomer(t)
	refused := map[string]string{
		"missing":    "",
		"garbage":    "not-a-token",
		"forged":     forgeSubject(t, token, "someone-else"),
		"expired":    expiredToken(t, token),
		"other pool": otherPoolToken(t),
	}
	for name, tok := range refused {
		if s, status, err := dialLive(t, tok); err == nil {
			s.conn.Close(websocket.StatusNormalClosure, "")
			t.Errorf("%s token: connected, want the handshake refused", name)
		} else if status == http.StatusSwitchingProtocols || status == 0 {
			t.Errorf("%s token: status %d (%v), want an HTTP refusal", name, status, err)
		}
	}
	if _, _, err := dialLive(t, token); err != nil {
		t.Fatalf("valid token in the query string refused: %v", err)
	}
	if _, _, err := dialLiveWith(t, deployed.out.WebSocketURL, []string{realtime.Subprotocol, token}); err != nil {
		t.Fatalf("valid token as Sec-WebSocket-Protocol refused: %v", err)
	}
}

// TestLiveCustomerSeesTheWholeJourney: a customer's socket receives every status from the one it subscribed at
// to DELIVERED, and the courier's positions in the order they were sent, with strictly increasing seq.
func TestLiveCustomerSeesTheWholeJourney(t *testing.T) {
	token, _ := newCustomer(t)
	live, _, err := dialLive(t, token)
	if err != nil {
		t.Fatal(err)
	}
	placed := call(t, http.MethodPost, "/orders", token, map[string]any{
		"restaurant_id":     "trattoria-roma",
		"items":             []map[string]any{{"item_id": "margherita", "quantity": 1, "options": []string{"regular"}}},
		"delivery_location": map[string]any{"lat": 52.5301, "lng": 13.4120},
	})
	if placed.Status != http.StatusCreated {
		t.Fatalf("place order: %d %s", placed.Status, placed.Raw)
	}
	orderID := placed.Body["id"].(string)
	sub := live.subscribe(orderID)
	if sub.Type != realtime.FrameSubscribed {
		t.Fatalf("own order's subscribe: %+v", sub)
	}
	assigned := live.waitFor(40*time.Second, "COURIER_ASSIGNED frame", func(f realtime.Frame) bool { return f.Status == "COURIER_ASSIGNED" && f.Type == realtime.FrameStatus })
	_ = assigned
	order := call(t, http.MethodGet, "/orders/"+orderID, token, nil)
	courierName, _ := order.Body["courier_name"].(string) // the customer's view names the courier, never its id
	courierToken := signInCourier(t, courierSubjectNamed(t, courierName))

	// Two batches, as the courier's phone sends them, the second after pickup: small steps from where the courier
	// last was, a couple of seconds apart, so no fix looks implausibly fast to the location checks.
	me := call(t, http.MethodGet, "/couriers/me", courierToken, nil)
	loc, _ := me.Body["location"].(map[string]any)
	lat0, _ := loc["lat"].(float64)
	lng0, _ := loc["lng"].(float64)
	lats := []float64{lat0 + 0.0001, lat0 + 0.0002, lat0 + 0.0003, lat0 + 0.0004}
	sendBatch := func(ls []float64) {
		var ps []map[string]any
		for i, lat := range ls {
			ps = append(ps, map[string]any{"lat": lat, "lng": lng0,
				"recorded_at": time.Now().Add(time.Duration(i+1-len(ls)) * 2 * time.Second).UTC().Format(time.RFC3339Nano)})
		}
		if r := call(t, http.MethodPost, "/couriers/me/location", courierToken, map[string]any{"positions": ps}); r.Status != http.StatusOK {
			t.Fatalf("location: %d %s", r.Status, r.Raw)
		}
	}
	sendBatch(lats[:2])
	live.waitFor(20*time.Second, "first position frame", func(f realtime.Frame) bool { return f.Type == realtime.FramePosition })
	setStatus(t, courierToken, orderID, "PICKED_UP")
	live.waitFor(20*time.Second, "PICKED_UP frame", func(f realtime.Frame) bool { return f.Status == "PICKED_UP" })
	time.Sleep(2100 * time.Millisecond) // the next batch's first fix is newer than the last one sent
	sendBatch(lats[2:])
	live.waitFor(20*time.Second, "second position frame", func(f realtime.Frame) bool {
		return f.Type == realtime.FramePosition && f.Position.Lat == lats[3]
	})
	setStatus(t, courierToken, orderID, "DELIVERED")
	live.waitFor(20*time.Second, "DELIVERED frame", func(f realtime.Frame) bool { return f.Status == "DELIVERED" })

	// What the page would apply: frames in seq order, dropping any at or below the last applied.
	frames, raw := live.snapshot()
	journey := []string{"PLACED", "PAID", "COURIER_ASSIGNED", "PICKED_UP", "DELIVERED"}
	var statuses []string
	var positions []float64
	var last int64 = -1
	for i, f := range frames {
		if f.OrderID != orderID {
			continue
		}
		if strings.Contains(raw[i], "customer_id") || strings.Contains(raw[i], "courier_id") || strings.Contains(raw[i], "payment_token") {
			t.Fatalf("frame carries an internal field: %s", raw[i])
		}
		if f.Seq <= last && f.Type != realtime.FrameSubscribed {
			t.Fatalf("frame %s arrived after seq %d: out of order", raw[i], last)
		}
		last = f.Seq
		if f.Status != "" && (len(statuses) == 0 || statuses[len(statuses)-1] != string(f.Status)) {
			statuses = append(statuses, string(f.Status))
		}
		if f.Type == realtime.FramePosition {
			positions = append(positions, f.Position.Lat)
		}
	}
	start := -1
	for i, s := range journey {
		if s == statuses[0] {
			start = i
		}
	}
	if start < 0 || strings.Join(statuses, ",") != strings.Join(journey[start:], ",") {
		t.Fatalf("statuses on the socket %v, want the journey from the subscribed status: %v\n%s", statuses, journey, strings.Join(raw, "\n"))
	}
	// Each batch pushes its newest accepted position (the item the batch stores).
	if fmt.Sprint(positions) != fmt.Sprint([]float64{lats[1], lats[3]}) {
		t.Fatalf("positions on the socket %v, want %v in that order\n%s", positions, []float64{lats[1], lats[3]}, strings.Join(raw, "\n"))
	}
}

func setStatus(t *testing.T, courierToken, orderID, status string) {
	t.Helper()
	if r := call(t, http.MethodPost, "/orders/"+orderID+"/status", courierToken, map[string]any{"status": status}); r.Status != http.StatusOK {
		t.Fatalf("set %s: %d %s", status, r.Status, r.Raw)
	}
}

// TestLiveOthersGetNothing: another customer's subscribe to an order gets the same error frame as a subscribe to
// an order that does not exist, and no frame about that order ever reaches them.
func TestLiveOthersGetNothing(t *testing.T) {
	owner, _ := newCustomer(t)
	other, _ := newCustomer(t)
	placed := call(t, http.MethodPost, "/orders", owner, declinedOrder())
	if placed.Status != http.StatusCreated {
		t.Fatalf("place: %d %s", placed.Status, placed.Raw)
	}
	orderID := placed.Body["id"].(string)
	ownerLive, _, err := dialLive(t, owner)
	if err != nil {
		t.Fatal(err)
	}
	ownerLive.subscribe(orderID)
	spy, _, err := dialLive(t, other)
	if err != nil {
		t.Fatal(err)
	}
	refused := spy.subscribe(orderID)
	unknown := spy.subscribe("no-such-order-" + strconv.FormatInt(time.Now().UnixNano(), 10))
	if refused.Type != realtime.FrameError || refused.Error == nil || refused.Error.Code != realtime.CodeNotFound {
		t.Fatalf("other customer's subscribe answered %+v", refused)
	}
	if unknown.Error == nil || unknown.Error.Code != refused.Error.Code || unknown.Error.Field != refused.Error.Field ||
		strings.ReplaceAll(unknown.Error.Message, unknown.OrderID, "") != strings.ReplaceAll(refused.Error.Message, refused.OrderID, "") {
		t.Fatalf("refusal %+v differs from unknown order %+v: it tells the order exists", refused.Error, unknown.Error)
	}
	// The owner is told the order moved on; the spy is told nothing.
	ownerLive.waitFor(40*time.Second, "a status frame at the owner", func(f realtime.Frame) bool { return f.Type == realtime.FrameStatus })
	time.Sleep(2 * time.Second)
	frames, raw := spy.snapshot()
	for i, f := range frames {
		if f.OrderID == orderID && f.Type != realtime.FrameError {
			t.Fatalf("the other customer got %s", raw[i])
		}
	}
}

// TestLiveConnectionItemsExpireAndGoneOnesAreRemoved: connection and subscription items carry the TTL attribute;
// a subscription whose connection is gone (its $disconnect lost) is removed at the first push that meets the
// 410, with its connection item; $disconnect removes an open one.
func TestLiveConnectionItemsExpireAndGoneOnesAreRemoved(t *testing.T) {
	token, subject := newCustomer(t)
	// A provider that never answers: the order stays PLACED until payment gives up (PAYMENT_FAILED) on a later
	// delivery, long after the items below are written, and no courier is taken.
	o := tacoOrder()
	o["payment_token"] = "tok_timeout"
	placed := call(t, http.MethodPost, "/orders", token, o)
	if placed.Status != http.StatusCreated {
		t.Fatalf("place: %d %s", placed.Status, placed.Raw)
	}
	orderID := placed.Body["id"].(string)
	live, _, err := dialLive(t, token)
	if err != nil {
		t.Fatal(err)
	}
	connectedAt := time.Now()
	live.subscribe(orderID)

	ctx := context.Background()
	subs := queryItems(t, "ORDER#"+orderID, "SUB#")
	if len(subs) != 1 {
		t.Fatalf("subscription items: %v", subs)
	}
	connID := strings.TrimPrefix(subs[0]["SK"].(string), "SUB#")
	conn := getItem(t, "CONN#"+connID, "CONN")
	for name, item := range map[string]map[string]any{"connection": conn, "subscription": subs[0]} {
		exp, _ := item["expires_at"].(float64)
		want := connectedAt.Add(realtime.ConnectionTTL)
		if d := time.Unix(int64(exp), 0).Sub(want); d < -time.Minute || d > time.Minute {
			t.Errorf("%s item expires_at %v, want about %v (TTL attribute of the table)", name, time.Unix(int64(exp), 0), want)
		}
		if item["subject"] != subject {
			t.Errorf("%s item subject %v", name, item["subject"])
		}
	}

	// A connection the emulator no longer knows, as if its $disconnect had been lost.
	ghost := "ghost" + strconv.FormatInt(time.Now().UnixNano(), 36)
	exp := strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)
	put := func(item map[string]types.AttributeValue) {
		if _, err := deployed.ddb.PutItem(ctx, &dynamodb.PutItemInput{TableName: &deployed.out.TableName, Item: item}); err != nil {
			t.Fatal(err)
		}
	}
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	put(map[string]types.AttributeValue{"PK": s("CONN#" + ghost), "SK": s("CONN"), "type": s("ws_connection"), "connection_id": s(ghost),
		"subject": s(subject), "orders": &types.AttributeValueMemberSS{Value: []string{orderID}}, "expires_at": &types.AttributeValueMemberN{Value: exp}})
	put(map[string]types.AttributeValue{"PK": s("ORDER#" + orderID), "SK": s("SUB#" + ghost), "type": s("ws_subscription"), "order_id": s(orderID),
		"connection_id": s(ghost), "subject": s(subject), "role": s("customer"), "expires_at": &types.AttributeValueMemberN{Value: exp}})

	// The order's next status change (payment giving up) meets the 410.
	eventually(t, 90*time.Second, "gone connection removed", func() (bool, string) {
		left := queryItems(t, "ORDER#"+orderID, "SUB#"+ghost)
		return len(left) == 0 && getItem(t, "CONN#"+ghost, "CONN") == nil, fmt.Sprint(left)
	})
	live.waitFor(30*time.Second, "a status frame at the live socket", func(f realtime.Frame) bool { return f.Type == realtime.FrameStatus })

	// Closing the socket runs $disconnect, which removes both items.
	live.conn.Close(websocket.StatusNormalClosure, "bye")
	eventually(t, 20*time.Second, "$disconnect cleanup", func() (bool, string) {
		return getItem(t, "CONN#"+connID, "CONN") == nil && len(queryItems(t, "ORDER#"+orderID, "SUB#"+connID)) == 0, ""
	})
}

func queryItems(t *testing.T, pk, skPrefix string) []map[string]any {
	t.Helper()
	out, err := deployed.ddb.Query(context.Background(), &dynamodb.QueryInput{
		TableName:              &deployed.out.TableName,
		KeyConditionExpression: aws.String("PK = :pk AND begins_with(SK, :sk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: pk}, ":sk": &types.AttributeValueMemberS{Value: skPrefix},
		},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	var items []map[string]any
	if err := attributevalue.UnmarshalListOfMaps(out.Items, &items); err != nil {
		t.Fatal(err)
	}
	return items
}

func getItem(t *testing.T, pk, sk string) map[string]any {
	t.Helper()
	out, err := deployed.ddb.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: &deployed.out.TableName, ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: pk}, "SK": &types.AttributeValueMemberS{Value: sk}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Item) == 0 {
		return nil
	}
	var item map[string]any
	if err := attributevalue.UnmarshalMap(out.Item, &item); err != nil {
		t.Fatal(err)
	}
	return item
}

// tokenParts splits a JWT and decodes its header and claims.
func tokenParts(t *testing.T, token string) (header, claims map[string]any, parts []string) {
	t.Helper()
	parts = strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	for i, out := range []*map[string]any{&header, &claims} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatal(err)
		}
	}
	return header, claims, parts
}

// forgeSubject changes the subject of a valid token and keeps its signature.
func forgeSubject(t *testing.T, token, sub string) string {
	t.Helper()
	_, claims, parts := tokenParts(t, token)
	claims["sub"] = sub
	raw, _ := json.Marshal(claims)
	return parts[0] + "." + base64.RawURLEncoding.EncodeToString(raw) + "." + parts[2]
}

// expiredToken signs the claims of a valid token, an hour in the past, with the pool's own ID-token key, which the
// emulator keeps in its state directory: only the expiry is wrong with it.
func expiredToken(t *testing.T, token string) string {
	t.Helper()
	header, claims, _ := tokenParts(t, token)
	path := filepath.Join(filepath.Dir(os.Getenv("E2E_OUTPUTS")), "state", "cognito-pool-keys", deployed.out.UserPoolID+"-id.pem")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the emulator's key of the pool: %v", err)
	}
	block, _ := pem.Decode(raw)
	if block == nil {
		t.Fatalf("%s holds no PEM block", path)
	}
	var key *rsa.PrivateKey
	if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		key, _ = k.(*rsa.PrivateKey)
	} else if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		key = k
	}
	if key == nil {
		t.Fatalf("%s: not an RSA private key", path)
	}
	c := jwt.MapClaims(claims)
	c["iat"] = time.Now().Add(-2 * time.Hour).Unix()
	c["auth_time"] = c["iat"]
	c["exp"] = time.Now().Add(-time.Hour).Unix()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	tok.Header["kid"] = header["kid"]
	signed, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	// The same key with a valid expiry would be accepted: the refusal is the expiry's.
	c["exp"] = time.Now().Add(time.Hour).Unix()
	fresh := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	fresh.Header["kid"] = header["kid"]
	if ok, _ := fresh.SignedString(key); ok != "" {
		if s, _, err := dialLive(t, ok); err != nil {
			t.Fatalf("a token signed with the pool's key and a valid expiry was refused (%v): the expired case proves nothing", err)
		} else {
			s.conn.Close(websocket.StatusNormalClosure, "")
		}
	}
	return signed
}

// otherPoolToken signs a user in to a second user pool on the same emulator.
func otherPoolToken(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	c := deployed.users.Client
	pool, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String(fmt.Sprintf("other-%d", time.Now().UnixNano()))})
	if err != nil {
		t.Fatal(err)
	}
	client, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: pool.UserPool.Id, ClientName: aws.String("other"),
		ExplicitAuthFlows: []ciptypes.ExplicitAuthFlowsType{ciptypes.ExplicitAuthFlowsTypeAllowUserPasswordAuth, ciptypes.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth, ciptypes.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
	})
	if err != nil {
		t.Fatal(err)
	}
	other := devstack.Users{Client: c, PoolID: *pool.UserPool.Id, ClientID: *client.UserPoolClient.ClientId}
	// The new pool has Cognito's default password policy, which wants an upper-case letter.
	const password = "Intruder-password-1"
	if _, err := other.Ensure(ctx, "intruder", password, ""); err != nil {
		t.Fatal(err)
	}
	token, err := other.SignIn(ctx, "intruder", password)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: pool.UserPool.Id}) })
	return token
}

// declinedOrder is an order whose card is declined: its status moves (PLACED → PAYMENT_FAILED) without taking one
// of the four demo couriers away from the other tests.
func declinedOrder() map[string]any {
	o := tacoOrder()
	o["payment_token"] = "tok_decline_insufficient_funds"
	return o
}
