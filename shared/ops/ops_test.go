package ops

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/fooddelivery/serverless-food-delivery/shared/dlq"
	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/store/memstore"
	"github.com/fooddelivery/serverless-food-delivery/shared/timeline"
)

// fakeDLQ holds dead-lettered messages per queue and moves them out on redrive, as shared/dlq does.
type fakeDLQ struct{ msgs map[string][]dlq.Message }

func (f *fakeDLQ) List(_ context.Context, q dlq.Queue) ([]dlq.Message, error) {
	return f.msgs[q.Name], nil
}

func (f *fakeDLQ) Redrive(_ context.Context, q dlq.Queue, match func(dlq.Message) bool) ([]dlq.Message, error) {
	var moved, kept []dlq.Message
	for _, m := range f.msgs[q.Name] {
		if match == nil || match(m) {
			m.RedrivenAs = "new-" + m.MessageID
			moved = append(moved, m)
		} else {
			kept = append(kept, m)
		}
	}
	f.msgs[q.Name] = kept
	return moved, nil
}

type fakeAttrs struct{ depth map[string]string }

func (f fakeAttrs) GetQueueAttributes(_ context.Context, in *sqs.GetQueueAttributesInput, _ ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error) {
	return &sqs.GetQueueAttributesOutput{Attributes: map[string]string{"ApproximateNumberOfMessages": f.depth[*in.QueueUrl]}}, nil
}

var now = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func fixture(t *testing.T) (*Service, *fakeDLQ, *[]map[string]any) {
	t.Helper()
	st := memstore.New()
	for i, o := range []domain.Order{
		{ID: "paid-new", Status: domain.StatusPaid, UpdatedAt: now.Add(-10 * time.Second)},
		{ID: "paid-old", Status: domain.StatusPaid, UpdatedAt: now.Add(-5 * time.Minute), RestaurantName: "Taco Loco", TotalMinor: 1189, Currency: "EUR"},
		{ID: "placed", Status: domain.StatusPlaced, UpdatedAt: now.Add(-time.Minute)},
		{ID: "done", Status: domain.StatusDelivered, UpdatedAt: now.Add(-time.Hour)},
	} {
		o.CustomerID, o.CreatedAt, o.Version = "c1", o.UpdatedAt, i+1
		if err := st.CreateOrder(context.Background(), o); err != nil {
			t.Fatal(err)
		}
	}
	d := &fakeDLQ{msgs: map[string][]dlq.Message{
		"payment": {{Queue: "payment", MessageID: "m1", EventType: "NoCourierAvailable", OrderID: "o1", ReceiveCount: 3, Reason: "order o1 has no charge to refund"},
			{Queue: "payment", MessageID: "m2", EventType: "OrderPlaced", OrderID: "o2", Reason: dlq.NoReason}},
	}}
	var sweepLines []map[string]any
	svc := &Service{
		Orders: st, DLQ: d,
		Queues: []dlq.Queue{{Name: "payment", DLQURL: "pdlq", SourceURL: "pq"}, {Name: "stream", DLQURL: "sdlq"}},
		Attrs:  fakeAttrs{depth: map[string]string{"pdlq": "2", "sdlq": "0"}},
		Logs: func(_ context.Context, groups []string, since time.Time, keep func(map[string]any) bool) ([]timeline.LogLine, error) {
			var out []timeline.LogLine
			for i, f := range sweepLines {
				if keep(f) {
					out = append(out, timeline.LogLine{Group: groups[0], At: since.Add(time.Duration(i) * time.Minute), Fields: f})
				}
			}
			return out, nil
		},
		SweeperLogGroup: "/sweeper",
		Now:             func() time.Time { return now },
	}
	return svc, d, &sweepLines
}

func request(method, path, groups, body string) json.RawMessage {
	rawPath, query, _ := strings.Cut(path, "?")
	qs := map[string]string{}
	if k, v, ok := strings.Cut(query, "="); ok {
		qs[k] = v
	}
	qb, _ := json.Marshal(qs)
	b, _ := json.Marshal(body)
	return json.RawMessage(`{"rawPath":"` + rawPath + `","queryStringParameters":` + string(qb) + `,"body":` + string(b) +
		`,"requestContext":{"requestId":"r","http":{"method":"` + method + `"},"authorizer":{"jwt":{"claims":{"sub":"s1","cognito:username":"demo-ops","cognito:groups":` + groups + `}}}}}`)
}

func serve(t *testing.T, svc *Service, raw json.RawMessage, into any) int {
	t.Helper()
	resp, err := NewRouter(svc).Serve(context.Background(), raw)
	if err != nil {
		t.Fatal(err)
	}
	if into != nil {
		if err := json.Unmarshal([]byte(resp.Body), into); err != nil {
			t.Fatalf("%s: %v", resp.Body, err)
		}
	}
	return resp.StatusCode
}

func TestOnlyOpsReachTheOpsRoutes(t *testing.T) {
	svc, d, _ := fixture(t)
	for _, r := range NewRouter(svc).Routes() {
		path := strings.NewReplacer("{id}", "paid-old", "{queue}", "payment").Replace(r.Path)
		for _, groups := range []string{`["customer"]`, `["courier"]`, `[]`} {
			var body map[string]any
			if code := serve(t, svc, request(r.Method, path, groups, ""), &body); code != http.StatusForbidden {
				t.Errorf("%s %s as %s: %d %v, want 403", r.Method, path, groups, code, body)
			}
		}
	}
	if len(d.msgs["payment"]) != 2 {
		t.Fatalf("a refused redrive moved messages: %v", d.msgs)
	}
}

