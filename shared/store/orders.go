package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
)

// CreateOrder stores a new order; domain.ErrConflict if the id exists.
func (t *Table) CreateOrder(ctx context.Context, o domain.Order) error {
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
// stored before; created is false for such a duplicate.
func (t *Table) RecordNotification(ctx context.Context, n domain.Notification) (created bool, err error) {
	err = t.putNew(ctx, toNotificationItem(n))
	switch {
	case err == nil:
		return true, nil
	case isConflict(err):
		return false, nil
	}
	return false, fmt.Errorf("record notification %s: %w", n.EventID, err)
}

// ListNotifications returns what the customer was told about an order.
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
