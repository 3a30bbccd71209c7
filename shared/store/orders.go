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

// SettleCharge records the charge's outcome and the order's new status in
// one transaction, so the ledger and the order can never disagree.
func (t *Table) SettleCharge(ctx context.Context, o domain.Order, c domain.Charge) error {
	orderW, err := t.orderWrite(o)
	if err != nil {
		return err
	}
	av, err := attributevalue.MarshalMap(toChargeItem(c))
	if err != nil {
		return err
	}
	chargeW := types.TransactWriteItem{Put: &types.Put{
		TableName: &t.name, Item: av,
		// Only a pending charge may be settled: a captured one is final.
		ConditionExpression:       aws.String("#s = :pending"),
		ExpressionAttributeNames:  map[string]string{"#s": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pending": &types.AttributeValueMemberS{Value: string(domain.ChargePending)}},
	}}
	if _, err := t.transact(ctx, []types.TransactWriteItem{orderW, chargeW}); err != nil {
		return fmt.Errorf("settle charge of order %s: %w", o.ID, err)
	}
	return nil
}

// BeginCharge writes a pending ledger entry unless the order has one already;
// it returns the entry that is stored and whether this call created it.
func (t *Table) BeginCharge(ctx context.Context, c domain.Charge) (domain.Charge, bool, error) {
	err := t.putNew(ctx, toChargeItem(c))
	if err == nil {
		return c, true, nil
	}
	if !isConflict(err) {
		return domain.Charge{}, false, fmt.Errorf("begin charge of order %s: %w", c.OrderID, err)
	}
	var existing chargeItem
	if err := t.get(ctx, chargeKey(c.OrderID), &existing); err != nil {
		return domain.Charge{}, false, fmt.Errorf("read charge of order %s: %w", c.OrderID, err)
	}
	return existing.domain(), false, nil
}

// GetCharge reads an order's ledger entry.
func (t *Table) GetCharge(ctx context.Context, orderID string) (domain.Charge, error) {
	var it chargeItem
	if err := t.get(ctx, chargeKey(orderID), &it); err != nil {
		return domain.Charge{}, fmt.Errorf("get charge of order %s: %w", orderID, err)
	}
	return it.domain(), nil
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
