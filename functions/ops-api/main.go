// Command ops-api serves the operators' routes (/ops/…, Cognito group ops):
// orders waiting on the saga, an order's timeline, the DLQs and redrive, the
// sweeper's reports. Wiring only; the logic is in shared/ops.
package main

import (
	"context"
	"os"
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
	conf := platform.MustConfig(ops.ConfigFromEnv(os.Getenv))
	cfg := awsenv.MustLoad()
	db := dynamodb.NewFromConfig(cfg)
	var table ops.Store = store.New(db, conf.TableName) // every table call goes through the port its policy is built from
	queue := sqs.NewFromConfig(cfg)
	logs := cloudwatchlogs.NewFromConfig(cfg)
	svc := &ops.Service{
		Orders: table,
		// No stream versions: reading the whole stream per request is for the one-off tool; the table's current
		// item stands for them (timeline.Build's fallback). FilterLogEvents, not Logs Insights: its
		// GetQueryResults cannot be granted on named log groups.
		Timeline: timeline.Sources{Table: ops.PartitionReader{Store: table}, TableName: conf.TableName,
			Logs: timeline.FilterLogs{Client: logs, Groups: conf.LogGroups}},
		DLQ:    &dlq.Tool{SQS: queue, Failures: table, Lease: 10 * time.Second},
		Queues: conf.Queues,
		Attrs:  queue,
		Logs: func(ctx context.Context, groups []string, since time.Time, keep func(map[string]any) bool) ([]timeline.LogLine, error) {
			return timeline.ReadLogs(ctx, logs, groups, since, keep)
		},
		SweeperLogGroup: conf.SweeperLogGroup,
		Now:             time.Now,
	}
	lambda.Start(observe.Handler(ops.NewRouter(svc).Serve))
}
