// Command ops-api serves the operators' routes (/ops/…, Cognito group ops):
// orders waiting on the saga, an order's timeline, the DLQs and redrive, the
// sweeper's reports. Wiring only; the logic is in shared/ops.
package main

import (
	"context"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/fooddelivery/serverless-food-delivery/shared/dlq"
	"github.com/fooddelivery/serverless-food-delivery/shared/ops"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awsenv"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/observe"
	"github.com/fooddelivery/serverless-food-delivery/shared/store"
	"github.com/fooddelivery/serverless-food-delivery/shared/timeline"
)

func main() {
	observe.Setup("ops-api")
	cfg := awsenv.MustLoad()
	db := dynamodb.NewFromConfig(cfg)
	tableName := platform.MustEnv("TABLE_NAME")
	var table ops.Store = store.New(db, tableName) // every table call goes through the port its policy is built from
	queue := sqs.NewFromConfig(cfg)
	logs := cloudwatchlogs.NewFromConfig(cfg)
	svc := &ops.Service{
		Orders: table,
		// No stream versions: reading the whole stream per request is for the one-off tool; the table's current
		// item stands for them (timeline.Build's fallback). FilterLogEvents, not Logs Insights: its
		// GetQueryResults cannot be granted on named log groups.
		Timeline: timeline.Sources{Table: ops.PartitionReader{Store: table}, TableName: tableName,
			Logs: timeline.FilterLogs{Client: logs, Groups: strings.Split(platform.MustEnv("LOG_GROUPS"), ",")}},
		DLQ: &dlq.Tool{SQS: queue, Failures: table, Lease: 10 * time.Second},
		Queues: []dlq.Queue{
			{Name: "payment", DLQURL: platform.MustEnv("PAYMENT_DLQ_URL"), SourceURL: platform.MustEnv("PAYMENT_QUEUE_URL")},
			{Name: "assignment", DLQURL: platform.MustEnv("ASSIGNMENT_DLQ_URL"), SourceURL: platform.MustEnv("ASSIGNMENT_QUEUE_URL")},
			{Name: "notification", DLQURL: platform.MustEnv("NOTIFICATION_DLQ_URL"), SourceURL: platform.MustEnv("NOTIFICATION_QUEUE_URL")},
			{Name: "email", DLQURL: platform.MustEnv("NOTIFY_EMAIL_DLQ_URL"), SourceURL: platform.MustEnv("NOTIFY_EMAIL_QUEUE_URL")},
			{Name: "sms", DLQURL: platform.MustEnv("NOTIFY_SMS_DLQ_URL"), SourceURL: platform.MustEnv("NOTIFY_SMS_QUEUE_URL")},
			{Name: "stream", DLQURL: platform.MustEnv("STREAM_DLQ_URL")},
		},
		Attrs: queue,
		Logs: func(ctx context.Context, groups []string, since time.Time, keep func(map[string]any) bool) ([]timeline.LogLine, error) {
			return timeline.ReadLogs(ctx, logs, groups, since, keep)
		},
		SweeperLogGroup: platform.MustEnv("SWEEPER_LOG_GROUP"),
		Now:             time.Now,
	}
	lambda.Start(observe.Handler(ops.NewRouter(svc).Serve))
}
