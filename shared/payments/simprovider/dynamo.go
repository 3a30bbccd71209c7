package simprovider

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Items of the provider's table (its own, not the application's): one
// partition per idempotency key, PK "KEY#<key>", with SK
//
//	CHARGE    the charge record (captured, declined or voided)
//	REFUND    the refund of that charge
//	REQUESTS  the number of charge requests seen (for TokenFlaky)
const (
	keyPrefix  = "KEY#"
	skCharge   = "CHARGE"
	skRefund   = "REFUND"
	skRequests = "REQUESTS"
	typeCharge = "provider_charge"
	typeRefund = "provider_refund"
)

// KeyPrefix starts the partition key of every item of the books; the payment function's policy allows only
// such keys (dynamodb:LeadingKeys, infra).
const KeyPrefix = keyPrefix

// DynamoDBAPI is the part of the DynamoDB client the books use.
type DynamoDBAPI interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
}

// DynamoBooks keeps the books in the provider's DynamoDB table.
type DynamoBooks struct {
	db    DynamoDBAPI
	table string
}

// NewDynamoBooks returns the books in the named table.
func NewDynamoBooks(db DynamoDBAPI, table string) *DynamoBooks {
	return &DynamoBooks{db: db, table: table}
}

var _ Books = (*DynamoBooks)(nil)

func itemKey(key, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: keyPrefix + key},
		"SK": &types.AttributeValueMemberS{Value: sk},
	}
}

// createOnce puts the record under (key, sk) unless an item is there; either
// way it decodes what is stored into out.
func (b *DynamoBooks) createOnce(ctx context.Context, key, sk, typ string, record, out any) (bool, error) {
	av, err := attributevalue.MarshalMap(record)
	if err != nil {
		return false, err
	}
	for k, v := range itemKey(key, sk) {
		av[k] = v
	}
	av["type"] = &types.AttributeValueMemberS{Value: typ}
	_, err = b.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &b.table, Item: av, ConditionExpression: aws.String("attribute_not_exists(PK)"),
	})
	var ccf *types.ConditionalCheckFailedException
	switch {
	case err == nil:
		return true, attributevalue.UnmarshalMap(av, out)
	case !errors.As(err, &ccf):
		return false, fmt.Errorf("put %s/%s: %w", key, sk, err)
	}
	found, err := b.get(ctx, key, sk, out)
	if err == nil && !found {
		err = fmt.Errorf("%s/%s vanished after a conditional put failed", key, sk)
	}
	return false, err
}

func (b *DynamoBooks) get(ctx context.Context, key, sk string, out any) (bool, error) {
	res, err := b.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &b.table, Key: itemKey(key, sk), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return false, fmt.Errorf("get %s/%s: %w", key, sk, err)
	}
	if len(res.Item) == 0 {
		return false, nil
	}
	return true, attributevalue.UnmarshalMap(res.Item, out)
}

// CreateCharge implements Books.
func (b *DynamoBooks) CreateCharge(ctx context.Context, r ChargeRecord) (ChargeRecord, bool, error) {
	var stored ChargeRecord
	created, err := b.createOnce(ctx, r.Key, skCharge, typeCharge, r, &stored)
	return stored, created, err
}

// GetCharge implements Books.
func (b *DynamoBooks) GetCharge(ctx context.Context, key string) (ChargeRecord, bool, error) {
	var r ChargeRecord
	found, err := b.get(ctx, key, skCharge, &r)
	return r, found, err
}

// CreateRefund implements Books.
func (b *DynamoBooks) CreateRefund(ctx context.Context, r RefundRecord) (RefundRecord, bool, error) {
	var stored RefundRecord
	created, err := b.createOnce(ctx, r.ChargeKey, skRefund, typeRefund, r, &stored)
	return stored, created, err
}

// CountRequest implements Books.
func (b *DynamoBooks) CountRequest(ctx context.Context, key string) (int, error) {
	res, err := b.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &b.table, Key: itemKey(key, skRequests),
		UpdateExpression:          aws.String("ADD requests :one"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"}},
		ReturnValues:              types.ReturnValueUpdatedNew,
	})
	if err != nil {
		return 0, fmt.Errorf("count request of %s: %w", key, err)
	}
	n, ok := res.Attributes["requests"].(*types.AttributeValueMemberN)
	if !ok {
		return 0, fmt.Errorf("count request of %s: no count returned", key)
	}
	return strconv.Atoi(n.Value)
}

// ScanAPI is the client call ReadAll needs.
type ScanAPI interface {
	Scan(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
}

// ReadAll returns every charge and refund record of the provider's table:
// what tests (and an operator reconciling the ledger) count money from.
func ReadAll(ctx context.Context, db ScanAPI, table string) ([]ChargeRecord, []RefundRecord, error) {
	var charges []ChargeRecord
	var refunds []RefundRecord
	p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{TableName: &table, ConsistentRead: aws.Bool(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("scan %s: %w", table, err)
		}
		for _, item := range page.Items {
			typ, _ := item["type"].(*types.AttributeValueMemberS)
			if typ == nil {
				continue
			}
			switch typ.Value {
			case typeCharge:
				var r ChargeRecord
				if err := attributevalue.UnmarshalMap(item, &r); err != nil {
					return nil, nil, err
				}
				charges = append(charges, r)
			case typeRefund:
				var r RefundRecord
				if err := attributevalue.UnmarshalMap(item, &r); err != nil {
					return nil, nil, err
				}
				refunds = append(refunds, r)
			}
		}
	}
	return charges, refunds, nil
}
