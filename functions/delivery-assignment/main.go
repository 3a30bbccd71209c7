// Command delivery-assignment gives paid orders to the nearest free courier.
// Wiring only; the logic is in shared/delivery.
package main

import (
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/fooddelivery/serverless-food-delivery/shared/delivery"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awsenv"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/chaos"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/observe"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/queue"
	"github.com/fooddelivery/serverless-food-delivery/shared/store"
)

func main() {
	observe.Setup("delivery-assignment")
	cfg := awsenv.MustLoad()
	table := store.New(dynamodb.NewFromConfig(cfg), platform.MustEnv("TABLE_NAME"))
	svc := delivery.NewService(table, time.Now, platform.EnvInt("ASSIGNMENT_GIVE_UP_AFTER", delivery.DefaultGiveUpAfter))
	consumer := queue.ConsumeAttempts(svc.HandleEvent, queue.RecordFailures(table, "delivery-assignment"))
	// A chaos stack (make reliability) gets its fault injection here; any other deploy runs consumer itself.
	lambda.Start(observe.Handler(chaos.FromEnv(consumer)))
}
