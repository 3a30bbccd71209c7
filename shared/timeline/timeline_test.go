package timeline

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

type fakeTable struct{ items []map[string]any }

func (f fakeTable) Query(_ context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	pk := in.ExpressionAttributeValues[":pk"].(*types.AttributeValueMemberS).Value
	out := &dynamodb.QueryOutput{}
	for _, it := range f.items {
		if it["PK"] == pk {
			av, err := attributevalue.MarshalMap(it)
			if err != nil {
				return nil, err
			}
			out.Items = append(out.Items, av)
		}
	}
	return out, nil
}

type fakeVersions []map[string]any

func (f fakeVersions) Versions(context.Context, string) ([]map[string]any, error) { return f, nil }

type fakeLogs struct {
	lines            []LogLine
	orderID, traceID string
}

func (f *fakeLogs) Lines(_ context.Context, orderID, traceID string, _, _ time.Time) ([]LogLine, error) {
	f.orderID, f.traceID = orderID, traceID
	return f.lines, nil
}

func at(sec int) string {
	return time.Date(2026, 11, 30, 12, 0, sec, 0, time.UTC).Format(time.RFC3339Nano)
}

func line(t *testing.T, raw string) LogLine {
	t.Helper()
	l, ok := ParseLine("g", raw, "")
	if !ok {
		t.Fatalf("unparsed %s", raw)
	}
	return l
}

// TestTimelineIsInTimeOrderWithEveryKind builds the timeline of one order from a table, its versions and its log
// lines, and checks that every kind of entry is there, in time order, and that the logs were asked for the order's
// id and trace id.
func TestTimelineIsInTimeOrderWithEveryKind(t *testing.T) {
	const tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00000000000000a1-01"
	order := map[string]any{"PK": "ORDER#o-1", "SK": "ORDER", "status": "PAID", "version": 2, "created_at": at(0), "updated_at": at(2), "trace_parent": tp}
	table := fakeTable{items: []map[string]any{
		order,
		{"PK": "ORDER#o-1", "SK": "PAYMENT#CHARGE", "status": "CAPTURED", "amount_minor": 1390, "currency": "EUR", "created_at": at(1), "updated_at": at(2)},
		{"PK": "ORDER#o-1", "SK": "NOTIFICATION#e-2", "channel": "inbox", "event_type": "PaymentConfirmed", "subject": "Payment received", "sent_at": at(4)},
		{"PK": "ORDER#o-2", "SK": "ORDER", "status": "PLACED", "updated_at": at(9)},
	}}
	versions := fakeVersions{
		{"PK": "ORDER#o-1", "SK": "ORDER", "status": "PLACED", "version": 1.0, "updated_at": at(0)},
		{"PK": "ORDER#o-1", "SK": "ORDER", "status": "PAID", "version": 2.0, "updated_at": at(2)},
		{"PK": "ORDER#o-1", "SK": "ORDER", "status": "COURIER_ASSIGNED", "version": 3.0, "courier_id": "c-1", "updated_at": at(5)},
	}
	logs := &fakeLogs{lines: []LogLine{
		line(t, `{"time":"`+at(0)+`","level":"INFO","msg":"order placed","function":"order-api","order_id":"o-1"}`),
		line(t, `{"time":"`+at(3)+`","level":"INFO","msg":"event published","function":"stream-publisher","order_id":"o-1","event_type":"PaymentConfirmed","event_id":"e-2"}`),
		line(t, `{"_aws":{"Timestamp":`+fmt.Sprint(time.Date(2026, 11, 30, 12, 0, 3, 500e6, time.UTC).UnixMilli())+`,"CloudWatchMetrics":[{"Namespace":"FoodDelivery","Dimensions":[["Service"]],"Metrics":[{"Name":"OrdersPaid","Unit":"Count"}]}]},"Service":"food-delivery","OrdersPaid":1,"function":"stream-publisher","order_id":"o-1"}`),
	}}
	entries, err := Build(context.Background(), Sources{Table: table, TableName: "t", Versions: versions, Logs: logs}, "o-1")
	if err != nil {
		t.Fatal(err)
	}
	if logs.orderID != "o-1" || logs.traceID != "4bf92f3577b34da6a3ce929d0e0e4736" {
		t.Errorf("logs asked for %q / %q", logs.orderID, logs.traceID)
	}
	var got []string
	for i, e := range entries {
		if i > 0 && e.At.Before(entries[i-1].At) {
			t.Errorf("entry %d (%s) is before entry %d", i, e.Text, i-1)
		}
		got = append(got, e.Kind+": "+e.Text)
	}
	want := []string{
		"version: v1 PLACED",
		"log: INFO order placed",
		"ledger: charge PENDING 1390 EUR",
		"version: v2 PAID",
		"ledger: charge CAPTURED 1390 EUR",
		"event: published PaymentConfirmed e-2",
		"log: metrics OrdersPaid=1",
		"notification: inbox PaymentConfirmed: Payment received",
		"version: v3 COURIER_ASSIGNED",
		"assignment: courier c-1 assigned",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("timeline:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestTimelineOfAnUnknownOrder(t *testing.T) {
	_, err := Build(context.Background(), Sources{Table: fakeTable{}, TableName: "t"}, "nope")
	if err == nil || !strings.Contains(err.Error(), "no such order") {
		t.Fatalf("err %v", err)
	}
}

func TestInsightsQueryFiltersOnTheOrderAndItsTrace(t *testing.T) {
	q := InsightsQuery("o-1", "abc")
	if !strings.Contains(q, `filter order_id = "o-1" or trace_id = "abc"`) || !strings.Contains(q, "sort @timestamp asc") {
		t.Fatalf("query %s", q)
	}
	if _, err := (InsightsLogs{}).Lines(context.Background(), `o-1" or 1=1`, "", time.Time{}, time.Time{}); err == nil {
		t.Fatal("an id that could change the query was accepted")
	}
}
