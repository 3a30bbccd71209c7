package publisher

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	domainevents "github.com/fooddelivery/serverless-food-delivery/shared/events"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/tracecontext"
)

// PutEventsAPI is the part of the EventBridge client the bus uses.
type PutEventsAPI interface {
	PutEvents(context.Context, *eventbridge.PutEventsInput, ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error)
}

// EventBridgeBus publishes to a custom event bus.
type EventBridgeBus struct {
	client  PutEventsAPI
	busName string
}

// NewEventBridgeBus returns a Bus for the named event bus.
func NewEventBridgeBus(client PutEventsAPI, busName string) *EventBridgeBus {
	return &EventBridgeBus{client: client, busName: busName}
}

// Publish implements Bus with one PutEvents call.
func (b *EventBridgeBus) Publish(ctx context.Context, evts []domainevents.Envelope) ([]error, error) {
	entries := make([]types.PutEventsRequestEntry, len(evts))
	for i, e := range evts {
		detail, err := json.Marshal(e)
		if err != nil {
			return nil, fmt.Errorf("encode event %s: %w", e.ID, err)
		}
		entries[i] = types.PutEventsRequestEntry{
			EventBusName: &b.busName,
			Source:       aws.String(domainevents.Source),
			DetailType:   aws.String(e.Type),
			Detail:       aws.String(string(detail)),
			Resources:    []string{"order/" + e.OrderID},
			Time:         aws.Time(e.OccurredAt),
		}
		// X-Ray's form of the order's trace context: with active tracing, EventBridge hands it on to the
		// SQS targets (AWSTraceHeader), so the consumers' X-Ray segments join the order's trace.
		if sc, ok := tracecontext.Parse(e.TraceParent); ok {
			entries[i].TraceHeader = aws.String(sc.XRayHeader())
		}
	}
	out, err := b.client.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: entries})
	if err != nil {
		return nil, fmt.Errorf("put events: %w", err)
	}
	results := make([]error, len(evts))
	for i := range evts {
		if i < len(out.Entries) && out.Entries[i].ErrorCode != nil {
			results[i] = errors.New(aws.ToString(out.Entries[i].ErrorCode) + ": " + aws.ToString(out.Entries[i].ErrorMessage))
		}
	}
	return results, nil
}
