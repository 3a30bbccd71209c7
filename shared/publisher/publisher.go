// Package publisher turns changes of order items on the table's stream into
// domain events on EventBridge: the transactional outbox. The table write is
// the source of truth; the event follows it and carries an id derived from the
// write, so redelivery republishes the same event rather than a new one.
package publisher

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"

	domainevents "github.com/fooddelivery/serverless-food-delivery/shared/events"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/logging"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/metrics"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/tracecontext"
	"github.com/fooddelivery/serverless-food-delivery/shared/store/streamimage"
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
	sequence  string
	event     domainevents.Envelope
	createdAt time.Time // when the order was placed, for PlacedToDelivered
}

// Handle publishes one event per order status change in the batch. On a
// failure it reports the first failed record: Lambda then retries the shard
// from that record on, so events keep their order (records after it are
// redelivered and republished with the same ids, which consumers drop).
func (h *Handler) Handle(ctx context.Context, batch events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	start := time.Now()
	resp := h.handle(ctx, batch)
	metrics.Duration(StreamBatch, time.Since(start), nil)
	if n := len(resp.BatchItemFailures); n > 0 {
		metrics.Add(metrics.BatchItemFailures, float64(n))
	}
	return resp, nil
}

// StreamBatch is the EventType of the publisher's HandlerDuration: one batch of stream records.
const StreamBatch = "DynamoDBStreamBatch"

func (h *Handler) handle(ctx context.Context, batch events.DynamoDBEvent) events.DynamoDBEventResponse {
	var toPublish []pending
	for _, rec := range batch.Records {
		evt, createdAt, ok, err := eventFor(rec)
		if err != nil {
			// An undecodable order image will not decode on retry either, but
			// dropping it would lose an order event: fail it so that it goes
			// to the stream's on-failure destination after the retries.
			logging.From(ctx).Error("cannot decode stream record", "sequence", rec.Change.SequenceNumber, "error", err)
			return h.publishThenFail(ctx, toPublish, rec.Change.SequenceNumber)
		}
		if ok {
			toPublish = append(toPublish, pending{sequence: rec.Change.SequenceNumber, event: evt, createdAt: createdAt})
		}
	}
	return h.publishThenFail(ctx, toPublish, "")
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
			evt := chunk[i].event
			traceID := tracecontext.OrderTraceID(evt.TraceParent, evt.OrderID)
			log := logging.From(ctx).With("order_id", evt.OrderID, "event_id", evt.ID,
				"event_type", evt.Type, "correlation_id", evt.CorrelationID, "trace_id", traceID)
			if perr != nil {
				log.Error("event rejected by the bus", "error", perr)
				return chunk[i].sequence
			}
			log.Info("event published")
			if ms := BusinessMetrics(evt, chunk[i].createdAt); len(ms) > 0 {
				metrics.Business(ms, map[string]any{"order_id": evt.OrderID, "trace_id": traceID, "event_type": evt.Type})
			}
		}
	}
	return ""
}

// eventFor returns the event a stream record announces: one when an order
// item is inserted or its status changes, none for other items or for updates
// that leave the status alone.
func eventFor(rec events.DynamoDBEventRecord) (domainevents.Envelope, time.Time, bool, error) {
	if rec.EventName == string(events.DynamoDBOperationTypeRemove) {
		return domainevents.Envelope{}, time.Time{}, false, nil
	}
	newOrder, isOrder, err := streamimage.Order(rec.Change.NewImage)
	if err != nil || !isOrder {
		return domainevents.Envelope{}, time.Time{}, false, err
	}
	oldOrder, hadOld, err := streamimage.Order(rec.Change.OldImage)
	if err != nil {
		return domainevents.Envelope{}, time.Time{}, false, fmt.Errorf("old image: %w", err)
	}
	if hadOld && oldOrder.Status == newOrder.Status {
		return domainevents.Envelope{}, time.Time{}, false, nil
	}
	evt, ok := domainevents.FromOrder(newOrder)
	return evt, newOrder.CreatedAt, ok, nil
}

// BusinessMetrics are the business metrics of one published event: a count per
// order outcome, the money that moved, and for a delivery how long it took
// from placing (createdAt) to the delivery (the event's occurred_at).
func BusinessMetrics(evt domainevents.Envelope, createdAt time.Time) []metrics.Metric {
	one := func(name string) metrics.Metric { return metrics.Metric{Name: name, Unit: metrics.Count, Value: 1} }
	money := func(name string) metrics.Metric {
		return metrics.Metric{Name: name, Unit: metrics.None, Value: float64(evt.Data.TotalMinor)}
	}
	switch evt.Type {
	case domainevents.OrderPlaced:
		return []metrics.Metric{one(metrics.OrdersPlaced)}
	case domainevents.PaymentConfirmed:
		return []metrics.Metric{one(metrics.OrdersPaid), money(metrics.RevenueMinor)}
	case domainevents.PaymentFailed:
		return []metrics.Metric{one(metrics.OrdersDeclined)}
	case domainevents.OrderDelivered:
		ms := []metrics.Metric{one(metrics.OrdersDelivered)}
		if !createdAt.IsZero() && !evt.OccurredAt.Before(createdAt) {
			ms = append(ms, metrics.Metric{Name: metrics.PlacedToDelivered, Unit: metrics.Milliseconds,
				Value: float64(evt.OccurredAt.Sub(createdAt).Milliseconds())})
		}
		return ms
	case domainevents.OrderRefunded:
		return []metrics.Metric{one(metrics.OrdersRefunded), money(metrics.RefundedMinor)}
	case domainevents.NoCourierAvailable:
		return []metrics.Metric{one(metrics.OrdersNoCourier)}
	case domainevents.OrderCancelled:
		return []metrics.Metric{one(metrics.OrdersCancelled)}
	}
	return nil
}
