package store

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/queue"
	"github.com/fooddelivery/serverless-food-delivery/shared/realtime"
)

// recorder is a DynamoDB client that answers every call plausibly and records what it was asked to do, as
// IAM would see it: the action (per item for a transaction), the partition key's prefix, the index.
type recorder struct {
	conflict bool // writes fail their condition, so the methods' read-after-conflict paths run too
	got      Access
}

func prefixOf(av types.AttributeValue) string {
	s, _ := av.(*types.AttributeValueMemberS)
	if s == nil {
		return "?"
	}
	if i := strings.IndexByte(s.Value, '#'); i >= 0 {
		return s.Value[:i+1]
	}
	return s.Value
}

func (r *recorder) item(action string, key map[string]types.AttributeValue) {
	r.got.Actions = append(r.got.Actions, action)
	r.got.Prefixes = append(r.got.Prefixes, prefixOf(key["PK"]))
}

func (r *recorder) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	r.item(getItem, in.Key)
	// Enough of an item for every reader: a courier carrying order o-1, a charge, a failure.
	item := map[string]types.AttributeValue{"status": &types.AttributeValueMemberS{Value: string(domain.CourierAssigned)}}
	for k, v := range map[string]string{"courier_id": "k-1", "order_id": "o-1", "message_id": "m-1"} {
		item[k] = &types.AttributeValueMemberS{Value: v}
	}
	for k, v := range in.Key {
		item[k] = v
	}
	return &dynamodb.GetItemOutput{Item: item}, nil
}

func (r *recorder) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	r.item(putItem, in.Item)
	if r.conflict {
		return nil, &types.ConditionalCheckFailedException{Message: aws.String("test")}
	}
	return &dynamodb.PutItemOutput{}, nil
}

func (r *recorder) UpdateItem(_ context.Context, in *dynamodb.UpdateItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	r.item(updateItem, in.Key)
	if r.conflict {
		return nil, &types.ConditionalCheckFailedException{Message: aws.String("test")}
	}
	return &dynamodb.UpdateItemOutput{}, nil
}

func (r *recorder) Query(_ context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	if in.IndexName != nil {
		r.got.Indexes = append(r.got.Indexes, *in.IndexName) // index queries are granted on the index, unconditioned
		if prefixOf(in.ExpressionAttributeValues[":pk"]) == unreadPrefix {
			// One unread inbox item, so MarkRead goes on to mark it.
			s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
			return &dynamodb.QueryOutput{Items: []map[string]types.AttributeValue{{"PK": s("ORDER#o-1"), "SK": s("NOTIFICATION#e-1"),
				"event_id": s("e-1"), "customer_id": s("c-1"), "sent_at": s("2026-11-23T12:00:00Z")}}}, nil
		}
	} else {
		r.got.Actions = append(r.got.Actions, query)
		r.got.Prefixes = append(r.got.Prefixes, prefixOf(in.ExpressionAttributeValues[":pk"]))
	}
	return &dynamodb.QueryOutput{}, nil
}

func (r *recorder) TransactWriteItems(_ context.Context, in *dynamodb.TransactWriteItemsInput, _ ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	var reasons []types.CancellationReason
	for _, it := range in.TransactItems {
		switch {
		case it.Put != nil:
			r.item(putItem, it.Put.Item)
		case it.Update != nil:
			r.item(updateItem, it.Update.Key)
		default:
			r.got.Actions = append(r.got.Actions, "unexpected transaction item")
		}
		reasons = append(reasons, types.CancellationReason{Code: aws.String("None")})
	}
	if r.conflict {
		reasons[len(reasons)-1].Code = aws.String("ConditionalCheckFailed")
		return nil, &types.TransactionCanceledException{Message: aws.String("test"), CancellationReasons: reasons}
	}
	return &dynamodb.TransactWriteItemsOutput{}, nil
}

func (r *recorder) BatchWriteItem(_ context.Context, in *dynamodb.BatchWriteItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	for _, reqs := range in.RequestItems {
		for _, w := range reqs {
			if w.PutRequest != nil {
				r.item(batchWrite, w.PutRequest.Item)
			}
			if w.DeleteRequest != nil {
				r.item(batchWrite, w.DeleteRequest.Key)
			}
		}
	}
	return &dynamodb.BatchWriteItemOutput{}, nil
}

