package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/realtime"
	"github.com/fooddelivery/serverless-food-delivery/shared/store/streamimage"
)

// Items of the live-tracking WebSocket API (shared/realtime). A connection has its own partition; its
// subscriptions and the order's push sequence counter live in the order's partition, so the push reads an order's
// subscribers with one Query beside the order.
const (
	connectionPrefix   = "CONN#"
	connectionSK       = "CONN"
	subscriptionPrefix = "SUB#"
	pushSeqSK          = "PUSH"
	// ItemTypeTracking is the "type" of courier position items, which the push function's stream filter selects
	// besides order items.
	ItemTypeTracking = typeTracking
	typeConnection   = "ws_connection"
	typeSubscription = "ws_subscription"
	typePushSeq      = "push_seq"
	// pushSeqTTL keeps an order's sequence counter well past any connection that could be watching it.
	pushSeqTTL = 7 * 24 * time.Hour
)

type connectionItem struct {
	keys
	Type        string    `dynamodbav:"type"`
	ID          string    `dynamodbav:"connection_id"`
	Subject     string    `dynamodbav:"subject"`
	Ops         bool      `dynamodbav:"ops"`
	Orders      []string  `dynamodbav:"orders,stringset,omitempty"`
	ConnectedAt time.Time `dynamodbav:"connected_at"`
	ExpiresAt   int64     `dynamodbav:"expires_at"`
}

type subscriptionItem struct {
	keys
	Type         string `dynamodbav:"type"`
	OrderID      string `dynamodbav:"order_id"`
	ConnectionID string `dynamodbav:"connection_id"`
	Subject      string `dynamodbav:"subject"`
	Role         string `dynamodbav:"role"`
	ExpiresAt    int64  `dynamodbav:"expires_at"`
}

func connectionKey(id string) keys { return keys{PK: connectionPrefix + id, SK: connectionSK} }
func subscriptionKey(orderID, connID string) keys {
	return keys{PK: orderPrefix + orderID, SK: subscriptionPrefix + connID}
}
func pushSeqKey(orderID string) keys { return keys{PK: orderPrefix + orderID, SK: pushSeqSK} }

// SaveConnection stores a new connection.
func (t *Table) SaveConnection(ctx context.Context, c realtime.Connection) error {
	av, err := attributevalue.MarshalMap(connectionItem{keys: connectionKey(c.ID), Type: typeConnection, ID: c.ID,
		Subject: c.Subject, Ops: c.Ops, ConnectedAt: c.ConnectedAt, ExpiresAt: c.ExpiresAt.Unix()})
	if err != nil {
		return err
	}
	_, err = t.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &t.name, Item: av})
	return err
}

// GetConnection reads a connection; an expired one (TTL deletes lazily) is domain.ErrNotFound.
func (t *Table) GetConnection(ctx context.Context, id string) (realtime.Connection, error) {
	var it connectionItem
	if err := t.get(ctx, connectionKey(id), &it); err != nil {
		return realtime.Connection{}, fmt.Errorf("get connection %s: %w", id, err)
	}
	exp := time.Unix(it.ExpiresAt, 0).UTC()
	if !time.Now().Before(exp) {
		return realtime.Connection{}, fmt.Errorf("connection %s expired: %w", id, domain.ErrNotFound)
	}
	return realtime.Connection{ID: it.ID, Subject: it.Subject, Ops: it.Ops, Orders: it.Orders,
		ConnectedAt: it.ConnectedAt, ExpiresAt: exp}, nil
}

// DeleteConnection deletes the connection and its subscriptions in one BatchWriteItem (at most
// realtime.MaxSubscriptions+1 ≤ 25 items).
func (t *Table) DeleteConnection(ctx context.Context, c realtime.Connection) error {
	ks := []keys{connectionKey(c.ID)}
	for _, o := range c.Orders {
		ks = append(ks, subscriptionKey(o, c.ID))
	}
	return t.deleteKeys(ctx, ks)
}

func (t *Table) deleteKeys(ctx context.Context, ks []keys) error {
	reqs := make([]types.WriteRequest, 0, len(ks))
	for _, k := range ks {
		reqs = append(reqs, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: mustKey(k)}})
	}
	for attempt := 0; len(reqs) > 0; attempt++ {
		if attempt == 3 {
			return fmt.Errorf("delete %d items: still unprocessed after %d attempts", len(reqs), attempt)
		}
		out, err := t.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{
			RequestItems: map[string][]types.WriteRequest{t.name: reqs},
		})
		if err != nil {
			return fmt.Errorf("delete %d items: %w", len(reqs), err)
		}
		reqs = out.UnprocessedItems[t.name]
		if len(reqs) > 0 {
			time.Sleep(time.Duration(50<<attempt) * time.Millisecond)
		}
	}
	return nil
}

