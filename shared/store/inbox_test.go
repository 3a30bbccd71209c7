package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
)

// scripted is a DynamoDB client that records every call and answers queries and transactions as told.
type scripted struct {
	calls   []string
	queries []*dynamodb.QueryInput
	txs     []*dynamodb.TransactWriteItemsInput
	items   []map[string]types.AttributeValue // what a Query answers
	cancel  bool                              // transactions fail their first item's condition
}

func (s *scripted) GetItem(_ context.Context, _ *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	s.calls = append(s.calls, "GetItem")
	return &dynamodb.GetItemOutput{}, nil
}

func (s *scripted) PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	s.calls = append(s.calls, "PutItem")
	return &dynamodb.PutItemOutput{}, nil
}

func (s *scripted) UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	s.calls = append(s.calls, "UpdateItem")
	return &dynamodb.UpdateItemOutput{}, nil
}

func (s *scripted) Query(_ context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	s.calls = append(s.calls, "Query")
	s.queries = append(s.queries, in)
	return &dynamodb.QueryOutput{Items: s.items}, nil
}

func (s *scripted) TransactWriteItems(_ context.Context, in *dynamodb.TransactWriteItemsInput, _ ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	s.calls = append(s.calls, "TransactWriteItems")
	s.txs = append(s.txs, in)
	if s.cancel {
		reasons := make([]types.CancellationReason, len(in.TransactItems))
		for i := range reasons {
			reasons[i].Code = aws.String("None")
		}
		reasons[0].Code = aws.String("ConditionalCheckFailed")
		return nil, &types.TransactionCanceledException{Message: aws.String("test"), CancellationReasons: reasons}
	}
	return &dynamodb.TransactWriteItemsOutput{}, nil
}

func (s *scripted) BatchWriteItem(context.Context, *dynamodb.BatchWriteItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	s.calls = append(s.calls, "BatchWriteItem")
	return &dynamodb.BatchWriteItemOutput{}, nil
}

func counterItem(t *testing.T, n int) map[string]types.AttributeValue {
	t.Helper()
	av, err := attributevalue.MarshalMap(struct {
		unreadItem
		GSI1PK string `dynamodbav:"GSI1PK"`
		GSI1SK string `dynamodbav:"GSI1SK"`
	}{unreadItem{keys: unreadKey("c-1"), Type: typeUnread, Unread: n}, customerPrefix + "c-1", unreadGSI1SK})
	if err != nil {
		t.Fatal(err)
	}
	return av
}

// TestHomeFeedIsOneQueryWithTheUnreadCount: the newest orders and the unread count come from one Query of the
// customer's GSI1 partition, newest first, one item more than the orders wanted (the counter sorts first).
func TestHomeFeedIsOneQueryWithTheUnreadCount(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	db := &scripted{items: []map[string]types.AttributeValue{counterItem(t, 3)}}
	for i := range 6 {
		o := sampleOrder()
		o.ID, o.CustomerID, o.CreatedAt = "o-"+string(rune('a'+i)), "c-1", now.Add(-time.Duration(i)*time.Minute)
		av, err := attributevalue.MarshalMap(toOrderItem(o))
		if err != nil {
			t.Fatal(err)
		}
		db.items = append(db.items, av)
	}
	recent, unread, err := New(db, "table").HomeFeed(context.Background(), "c-1", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(db.calls) != 1 || db.calls[0] != "Query" {
		t.Fatalf("calls %v, want one Query", db.calls)
	}
	q := db.queries[0]
	if aws.ToString(q.IndexName) != gsi1 || aws.ToBool(q.ScanIndexForward) || aws.ToInt32(q.Limit) != 6 ||
		q.ExpressionAttributeValues[":pk"].(*types.AttributeValueMemberS).Value != "CUSTOMER#c-1" {
		t.Errorf("query %+v, want GSI1 CUSTOMER#c-1 newest first, limit 6", q)
	}
	if unread != 3 || len(recent) != 5 || recent[0].ID != "o-a" || recent[4].ID != "o-e" {
		t.Errorf("unread %d, recent %d (first %v), want 3 and the 5 newest", unread, len(recent), recent)
	}

	// A customer never notified has no counter: 0, and all the orders asked for.
	db.items, db.calls = db.items[1:], nil
	if recent, unread, err = New(db, "table").HomeFeed(context.Background(), "c-1", 5); err != nil || unread != 0 || len(recent) != 5 || len(db.calls) != 1 {
		t.Errorf("without a counter: unread %d recent %d calls %v err %v", unread, len(recent), db.calls, err)
	}
}

// TestTheCounterStaysOutOfTheOrderList: its GSI1 sort key sorts after any order's (so it is the home query's first
// item) and the order list's key condition stops below it.
func TestTheCounterStaysOutOfTheOrderList(t *testing.T) {
	o := sampleOrder()
	o.CreatedAt = time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)
	if sk := toOrderItem(o).GSI1SK; sk >= unreadGSI1SK {
		t.Fatalf("an order's GSI1SK %q sorts at or after the counter's %q", sk, unreadGSI1SK)
	}
	db := &scripted{}
	if _, _, err := New(db, "table").ListCustomerOrders(context.Background(), "c-1", "", 10); err != nil {
		t.Fatal(err)
	}
	q := db.queries[0]
	below, _ := q.ExpressionAttributeValues[":below"].(*types.AttributeValueMemberS)
	if !strings.Contains(aws.ToString(q.KeyConditionExpression), "GSI1SK < :below") || below == nil || below.Value != unreadGSI1SK {
		t.Errorf("order list query %q %v does not stop below the counter", aws.ToString(q.KeyConditionExpression), q.ExpressionAttributeValues)
	}
}

