package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
)

// ListAwaiting returns up to limit orders that are in status s (one of
// domain.AwaitingSaga, or a terminal status: domain.Status.Swept) and got there at or after from and before to, oldest
// first. It reads the sparse GSI2 entries that only such orders carry, so it
// never touches orders that are over. The index is eventually consistent: an
// order that moved on a moment ago may still be returned, which the sweeper
// tolerates (it re-announces, and consumers drop what is stale).
func (t *Table) ListAwaiting(ctx context.Context, s domain.Status, from, to time.Time, limit int) ([]domain.Order, error) {
	if limit <= 0 || !to.After(from) {
		return nil, nil
	}
	pk, _ := awaitingKeys(s, from, "")
	in := &dynamodb.QueryInput{
		TableName:              &t.name,
		IndexName:              aws.String(gsi2),
		KeyConditionExpression: aws.String("GSI2PK = :pk AND GSI2SK BETWEEN :from AND :to"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk":   &types.AttributeValueMemberS{Value: pk},
			":from": &types.AttributeValueMemberS{Value: sortableTime(from)},
			// "~" sorts after "#<id>", and the next nanosecond is excluded.
			":to": &types.AttributeValueMemberS{Value: sortableTime(to.Add(-time.Nanosecond)) + "~"},
		},
		ScanIndexForward: aws.Bool(true),
		Limit:            aws.Int32(int32(min(limit, 1000))),
	}
	var out []domain.Order
	p := dynamodb.NewQueryPaginator(t.db, in)
	for p.HasMorePages() && len(out) < limit {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list orders awaiting the saga in %s: %w", s, err)
		}
		var items []orderItem
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &items); err != nil {
			return nil, err
		}
		for _, it := range items {
			if len(out) < limit {
				out = append(out, it.domain())
			}
		}
	}
	return out, nil
}

// CountAwaiting returns how many orders are in status s (one of
// domain.AwaitingSaga), from the same sparse GSI2 entries ListAwaiting reads,
// with Select COUNT: DynamoDB counts in the service and sends back no items.
func (t *Table) CountAwaiting(ctx context.Context, s domain.Status) (int, error) {
	pk, _ := awaitingKeys(s, time.Time{}, "")
	p := dynamodb.NewQueryPaginator(t.db, &dynamodb.QueryInput{
		TableName:                 &t.name,
		IndexName:                 aws.String(gsi2),
		KeyConditionExpression:    aws.String("GSI2PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}},
		Select:                    types.SelectCount,
	})
	n := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return 0, fmt.Errorf("count orders awaiting the saga in %s: %w", s, err)
		}
		n += int(page.Count)
	}
	return n, nil
}

// QueryOrderPartition runs a Query on one order's partition (PK = :pk, ":pk" an "ORDER#…" key) of this table: what
// shared/timeline reads to rebuild an order's life (its item, ledger, notifications, tracking). Anything else is
// refused here rather than by IAM, so the ops function's policy (Query on ORDER# keys) is what it does.
func (t *Table) QueryOrderPartition(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	pk, _ := in.ExpressionAttributeValues[":pk"].(*types.AttributeValueMemberS)
	if in.IndexName != nil || aws.ToString(in.KeyConditionExpression) != "PK = :pk" || pk == nil || !strings.HasPrefix(pk.Value, orderPrefix) {
		return nil, fmt.Errorf("QueryOrderPartition: only PK = :pk on an %s key of the table", orderPrefix)
	}
	q := *in
	q.TableName = &t.name
	return t.db.Query(ctx, &q, optFns...)
}
