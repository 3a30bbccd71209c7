// Package ops is the operators' API behind the ops console: orders waiting
// on the saga by status, one order's timeline, the dead-letter queues with the
// reason each message failed, redrive, and the sweeper's last reports. It
// reuses the operators' tools rather than repeating them: shared/timeline
// (`make timeline`) and shared/dlq (`make dlq`, `make redrive`).
package ops

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/fooddelivery/serverless-food-delivery/shared/dlq"
	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/queue"
	"github.com/fooddelivery/serverless-food-delivery/shared/timeline"
)

// AwaitingStore reads the sparse index of orders waiting on a saga step.
type AwaitingStore interface {
	ListAwaiting(ctx context.Context, s domain.Status, from, to time.Time, limit int) ([]domain.Order, error)
	CountAwaiting(ctx context.Context, s domain.Status) (int, error)
}

// Store is every table call of the ops function (infra.TablePorts builds its policy from these methods): the
// awaiting index, the consumers' failure records (shared/dlq) and an order's partition (shared/timeline).
type Store interface {
	AwaitingStore
	GetFailure(ctx context.Context, messageID string) (queue.Failure, error)
	QueryOrderPartition(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// PartitionReader is a Store seen as shared/timeline's QueryAPI: timeline.Build's one Query is on the order's
// partition, which is all QueryOrderPartition allows.
type PartitionReader struct{ Store Store }

// Query implements timeline.QueryAPI.
func (r PartitionReader) Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return r.Store.QueryOrderPartition(ctx, in, optFns...)
}

// DLQTool lists and redrives dead-lettered messages (dlq.Tool is one).
type DLQTool interface {
	List(ctx context.Context, q dlq.Queue) ([]dlq.Message, error)
	Redrive(ctx context.Context, q dlq.Queue, match func(dlq.Message) bool) ([]dlq.Message, error)
}

// QueueAttributesAPI reads a queue's approximate depth.
type QueueAttributesAPI interface {
	GetQueueAttributes(context.Context, *sqs.GetQueueAttributesInput, ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error)
}

// LogReader reads JSON log lines (timeline.ReadLogs over a FilterLogEvents client).
type LogReader func(ctx context.Context, groups []string, since time.Time, keep func(map[string]any) bool) ([]timeline.LogLine, error)

// Service answers the ops routes.
type Service struct {
	Orders   AwaitingStore
	Timeline timeline.Sources
	DLQ      DLQTool
	Queues   []dlq.Queue
	Attrs    QueueAttributesAPI
	Logs     LogReader
	// SweeperLogGroup is where the sweeper writes its "sweep done" lines.
	SweeperLogGroup string
	Now             func() time.Time
}

// PerStatus is how many orders the status view lists per status, oldest first.
const PerStatus = 20

// StatusSummary is one saga-waiting status: how many orders wait in it and
// the oldest of them.
type StatusSummary struct {
	Status domain.Status
	Count  int
	Oldest []domain.Order
}

// AwaitingByStatus returns every saga-waiting status (or only want, when
// set) with its count and its oldest orders. Two queries per status on the
// sparse index, never a scan: orders that are over are not in it.
func (s *Service) AwaitingByStatus(ctx context.Context, want domain.Status) ([]StatusSummary, error) {
	statuses := domain.AwaitingSaga
	if want != "" {
		if !want.AwaitsSaga() {
			return nil, domain.Invalid("status", "must be one of the statuses an order waits in: %v", domain.AwaitingSaga)
		}
		statuses = []domain.Status{want}
	}
	now := s.Now()
	out := make([]StatusSummary, 0, len(statuses))
	for _, st := range statuses {
		n, err := s.Orders.CountAwaiting(ctx, st)
		if err != nil {
			return nil, err
		}
		sum := StatusSummary{Status: st, Count: n}
		if n > 0 {
			// From the epoch to a minute ahead: a clock a little ahead on the writer still lists.
			if sum.Oldest, err = s.Orders.ListAwaiting(ctx, st, time.Unix(0, 0), now.Add(time.Minute), PerStatus); err != nil {
				return nil, err
			}
		}
		out = append(out, sum)
	}
	return out, nil
}

// OrderTimeline is `make timeline` for one order.
func (s *Service) OrderTimeline(ctx context.Context, orderID string) ([]timeline.Entry, error) {
	entries, err := timeline.Build(ctx, s.Timeline, orderID)
	if errors.Is(err, timeline.ErrNoOrder) {
		return nil, domain.ErrNotFound
	}
	return entries, err
}

// DLQView is one dead-letter queue: its depth and its messages.
type DLQView struct {
	Queue dlq.Queue
	// Depth is SQS's approximate count (visible + in flight), which may lag
	// the listing by a moment.
	Depth    int
	Messages []dlq.Message
}

// DLQs lists every DLQ with its messages and their reasons. The queues are
// read in parallel: an empty queue answers after a one-second long poll.
func (s *Service) DLQs(ctx context.Context) ([]DLQView, error) {
	out := make([]DLQView, len(s.Queues))
	errs := make([]error, len(s.Queues))
	var wg sync.WaitGroup
	for i, q := range s.Queues {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i].Queue = q
			out[i].Messages, errs[i] = s.DLQ.List(ctx, q)
			if errs[i] != nil {
				return
			}
			out[i].Depth, errs[i] = s.depth(ctx, q)
		}()
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

func (s *Service) depth(ctx context.Context, q dlq.Queue) (int, error) {
	res, err := s.Attrs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &q.DLQURL,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages,
			sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
	if err != nil {
		return 0, fmt.Errorf("depth of the %s DLQ: %w", q.Name, err)
	}
	n := 0
	for _, a := range []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages,
		sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible} {
		v, _ := strconv.Atoi(res.Attributes[string(a)])
		n += v
	}
	return n, nil
}