func TestAwaitingOrdersPerStatusOldestFirstWithAge(t *testing.T) {
	svc, _, _ := fixture(t)
	var body AwaitingView
	if code := serve(t, svc, request("GET", "/ops/orders", `["ops"]`, ""), &body); code != 200 {
		t.Fatalf("status %d", code)
	}
	if len(body.Statuses) != len(domain.AwaitingSaga) {
		t.Fatalf("statuses %+v, want one per awaiting status", body.Statuses)
	}
	paid := body.Statuses[1]
	if paid.Status != domain.StatusPaid || paid.Count != 2 || paid.OldestAgeSeconds != 300 ||
		paid.Orders[0].ID != "paid-old" || paid.Orders[1].ID != "paid-new" || paid.Orders[1].AgeSeconds != 10 {
		t.Fatalf("PAID %+v, want 2 orders, paid-old (300 s) first", paid)
	}
	if paid.Orders[0].RestaurantName != "Taco Loco" || paid.Orders[0].TotalMinor != 1189 {
		t.Errorf("order view %+v", paid.Orders[0])
	}
	var one AwaitingView
	serve(t, svc, request("GET", "/ops/orders?status=PLACED", `["ops"]`, ""), &one)
	if len(one.Statuses) != 1 || one.Statuses[0].Count != 1 || one.Statuses[0].Orders[0].ID != "placed" {
		t.Fatalf("PLACED only: %+v", one)
	}
	var bad map[string]map[string]string
	if code := serve(t, svc, request("GET", "/ops/orders?status=DELIVERED", `["ops"]`, ""), &bad); code != 400 || bad["error"]["field"] != "status" {
		t.Fatalf("DELIVERED is not an awaiting status: %d %v", code, bad)
	}
}

func TestDLQsShowDepthAndReason(t *testing.T) {
	svc, _, _ := fixture(t)
	var body DLQList
	if code := serve(t, svc, request("GET", "/ops/dlqs", `["ops"]`, ""), &body); code != 200 {
		t.Fatal(code)
	}
	if len(body.Queues) != 2 || body.Queues[0].Depth != 2 || !body.Queues[0].Redrivable || body.Queues[1].Redrivable {
		t.Fatalf("queues %+v", body.Queues)
	}
	m := body.Queues[0].Messages[0]
	if m.MessageID != "m1" || m.OrderID != "o1" || m.ReceiveCount != 3 || !strings.Contains(m.Reason, "has no charge") {
		t.Fatalf("message %+v", m)
	}
}

func TestRedriveOneMessageIsIdempotentAndNamesWhoAsked(t *testing.T) {
	svc, d, _ := fixture(t)
	var first, second RedriveResult
	if code := serve(t, svc, request("POST", "/ops/dlqs/payment/redrive", `["ops"]`, `{"message_id":"m1"}`), &first); code != 200 {
		t.Fatal(code)
	}
	if len(first.Moved) != 1 || first.Moved[0].MessageID != "m1" || first.Moved[0].RedrivenAs != "new-m1" || first.RequestedBy != "demo-ops" {
		t.Fatalf("first redrive %+v", first)
	}
	serve(t, svc, request("POST", "/ops/dlqs/payment/redrive", `["ops"]`, `{"message_id":"m1"}`), &second)
	if len(second.Moved) != 0 {
		t.Fatalf("second redrive of m1 moved %+v", second.Moved)
	}
	if len(d.msgs["payment"]) != 1 || d.msgs["payment"][0].MessageID != "m2" {
		t.Fatalf("the other message must stay: %+v", d.msgs["payment"])
	}
	var all RedriveResult
	serve(t, svc, request("POST", "/ops/dlqs/payment/redrive", `["ops"]`, ""), &all)
	if len(all.Moved) != 1 || len(d.msgs["payment"]) != 0 {
		t.Fatalf("whole-queue redrive %+v, left %+v", all, d.msgs)
	}
	if code := serve(t, svc, request("POST", "/ops/dlqs/stream/redrive", `["ops"]`, ""), nil); code != 400 {
		t.Errorf("stream DLQ redrive: %d, want 400", code)
	}
	if code := serve(t, svc, request("POST", "/ops/dlqs/nope/redrive", `["ops"]`, ""), nil); code != 404 {
		t.Errorf("unknown queue: %d, want 404", code)
	}
}

func TestSweepsNewestFirstFromTheSweepersLines(t *testing.T) {
	svc, _, lines := fixture(t)
	*lines = []map[string]any{
		{"msg": "sweep done", "found": 3.0, "reannounced": 2.0, "nothing_owed": 1.0, "gave_up": 0.0, "failed": 0.0, "truncated": false},
		{"msg": "something else"},
		{"msg": "sweep done", "found": 1.0, "reannounced": 0.0, "nothing_owed": 0.0, "gave_up": 1.0, "failed": 0.0, "truncated": true},
	}
	var body SweepList
	serve(t, svc, request("GET", "/ops/sweeps", `["ops"]`, ""), &body)
	if len(body.Sweeps) != 2 || body.Sweeps[0].GaveUp != 1 || !body.Sweeps[0].Truncated || body.Sweeps[1].Reannounced != 2 {
		t.Fatalf("sweeps %+v", body.Sweeps)
	}
}
