// Command notification tells customers about their orders, once per event.
// Wiring only; the logic is in shared/notify.
package main

import (
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/fooddelivery/serverless-food-delivery/shared/notify"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awsenv"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/observe"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/queue"
	"github.com/fooddelivery/serverless-food-delivery/shared/store"
)

func main() {
	observe.Setup("notification")
	cfg := awsenv.MustLoad()
	table := store.New(dynamodb.NewFromConfig(cfg), platform.MustEnv("TABLE_NAME"))
	lambda.Start(observe.Handler(queue.Consume(notify.NewService(table, time.Now).HandleEvent, queue.RecordFailures(table, "notification"))))
}
