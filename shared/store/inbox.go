package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
)

// The customer's inbox across orders: every inbox item carries GSI1 keys
// INBOX#<sub> / <sent_at>#<event id> (newest first is one query), and, while
// unread, GSI2 keys UNREAD#<sub> / the same (the unread count is one COUNT
// query of a sparse index that holds only the unread).
const (
	inboxPrefix  = "INBOX#"
	unreadPrefix = "UNREAD#"
)

func inboxKeys(n domain.Notification) (gsi1pk, gsi1sk string) {
	return inboxPrefix + n.CustomerID, sortableTime(n.SentAt) + "#" + n.EventID
}

// ListInbox returns one page of a customer's notifications across all their
// orders, newest first, and the cursor of the next page ("" at the end). A
// cursor of another customer's inbox is refused.
func (t *Table) ListInbox(ctx context.Context, customerID, cursor string, limit int) ([]domain.Notification, string, error) {
	items, next, err := newestFirstPage[notificationItem](ctx, t, inboxPrefix+customerID, cursor, limit, "your notifications")
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

// CountUnread counts a customer's unread notifications.
func (t *Table) CountUnread(ctx context.Context, customerID string) (int, error) {
	in := &dynamodb.QueryInput{
		TableName:              &t.name,
		IndexName:              aws.String(gsi2),
		KeyConditionExpression: aws.String("GSI2PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: unreadPrefix + customerID},
		},
		Select: types.SelectCount,
	}
	n := 0
	p := dynamodb.NewQueryPaginator(t.db, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return 0, fmt.Errorf("count unread notifications of %s: %w", customerID, err)
		}
		n += int(page.Count)
	}
	return n, nil
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
		_, err = t.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: &t.name,
			Key:       mustKey(it.keys),
			// Leaving the unread index is what makes it read; the condition makes a
			// second mark (a retry, a race) a no-op.
			UpdateExpression:    aws.String("SET read_at = :at REMOVE GSI2PK, GSI2SK"),
			ConditionExpression: aws.String("GSI2PK = :unread AND customer_id = :me"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":at":     readAt,
				":unread": &types.AttributeValueMemberS{Value: unreadPrefix + customerID},
				":me":     &types.AttributeValueMemberS{Value: customerID},
			},
		})
		if err = conditionError(err); err != nil {
			if isConflict(err) {
				continue
			}
			return marked, fmt.Errorf("mark notification %s read: %w", it.EventID, err)
		}
		marked++
	}
	return marked, nil
}
