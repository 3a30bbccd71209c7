// Package dlq is the operator's view of the dead-letter queues: it lists the
// messages in a DLQ with why they failed, and moves them back to the queue
// they came from once the cause is fixed. `make dlq` and `make redrive`
// (scripts/redrive) run it; the deployed-stack tests drive the same code.
//
// SQS keeps no reason when it dead-letters a message. The consumers record
// one per failed delivery (queue.RecordFailures), keyed by the message id,
// which a message keeps when SQS moves it to its DLQ; this package joins the
// two.
//
// Redrive is receive, send to the source queue, delete — not SQS's
// StartMessageMoveTask: that moves a whole queue without letting the operator
// pick messages (docs/emulator.md has one more reason).
// A redriven message is a new message (new id, receive count 0), so it gets
// the queue's full number of tries again.
package dlq

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/fooddelivery/serverless-food-delivery/shared/devstack"
	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/queue"
)

// SQSAPI is the part of the SQS client the tool uses.
type SQSAPI interface {
	ReceiveMessage(context.Context, *sqs.ReceiveMessageInput, ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	SendMessage(context.Context, *sqs.SendMessageInput, ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
	DeleteMessage(context.Context, *sqs.DeleteMessageInput, ...func(*sqs.Options)) (*sqs.DeleteMessageOutput, error)
	ChangeMessageVisibility(context.Context, *sqs.ChangeMessageVisibilityInput, ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error)
}

// FailureReader reads the reasons consumers recorded (store.Table is one).
type FailureReader interface {
	GetFailure(ctx context.Context, messageID string) (queue.Failure, error)
}

// Queue is a DLQ and the queue its messages came from.
type Queue struct {
	Name   string // payment, assignment, notification (the inbox), email, sms, stream
	DLQURL string
	// SourceURL is where a redriven message goes; empty for the stream's DLQ,
	// whose messages describe stream records and cannot be sent anywhere.
	SourceURL string
}

// QueuesOf returns the stack's DLQs, named as the -queue flag names them.
func QueuesOf(o devstack.Outputs) []Queue {
	return []Queue{
		{Name: "payment", DLQURL: o.PaymentDlqURL, SourceURL: o.PaymentQueueURL},
		{Name: "assignment", DLQURL: o.AssignmentDlqURL, SourceURL: o.AssignmentQueueURL},
		{Name: "notification", DLQURL: o.NotificationDlqURL, SourceURL: o.NotificationQueueURL},
		{Name: "email", DLQURL: o.NotifyEmailDlqURL, SourceURL: o.NotifyEmailQueueURL},
		{Name: "sms", DLQURL: o.NotifySmsDlqURL, SourceURL: o.NotifySmsQueueURL},
		{Name: "stream", DLQURL: o.StreamDlqURL},
	}
}

// Message is a dead-lettered message and why it failed.
type Message struct {
	Queue     string
	MessageID string
	EventType string
	OrderID   string
	// ReceiveCount is how many times the consumer got the message before it
	// was dead-lettered (from the last recorded failure; 0 if none was).
	ReceiveCount int
	Reason       string
	FailedAt     time.Time
	SentAt       time.Time
	// RedrivenAs is the id of the new message Redrive sent to the source queue.
	RedrivenAs string

	body       string
	attributes map[string]types.MessageAttributeValue
	receipt    string
}

// NoReason is shown for a message whose consumer recorded nothing: it crashed
// or ran out of time before it could.
const NoReason = "(no reason recorded: the consumer crashed or timed out)"

// Tool lists and redrives DLQ messages.
type Tool struct {
	SQS      SQSAPI
	Failures FailureReader
	// Lease is how long listed messages stay hidden from other readers of
	// the DLQ while the tool works; they are released right after. If the
	// tool dies, they reappear when it ends.
	Lease time.Duration
}

// List returns every message in the queue's DLQ, leaving them there.
func (t *Tool) List(ctx context.Context, q Queue) ([]Message, error) {
	msgs, err := t.receiveAll(ctx, q)
	t.release(ctx, q, msgs)
	return msgs, err
}

// Redrive moves the DLQ messages that match (all when match is nil) back to
// the source queue and returns them; the others stay in the DLQ.
func (t *Tool) Redrive(ctx context.Context, q Queue, match func(Message) bool) ([]Message, error) {
	if q.SourceURL == "" {
		return nil, fmt.Errorf("the %s DLQ holds stream failure records, which cannot be sent back: fix the cause, then rewrite the order items they name", q.Name)
	}
	msgs, err := t.receiveAll(ctx, q)
	var moved, kept []Message
	for _, m := range msgs {
		if err != nil || (match != nil && !match(m)) {
			kept = append(kept, m)
			continue
		}
		sent, sendErr := t.SQS.SendMessage(ctx, &sqs.SendMessageInput{
			QueueUrl: &q.SourceURL, MessageBody: &m.body, MessageAttributes: m.attributes,
		})
		if sendErr != nil {
			err = fmt.Errorf("send %s back to the %s queue: %w", m.MessageID, q.Name, sendErr)
			kept = append(kept, m)
			continue
		}
		m.RedrivenAs = aws.ToString(sent.MessageId)
		// Sent first, deleted second: a failure in between leaves a
		// duplicate, never a loss, and consumers are idempotent.
		if _, err = t.SQS.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &q.DLQURL, ReceiptHandle: &m.receipt}); err != nil {
			err = fmt.Errorf("delete %s from the %s DLQ after sending it back: %w", m.MessageID, q.Name, err)
		}
		moved = append(moved, m)
	}
	t.release(ctx, q, kept)
	return moved, err
}

