package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
)

// The payment ledger lives in the order's partition: the charge entry under
// SK PAYMENT#CHARGE (chargeSK, items.go) and the refund entry under
// PAYMENT#REFUND, at most one of each per order.
const (
	refundSK   = "PAYMENT#REFUND"
	typeRefund = "refund"
)

type refundItem struct {
	keys
	Type        string    `dynamodbav:"type"`
	OrderID     string    `dynamodbav:"order_id"`
	AmountMinor int64     `dynamodbav:"amount_minor"`
	Currency    string    `dynamodbav:"currency"`
	Status      string    `dynamodbav:"status"`
	Reason      string    `dynamodbav:"reason"`
	ProviderRef string    `dynamodbav:"provider_ref,omitempty"`
	CreatedAt   time.Time `dynamodbav:"created_at"`
	UpdatedAt   time.Time `dynamodbav:"updated_at"`
}

func refundKey(orderID string) keys { return keys{PK: orderPrefix + orderID, SK: refundSK} }

func toRefundItem(r domain.Refund) refundItem {
	return refundItem{keys: refundKey(r.OrderID), Type: typeRefund, OrderID: r.OrderID, AmountMinor: r.AmountMinor,
		Currency: r.Currency, Status: string(r.Status), Reason: r.Reason, ProviderRef: r.ProviderRef,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

func (it refundItem) domain() domain.Refund {
	return domain.Refund{OrderID: it.OrderID, AmountMinor: it.AmountMinor, Currency: it.Currency,
		Status: domain.RefundStatus(it.Status), Reason: it.Reason, ProviderRef: it.ProviderRef,
		CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt}
}

// pendingCondition makes a ledger write succeed only over a PENDING entry:
// a settled charge or refund is final.
func pendingCondition(put *types.Put) {
	put.ConditionExpression = aws.String("#s = :pending")
	put.ExpressionAttributeNames = map[string]string{"#s": "status"}
	put.ExpressionAttributeValues = map[string]types.AttributeValue{":pending": &types.AttributeValueMemberS{Value: "PENDING"}}
}

// SettleCharge records the charge's outcome and the order's new status in
// one transaction, so the ledger and the order can never disagree.
func (t *Table) SettleCharge(ctx context.Context, o domain.Order, c domain.Charge) error {
	orderW, err := t.orderWrite(ctx, o)
	if err != nil {
		return err
	}
	av, err := attributevalue.MarshalMap(toChargeItem(c))
	if err != nil {
		return err
	}
	chargeW := types.TransactWriteItem{Put: &types.Put{TableName: &t.name, Item: av}}
	pendingCondition(chargeW.Put)
	if _, err := t.transact(ctx, []types.TransactWriteItem{orderW, chargeW}); err != nil {
		return fmt.Errorf("settle charge of order %s: %w", o.ID, err)
	}
	return nil
}

// ResolveCharge records a PENDING charge's outcome on its own, for an order
// that has moved on without it (cancelled while it was being charged).
func (t *Table) ResolveCharge(ctx context.Context, c domain.Charge) error {
	av, err := attributevalue.MarshalMap(toChargeItem(c))
	if err != nil {
		return err
	}
	put := &types.Put{}
	pendingCondition(put)
	_, err = t.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &t.name, Item: av, ConditionExpression: put.ConditionExpression,
		ExpressionAttributeNames: put.ExpressionAttributeNames, ExpressionAttributeValues: put.ExpressionAttributeValues,
	})
	if err = conditionError(err); err != nil {
		return fmt.Errorf("resolve charge of order %s: %w", c.OrderID, err)
	}
	return nil
}

// BeginCharge writes a ledger entry unless the order has one already; it
// returns the entry that is stored and whether this call created it.
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

// GetCharge reads an order's charge entry; domain.ErrNotFound if none.
func (t *Table) GetCharge(ctx context.Context, orderID string) (domain.Charge, error) {
	var it chargeItem
	if err := t.get(ctx, chargeKey(orderID), &it); err != nil {
		return domain.Charge{}, fmt.Errorf("get charge of order %s: %w", orderID, err)
	}
	return it.domain(), nil
}

// BeginRefund writes a refund entry unless the order has one already; it
// returns the entry that is stored and whether this call created it.
func (t *Table) BeginRefund(ctx context.Context, r domain.Refund) (domain.Refund, bool, error) {
	err := t.putNew(ctx, toRefundItem(r))
	if err == nil {
		return r, true, nil
	}
	if !isConflict(err) {
		return domain.Refund{}, false, fmt.Errorf("begin refund of order %s: %w", r.OrderID, err)
	}
	var existing refundItem
	if err := t.get(ctx, refundKey(r.OrderID), &existing); err != nil {
		return domain.Refund{}, false, fmt.Errorf("read refund of order %s: %w", r.OrderID, err)
	}
	return existing.domain(), false, nil
}

// SettleRefund records the refund and the order's new status (REFUNDED) in
// one transaction.
func (t *Table) SettleRefund(ctx context.Context, o domain.Order, r domain.Refund) error {
	orderW, err := t.orderWrite(ctx, o)
	if err != nil {
		return err
	}
	av, err := attributevalue.MarshalMap(toRefundItem(r))
	if err != nil {
		return err
	}
	refundW := types.TransactWriteItem{Put: &types.Put{TableName: &t.name, Item: av}}
	pendingCondition(refundW.Put)
	if _, err := t.transact(ctx, []types.TransactWriteItem{orderW, refundW}); err != nil {
		return fmt.Errorf("settle refund of order %s: %w", o.ID, err)
	}
	return nil
}

// GetRefund reads an order's refund entry; domain.ErrNotFound if none.
func (t *Table) GetRefund(ctx context.Context, orderID string) (domain.Refund, error) {
	var it refundItem
	if err := t.get(ctx, refundKey(orderID), &it); err != nil {
		return domain.Refund{}, fmt.Errorf("get refund of order %s: %w", orderID, err)
	}
	return it.domain(), nil
}