// TestInboxWritesCountInTheSameTransaction: a notification is stored and counted +1 in one transaction whose put is
// conditional; when that condition fails (the event's notification exists: a duplicate delivery) nothing is
// created, and that is not an error. Marking one read is its conditional update and -1, in one transaction.
func TestInboxWritesCountInTheSameTransaction(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	n := domain.Notification{OrderID: "o-1", EventID: "e-1", CustomerID: "c-1", Channel: domain.ChannelInbox, SentAt: now}
	db := &scripted{}
	created, err := New(db, "table").RecordNotification(ctx, n)
	if err != nil || !created || len(db.calls) != 1 || db.calls[0] != "TransactWriteItems" {
		t.Fatalf("created %v err %v calls %v, want one transaction", created, err, db.calls)
	}
	checkTx(t, db.txs[0], "ORDER#o-1", "attribute_not_exists(PK)", "1")

	db = &scripted{cancel: true}
	if created, err := New(db, "table").RecordNotification(ctx, n); err != nil || created {
		t.Errorf("duplicate: created %v err %v, want false and no error", created, err)
	}

	db = &scripted{items: []map[string]types.AttributeValue{{
		"PK": &types.AttributeValueMemberS{Value: "ORDER#o-1"}, "SK": &types.AttributeValueMemberS{Value: "NOTIFICATION#e-1"},
		"event_id": &types.AttributeValueMemberS{Value: "e-1"}, "sent_at": &types.AttributeValueMemberS{Value: "2026-11-23T12:00:00Z"},
	}}}
	if marked, err := New(db, "table").MarkRead(ctx, "c-1", []string{"e-1"}, nil, now); err != nil || marked != 1 {
		t.Fatalf("mark read: %d %v", marked, err)
	}
	checkTx(t, db.txs[0], "ORDER#o-1", "GSI2PK = :unread AND customer_id = :me", "-1")
	db.cancel, db.txs = true, nil
	if marked, err := New(db, "table").MarkRead(ctx, "c-1", []string{"e-1"}, nil, now); err != nil || marked != 0 {
		t.Errorf("mark read again (already read): %d %v, want 0 and no error", marked, err)
	}
}

// checkTx: item 0 writes the notification under its condition, item 1 adds delta to CUSTOMER#c-1 / UNREAD.
func checkTx(t *testing.T, tx *dynamodb.TransactWriteItemsInput, pk, condition, delta string) {
	t.Helper()
	if len(tx.TransactItems) != 2 {
		t.Fatalf("transaction of %d items, want 2", len(tx.TransactItems))
	}
	first, counter := tx.TransactItems[0], tx.TransactItems[1].Update
	var key map[string]types.AttributeValue
	var cond *string
	switch {
	case first.Put != nil:
		key, cond = first.Put.Item, first.Put.ConditionExpression
	case first.Update != nil:
		key, cond = first.Update.Key, first.Update.ConditionExpression
	}
	if stringAttr(key, "PK") != pk || aws.ToString(cond) != condition {
		t.Errorf("first item %s under %q, want %s under %q", stringAttr(key, "PK"), aws.ToString(cond), pk, condition)
	}
	if counter == nil || stringAttr(counter.Key, "PK") != "CUSTOMER#c-1" || stringAttr(counter.Key, "SK") != unreadSK ||
		counter.ConditionExpression != nil || !strings.Contains(aws.ToString(counter.UpdateExpression), "ADD unread :n") {
		t.Fatalf("counter item %+v", counter)
	}
	if n := counter.ExpressionAttributeValues[":n"].(*types.AttributeValueMemberN).Value; n != delta {
		t.Errorf("counter delta %s, want %s", n, delta)
	}
	if stringAttr(counter.ExpressionAttributeValues, ":g1sk") != unreadGSI1SK {
		t.Errorf("counter's GSI1SK %v", counter.ExpressionAttributeValues[":g1sk"])
	}
}
