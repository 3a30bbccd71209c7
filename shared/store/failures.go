package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/fooddelivery/serverless-food-delivery/shared/queue"
)

// Failure records: why a consumer failed a message, keyed by the message id
// (SQS keeps a message's id when it moves it to the DLQ), so the redrive tool
// can show the reason next to a dead-lettered message. They expire with the
// DLQs' retention.
const (
	failurePrefix = "FAILURE#"
	failureSK     = "FAILURE"
	typeFailure   = "failure"
	// FailureTTL matches the 14-day retention of the DLQs (infra/messaging.go).
	FailureTTL = 14 * 24 * time.Hour
)

type failureItem struct {
	keys
	Type         string    `dynamodbav:"type"`
	MessageID    string    `dynamodbav:"message_id"`
	Consumer     string    `dynamodbav:"consumer"`
	EventType    string    `dynamodbav:"event_type,omitempty"`
	EventID      string    `dynamodbav:"event_id,omitempty"`
	OrderID      string    `dynamodbav:"order_id,omitempty"`
	ReceiveCount int       `dynamodbav:"receive_count"`
	Reason       string    `dynamodbav:"reason"`
	FailedAt     time.Time `dynamodbav:"failed_at"`
	ExpiresAt    int64     `dynamodbav:"expires_at"`
}

func failureKey(messageID string) keys { return keys{PK: failurePrefix + messageID, SK: failureSK} }

// RecordFailure stores (or replaces: the latest failure wins) why a message
// failed.
func (t *Table) RecordFailure(ctx context.Context, f queue.Failure) error {
	av, err := attributevalue.MarshalMap(failureItem{keys: failureKey(f.MessageID), Type: typeFailure,
		MessageID: f.MessageID, Consumer: f.Consumer, EventType: f.EventType, EventID: f.EventID, OrderID: f.OrderID,
		ReceiveCount: f.ReceiveCount, Reason: f.Reason, FailedAt: f.FailedAt,
		ExpiresAt: f.FailedAt.Add(FailureTTL).Unix()})
	if err != nil {
		return err
	}
	if _, err := t.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &t.name, Item: av}); err != nil {
		return fmt.Errorf("record failure of message %s: %w", f.MessageID, err)
	}
	return nil
}

// GetFailure reads the latest failure of a message; domain.ErrNotFound if
// none was recorded.
func (t *Table) GetFailure(ctx context.Context, messageID string) (queue.Failure, error) {
	var it failureItem
	if err := t.get(ctx, failureKey(messageID), &it); err != nil {
		return queue.Failure{}, fmt.Errorf("get failure of message %s: %w", messageID, err)
	}
	return queue.Failure{MessageID: it.MessageID, Consumer: it.Consumer, EventType: it.EventType, EventID: it.EventID,
		OrderID: it.OrderID, ReceiveCount: it.ReceiveCount, Reason: it.Reason, FailedAt: it.FailedAt}, nil
}
