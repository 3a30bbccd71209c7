package store

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
)

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