// Subscribe adds the order to the connection's set (refused past realtime.MaxSubscriptions, idempotent for an
// order already in it) and stores the subscription.
func (t *Table) Subscribe(ctx context.Context, s realtime.Subscriber) error {
	_, err := t.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           &t.name,
		Key:                 mustKey(connectionKey(s.ConnectionID)),
		UpdateExpression:    aws.String("ADD orders :o"),
		ConditionExpression: aws.String("attribute_exists(PK) AND (attribute_not_exists(orders) OR size(orders) < :max OR contains(orders, :id))"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":o":   &types.AttributeValueMemberSS{Value: []string{s.OrderID}},
			":id":  &types.AttributeValueMemberS{Value: s.OrderID},
			":max": &types.AttributeValueMemberN{Value: strconv.Itoa(realtime.MaxSubscriptions)},
		},
	})
	if err = conditionError(err); err != nil {
		return fmt.Errorf("subscribe %s to order %s: %w", s.ConnectionID, s.OrderID, err)
	}
	av, err := attributevalue.MarshalMap(subscriptionItem{keys: subscriptionKey(s.OrderID, s.ConnectionID),
		Type: typeSubscription, OrderID: s.OrderID, ConnectionID: s.ConnectionID, Subject: s.Subject,
		Role: string(s.Role), ExpiresAt: s.ExpiresAt.Unix()})
	if err != nil {
		return err
	}
	if _, err := t.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &t.name, Item: av}); err != nil {
		return fmt.Errorf("store subscription of %s to order %s: %w", s.ConnectionID, s.OrderID, err)
	}
	return nil
}

// Subscribers lists the order's unexpired subscriptions (one strongly consistent Query, so a subscription made a
// moment ago is seen).
func (t *Table) Subscribers(ctx context.Context, orderID string, now time.Time) ([]realtime.Subscriber, error) {
	var items []subscriptionItem
	err := t.query(ctx, &dynamodb.QueryInput{
		KeyConditionExpression: aws.String("PK = :pk AND begins_with(SK, :sub)"),
		FilterExpression:       aws.String("expires_at > :now"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk":  &types.AttributeValueMemberS{Value: orderPrefix + orderID},
			":sub": &types.AttributeValueMemberS{Value: subscriptionPrefix},
			":now": &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Unix(), 10)},
		},
		ConsistentRead: aws.Bool(true),
	}, &items)
	if err != nil {
		return nil, fmt.Errorf("subscribers of order %s: %w", orderID, err)
	}
	out := make([]realtime.Subscriber, len(items))
	for i, it := range items {
		out[i] = realtime.Subscriber{ConnectionID: it.ConnectionID, OrderID: it.OrderID, Subject: it.Subject,
			Role: realtime.Role(it.Role), ExpiresAt: time.Unix(it.ExpiresAt, 0).UTC()}
	}
	return out, nil
}

// Unsubscribe deletes one subscription (the connection's set keeps the order; deleting a missing item is a no-op
// when $disconnect comes).
func (t *Table) Unsubscribe(ctx context.Context, s realtime.Subscriber) error {
	return t.deleteKeys(ctx, []keys{subscriptionKey(s.OrderID, s.ConnectionID)})
}

// NextSeq reserves n sequence numbers of the order with one atomic counter update and returns the last.
func (t *Table) NextSeq(ctx context.Context, orderID string, n int) (int64, error) {
	out, err := t.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                &t.name,
		Key:                      mustKey(pushSeqKey(orderID)),
		UpdateExpression:         aws.String("ADD seq :n SET #type = :type, expires_at = :exp"),
		ExpressionAttributeNames: map[string]string{"#type": "type"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":n":    &types.AttributeValueMemberN{Value: strconv.Itoa(n)},
			":type": &types.AttributeValueMemberS{Value: typePushSeq},
			":exp":  &types.AttributeValueMemberN{Value: strconv.FormatInt(time.Now().Add(pushSeqTTL).Unix(), 10)},
		},
		ReturnValues: types.ReturnValueUpdatedNew,
	})
	if err != nil {
		return 0, fmt.Errorf("next push seq of order %s: %w", orderID, err)
	}
	var v struct {
		Seq int64 `dynamodbav:"seq"`
	}
	if err := attributevalue.UnmarshalMap(out.Attributes, &v); err != nil || v.Seq < int64(n) {
		return 0, fmt.Errorf("next push seq of order %s: bad answer %v: %w", orderID, out.Attributes, err)
	}
	return v.Seq, nil
}

// CurrentSeq reads the order's sequence counter (0 before the first push).
func (t *Table) CurrentSeq(ctx context.Context, orderID string) (int64, error) {
	var v struct {
		Seq int64 `dynamodbav:"seq"`
	}
	err := t.get(ctx, pushSeqKey(orderID), &v)
	if errors.Is(err, domain.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("push seq of order %s: %w", orderID, err)
	}
	return v.Seq, nil
}

// StreamImages decodes the stream images the push function reads (realtime.Images) with the decoder the
// stream publisher uses (streamimage).
type StreamImages struct{}

// Order decodes an order item's image.
func (StreamImages) Order(image map[string]events.DynamoDBAttributeValue) (domain.Order, bool, error) {
	return streamimage.Order(image)
}

// Tracking decodes a courier position item's image.
func (StreamImages) Tracking(image map[string]events.DynamoDBAttributeValue) (domain.TrackingPosition, bool, error) {
	return streamimage.Tracking(image)
}