// TestMethodAccessIsWhatEachMethodDoes runs every Table method, with writes succeeding and with writes
// losing their condition, and compares what it did with its MethodAccess entry, both ways: IAM policies are
// built from these entries, so a method that does more fails on AWS with AccessDenied, and an entry that
// lists more grants what nobody uses.
func TestMethodAccessIsWhatEachMethodDoes(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	order := domain.Order{ID: "o-1", CustomerID: "c-1", CourierID: "k-1", Status: domain.StatusDelivered, Version: 5, CreatedAt: now, UpdatedAt: now}
	courier := domain.Courier{ID: "k-1", Status: domain.CourierAvailable, UpdatedAt: now}
	subscriber := realtime.Subscriber{ConnectionID: "cn-1", OrderID: "o-1", Subject: "c-1", ExpiresAt: now.Add(time.Hour)}
	ring := domain.CourierSearchRings(domain.LatLng{Lat: 52.52, Lng: 13.40})[0]
	calls := map[string]func(*Table) error{
		"ListRestaurants": func(tb *Table) error { _, err := tb.ListRestaurants(ctx); return err },
		"GetMenu":         func(tb *Table) error { _, err := tb.GetMenu(ctx, "r1"); return err },
		"PutMenu": func(tb *Table) error {
			return tb.PutMenu(ctx, domain.Menu{Restaurant: domain.Restaurant{ID: "r1"}, Items: []domain.MenuItem{{ID: "i1"}}})
		},
		"CreateOrder": func(tb *Table) error { o := order; o.Version = 1; return tb.CreateOrder(ctx, o) },
		"CreateOrderOnce": func(tb *Table) error {
			o := order
			o.Version = 1
			_, _, err := tb.CreateOrderOnce(ctx, o, "key-0001", "h", time.Hour)
			return err
		},
		"GetOrder":           func(tb *Table) error { _, err := tb.GetOrder(ctx, "o-1"); return err },
		"UpdateOrder":        func(tb *Table) error { return tb.UpdateOrder(ctx, order) },
		"ListCustomerOrders": func(tb *Table) error { _, _, err := tb.ListCustomerOrders(ctx, "c-1", "", 10); return err },
		"HomeFeed":           func(tb *Table) error { _, _, err := tb.HomeFeed(ctx, "c-1", 5); return err },
		"RecordNotification": func(tb *Table) error {
			_, err := tb.RecordNotification(ctx, domain.Notification{OrderID: "o-1", EventID: "e-1", CustomerID: "c-1", SentAt: now})
			return err
		},
		"ListNotifications": func(tb *Table) error { _, err := tb.ListNotifications(ctx, "o-1"); return err },
		"SaveTracking": func(tb *Table) error {
			return tb.SaveTracking(ctx, domain.TrackingPosition{OrderID: "o-1", CourierID: "k-1", RecordedAt: now})
		},
		"GetTracking":       func(tb *Table) error { _, err := tb.GetTracking(ctx, "o-1"); return err },
		"GetCourier":        func(tb *Table) error { _, err := tb.GetCourier(ctx, "k-1"); return err },
		"CreateCourier":     func(tb *Table) error { _, err := tb.CreateCourier(ctx, courier); return err },
		"AvailableCouriers": func(tb *Table) error { _, err := tb.AvailableCouriers(ctx, ring); return err },
		"AssignCourier":     func(tb *Table) error { return tb.AssignCourier(ctx, order, "k-1", now) },
		"ReleaseCourier":    func(tb *Table) error { return tb.ReleaseCourier(ctx, order, now) },
		"MoveCourier": func(tb *Table) error {
			return tb.MoveCourier(ctx, courier, domain.Fix{Location: domain.LatLng{Lat: 52.5, Lng: 13.4}, RecordedAt: now}, now)
		},
		"BeginCharge": func(tb *Table) error {
			_, _, err := tb.BeginCharge(ctx, domain.Charge{OrderID: "o-1", CreatedAt: now})
			return err
		},
		"SettleCharge":  func(tb *Table) error { return tb.SettleCharge(ctx, order, domain.Charge{OrderID: "o-1"}) },
		"ResolveCharge": func(tb *Table) error { return tb.ResolveCharge(ctx, domain.Charge{OrderID: "o-1"}) },
		"GetCharge":     func(tb *Table) error { _, err := tb.GetCharge(ctx, "o-1"); return err },
		"BeginRefund": func(tb *Table) error {
			_, _, err := tb.BeginRefund(ctx, domain.Refund{OrderID: "o-1", CreatedAt: now})
			return err
		},
		"SettleRefund": func(tb *Table) error { return tb.SettleRefund(ctx, order, domain.Refund{OrderID: "o-1"}) },
		"GetRefund":    func(tb *Table) error { _, err := tb.GetRefund(ctx, "o-1"); return err },
		"ListAwaiting": func(tb *Table) error {
			_, err := tb.ListAwaiting(ctx, domain.StatusPaid, now.Add(-time.Hour), now, 10)
			return err
		},
		"CountAwaiting": func(tb *Table) error { _, err := tb.CountAwaiting(ctx, domain.StatusPaid); return err },
		"QueryOrderPartition": func(tb *Table) error {
			_, err := tb.QueryOrderPartition(ctx, &dynamodb.QueryInput{KeyConditionExpression: aws.String("PK = :pk"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: "ORDER#o-1"}}})
			return err
		},
		"RecordFailure": func(tb *Table) error {
			return tb.RecordFailure(ctx, queue.Failure{MessageID: "m-1", Consumer: "payment", FailedAt: now})
		},
		"GetFailure": func(tb *Table) error { _, err := tb.GetFailure(ctx, "m-1"); return err },
		"SaveConnection": func(tb *Table) error {
			return tb.SaveConnection(ctx, realtime.Connection{ID: "cn-1", Subject: "c-1", ConnectedAt: now, ExpiresAt: now.Add(time.Hour)})
		},
		"GetConnection": func(tb *Table) error { _, err := tb.GetConnection(ctx, "cn-1"); return err },
		"DeleteConnection": func(tb *Table) error {
			return tb.DeleteConnection(ctx, realtime.Connection{ID: "cn-1", Orders: []string{"o-1"}})
		},
		"Subscribe":   func(tb *Table) error { return tb.Subscribe(ctx, subscriber) },
		"Subscribers": func(tb *Table) error { _, err := tb.Subscribers(ctx, "o-1", now); return err },
		"Unsubscribe": func(tb *Table) error { return tb.Unsubscribe(ctx, subscriber) },
		"NextSeq":     func(tb *Table) error { _, err := tb.NextSeq(ctx, "o-1", 1); return err },
		"CurrentSeq":  func(tb *Table) error { _, err := tb.CurrentSeq(ctx, "o-1"); return err },
		"ClaimDelivery": func(tb *Table) error {
			_, _, err := tb.ClaimDelivery(ctx, domain.Delivery{OrderID: "o-1", EventID: "e-1", Channel: domain.ChannelEmail, ClaimedAt: now}, now)
			return err
		},
		"FinishDelivery": func(tb *Table) error {
			return tb.FinishDelivery(ctx, domain.Delivery{OrderID: "o-1", EventID: "e-1", Channel: domain.ChannelEmail, Status: domain.DeliverySent})
		},
		"ListDeliveries": func(tb *Table) error { _, err := tb.ListDeliveries(ctx, "o-1"); return err },
		"GetPreferences": func(tb *Table) error { _, _, err := tb.GetPreferences(ctx, "c-1"); return err },
		"PutPreferences": func(tb *Table) error { return tb.PutPreferences(ctx, "c-1", domain.DefaultPreferences("")) },
		"ListInbox":      func(tb *Table) error { _, _, err := tb.ListInbox(ctx, "c-1", "", 10); return err },
		"CountUnread":    func(tb *Table) error { _, err := tb.CountUnread(ctx, "c-1"); return err },
		"MarkRead":       func(tb *Table) error { _, err := tb.MarkRead(ctx, "c-1", []string{"e-1"}, nil, now); return err },
	}
	// Every exported method of Table is either called here or deliberately none of a function's business.
	typ := reflect.TypeFor[*Table]()
	for i := range typ.NumMethod() {
		name := typ.Method(i).Name
		if _, ok := calls[name]; !ok {
			t.Errorf("Table.%s is not exercised here: add it and its MethodAccess entry", name)
		}
	}
	for name, want := range MethodAccess {
		call, ok := calls[name]
		if !ok {
			t.Errorf("MethodAccess[%s] names no method exercised here", name)
			continue
		}
		var got Access
		for _, conflict := range []bool{false, true} {
			rec := &recorder{conflict: conflict}
			_ = call(New(rec, "table")) // errors are expected on the conflict path; what was asked is what counts
			got.Actions = append(got.Actions, rec.got.Actions...)
			got.Prefixes = append(got.Prefixes, rec.got.Prefixes...)
			got.Indexes = append(got.Indexes, rec.got.Indexes...)
		}
		for _, s := range []*[]string{&got.Actions, &got.Prefixes, &got.Indexes, &want.Actions, &want.Prefixes, &want.Indexes} {
			*s = slices.Clone(*s)
			slices.Sort(*s)
			*s = slices.Compact(*s)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s does %+v, MethodAccess says %+v", name, got, want)
		}
	}
}

// TestAccessForNamesEveryMethodOfThePorts checks the union, and that an unknown method is refused.
func TestAccessForNamesEveryMethodOfThePorts(t *testing.T) {
	type port interface {
		GetOrder(ctx context.Context, id string) (domain.Order, error)
		ListAwaiting(ctx context.Context, s domain.Status, from, to time.Time, limit int) ([]domain.Order, error)
	}
	got, err := AccessFor((*port)(nil))
	want := Access{Actions: []string{getItem}, Prefixes: []string{orderPrefix}, Indexes: []string{gsi2}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("AccessFor = %+v, %v; want %+v", got, err, want)
	}
	type unknown interface {
		DropTable(ctx context.Context) error
	}
	if _, err := AccessFor((*unknown)(nil)); err == nil {
		t.Fatal("AccessFor accepted a method with no MethodAccess entry")
	}
}
