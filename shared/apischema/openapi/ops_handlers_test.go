package openapi_test

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/fooddelivery/serverless-food-delivery/shared/dlq"
	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	opsapi "github.com/fooddelivery/serverless-food-delivery/shared/ops"
	"github.com/fooddelivery/serverless-food-delivery/shared/store/memstore"
	"github.com/fooddelivery/serverless-food-delivery/shared/timeline"
)

// The ops routes over the same store, with a DLQ, a queue-depth reader, an order item reader and a log reader
// standing in for SQS, DynamoDB's Query and CloudWatch Logs.

type opsDLQ struct{ msgs []dlq.Message }

func (d *opsDLQ) List(context.Context, dlq.Queue) ([]dlq.Message, error) { return d.msgs, nil }
func (d *opsDLQ) Redrive(_ context.Context, _ dlq.Queue, match func(dlq.Message) bool) ([]dlq.Message, error) {
	var moved, kept []dlq.Message
	for _, m := range d.msgs {
		if match == nil || match(m) {
			m.RedrivenAs = "m-new"
			moved = append(moved, m)
		} else {
			kept = append(kept, m)
		}
	}
	d.msgs = kept
	return moved, nil
}

type opsDepth struct{}

func (opsDepth) GetQueueAttributes(context.Context, *sqs.GetQueueAttributesInput, ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error) {
	return &sqs.GetQueueAttributesOutput{Attributes: map[string]string{"ApproximateNumberOfMessages": "1"}}, nil
}

// opsItems answers the timeline's Query with the order item of the store's orders.
type opsItems struct{ s *memstore.Store }

func (q opsItems) Query(ctx context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	id := strings.TrimPrefix(in.ExpressionAttributeValues[":pk"].(*types.AttributeValueMemberS).Value, "ORDER#")
	o, err := q.s.GetOrder(ctx, id)
	if errors.Is(err, domain.ErrNotFound) {
		return &dynamodb.QueryOutput{}, nil
	}
	if err != nil {
		return nil, err
	}
	item, err := attributevalue.MarshalMap(map[string]any{"PK": "ORDER#" + o.ID, "SK": "ORDER", "status": string(o.Status),
		"version": o.Version, "updated_at": o.UpdatedAt.Format(time.RFC3339Nano), "total_minor": o.TotalMinor})
	return &dynamodb.QueryOutput{Items: []map[string]types.AttributeValue{item}}, err
}

func newOpsService(s *memstore.Store) *opsapi.Service {
	return &opsapi.Service{
		Orders:   s,
		Timeline: timeline.Sources{Table: opsItems{s}, TableName: "t"},
		DLQ: &opsDLQ{msgs: []dlq.Message{{Queue: "payment", MessageID: "m-1", EventType: "NoCourierAvailable", OrderID: "o-9",
			ReceiveCount: 3, Reason: "order o-9 is NO_COURIER but has no charge", FailedAt: clock}}},
		Queues: []dlq.Queue{{Name: "payment", DLQURL: "dlq", SourceURL: "q"}, {Name: "stream", DLQURL: "sdlq"}},
		Attrs:  opsDepth{},
		Logs: func(_ context.Context, groups []string, since time.Time, keep func(map[string]any) bool) ([]timeline.LogLine, error) {
			f := map[string]any{"msg": "sweep done", "found": 1.0, "reannounced": 1.0, "nothing_owed": 0.0, "gave_up": 0.0, "failed": 0.0, "truncated": false}
			if !keep(f) {
				return nil, nil
			}
			return []timeline.LogLine{{Group: groups[0], At: since, Fields: f}}, nil
		},
		SweeperLogGroup: "sweeper",
		Now:             func() time.Time { return clock.Add(time.Hour) },
	}
}

// exerciseOps calls every ops route as ops and as the other roles; cancelled is an order id in CANCELLED.
func exerciseOps(expect func(int, string, string, caller, string, ...string) map[string]any, cancelled string) {
	expect(200, "GET", "/ops/orders", ops, "")
	expect(200, "GET", "/ops/orders?status=CANCELLED", ops, "")
	expect(400, "GET", "/ops/orders?status=DELIVERED", ops, "")
	expect(403, "GET", "/ops/orders", customer, "")
	expect(403, "GET", "/ops/orders", courier1, "")
	expect(200, "GET", "/ops/orders/"+cancelled+"/timeline", ops, "")
	expect(404, "GET", "/ops/orders/nope/timeline", ops, "")
	expect(403, "GET", "/ops/orders/"+cancelled+"/timeline", customer, "")
	expect(200, "GET", "/ops/dlqs", ops, "")
	expect(403, "GET", "/ops/dlqs", courier1, "")
	expect(403, "POST", "/ops/dlqs/payment/redrive", customer, `{"message_id":"m-1"}`)
	expect(400, "POST", "/ops/dlqs/payment/redrive", ops, `{"message_id":""}`)
	expect(200, "POST", "/ops/dlqs/payment/redrive", ops, `{"message_id":"m-1"}`)
	expect(200, "POST", "/ops/dlqs/payment/redrive", ops, "")
	expect(400, "POST", "/ops/dlqs/stream/redrive", ops, "")
	expect(404, "POST", "/ops/dlqs/nope/redrive", ops, "")
	expect(200, "GET", "/ops/sweeps", ops, "")
	expect(403, "GET", "/ops/sweeps", customer, "")
}
