package store

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/tracecontext"
)

// CreateOrder stores a new order; domain.ErrConflict if the id exists.
func (t *Table) CreateOrder(ctx context.Context, o domain.Order) error {
	o.TraceParent = tracecontext.ForWrite(ctx, o.TraceParent)
	if err := t.putNew(ctx, toOrderItem(o)); err != nil {
		return fmt.Errorf("create order %s: %w", o.ID, err)
	}
	return nil
}

// GetOrder reads an order; domain.ErrNotFound if there is none.
func (t *Table) GetOrder(ctx context.Context, id string) (domain.Order, error) {
	var it orderItem
	if err := t.get(ctx, orderKey(id), &it); err != nil {
		return domain.Order{}, fmt.Errorf("get order %s: %w", id, err)
	}
	return it.domain(), nil
}

// UpdateOrder stores a transitioned order if nobody wrote it since it was read.
func (t *Table) UpdateOrder(ctx context.Context, o domain.Order) error {
	if err := t.saveOrder(ctx, o); err != nil {
		return fmt.Errorf("update order %s to %s: %w", o.ID, o.Status, err)
	}
	return nil
}

// RecordNotification stores a notification unless one for the same event was
// stored before; created is false for such a duplicate. A customer's
// notification is counted unread in the same transaction (store/inbox.go).
func (t *Table) RecordNotification(ctx context.Context, n domain.Notification) (created bool, err error) {
	if n.CustomerID != "" {
		created, err = t.recordInboxItem(ctx, n)
		if err != nil {
			return false, fmt.Errorf("record notification %s: %w", n.EventID, err)
		}
		return created, nil
	}
	err = t.putNew(ctx, toNotificationItem(n))
	switch {
	case err == nil:
		return true, nil
	case isConflict(err):
		return false, nil
	}
	return false, fmt.Errorf("record notification %s: %w", n.EventID, err)
}

// ListNotifications returns what the customer was told about an order, oldest first. The items' sort key is the
// event id, a hash, so the order of the query is no order at all.
func (t *Table) ListNotifications(ctx context.Context, orderID string) ([]domain.Notification, error) {
	var items []notificationItem
	err := t.query(ctx, &dynamodb.QueryInput{
		KeyConditionExpression: aws.String("PK = :pk AND begins_with(SK, :sk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: orderPrefix + orderID},
			":sk": &types.AttributeValueMemberS{Value: notificationPrefix},
		},
	}, &items)
	if err != nil {
		return nil, fmt.Errorf("list notifications of order %s: %w", orderID, err)
	}
	out := make([]domain.Notification, len(items))
	for i, it := range items {
		out[i] = it.domain()
	}
	domain.SortNotifications(out)
	return out, nil
}

// SaveTracking stores the courier's latest position on an order.
func (t *Table) SaveTracking(ctx context.Context, p domain.TrackingPosition) error {
	av, err := attributevalue.MarshalMap(toTrackingItem(p))
	if err != nil {
		return err
	}
	_, err = t.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &t.name, Item: av,
		// Batches can arrive out of order; never replace a newer position.
		ConditionExpression: aws.String("attribute_not_exists(PK) OR recorded_at_ms <= :at"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":at": av["recorded_at_ms"],
		},
	})
	if err = conditionError(err); err != nil && !isConflict(err) {
		return fmt.Errorf("save tracking of order %s: %w", p.OrderID, err)
	}
	return nil
}

// GetTracking reads the courier's latest position on an order.
func (t *Table) GetTracking(ctx context.Context, orderID string) (domain.TrackingPosition, error) {
	var it trackingItem
	if err := t.get(ctx, keys{PK: orderPrefix + orderID, SK: trackingSK}, &it); err != nil {
		return domain.TrackingPosition{}, fmt.Errorf("get tracking of order %s: %w", orderID, err)
	}
	return it.domain(), nil
}

func isConflict(err error) bool { return errors.Is(err, domain.ErrConflict) }

