package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
)

// The customer's inbox across orders: every inbox item carries GSI1 keys
// INBOX#<sub> / <sent_at>#<event id> (newest first is one query), and, while
// unread, GSI2 keys UNREAD#<sub> / the same (a sparse index that holds only the
// unread, which marking read "up to a time" walks).
//
// How many are unread is one counter item per customer, CUSTOMER#<sub> / UNREAD,
// changed in the same transaction as the notification it counts: +1 with the
// conditional put that stores a notification once per event (a duplicate event
// fails the put, so the whole transaction, and counts nothing), -1 with the
// conditional update that marks one read (a second mark fails, and uncounts
// nothing). It carries the GSI1 keys of the customer's order list,
// CUSTOMER#<sub> / "~UNREAD", whose sort key sorts after every order's
// timestamp: the newest-first query that reads the home screen's recent orders
// reads the count as its first item, for no extra call (HomeFeed).
const (
	inboxPrefix  = "INBOX#"
	unreadPrefix = "UNREAD#"
	unreadSK     = "UNREAD"
	// unreadGSI1SK sorts after every order's GSI1SK (a time, sortableTime): first, newest first.
	unreadGSI1SK = "~UNREAD"
	typeUnread   = "unread_count"
)

// unreadItem is the counter; only its key and count are ever read.
type unreadItem struct {
	keys
	Type   string `dynamodbav:"type"`
	Unread int    `dynamodbav:"unread"`
}

func unreadKey(customerID string) keys { return keys{PK: customerPrefix + customerID, SK: unreadSK} }

// unreadChange is the transaction item that adds delta to the customer's
// unread count, creating the counter (with its GSI1 keys) the first time.
func (t *Table) unreadChange(customerID string, delta int) types.TransactWriteItem {
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	return types.TransactWriteItem{Update: &types.Update{
		TableName:                &t.name,
		Key:                      mustKey(unreadKey(customerID)),
		UpdateExpression:         aws.String("SET GSI1PK = :g1pk, GSI1SK = :g1sk, #type = :type, customer_id = :me ADD unread :n"),
		ExpressionAttributeNames: map[string]string{"#type": "type"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":g1pk": s(customerPrefix + customerID), ":g1sk": s(unreadGSI1SK), ":type": s(typeUnread), ":me": s(customerID),
			":n": &types.AttributeValueMemberN{Value: strconv.Itoa(delta)},
		},
	}}
}

// recordInboxItem stores a customer's notification and counts it unread, in one
// transaction; created is false when the event's notification was stored before
// (its put's condition failed, so nothing was counted).
func (t *Table) recordInboxItem(ctx context.Context, n domain.Notification) (created bool, err error) {
	av, err := attributevalue.MarshalMap(toNotificationItem(n))
	if err != nil {
		return false, err
	}
	_, err = t.transact(ctx, []types.TransactWriteItem{
		{Put: &types.Put{TableName: &t.name, Item: av, ConditionExpression: aws.String("attribute_not_exists(PK)")}},
		t.unreadChange(n.CustomerID, 1),
	})
	switch {
	case err == nil:
		return true, nil
	case isConflict(err): // only the put has a condition
		return false, nil
	}
	return false, err
}

func inboxKeys(n domain.Notification) (gsi1pk, gsi1sk string) {
	return inboxPrefix + n.CustomerID, sortableTime(n.SentAt) + "#" + n.EventID
}

// ListInbox returns one page of a customer's notifications across all their
// orders, newest first, and the cursor of the next page ("" at the end). A
// cursor of another customer's inbox is refused.
func (t *Table) ListInbox(ctx context.Context, customerID, cursor string, limit int) ([]domain.Notification, string, error) {
	items, next, err := newestFirstPage[notificationItem](ctx, t, inboxPrefix+customerID, "", cursor, limit, "your notifications")
	if err != nil {
		return nil, "", fmt.Errorf("inbox of %s: %w", customerID, err)
	}
	out := make([]domain.Notification, len(items))
	for i, it := range items {
		out[i] = it.domain()
	}
	return out, next, nil
}

