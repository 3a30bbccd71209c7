package store

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
)

// claimTable holds one item per key. With lostAnswer, a write is applied and then refused by its condition, as
// DynamoDB answers the SDK's retry of a write whose first answer was lost.
type claimTable struct {
	DynamoDBAPI
	items      map[string]map[string]types.AttributeValue
	lostAnswer bool
}

func claimKey(m map[string]types.AttributeValue) string {
	return m["PK"].(*types.AttributeValueMemberS).Value + "|" + m["SK"].(*types.AttributeValueMemberS).Value
}

func (c *claimTable) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	k := claimKey(in.Item)
	_, exists := c.items[k]
	if !exists {
		c.items[k] = in.Item
	}
	if exists || c.lostAnswer {
		return nil, &types.ConditionalCheckFailedException{Message: aws.String("The conditional request failed")}
	}
	return &dynamodb.PutItemOutput{}, nil
}

func (c *claimTable) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return &dynamodb.GetItemOutput{Item: c.items[claimKey(in.Key)]}, nil
}

func TestClaimDeliveryRecognisesItsOwnClaimWhenTheRetriedWriteIsRefused(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	d := domain.Delivery{OrderID: "o-1", EventID: "e-1", EventType: "PaymentConfirmed", CustomerID: "c-1",
		Channel: "email", Status: domain.DeliverySending, ClaimedAt: now}
	db := &claimTable{items: map[string]map[string]types.AttributeValue{}, lostAnswer: true}
	tbl := New(db, "t")

	claimed, _, err := tbl.ClaimDelivery(context.Background(), d, now.Add(-time.Minute))
	if err != nil || !claimed {
		t.Fatalf("the claim this call wrote came back refused by the retry: claimed=%v err=%v; want it taken", claimed, err)
	}

	// Another copy of the event, a moment later, finds that claim and does not take it.
	db.lostAnswer = false
	claimed, existing, err := tbl.ClaimDelivery(context.Background(), d, now.Add(-time.Minute))
	if err != nil || claimed {
		t.Fatalf("a second copy took the claim: claimed=%v err=%v", claimed, err)
	}
	if existing.Status != domain.DeliverySending || !existing.ClaimedAt.Equal(now) {
		t.Fatalf("existing = %+v; want the first copy's SENDING claim", existing)
	}
}
