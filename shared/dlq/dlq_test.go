package dlq_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/fooddelivery/serverless-food-delivery/shared/dlq"
	"github.com/fooddelivery/serverless-food-delivery/shared/queue"
	"github.com/fooddelivery/serverless-food-delivery/shared/store/memstore"
)

// fakeSQS holds queues of messages with visibility, enough of SQS for the tool.
type fakeSQS struct {
	mu      sync.Mutex
	queues  map[string][]*fakeMsg
	nextID  int
	sendErr error
}

type fakeMsg struct {
	id, body, receipt string
	visibleAt         time.Time
}

func (f *fakeSQS) put(url, id, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.queues == nil {
		f.queues = map[string][]*fakeMsg{}
	}
	f.queues[url] = append(f.queues[url], &fakeMsg{id: id, body: body})
}

func (f *fakeSQS) bodies(url string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, m := range f.queues[url] {
		out = append(out, m.body)
	}
	return out
}

func (f *fakeSQS) ReceiveMessage(_ context.Context, in *sqs.ReceiveMessageInput, _ ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []types.Message
	for _, m := range f.queues[*in.QueueUrl] {
		if len(out) == int(in.MaxNumberOfMessages) || time.Now().Before(m.visibleAt) {
			continue
		}
		f.nextID++
		m.receipt = "r" + strconv.Itoa(f.nextID)
		m.visibleAt = time.Now().Add(time.Duration(in.VisibilityTimeout) * time.Second)
		out = append(out, types.Message{MessageId: aws.String(m.id), Body: aws.String(m.body), ReceiptHandle: aws.String(m.receipt),
			Attributes: map[string]string{"SentTimestamp": "1763892000000"}})
	}
	return &sqs.ReceiveMessageOutput{Messages: out}, nil
}

func (f *fakeSQS) SendMessage(_ context.Context, in *sqs.SendMessageInput, _ ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
	if f.sendErr != nil {
		return nil, f.sendErr
	}
	id := "new-" + strconv.Itoa(len(f.bodies(*in.QueueUrl)))
	f.put(*in.QueueUrl, id, *in.MessageBody)
	return &sqs.SendMessageOutput{MessageId: aws.String(id)}, nil
}

func (f *fakeSQS) DeleteMessage(_ context.Context, in *sqs.DeleteMessageInput, _ ...func(*sqs.Options)) (*sqs.DeleteMessageOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q := f.queues[*in.QueueUrl]
	for i, m := range q {
		if m.receipt == *in.ReceiptHandle {
			f.queues[*in.QueueUrl] = append(q[:i], q[i+1:]...)
			return &sqs.DeleteMessageOutput{}, nil
		}
	}
	return nil, errors.New("receipt handle is invalid")
}

func (f *fakeSQS) ChangeMessageVisibility(_ context.Context, in *sqs.ChangeMessageVisibilityInput, _ ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range f.queues[*in.QueueUrl] {
		if m.receipt == *in.ReceiptHandle {
			m.visibleAt = time.Now().Add(time.Duration(in.VisibilityTimeout) * time.Second)
		}
	}
	return &sqs.ChangeMessageVisibilityOutput{}, nil
}

func event(orderID string) string {
	return `{"detail-type":"OrderPlaced","detail":{"id":"e-` + orderID + `","type":"OrderPlaced","order_id":"` + orderID + `"}}`
}

var payment = dlq.Queue{Name: "payment", DLQURL: "dlq", SourceURL: "src"}

func setup(t *testing.T) (*fakeSQS, *dlq.Tool) {
	t.Helper()
	f := &fakeSQS{}
	failures := memstore.New()
	for i := 1; i <= 12; i++ { // more than one receive's worth
		id := "m" + strconv.Itoa(i)
		f.put("dlq", id, event("o-"+strconv.Itoa(i)))
		if i != 12 {
			_ = failures.RecordFailure(context.Background(), queue.Failure{MessageID: id, OrderID: "o-" + strconv.Itoa(i),
				ReceiveCount: 3, Reason: "order o-" + strconv.Itoa(i) + ": not found", FailedAt: time.Now()})
		}
	}
	f.put("dlq", "garbage", "not json")
	return f, &dlq.Tool{SQS: f, Failures: failures, Lease: time.Minute}
}