// MaxPageSize bounds one page of a customer's order list.
const MaxPageSize = 100

// ListCustomerOrders returns one page of a customer's orders, newest first,
// and the cursor of the next page ("" at the end). The cursor is the opaque,
// base64-encoded key DynamoDB resumes from; a cursor that does not belong to
// this customer is refused, so nobody can page through another's orders.
func (t *Table) ListCustomerOrders(ctx context.Context, customerID, cursor string, limit int) ([]domain.Order, string, error) {
	// Below the unread counter, which shares the partition (store/inbox.go).
	items, next, err := newestFirstPage[orderItem](ctx, t, customerPrefix+customerID, unreadGSI1SK, cursor, limit, "your order list")
	if err != nil {
		return nil, "", fmt.Errorf("list orders of %s: %w", customerID, err)
	}
	orders := make([]domain.Order, len(items))
	for i, it := range items {
		orders[i] = it.domain()
	}
	return orders, next, nil
}

// newestFirstPage reads one page of the GSI1 partition pk, newest first, from
// cursor ("" for the first page), and returns its items and the cursor of the
// next page ("" at the end); with below set, only the items whose GSI1SK sorts
// below it. A cursor of another partition is refused as an invalid `cursor`,
// naming the list it is not a cursor of.
func newestFirstPage[T any](ctx context.Context, t *Table, pk, below, cursor string, limit int, list string) ([]T, string, error) {
	in := &dynamodb.QueryInput{
		TableName:              &t.name,
		IndexName:              aws.String(gsi1),
		KeyConditionExpression: aws.String("GSI1PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: pk},
		},
		ScanIndexForward: aws.Bool(false),
		Limit:            aws.Int32(int32(min(max(limit, 1), MaxPageSize))),
	}
	if below != "" {
		in.KeyConditionExpression = aws.String("GSI1PK = :pk AND GSI1SK < :below")
		in.ExpressionAttributeValues[":below"] = &types.AttributeValueMemberS{Value: below}
	}
	if cursor != "" {
		start, err := decodeCursor(cursor)
		if err != nil || stringAttr(start, "GSI1PK") != pk {
			return nil, "", domain.Invalid("cursor", "is not a cursor of %s", list)
		}
		in.ExclusiveStartKey = start
	}
	res, err := t.db.Query(ctx, in)
	if err != nil {
		return nil, "", err
	}
	var items []T
	if err := attributevalue.UnmarshalListOfMaps(res.Items, &items); err != nil {
		return nil, "", err
	}
	next := ""
	if len(res.LastEvaluatedKey) > 0 {
		if next, err = encodeCursor(res.LastEvaluatedKey); err != nil {
			return nil, "", err
		}
	}
	return items, next, nil
}

// cursorKey is the part of a GSI1 key a cursor carries.
type cursorKey struct {
	PK     string `json:"pk"`
	SK     string `json:"sk"`
	GSI1PK string `json:"g1pk"`
	GSI1SK string `json:"g1sk"`
}

func encodeCursor(key map[string]types.AttributeValue) (string, error) {
	raw, err := json.Marshal(cursorKey{PK: stringAttr(key, "PK"), SK: stringAttr(key, "SK"),
		GSI1PK: stringAttr(key, "GSI1PK"), GSI1SK: stringAttr(key, "GSI1SK")})
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(raw), nil
}

func decodeCursor(cursor string) (map[string]types.AttributeValue, error) {
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return nil, err
	}
	var k cursorKey
	if err := json.Unmarshal(raw, &k); err != nil {
		return nil, err
	}
	if k.PK == "" || k.SK == "" || k.GSI1PK == "" || k.GSI1SK == "" {
		return nil, errors.New("incomplete cursor")
	}
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	return map[string]types.AttributeValue{"PK": s(k.PK), "SK": s(k.SK), "GSI1PK": s(k.GSI1PK), "GSI1SK": s(k.GSI1SK)}, nil
}