// Redrive moves one message (messageID set) or every message of the named
// DLQ back to its queue. It is idempotent: a message already moved is no
// longer in the DLQ, so asking again moves nothing and is not an error.
func (s *Service) Redrive(ctx context.Context, queueName, messageID string) ([]dlq.Message, error) {
	q, ok := s.queue(queueName)
	if !ok {
		return nil, domain.ErrNotFound
	}
	if q.SourceURL == "" {
		return nil, domain.Invalid("queue", "the stream DLQ holds stream failure records, which cannot be sent back")
	}
	var match func(dlq.Message) bool
	if messageID != "" {
		match = func(m dlq.Message) bool { return m.MessageID == messageID }
	}
	return s.DLQ.Redrive(ctx, q, match)
}

func (s *Service) queue(name string) (dlq.Queue, bool) {
	for _, q := range s.Queues {
		if q.Name == name {
			return q, true
		}
	}
	return dlq.Queue{}, false
}

// SweepWindow is how far back the sweeper's reports are read.
const SweepWindow = 30 * time.Minute

// SweepsShown is how many of the last reports are returned.
const SweepsShown = 10

// Sweep is one "sweep done" line of the sweeper.
type Sweep struct {
	At                                                         time.Time
	Found, Reannounced, NothingOwed, GaveUp, Failed, Truncated int
}

// Sweeps returns the sweeper's last reports, newest first, from its log.
func (s *Service) Sweeps(ctx context.Context) ([]Sweep, error) {
	if s.SweeperLogGroup == "" {
		return nil, nil
	}
	lines, err := s.Logs(ctx, []string{s.SweeperLogGroup}, s.Now().Add(-SweepWindow), func(f map[string]any) bool {
		return f["msg"] == "sweep done"
	})
	if err != nil {
		return nil, err
	}
	out := make([]Sweep, 0, min(len(lines), SweepsShown))
	for i := len(lines) - 1; i >= 0 && len(out) < SweepsShown; i-- {
		f := lines[i].Fields
		out = append(out, Sweep{At: lines[i].At, Found: count(f["found"]), Reannounced: count(f["reannounced"]),
			NothingOwed: count(f["nothing_owed"]), GaveUp: count(f["gave_up"]), Failed: count(f["failed"]),
			Truncated: count(f["truncated"])})
	}
	return out, nil
}

func count(v any) int {
	switch n := v.(type) {
	case float64:
		return int(n)
	case bool: // truncated is a flag
		if n {
			return 1
		}
	}
	return 0
}
