package timeline

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fooddelivery/serverless-food-delivery/shared/platform/tracecontext"
)

// Kinds of timeline entries.
const (
	KindVersion      = "version"      // a version of the order item (status change)
	KindEvent        = "event"        // an event published (or re-announced) about the order
	KindAssignment   = "assignment"   // the courier the order was given to, and the courier's last position
	KindLedger       = "ledger"       // a payment ledger entry: the charge, the refund
	KindNotification = "notification" // what the customer was told
	KindLog          = "log"          // any other line a function logged about the order
)

// Entry is one thing that happened to the order.
type Entry struct {
	At     time.Time      `json:"at"`
	Kind   string         `json:"kind"`
	Source string         `json:"source"` // the function that logged it, "table" or "stream"
	Text   string         `json:"text"`
	Detail map[string]any `json:"detail,omitempty"`
}

// QueryAPI is the part of the DynamoDB client Build uses.
type QueryAPI interface {
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// LogSource returns the JSON lines the functions logged about an order (its id or trace id) between two times.
type LogSource interface {
	Lines(ctx context.Context, orderID, traceID string, from, to time.Time) ([]LogLine, error)
}

// VersionSource returns the versions an order item went through, oldest first, as attribute maps (the stream's
// new images). It may return none (a stream keeps 24 hours).
type VersionSource interface {
	Versions(ctx context.Context, orderID string) ([]map[string]any, error)
}

// Sources are where Build reads from. Versions may be nil.
type Sources struct {
	Table     QueryAPI
	TableName string
	Versions  VersionSource
	Logs      LogSource
}

// ErrNoOrder is returned when the table has no such order.
var ErrNoOrder = fmt.Errorf("no such order")

// Build reconstructs the order's timeline, oldest first.
func Build(ctx context.Context, src Sources, orderID string) ([]Entry, error) {
	items, err := orderItems(ctx, src, orderID)
	if err != nil {
		return nil, err
	}
	order, ok := items["ORDER"]
	if !ok {
		return nil, fmt.Errorf("%w: %s in %s", ErrNoOrder, orderID, src.TableName)
	}
	var out []Entry
	var versions []map[string]any
	if src.Versions != nil {
		if versions, err = src.Versions.Versions(ctx, orderID); err != nil {
			return nil, fmt.Errorf("read the order's versions: %w", err)
		}
	}
	versionSource := "stream"
	if len(versions) == 0 { // the stream no longer has them: the current item is the one version known
		versions, versionSource = []map[string]any{order}, "table"
	}
	for _, v := range versions {
		out = append(out, Entry{At: timeOf(v, "updated_at"), Kind: KindVersion, Source: versionSource,
			Text:   fmt.Sprintf("v%v %v", num(v["version"]), v["status"]),
			Detail: pick(v, "version", "status", "courier_id", "total_minor", "currency", "causation_id", "trace_parent")})
		if v["status"] == "COURIER_ASSIGNED" {
			out = append(out, Entry{At: timeOf(v, "updated_at"), Kind: KindAssignment, Source: versionSource,
				Text: fmt.Sprintf("courier %v assigned", v["courier_id"]), Detail: pick(v, "courier_id")})
		}
	}
	for sk, it := range items {
		switch {
		case strings.HasPrefix(sk, "PAYMENT#"):
			what := strings.ToLower(strings.TrimPrefix(sk, "PAYMENT#"))
			created, updated := timeOf(it, "created_at"), timeOf(it, "updated_at")
			if !created.IsZero() && created.Before(updated) {
				out = append(out, Entry{At: created, Kind: KindLedger, Source: "table",
					Text: fmt.Sprintf("%s PENDING %v %v", what, num(it["amount_minor"]), it["currency"])})
			}
			out = append(out, Entry{At: updated, Kind: KindLedger, Source: "table",
				Text:   fmt.Sprintf("%s %v %v %v", what, it["status"], num(it["amount_minor"]), it["currency"]),
				Detail: pick(it, "status", "amount_minor", "currency", "provider_ref", "decline_reason")})
		case strings.HasPrefix(sk, "NOTIFICATION#"):
			out = append(out, Entry{At: timeOf(it, "sent_at"), Kind: KindNotification, Source: "table",
				Text:   fmt.Sprintf("%v %v: %v", it["channel"], it["event_type"], it["subject"]),
				Detail: pick(it, "event_id", "event_type", "channel", "subject")})
		case sk == "TRACKING":
			out = append(out, Entry{At: timeOf(it, "recorded_at"), Kind: KindAssignment, Source: "table",
				Text:   fmt.Sprintf("courier %v last seen at %v,%v", it["courier_id"], it["lat"], it["lng"]),
				Detail: pick(it, "courier_id", "lat", "lng")})
		}
	}
	if src.Logs != nil {
		traceID := ""
		if tp, ok := order["trace_parent"].(string); ok {
			traceID = tracecontext.OrderTraceID(tp, orderID)
		}
		from := timeOf(order, "created_at").Add(-time.Minute)
		lines, err := src.Logs.Lines(ctx, orderID, traceID, from, time.Now().Add(time.Minute))
		if err != nil {
			return nil, err
		}
		for _, l := range lines {
			out = append(out, logEntry(l))
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, nil
}

// logEntry classifies a log line: a published or re-announced event, or any other line (metrics included).
func logEntry(l LogLine) Entry {
	e := Entry{At: l.At, Kind: KindLog, Source: l.Function(), Detail: l.Fields}
	msg, _ := l.Fields["msg"].(string)
	switch {
	case l.IsMetrics():
		var names []string
		for _, d := range l.Fields["_aws"].(map[string]any)["CloudWatchMetrics"].([]any) {
			for _, m := range d.(map[string]any)["Metrics"].([]any) {
				name := m.(map[string]any)["Name"].(string)
				names = append(names, fmt.Sprintf("%s=%v", name, l.Fields[name]))
			}
		}
		e.Text = "metrics " + strings.Join(names, " ")
	case msg == "event published":
		e.Kind, e.Text = KindEvent, fmt.Sprintf("published %v %v", l.Fields["event_type"], l.Fields["event_id"])
	case strings.Contains(msg, "re-announcing"):
		e.Kind, e.Text = KindEvent, fmt.Sprintf("re-announced %v %v", l.Fields["event_type"], l.Fields["event_id"])
	default:
		e.Text = fmt.Sprintf("%v %v", l.Fields["level"], msg)
		if t, ok := l.Fields["event_type"]; ok {
			e.Text += fmt.Sprintf(" [%v]", t)
		}
		if errText, ok := l.Fields["error"]; ok {
			e.Text += fmt.Sprintf(": %v", errText)
		}
	}
	return e
}

// orderItems reads every item of the order's partition, by sort key.
func orderItems(ctx context.Context, src Sources, orderID string) (map[string]map[string]any, error) {
	out := map[string]map[string]any{}
	p := dynamodb.NewQueryPaginator(src.Table, &dynamodb.QueryInput{
		TableName:                 aws.String(src.TableName),
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: "ORDER#" + orderID}},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("read order %s: %w", orderID, err)
		}
		for _, it := range page.Items {
			var m map[string]any
			if err := attributevalue.UnmarshalMap(it, &m); err != nil {
				return nil, fmt.Errorf("decode an item of order %s: %w", orderID, err)
			}
			sk, _ := m["SK"].(string)
			out[sk] = m
		}
	}
	return out, nil
}

func timeOf(m map[string]any, key string) time.Time {
	s, _ := m[key].(string)
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t.UTC()
}

// num prints numbers without a trailing .0 (attribute values decode to float64).
func num(v any) string {
	if f, ok := v.(float64); ok && f == float64(int64(f)) {
		return fmt.Sprintf("%d", int64(f))
	}
	return fmt.Sprint(v)
}

func pick(m map[string]any, keys ...string) map[string]any {
	out := map[string]any{}
	for _, k := range keys {
		if v, ok := m[k]; ok && v != "" {
			out[k] = v
		}
	}
	return out
}
