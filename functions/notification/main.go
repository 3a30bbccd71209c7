// Command notification tells customers about their orders, once per event.
// Wiring only; the logic is in shared/notify.
package main

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/fooddelivery/serverless-food-delivery/shared/notify"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awsclient"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/logging"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/queue"
	"github.com/fooddelivery/serverless-food-delivery/shared/store"
)

func main() {
	logging.Setup("notification")
	cfg := awsclient.MustLoad(context.Background())
	table := store.New(dynamodb.NewFromConfig(cfg), platform.MustEnv("TABLE_NAME"))
	lambda.Start(queue.Consume(notify.NewService(table, time.Now).HandleEvent, queue.RecordFailures(table, "notification")))
}
