// Command trail shows what one order left behind in the deployed stack, for docs/walkthrough.md: every table item
// of the order's partition (the order, its payment ledger, its notifications, its courier position), the courier
// carrying it, the payment provider's books for it, its receipt in S3, and the log lines of every function that mention it, in time order.
//
//	scripts/trail.sh ORDER_ID [PORT]        # = go run ./scripts/trail -outputs .run/PORT/outputs.json -log .run/PORT/emulator.log ORDER_ID
//
// The log lines come from the stack's CloudWatch log groups and, on MiniStack, also from the emulator's log, where
// it writes the output of functions invoked by event sources (queues, the stream).
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/fooddelivery/serverless-food-delivery/shared/devstack"
	"github.com/fooddelivery/serverless-food-delivery/shared/payments"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awsclient"
)

func main() {
	outputsPath := flag.String("outputs", ".run/4566/outputs.json", "stack outputs file written by cdk deploy")
	logPath := flag.String("log", "", "the emulator's log, where MiniStack writes the output of functions invoked by event sources")
	timeline := flag.Bool("timeline", false, "print only the log lines, one short line each: time, function, message, event type")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: trail [-outputs FILE] [-log FILE] ORDER_ID")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var err error
	if *timeline {
		err = printTimeline(ctx, os.Stdout, *logPath, flag.Arg(0))
	} else {
		err = run(ctx, os.Stdout, *outputsPath, *logPath, flag.Arg(0))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "trail:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer, outputsPath, logPath, orderID string) error {
	out, err := devstack.LoadOutputs(outputsPath)
	if err != nil {
		return err
	}
	cfg, err := awsclient.Load(ctx)
	if err != nil {
		return err
	}
	ddb := dynamodb.NewFromConfig(cfg)

	items, err := partition(ctx, ddb, out.TableName, "ORDER#"+orderID)
	if err != nil {
		return err
	}
	if len(items) == 0 {
		return fmt.Errorf("no items under ORDER#%s in %s", orderID, out.TableName)
	}
	fmt.Fprintf(w, "== table %s, partition ORDER#%s (%d items)\n", out.TableName, orderID, len(items))
	courierID := ""
	for _, it := range items {
		printJSON(w, it)
		if it["SK"] == "ORDER" {
			courierID, _ = it["courier_id"].(string)
		}
	}
	if courierID != "" {
		courier, err := partition(ctx, ddb, out.TableName, "COURIER#"+courierID)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "== the courier, partition COURIER#%s\n", courierID)
		for _, it := range courier {
			printJSON(w, it)
		}
	}

	books, err := partition(ctx, ddb, out.ProviderTableName, "KEY#"+orderID)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "== the simulated payment provider's books, table %s, partition KEY#%s (%d items)\n", out.ProviderTableName, orderID, len(books))
	for _, it := range books {
		printJSON(w, it)
	}

	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	key := payments.ReceiptKey(orderID)
	obj, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: &out.ReceiptsBucketName, Key: &key})
	if err == nil {
		body, _ := io.ReadAll(obj.Body)
		obj.Body.Close()
		fmt.Fprintf(w, "== s3://%s/%s\n%s\n", out.ReceiptsBucketName, key, strings.TrimSpace(string(body)))
	} else {
		fmt.Fprintf(w, "== s3://%s/%s: none (%v)\n", out.ReceiptsBucketName, key, err)
	}

	lines, err := logLines(ctx, cloudwatchlogs.NewFromConfig(cfg), logPath, orderID)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "== log lines with order_id %s (the functions' log groups and %s, %d lines)\n", orderID, logPath, len(lines))
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
	return nil
}

// partition returns every item of one partition, as plain JSON values, in sort-key order.
func partition(ctx context.Context, ddb *dynamodb.Client, table, pk string) ([]map[string]any, error) {
	var out []map[string]any
	p := dynamodb.NewQueryPaginator(ddb, &dynamodb.QueryInput{
		TableName:                 &table,
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("query %s: %w", pk, err)
		}
		for _, item := range page.Items {
			var m map[string]any
			if err := attributevalue.UnmarshalMap(item, &m); err != nil {
				return nil, err
			}
			out = append(out, m)
		}
	}
	return out, nil
}

