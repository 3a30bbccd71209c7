package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/tracecontext"
)

// DynamoDBAPI is the part of the DynamoDB client the store uses; tests and
// benchmarks can wrap it to count calls.
type DynamoDBAPI interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
	BatchWriteItem(context.Context, *dynamodb.BatchWriteItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
}

// Table is the adapter over the application's single DynamoDB table.
type Table struct {
	db   DynamoDBAPI
	name string
}

// New returns the adapter for the named table.
func New(db DynamoDBAPI, tableName string) *Table {
	return &Table{db: db, name: tableName}
}

func (t *Table) get(ctx context.Context, k keys, out any) error {
	key, err := attributevalue.MarshalMap(k)
	if err != nil {
		return err
	}
	res, err := t.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &t.name, Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return fmt.Errorf("get %s/%s: %w", k.PK, k.SK, err)
	}
	if len(res.Item) == 0 {
		return domain.ErrNotFound
	}
	if err := attributevalue.UnmarshalMap(res.Item, out); err != nil {
		return fmt.Errorf("decode %s/%s: %w", k.PK, k.SK, err)
	}
	return nil
}

// putNew writes an item that must not exist yet; domain.ErrConflict if it does.
func (t *Table) putNew(ctx context.Context, item any) error {
	av, err := attributevalue.MarshalMap(item)
	if err != nil {
		return err
	}
	_, err = t.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:           &t.name,
		Item:                av,
		ConditionExpression: aws.String("attribute_not_exists(PK)"),
	})
	return conditionError(err)
}

// query runs a query and decodes every page into out (a pointer to a slice).
func (t *Table) query(ctx context.Context, in *dynamodb.QueryInput, out any) error {
	in.TableName = &t.name
	var all []map[string]types.AttributeValue
	p := dynamodb.NewQueryPaginator(t.db, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("query: %w", err)
		}
		all = append(all, page.Items...)
	}
	return attributevalue.UnmarshalListOfMaps(all, out)
}

// conditionError maps a failed condition to domain.ErrConflict.
func conditionError(err error) error {
	if err == nil {
		return nil
	}
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return fmt.Errorf("%w: %s", domain.ErrConflict, ccf.ErrorMessage())
	}
	return err
}

// transact runs a transaction. When it is cancelled, failedItem names the
// index of the first item whose condition failed (-1 if unknown), so callers
// can tell which of their conditions lost a race.
func (t *Table) transact(ctx context.Context, items []types.TransactWriteItem) (failedItem int, err error) {
	_, err = t.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	if err == nil {
		return -1, nil
	}
	var cancelled *types.TransactionCanceledException
	if !errors.As(err, &cancelled) {
		return -1, fmt.Errorf("transaction: %w", err)
	}
	for i, reason := range cancelled.CancellationReasons {
		if aws.ToString(reason.Code) == "ConditionalCheckFailed" {
			return i, fmt.Errorf("%w: transaction item %d condition failed", domain.ErrConflict, i)
		}
	}
	return -1, fmt.Errorf("%w: transaction cancelled: %s", domain.ErrConflict, cancelled.ErrorMessage())
}

// orderWrite is the transaction item that stores o, provided the stored order
// is still at the version o was read at (optimistic concurrency). Version 1 is
// a new order.
//
// The version is stamped with the trace context of ctx (tracecontext.ForWrite): the order's trace id for
// life, the writing invocation as its parent span.
func (t *Table) orderWrite(ctx context.Context, o domain.Order) (types.TransactWriteItem, error) {
	o.TraceParent = tracecontext.ForWrite(ctx, o.TraceParent)
	av, err := attributevalue.MarshalMap(toOrderItem(o))
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	put := &types.Put{TableName: &t.name, Item: av}
	if o.Version <= 1 {
		put.ConditionExpression = aws.String("attribute_not_exists(PK)")
	} else {
		put.ConditionExpression = aws.String("version = :prev")
		put.ExpressionAttributeValues = map[string]types.AttributeValue{
			":prev": &types.AttributeValueMemberN{Value: strconv.Itoa(o.Version - 1)},
		}
	}
	return types.TransactWriteItem{Put: put}, nil
}

// saveOrder stores o with the optimistic version check in one PutItem.
func (t *Table) saveOrder(ctx context.Context, o domain.Order) error {
	w, err := t.orderWrite(ctx, o)
	if err != nil {
		return err
	}
	_, err = t.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: w.Put.TableName, Item: w.Put.Item,
		ConditionExpression:       w.Put.ConditionExpression,
		ExpressionAttributeValues: w.Put.ExpressionAttributeValues,
	})
	return conditionError(err)
}
