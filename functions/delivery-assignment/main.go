// Command delivery-assignment gives paid orders to the nearest free courier.
// Wiring only; the logic is in shared/delivery.
package main

import (
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/fooddelivery/serverless-food-delivery/shared/delivery"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awsenv"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/chaos"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/observe"
	"github.com/fooddelivery/serverless-food-delivery/shared/queue"
	"github.com/fooddelivery/serverless-food-delivery/shared/store"
)

func main() {
	observe.Setup("delivery-assignment")
	conf := platform.MustConfig(delivery.ConfigFromEnv(os.Getenv))
	cfg := awsenv.MustLoad()
	table := store.New(dynamodb.NewFromConfig(cfg), conf.TableName)
	svc := delivery.NewService(table, time.Now, conf.GiveUpAfter)
	consumer := queue.ConsumeAttempts(svc.HandleEvent, queue.RecordFailures(table, "delivery-assignment"))
	// A chaos stack (make reliability) gets its fault injection here; any other deploy runs consumer itself.
	lambda.Start(observe.Handler(chaos.FromEnv(consumer)))
}