// logLines returns the JSON log lines whose order_id is orderID, ordered by their time, each as one line. They
// come from the stack's CloudWatch log groups (on AWS every line; on MiniStack the API functions' and the
// sweeper's) and, when logPath is set, from the emulator's log (on MiniStack the output of functions invoked by
// event sources).
func logLines(ctx context.Context, logs *cloudwatchlogs.Client, logPath, orderID string) ([]string, error) {
	var raw []string
	groups := cloudwatchlogs.NewDescribeLogGroupsPaginator(logs, &cloudwatchlogs.DescribeLogGroupsInput{})
	for groups.HasMorePages() {
		page, err := groups.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list log groups: %w", err)
		}
		for _, g := range page.LogGroups {
			if !strings.Contains(aws.ToString(g.LogGroupName), "FoodDelivery") {
				continue
			}
			events := cloudwatchlogs.NewFilterLogEventsPaginator(logs, &cloudwatchlogs.FilterLogEventsInput{
				LogGroupName: g.LogGroupName, FilterPattern: aws.String(`"` + orderID + `"`),
			})
			for events.HasMorePages() {
				ep, err := events.NextPage(ctx)
				if err != nil {
					return nil, fmt.Errorf("read log group %s: %w", aws.ToString(g.LogGroupName), err)
				}
				for _, e := range ep.Events {
					raw = append(raw, aws.ToString(e.Message))
				}
			}
		}
	}
	if logPath != "" {
		f, err := os.Open(logPath)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if strings.Contains(sc.Text(), orderID) {
				raw = append(raw, sc.Text())
			}
		}
		if err := sc.Err(); err != nil {
			return nil, err
		}
	}
	type line struct {
		at   string
		text string
	}
	var found []line
	seen := map[string]bool{}
	for _, r := range raw {
		// A log event may carry the runtime's prefix (START RequestId ...) before the JSON.
		start := strings.Index(r, "{")
		if start < 0 {
			continue
		}
		text := strings.TrimSpace(r[start:])
		var m map[string]any
		if json.Unmarshal([]byte(text), &m) != nil || m["order_id"] != orderID || seen[text] {
			continue
		}
		seen[text] = true
		found = append(found, line{at: lineTime(m).Format(time.RFC3339Nano), text: text})
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].at < found[j].at })
	out := make([]string, len(found))
	for i, l := range found {
		out[i] = l.text
	}
	return out, nil
}

// lineTime is when a log line was written: its "time", or for a metrics line (EMF) its "_aws" timestamp.
func lineTime(m map[string]any) time.Time {
	if s, ok := m["time"].(string); ok {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t.UTC()
		}
	}
	if aws, ok := m["_aws"].(map[string]any); ok {
		if ms, ok := aws["Timestamp"].(float64); ok {
			return time.UnixMilli(int64(ms)).UTC()
		}
	}
	return time.Time{}
}

// printTimeline prints the order's log lines as "15:04:05.000  function  message  event type (or status)".
func printTimeline(ctx context.Context, w io.Writer, logPath, orderID string) error {
	cfg, err := awsclient.Load(ctx)
	if err != nil {
		return err
	}
	lines, err := logLines(ctx, cloudwatchlogs.NewFromConfig(cfg), logPath, orderID)
	if err != nil {
		return err
	}
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			return err
		}
		str := func(k string) string { v, _ := m[k].(string); return v }
		function, msg, what := str("function"), str("msg"), str("event_type")
		if what == "" {
			what = str("status")
		}
		if aws, ok := m["_aws"].(map[string]any); ok && msg == "" {
			// An EMF line: name its metrics.
			var names []string
			directives, _ := aws["CloudWatchMetrics"].([]any)
			for _, d := range directives {
				dm, _ := d.(map[string]any)
				metrics, _ := dm["Metrics"].([]any)
				for _, metric := range metrics {
					mm, _ := metric.(map[string]any)
					if name, ok := mm["Name"].(string); ok {
						names = append(names, name)
					}
				}
			}
			msg = "metrics " + strings.Join(names, ", ")
		}
		fmt.Fprintf(w, "%s  %-19s  %-27s  %s\n", lineTime(m).Format("15:04:05.000"), function, msg, what)
	}
	return nil
}

func printJSON(w io.Writer, v any) {
	b, _ := json.Marshal(v)
	fmt.Fprintln(w, string(b))
}