func TestListShowsEveryMessageWithItsReasonAndLeavesThemThere(t *testing.T) {
	f, tool := setup(t)
	msgs, err := tool.List(context.Background(), payment)
	if err != nil || len(msgs) != 13 {
		t.Fatalf("%d messages, err %v", len(msgs), err)
	}
	byID := map[string]dlq.Message{}
	for _, m := range msgs {
		byID[m.MessageID] = m
	}
	if m := byID["m3"]; m.EventType != "OrderPlaced" || m.OrderID != "o-3" || m.ReceiveCount != 3 || m.Reason != "order o-3: not found" || m.SentAt.IsZero() {
		t.Errorf("m3 %+v", m)
	}
	if m := byID["m12"]; m.Reason != dlq.NoReason {
		t.Errorf("m12 without a record: %+v", m)
	}
	if m := byID["garbage"]; m.EventType != "(undecodable)" {
		t.Errorf("garbage %+v", m)
	}
	// Released: a second listing sees them all again.
	if again, _ := tool.List(context.Background(), payment); len(again) != 13 {
		t.Fatalf("second listing %d", len(again))
	}
	if len(f.bodies("src")) != 0 {
		t.Fatal("listing moved messages")
	}
}

func TestRedriveMovesTheMatchingMessagesBack(t *testing.T) {
	f, tool := setup(t)
	moved, err := tool.Redrive(context.Background(), payment, func(m dlq.Message) bool { return m.OrderID == "o-2" || m.OrderID == "o-5" })
	if err != nil || len(moved) != 2 || moved[0].RedrivenAs == "" {
		t.Fatalf("moved %+v, err %v", moved, err)
	}
	if src := f.bodies("src"); len(src) != 2 || !strings.Contains(src[0]+src[1], `"o-5"`) {
		t.Fatalf("source queue %v", src)
	}
	if left, _ := tool.List(context.Background(), payment); len(left) != 11 {
		t.Fatalf("%d left in the DLQ", len(left))
	}
	all, err := tool.Redrive(context.Background(), payment, nil)
	if err != nil || len(all) != 11 || len(f.bodies("dlq")) != 0 {
		t.Fatalf("moved %d, err %v, DLQ %v", len(all), err, f.bodies("dlq"))
	}
}

func TestAFailedSendKeepsTheMessage(t *testing.T) {
	f, tool := setup(t)
	f.sendErr = errors.New("throttled")
	moved, err := tool.Redrive(context.Background(), payment, nil)
	if err == nil || len(moved) != 0 || len(f.bodies("dlq")) != 13 {
		t.Fatalf("moved %d err %v", len(moved), err)
	}
	if left, _ := tool.List(context.Background(), payment); len(left) != 13 {
		t.Fatalf("kept messages were not released: %d visible", len(left))
	}
}

func TestStreamFailuresAreListedNotRedriven(t *testing.T) {
	f := &fakeSQS{}
	f.put("sdlq", "s1", `{"requestContext":{"condition":"RetryAttemptsExhausted","approximateInvokeCount":6},
		"DDBStreamBatchInfo":{"startSequenceNumber":"100","endSequenceNumber":"109","batchSize":10}}`)
	tool := &dlq.Tool{SQS: f, Failures: memstore.New()}
	stream := dlq.Queue{Name: "stream", DLQURL: "sdlq"}
	msgs, err := tool.List(context.Background(), stream)
	if err != nil || len(msgs) != 1 || !strings.Contains(msgs[0].Reason, "RetryAttemptsExhausted after 6 invocations: 10 records") {
		t.Fatalf("%+v %v", msgs, err)
	}
	if _, err := tool.Redrive(context.Background(), stream, nil); err == nil {
		t.Fatal("stream failures cannot be redriven")
	}
}
