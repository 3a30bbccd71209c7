// Package chaos is the fault injection of `make reliability`, kept out of the production consumers: a decorator
// around an SQS handler that crashes the whole process (a real crash, not a returned error) on a share of the
// deliveries. Only a chaos stack (infra.StackProps.Chaos) sets CHAOS_CRASH_PERCENT, and without it FromEnv returns
// the handler it was given, unwrapped.
package chaos

import (
	"context"
	"fmt"
	"hash/fnv"
	"os"
	"strconv"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fooddelivery/serverless-food-delivery/shared/platform/logging"
)

// CrashEnv names the environment variable a chaos stack sets on its SQS consumers: with CHAOS_CRASH_PERCENT=5 a
// consumer crashes on about 5 % of deliveries.
const CrashEnv = "CHAOS_CRASH_PERCENT"

// SQSHandler is the Lambda handler of an SQS event source mapping with ReportBatchItemFailures (queue.Consume).
type SQSHandler = func(context.Context, events.SQSEvent) (events.SQSEventResponse, error)

// FromEnv installs the crash decorator when CHAOS_CRASH_PERCENT is a positive number, and otherwise returns next
// itself: a production deploy runs the consumer with no fault injection in its path.
func FromEnv(next SQSHandler) SQSHandler {
	percent, _ := strconv.Atoi(os.Getenv(CrashEnv))
	if percent <= 0 {
		return next
	}
	return Crashing(next, percent, exit)
}

func exit(reason string) {
	fmt.Fprintln(os.Stderr, reason)
	os.Exit(3)
}

// Crashing returns next decorated to call crash (which must not return normally: exit, or panic in tests) on the
// deliveries CrashChosen picks, before next sees that message. The batch is handed to next one message at a time,
// so the messages before a crashing one are handled first, as a consumer that crashed halfway through its batch
// would have handled them (their redelivery then tests the consumers' idempotency).
func Crashing(next SQSHandler, percent int, crash func(reason string)) SQSHandler {
	return func(ctx context.Context, batch events.SQSEvent) (events.SQSEventResponse, error) {
		resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
		for _, msg := range batch.Records {
			receive, _ := strconv.Atoi(msg.Attributes["ApproximateReceiveCount"])
			if CrashChosen(msg.MessageId, receive, percent) {
				logging.From(ctx).Error("chaos: crashing the process on this delivery", "percent", percent,
					"message_id", msg.MessageId, "receive_count", receive)
				crash(fmt.Sprintf("chaos: crash on message %s, receive %d (%s=%d)", msg.MessageId, receive, CrashEnv, percent))
			}
			one, err := next(ctx, events.SQSEvent{Records: []events.SQSMessage{msg}})
			if err != nil {
				return one, err
			}
			resp.BatchItemFailures = append(resp.BatchItemFailures, one.BatchItemFailures...)
		}
		return resp, nil
	}
}

// CrashChosen reports whether the fault injection crashes on this delivery of a message. The choice is
// deterministic by message id and receive count, so a crashed message's next delivery is an independent draw
// and a retry can succeed.
func CrashChosen(messageID string, receiveCount, percent int) bool {
	if percent <= 0 {
		return false
	}
	h := fnv.New32a()
	fmt.Fprintf(h, "%s#%d", messageID, receiveCount)
	return int(h.Sum32()%100) < percent
}