// receiveAll leases every message of the DLQ. Receiving from a DLQ is
// harmless: a DLQ has no redrive policy of its own.
func (t *Tool) receiveAll(ctx context.Context, q Queue) ([]Message, error) {
	lease := t.Lease
	if lease <= 0 {
		lease = 30 * time.Second
	}
	var out []Message
	seen := map[string]bool{}
	for {
		res, err := t.SQS.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: &q.DLQURL, MaxNumberOfMessages: 10, VisibilityTimeout: int32(lease.Seconds()),
			WaitTimeSeconds:             1, // long polling: an empty answer means the queue is empty
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
			MessageAttributeNames:       []string{"All"},
		})
		if err != nil {
			return out, fmt.Errorf("receive from the %s DLQ: %w", q.Name, err)
		}
		if len(res.Messages) == 0 {
			return out, nil
		}
		for _, m := range res.Messages {
			id := aws.ToString(m.MessageId)
			if seen[id] {
				continue
			}
			seen[id] = true
			msg, err := t.describe(ctx, q, m)
			if err != nil {
				return out, err
			}
			out = append(out, msg)
		}
	}
}

func (t *Tool) describe(ctx context.Context, q Queue, m types.Message) (Message, error) {
	msg := Message{Queue: q.Name, MessageID: aws.ToString(m.MessageId), body: aws.ToString(m.Body),
		attributes: m.MessageAttributes, receipt: aws.ToString(m.ReceiptHandle)}
	if ms, err := strconv.ParseInt(m.Attributes[string(types.MessageSystemAttributeNameSentTimestamp)], 10, 64); err == nil {
		msg.SentAt = time.UnixMilli(ms).UTC()
	}
	if q.SourceURL == "" {
		msg.EventType, msg.Reason = describeStreamFailure(msg.body)
		return msg, nil
	}
	if env, err := queue.Decode(msg.body); err == nil {
		msg.EventType, msg.OrderID = env.Type, env.OrderID
	} else {
		msg.EventType = "(undecodable)"
	}
	f, err := t.Failures.GetFailure(ctx, msg.MessageID)
	switch {
	case err == nil:
		msg.Reason, msg.ReceiveCount, msg.FailedAt = f.Reason, f.ReceiveCount, f.FailedAt
	case errors.Is(err, domain.ErrNotFound):
		msg.Reason = NoReason
	default:
		return msg, fmt.Errorf("read the failure of %s: %w", msg.MessageID, err)
	}
	return msg, nil
}

// describeStreamFailure summarises the invocation record Lambda sends to a
// stream's on-failure destination.
func describeStreamFailure(body string) (kind, reason string) {
	var rec struct {
		RequestContext struct {
			Condition              string `json:"condition"`
			ApproximateInvokeCount int    `json:"approximateInvokeCount"`
		} `json:"requestContext"`
		Batch struct {
			StartSequenceNumber string `json:"startSequenceNumber"`
			EndSequenceNumber   string `json:"endSequenceNumber"`
			BatchSize           int    `json:"batchSize"`
		} `json:"DDBStreamBatchInfo"`
	}
	if err := json.Unmarshal([]byte(body), &rec); err != nil {
		return "(undecodable)", "not a stream failure record: " + err.Error()
	}
	return "stream batch", fmt.Sprintf("%s after %d invocations: %d records, sequence %s to %s",
		rec.RequestContext.Condition, rec.RequestContext.ApproximateInvokeCount, rec.Batch.BatchSize,
		rec.Batch.StartSequenceNumber, rec.Batch.EndSequenceNumber)
}

// release makes leased messages visible again at once.
func (t *Tool) release(ctx context.Context, q Queue, msgs []Message) {
	for _, m := range msgs {
		// Best effort: an unreleased message reappears when its lease ends.
		_, _ = t.SQS.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
			QueueUrl: &q.DLQURL, ReceiptHandle: &m.receipt, VisibilityTimeout: 0,
		})
	}
}
