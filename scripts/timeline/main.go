// Command timeline prints one order's life in time order: its versions (from the table's stream), the events
// published about it, the payment ledger, the notifications, the courier's assignment and the log lines of every
// function that touched it. The logic is shared/timeline; this wires the clients.
//
//	go run ./scripts/timeline -outputs .run/4566/outputs.json -order <id> [-json] [-logs filter|insights]
//
// Logs come from the stack's log groups (found through CloudFormation): with FilterLogEvents on an emulator
// (AWS_ENDPOINT_URL set), with one CloudWatch Logs Insights query on AWS.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"

	"github.com/fooddelivery/serverless-food-delivery/shared/devstack"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awsclient"
	"github.com/fooddelivery/serverless-food-delivery/shared/timeline"
)

func main() {
	outputsPath := flag.String("outputs", ".run/4566/outputs.json", "stack outputs file written by cdk deploy")
	orderID := flag.String("order", "", "the order's id")
	asJSON := flag.Bool("json", false, "one JSON object per entry")
	logsMode := flag.String("logs", "", "filter (FilterLogEvents) or insights (Logs Insights); default: filter on an emulator, insights on AWS")
	flag.Parse()
	if *orderID == "" {
		fmt.Fprintln(os.Stderr, "usage: timeline -outputs FILE -order ID [-json] [-logs filter|insights]")
		os.Exit(2)
	}
	if err := run(*outputsPath, *orderID, *asJSON, *logsMode); err != nil {
		fmt.Fprintln(os.Stderr, "timeline:", err)
		os.Exit(1)
	}
}

func run(outputsPath, orderID string, asJSON bool, logsMode string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := devstack.LoadOutputs(outputsPath)
	if err != nil {
		return err
	}
	cfg, err := awsclient.Load(ctx)
	if err != nil {
		return err
	}
	groups, err := timeline.StackLogGroups(ctx, cloudformation.NewFromConfig(cfg), devstack.StackName)
	if err != nil {
		return err
	}
	if logsMode == "" {
		logsMode = "insights"
		if os.Getenv("AWS_ENDPOINT_URL") != "" {
			logsMode = "filter"
		}
	}
	logsClient := cloudwatchlogs.NewFromConfig(cfg)
	var logs timeline.LogSource
	switch logsMode {
	case "filter":
		logs = timeline.FilterLogs{Client: logsClient, Groups: groups}
	case "insights":
		logs = timeline.InsightsLogs{Client: logsClient, Groups: groups}
	default:
		return fmt.Errorf("-logs %q: want filter or insights", logsMode)
	}
	db := dynamodb.NewFromConfig(cfg)
	entries, err := timeline.Build(ctx, timeline.Sources{
		Table: db, TableName: out.TableName, Logs: logs,
		Versions: timeline.StreamVersions{Table: db, Streams: dynamodbstreams.NewFromConfig(cfg), TableName: out.TableName},
	}, orderID)
	if errors.Is(err, timeline.ErrNoOrder) {
		return fmt.Errorf("no order %s in table %s", orderID, out.TableName)
	}
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(os.Stdout)
		for _, e := range entries {
			if err := enc.Encode(e); err != nil {
				return err
			}
		}
		return nil
	}
	fmt.Printf("order %s: %d entries (versions, events, ledger, notifications, assignment, logs of %d log groups)\n",
		orderID, len(entries), len(groups))
	for _, e := range entries {
		fmt.Printf("%s  %-12s %-20s %s\n", e.At.Format("2006-01-02T15:04:05.000Z"), e.Kind, e.Source, strings.TrimSpace(e.Text))
	}
	return nil
}
