// Package publisher turns changes of order items on the table's stream into
// domain events on EventBridge: the transactional outbox. The table write is
// the source of truth; the event follows it and carries an id derived from the
// write, so redelivery republishes the same event rather than a new one.
package publisher

import (
	"context"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	domainevents "github.com/fooddelivery/serverless-food-delivery/shared/events"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/logging"
	"github.com/fooddelivery/serverless-food-delivery/shared/store"
)

// Bus publishes events; it returns one error slot per event (nil when
// accepted) so a partly failed batch can be reported precisely.
type Bus interface {
	Publish(ctx context.Context, evts []domainevents.Envelope) ([]error, error)
}

// Handler is the stream-triggered Lambda handler.
type Handler struct {
	bus Bus
}

// NewHandler wires the handler.
func NewHandler(bus Bus) *Handler { return &Handler{bus: bus} }

// pending is an event waiting to be published with the record it came from.
type pending struct {
	sequence string
	event    domainevents.Envelope
}

// Handle publishes one event per order status change in the batch. On a
// failure it reports the first failed record: Lambda then retries the shard
// from that record on, so events keep their order (records after it are
// redelivered and republished with the same ids, which consumers drop).
func (h *Handler) Handle(ctx context.Context, batch events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	var toPublish []pending
	for _, rec := range batch.Records {
		evt, ok, err := eventFor(rec)
		if err != nil {
			// An undecodable order image will not decode on retry either, but
			// dropping it would lose an order event: fail it so that it goes
			// to the stream's on-failure destination after the retries.
			logging.From(ctx).Error("cannot decode stream record", "sequence", rec.Change.SequenceNumber, "error", err)
			return h.publishThenFail(ctx, toPublish, rec.Change.SequenceNumber), nil
		}
		if ok {
			toPublish = append(toPublish, pending{sequence: rec.Change.SequenceNumber, event: evt})
		}
	}
	return h.publishThenFail(ctx, toPublish, ""), nil
}

// publishThenFail publishes the events and reports the first record that did
// not make it; failAt, when set, is a record that failed before publishing.
func (h *Handler) publishThenFail(ctx context.Context, items []pending, failAt string) events.DynamoDBEventResponse {
	if first := h.publish(ctx, items); first != "" {
		failAt = first
	}
	if failAt == "" {
		// An empty list, not null: see queue.Consume.
		return events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{}}
	}
	return events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{{ItemIdentifier: failAt}}}
}

// maxEntriesPerCall is EventBridge's PutEvents limit.
const maxEntriesPerCall = 10

// publish sends the events in order and returns the sequence number of the
// first one that failed, or "".
func (h *Handler) publish(ctx context.Context, items []pending) string {
	for start := 0; start < len(items); start += maxEntriesPerCall {
		chunk := items[start:min(start+maxEntriesPerCall, len(items))]
		evts := make([]domainevents.Envelope, len(chunk))
		for i, p := range chunk {
			evts[i] = p.event
		}
		results, err := h.bus.Publish(ctx, evts)
		if err != nil {
			logging.From(ctx).Error("publish failed", "events", len(evts), "error", err)
			return chunk[0].sequence
		}
		for i, perr := range results {
			log := logging.From(ctx).With("order_id", chunk[i].event.OrderID, "event_id", chunk[i].event.ID,
				"event_type", chunk[i].event.Type, "correlation_id", chunk[i].event.CorrelationID)
			if perr != nil {
				log.Error("event rejected by the bus", "error", perr)
				return chunk[i].sequence
			}
			log.Info("event published")
		}
	}
	return ""
}

// eventFor returns the event a stream record announces: one when an order
// item is inserted or its status changes, none for other items or for updates
// that leave the status alone.
func eventFor(rec events.DynamoDBEventRecord) (domainevents.Envelope, bool, error) {
	if rec.EventName == string(events.DynamoDBOperationTypeRemove) {
		return domainevents.Envelope{}, false, nil
	}
	newOrder, isOrder, err := store.OrderFromImage(rec.Change.NewImage)
	if err != nil || !isOrder {
		return domainevents.Envelope{}, false, err
	}
	oldOrder, hadOld, err := store.OrderFromImage(rec.Change.OldImage)
	if err != nil {
		return domainevents.Envelope{}, false, fmt.Errorf("old image: %w", err)
	}
	if hadOld && oldOrder.Status == newOrder.Status {
		return domainevents.Envelope{}, false, nil
	}
	evt, ok := domainevents.FromOrder(newOrder)
	return evt, ok, nil
}
