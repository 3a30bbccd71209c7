package chaos_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/fooddelivery/serverless-food-delivery/shared/platform/chaos"
)

func TestChaosCrashesOnAboutTheConfiguredShareAndARetryCanSucceed(t *testing.T) {
	const n = 10000
	crashed, retryCrashed := 0, 0
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("msg-%d", i)
		if chaos.CrashChosen(id, 1, 5) {
			crashed++
			if chaos.CrashChosen(id, 2, 5) {
				retryCrashed++
			}
		}
		if chaos.CrashChosen(id, 1, 0) {
			t.Fatal("crash chosen with percent 0")
		}
		if first, again := chaos.CrashChosen(id, 1, 5), chaos.CrashChosen(id, 1, 5); first != again {
			t.Fatal("not deterministic")
		}
	}
	if crashed < n*4/100 || crashed > n*6/100 {
		t.Errorf("%d of %d deliveries crash, want about 5 %%", crashed, n)
	}
	if retryCrashed > crashed/5 {
		t.Errorf("%d of %d crashed messages crash again on their retry: the draw is not per receive count", retryCrashed, crashed)
	}
}

// crashingID is a message id whose first delivery crashes at 5 % and whose second does not.
func crashingID() string {
	for i := 0; ; i++ {
		id := fmt.Sprintf("m-%d", i)
		if chaos.CrashChosen(id, 1, 5) && !chaos.CrashChosen(id, 2, 5) {
			return id
		}
	}
}

type crash struct{ reason string }

// recording is a consumer that records the message ids it is given and fails the ones in fail.
type recording struct {
	seen []string
	fail map[string]bool
}

func (r *recording) handle(_ context.Context, batch events.SQSEvent) (events.SQSEventResponse, error) {
	resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
	for _, m := range batch.Records {
		r.seen = append(r.seen, m.MessageId)
		if r.fail[m.MessageId] {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
		}
	}
	return resp, nil
}

// deliver runs h on batch and reports whether it crashed (the test's crash panics with a crash value).
func deliver(t *testing.T, h chaos.SQSHandler, batch events.SQSEvent) (resp events.SQSEventResponse, crashed bool) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(crash); !ok {
				panic(r)
			}
			crashed = true
		}
	}()
	resp, err := h(context.Background(), batch)
	if err != nil {
		t.Fatal(err)
	}
	return resp, false
}

func msg(id, receive string) events.SQSMessage {
	return events.SQSMessage{MessageId: id, Body: "{}", Attributes: map[string]string{"ApproximateReceiveCount": receive}}
}

func TestChaosCrashStopsTheConsumerBeforeTheChosenMessage(t *testing.T) {
	id := crashingID()
	next := &recording{}
	h := chaos.Crashing(next.handle, 5, func(reason string) { panic(crash{reason}) })
	// The message before the chosen one is handled, as by a consumer that crashes halfway through its batch.
	if _, crashed := deliver(t, h, events.SQSEvent{Records: []events.SQSMessage{msg("before", "1"), msg(id, "1"), msg("after", "1")}}); !crashed {
		t.Fatal("first delivery: want a crash")
	}
	if !reflect.DeepEqual(next.seen, []string{"before"}) {
		t.Fatalf("the consumer saw %v before the crash, want [before]", next.seen)
	}
	if _, crashed := deliver(t, h, events.SQSEvent{Records: []events.SQSMessage{msg(id, "2")}}); crashed {
		t.Fatal("second delivery: want it handled")
	}
	if !reflect.DeepEqual(next.seen, []string{"before", id}) {
		t.Fatalf("the consumer saw %v, want the retry handled", next.seen)
	}
}

func TestChaosKeepsTheConsumersBatchFailures(t *testing.T) {
	next := &recording{fail: map[string]bool{"b": true, "d": true}}
	h := chaos.Crashing(next.handle, 5, func(reason string) { panic(crash{reason}) })
	var batch events.SQSEvent
	for _, id := range []string{"a", "b", "c", "d"} {
		if chaos.CrashChosen(id, 1, 5) {
			t.Fatalf("message %s is chosen to crash: pick other ids", id)
		}
		batch.Records = append(batch.Records, msg(id, "1"))
	}
	resp, crashed := deliver(t, h, batch)
	if crashed {
		t.Fatal("crashed")
	}
	raw, _ := json.Marshal(resp)
	if string(raw) != `{"batchItemFailures":[{"itemIdentifier":"b"},{"itemIdentifier":"d"}]}` {
		t.Fatalf("response %s, want the consumer's failures b and d", raw)
	}
	ok, _ := deliver(t, h, events.SQSEvent{Records: []events.SQSMessage{msg("a", "1")}})
	if raw, _ := json.Marshal(ok); string(raw) != `{"batchItemFailures":[]}` {
		t.Fatalf("response %s, want an empty list, never null (MiniStack)", raw)
	}
}

// TestFromEnvInstallsTheDecoratorOnlyOnAChaosStack: without CHAOS_CRASH_PERCENT (every stack but the one of make
// reliability, see infra TestChaosIsOffByDefault) the consumer runs as it is, with no fault injection in its path.
func TestFromEnvInstallsTheDecoratorOnlyOnAChaosStack(t *testing.T) {
	next := (&recording{}).handle
	same := func(h chaos.SQSHandler) bool { return reflect.ValueOf(h).Pointer() == reflect.ValueOf(next).Pointer() }
	for _, v := range []string{"", "0", "-3", "five"} {
		t.Setenv(chaos.CrashEnv, v)
		if !same(chaos.FromEnv(next)) {
			t.Errorf("%s=%q: the consumer was decorated", chaos.CrashEnv, v)
		}
	}
	t.Setenv(chaos.CrashEnv, "5")
	if same(chaos.FromEnv(next)) {
		t.Errorf("%s=5: the consumer was not decorated", chaos.CrashEnv)
	}
}