// unread returns the customer's unread notifications (keys and times only).
func (t *Table) unread(ctx context.Context, customerID string) ([]notificationItem, error) {
	var items []notificationItem
	err := t.query(ctx, &dynamodb.QueryInput{
		IndexName:              aws.String(gsi2),
		KeyConditionExpression: aws.String("GSI2PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: unreadPrefix + customerID},
		},
	}, &items)
	if err != nil {
		return nil, fmt.Errorf("unread notifications of %s: %w", customerID, err)
	}
	return items, nil
}

// CountUnread is how many of a customer's notifications are unread: their
// counter, read with one consistent GetItem (0 before their first notification).
func (t *Table) CountUnread(ctx context.Context, customerID string) (int, error) {
	var it unreadItem
	err := t.get(ctx, unreadKey(customerID), &it)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		return 0, nil
	case err != nil:
		return 0, fmt.Errorf("count unread notifications of %s: %w", customerID, err)
	}
	return max(it.Unread, 0), nil
}

// HomeFeed returns a customer's limit newest orders and how many of their
// notifications are unread, from one Query: the newest-first page of their GSI1
// partition, whose first item is the unread counter when they have one. The
// count comes from an index, so it may lag a write by the index's propagation
// (GET /me/notifications reads the counter itself).
func (t *Table) HomeFeed(ctx context.Context, customerID string, limit int) (recent []domain.Order, unread int, err error) {
	limit = min(max(limit, 1), MaxPageSize)
	res, err := t.db.Query(ctx, &dynamodb.QueryInput{
		TableName:              &t.name,
		IndexName:              aws.String(gsi1),
		KeyConditionExpression: aws.String("GSI1PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: customerPrefix + customerID},
		},
		ScanIndexForward: aws.Bool(false),
		Limit:            aws.Int32(int32(limit + 1)), // the counter and limit orders
	})
	if err != nil {
		return nil, 0, fmt.Errorf("home feed of %s: %w", customerID, err)
	}
	for _, av := range res.Items {
		if stringAttr(av, "type") == typeUnread {
			var it unreadItem
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return nil, 0, fmt.Errorf("decode the unread count of %s: %w", customerID, err)
			}
			unread = max(it.Unread, 0)
			continue
		}
		if len(recent) == limit {
			continue
		}
		var it orderItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return nil, 0, fmt.Errorf("decode an order of %s: %w", customerID, err)
		}
		recent = append(recent, it.domain())
	}
	return recent, unread, nil
}

// MarkRead marks read the customer's unread notifications whose event id is
// in eventIDs or that were sent at or before upTo, and returns how many it
// marked. Ids that are not the customer's, or already read, are passed over:
// marking read is idempotent.
func (t *Table) MarkRead(ctx context.Context, customerID string, eventIDs []string, upTo *time.Time, at time.Time) (int, error) {
	items, err := t.unread(ctx, customerID)
	if err != nil {
		return 0, err
	}
	marked := 0
	for _, it := range items {
		if !slices.Contains(eventIDs, it.EventID) && (upTo == nil || it.SentAt.After(*upTo)) {
			continue
		}
		readAt, err := attributevalue.Marshal(at)
		if err != nil {
			return marked, err
		}
		_, err = t.transact(ctx, []types.TransactWriteItem{{Update: &types.Update{
			TableName: &t.name,
			Key:       mustKey(it.keys),
			// Leaving the unread index is what makes it read; the condition makes a
			// second mark (a retry, a race) a no-op, and its transaction uncounts nothing.
			UpdateExpression:    aws.String("SET read_at = :at REMOVE GSI2PK, GSI2SK"),
			ConditionExpression: aws.String("GSI2PK = :unread AND customer_id = :me"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":at":     readAt,
				":unread": &types.AttributeValueMemberS{Value: unreadPrefix + customerID},
				":me":     &types.AttributeValueMemberS{Value: customerID},
			},
		}}, t.unreadChange(customerID, -1)})
		if err != nil {
			if isConflict(err) { // only the mark has a condition
				continue
			}
			return marked, fmt.Errorf("mark notification %s read: %w", it.EventID, err)
		}
		marked++
	}
	return marked, nil
}
