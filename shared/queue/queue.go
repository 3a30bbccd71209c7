// Package queue runs SQS-triggered consumers of EventBridge events with
// partial batch failure reporting: one bad message is retried on its own (and
// eventually dead-lettered) while the rest of the batch is deleted.
package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	domainevents "github.com/fooddelivery/serverless-food-delivery/shared/events"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/logging"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/metrics"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/tracecontext"
)

// EventHandler handles one domain event. Returning an error puts the message
// back on the queue; handlers must be idempotent because SQS, EventBridge and
// the stream all deliver at least once.
type EventHandler func(ctx context.Context, e domainevents.Envelope) error

// AttemptHandler is an EventHandler that is also told which delivery of the
// message this is (SQS's ApproximateReceiveCount, 1 for the first, and 1 when
// unknown): the saga steps give up on it before the message would reach its
// DLQ (see ConsumeAttempts).
type AttemptHandler func(ctx context.Context, e domainevents.Envelope, attempt int) error

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
		return domainevents.Envelope{}, fmt.Errorf("%w: body is not an EventBridge event: %w", ErrPoison, err)
	}
	if be.Detail.ID == "" || be.Detail.OrderID == "" || be.Detail.Type == "" {
		return domainevents.Envelope{}, fmt.Errorf("%w: detail lacks id, type or order_id", ErrPoison)
	}
	return be.Detail, nil
}

// Failure is why a consumer failed a message. SQS keeps no reason when it
// dead-letters a message, so consumers record one per failed delivery, keyed
// by the message id (which a message keeps when SQS moves it to its DLQ); the
// redrive tool shows it next to the DLQ message.
type Failure struct {
	MessageID    string    `json:"message_id"`
	Consumer     string    `json:"consumer"` // the function: payment, delivery-assignment…
	EventType    string    `json:"event_type,omitempty"`
	EventID      string    `json:"event_id,omitempty"`
	OrderID      string    `json:"order_id,omitempty"`
	ReceiveCount int       `json:"receive_count"`
	Reason       string    `json:"reason"`
	FailedAt     time.Time `json:"failed_at"`
}

// MaxReasonBytes bounds a recorded reason (error chains can be long).
const MaxReasonBytes = 1000

// FailureRecorder stores failures; the latest failure of a message wins.
type FailureRecorder interface {
	RecordFailure(ctx context.Context, f Failure) error
}

// Option configures Consume.
type Option func(*consumer)

// RecordFailures makes the consumer record every failed message's reason in
// rec under the consumer's name.
func RecordFailures(rec FailureRecorder, consumerName string) Option {
	return func(c *consumer) { c.failures, c.name = rec, consumerName }
}

type consumer struct {
	handle   AttemptHandler
	failures FailureRecorder
	name     string
	now      func() time.Time
}

// Consume returns a Lambda handler for an SQS event source mapping that has
// ReportBatchItemFailures enabled.
func Consume(handle EventHandler, opts ...Option) func(context.Context, events.SQSEvent) (events.SQSEventResponse, error) {
	return ConsumeAttempts(func(ctx context.Context, e domainevents.Envelope, _ int) error { return handle(ctx, e) }, opts...)
}

// ConsumeAttempts is Consume for a handler that needs the delivery's attempt number.
func ConsumeAttempts(handle AttemptHandler, opts ...Option) func(context.Context, events.SQSEvent) (events.SQSEventResponse, error) {
	c := &consumer{handle: handle, now: time.Now}
	for _, o := range opts {
		o(c)
	}
	return func(ctx context.Context, batch events.SQSEvent) (events.SQSEventResponse, error) {
		// Always a list, never null: a poller that cannot read a null
		// batchItemFailures deletes nothing and every message comes back
		// (docs/emulator.md).
		resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
		for _, msg := range batch.Records {
			if err := c.consumeOne(ctx, msg); err != nil {
				resp.BatchItemFailures = append(resp.BatchItemFailures,
					events.SQSBatchItemFailure{ItemIdentifier: msg.MessageId})
			}
		}
		if n := len(resp.BatchItemFailures); n > 0 {
			metrics.Add(metrics.BatchItemFailures, float64(n))
		}
		return resp, nil
	}
}

func (c *consumer) consumeOne(ctx context.Context, msg events.SQSMessage) error {
	attempt, _ := strconv.Atoi(msg.Attributes["ApproximateReceiveCount"])
	if attempt < 1 {
		attempt = 1
	}
	ctx = logging.With(ctx, "message_id", msg.MessageId, "receive_count", attempt)
	env, err := Decode(msg.Body)
	if err != nil {
		logging.From(ctx).Error("cannot decode message", "error", err)
		c.record(ctx, msg, attempt, env, err)
		return err
	}
	// The event continues the order's trace: this delivery is a child span of the invocation that wrote
	// the version it announces, and what the handler writes names this span (tracecontext.ForWrite).
	parent, ok := tracecontext.Parse(env.TraceParent)
	if !ok {
		parent = tracecontext.ForOrder(env.OrderID)
	}
	span := tracecontext.Child(parent)
	ctx = tracecontext.With(ctx, span)
	ctx = logging.With(ctx, "order_id", env.OrderID, "event_id", env.ID,
		"event_type", env.Type, "correlation_id", env.CorrelationID,
		"trace_id", span.TraceIDString(), "span_id", span.SpanIDString())
	start := time.Now()
	err = c.handle(ctx, env, attempt)
	metrics.Duration(env.Type, time.Since(start), map[string]any{"trace_id": span.TraceIDString()})
	if err != nil {
		logging.From(ctx).Warn("event not handled; it will be retried", "error", err)
		c.record(ctx, msg, attempt, env, err)
		return err
	}
	logging.From(ctx).Info("event handled")
	return nil
}

// record stores the failure's reason. Recording is best effort: the message
// fails either way, and a recorder that fails too is only logged.
func (c *consumer) record(ctx context.Context, msg events.SQSMessage, attempt int, env domainevents.Envelope, cause error) {
	if c.failures == nil {
		return
	}
	f := Failure{MessageID: msg.MessageId, Consumer: c.name, EventType: env.Type, EventID: env.ID, OrderID: env.OrderID,
		ReceiveCount: attempt, Reason: truncate(cause.Error(), MaxReasonBytes), FailedAt: c.now().UTC()}
	if err := c.failures.RecordFailure(ctx, f); err != nil {
		logging.From(ctx).Error("cannot record the failure's reason", "error", err)
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}
