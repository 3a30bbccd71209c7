package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
)

// CreateOrderOnce stores a new order and its idempotency record in one
// transaction: one write call, and either both exist or neither does. If the
// key was used before (and has not expired), nothing is written and the
// earlier record is returned with created=false.
func (t *Table) CreateOrderOnce(ctx context.Context, o domain.Order, key, requestHash string, ttl time.Duration) (domain.IdempotencyRecord, bool, error) {
	orderW, err := t.orderWrite(ctx, o)
	if err != nil {
		return domain.IdempotencyRecord{}, false, err
	}
	now := o.CreatedAt
	rec := idempotencyItem{keys: idempotencyKey(o.CustomerID, key), Type: typeIdempotency,
		OrderID: o.ID, RequestHash: requestHash, ExpiresAt: now.Add(ttl).Unix()}
	av, err := attributevalue.MarshalMap(rec)
	if err != nil {
		return domain.IdempotencyRecord{}, false, err
	}
	keyW := types.TransactWriteItem{Put: &types.Put{
		TableName: &t.name, Item: av,
		// TTL deletion lags expiry by up to days, so an expired record counts
		// as absent.
		ConditionExpression: aws.String("attribute_not_exists(PK) OR expires_at < :now"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":now": &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Unix(), 10)},
		},
	}}
	failed, err := t.transact(ctx, []types.TransactWriteItem{orderW, keyW})
	if err == nil {
		return domain.IdempotencyRecord{OrderID: o.ID, RequestHash: requestHash}, true, nil
	}
	if failed != 1 && !(failed == -1 && errors.Is(err, domain.ErrConflict)) {
		return domain.IdempotencyRecord{}, false, fmt.Errorf("create order %s: %w", o.ID, err)
	}
	var existing idempotencyItem
	if err := t.get(ctx, rec.keys, &existing); err != nil {
		return domain.IdempotencyRecord{}, false, fmt.Errorf("read idempotency key: %w", err)
	}
	return domain.IdempotencyRecord{OrderID: existing.OrderID, RequestHash: existing.RequestHash}, false, nil
}
