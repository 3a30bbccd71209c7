// Package queue runs SQS-triggered consumers of EventBridge events with
// partial batch failure reporting: one bad message is retried on its own (and
// eventually dead-lettered) while the rest of the batch is deleted.
package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	domainevents "github.com/fooddelivery/serverless-food-delivery/shared/events"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/logging"
)

// EventHandler handles one domain event. Returning an error puts the message
// back on the queue; handlers must be idempotent because SQS, EventBridge and
// the stream all deliver at least once.
type EventHandler func(ctx context.Context, e domainevents.Envelope) error

// ErrPoison marks a message that can never succeed (it does not decode). It is
// still reported as failed, so SQS moves it to the DLQ after maxReceiveCount
// tries instead of it being silently dropped.
var ErrPoison = errors.New("poison message")

// bridgeEvent is the EventBridge event as the SQS target delivers it.
type bridgeEvent struct {
	ID         string                `json:"id"`
	DetailType string                `json:"detail-type"`
	Source     string                `json:"source"`
	Detail     domainevents.Envelope `json:"detail"`
}

// Decode extracts the domain envelope from an SQS message body.
func Decode(body string) (domainevents.Envelope, error) {
	var be bridgeEvent
	if err := json.Unmarshal([]byte(body), &be); err != nil {
		return domainevents.Envelope{}, fmt.Errorf("%w: body is not an EventBridge event: %v", ErrPoison, err)
	}
	if be.Detail.ID == "" || be.Detail.OrderID == "" || be.Detail.Type == "" {
		return domainevents.Envelope{}, fmt.Errorf("%w: detail lacks id, type or order_id", ErrPoison)
	}
	return be.Detail, nil
}

// Consume returns a Lambda handler for an SQS event source mapping that has
// ReportBatchItemFailures enabled.
func Consume(handle EventHandler) func(context.Context, events.SQSEvent) (events.SQSEventResponse, error) {
	return func(ctx context.Context, batch events.SQSEvent) (events.SQSEventResponse, error) {
		var resp events.SQSEventResponse
		for _, msg := range batch.Records {
			if err := consumeOne(ctx, msg, handle); err != nil {
				resp.BatchItemFailures = append(resp.BatchItemFailures,
					events.SQSBatchItemFailure{ItemIdentifier: msg.MessageId})
			}
		}
		return resp, nil
	}
}

func consumeOne(ctx context.Context, msg events.SQSMessage, handle EventHandler) error {
	ctx = logging.With(ctx, "message_id", msg.MessageId, "receive_count", msg.Attributes["ApproximateReceiveCount"])
	env, err := Decode(msg.Body)
	if err != nil {
		logging.From(ctx).Error("cannot decode message", "error", err)
		return err
	}
	ctx = logging.With(ctx, "order_id", env.OrderID, "event_id", env.ID,
		"event_type", env.Type, "correlation_id", env.CorrelationID)
	if err := handle(ctx, env); err != nil {
		logging.From(ctx).Warn("event not handled; it will be retried", "error", err)
		return err
	}
	logging.From(ctx).Info("event handled")
	return nil
}
