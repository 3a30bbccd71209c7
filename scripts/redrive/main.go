// Command redrive lists the messages in the stack's dead-letter queues with
// the reason each one failed, and moves them back to their queues once the
// cause is fixed (see shared/dlq).
//
//	go run ./scripts/redrive -outputs .run/4566/outputs.json list
//	go run ./scripts/redrive -outputs .run/4566/outputs.json -queue payment -message-id ID redrive
//
// `make dlq` and `make redrive` run it against the emulator on PORT; on AWS,
// point -outputs at the file `cdk deploy --outputs-file` wrote.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/fooddelivery/serverless-food-delivery/shared/devstack"
	"github.com/fooddelivery/serverless-food-delivery/shared/dlq"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awsclient"
	"github.com/fooddelivery/serverless-food-delivery/shared/store"
)

func main() {
	outputsPath := flag.String("outputs", ".run/4566/outputs.json", "stack outputs file written by cdk deploy")
	queueName := flag.String("queue", "", "only this DLQ: payment, assignment, notification, email, sms or stream (default: all)")
	messageID := flag.String("message-id", "", "redrive only this message")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: redrive [flags] list|redrive")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 || (flag.Arg(0) != "list" && flag.Arg(0) != "redrive") {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *outputsPath, *queueName, *messageID); err != nil {
		fmt.Fprintln(os.Stderr, "redrive:", err)
		os.Exit(1)
	}
}

func run(command, outputsPath, queueName, messageID string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := devstack.LoadOutputs(outputsPath)
	if err != nil {
		return err
	}
	cfg, err := awsclient.Load(ctx)
	if err != nil {
		return err
	}
	tool := &dlq.Tool{SQS: sqs.NewFromConfig(cfg), Failures: store.New(dynamodb.NewFromConfig(cfg), out.TableName)}
	var queues []dlq.Queue
	for _, q := range dlq.QueuesOf(out) {
		if queueName == "" || q.Name == queueName {
			queues = append(queues, q)
		}
	}
	if len(queues) == 0 {
		return fmt.Errorf("no DLQ named %q (payment, assignment, notification, email, sms, stream)", queueName)
	}

	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "QUEUE\tMESSAGE ID\tEVENT\tORDER\tRECEIVES\tFAILED AT\tREASON")
	total := 0
	var lists [][]dlq.Message
	for _, q := range queues {
		msgs, err := tool.List(ctx, q)
		if err != nil {
			return err
		}
		lists = append(lists, msgs)
		for _, m := range msgs {
			total++
			failedAt := "-"
			if !m.FailedAt.IsZero() {
				failedAt = m.FailedAt.Format(time.RFC3339)
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", m.Queue, m.MessageID, m.EventType, dash(m.OrderID), m.ReceiveCount, failedAt, m.Reason)
		}
	}
	w.Flush()
	fmt.Printf("%d message(s) in %d DLQ(s)\n", total, len(queues))
	if command == "list" {
		return nil
	}

	moved := 0
	for i, q := range queues {
		if len(lists[i]) == 0 || q.SourceURL == "" {
			if len(lists[i]) > 0 {
				fmt.Printf("skipping the %s DLQ: stream failure records cannot be sent back\n", q.Name)
			}
			continue
		}
		var match func(dlq.Message) bool
		if messageID != "" {
			match = func(m dlq.Message) bool { return m.MessageID == messageID }
		}
		done, err := tool.Redrive(ctx, q, match)
		for _, m := range done {
			fmt.Printf("redrove %s (%s of order %s) to the %s queue as %s\n", m.MessageID, m.EventType, dash(m.OrderID), q.Name, m.RedrivenAs)
		}
		moved += len(done)
		if err != nil {
			return err
		}
	}
	fmt.Printf("%d message(s) moved back to their queues\n", moved)
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
