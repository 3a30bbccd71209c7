// Command tracking serves courier location updates, pickup and delivery, and
// the customer's view of where their order is. Wiring only; the logic is in
// shared/tracking.
package main

import (
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/fooddelivery/serverless-food-delivery/shared/platform"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awsenv"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/observe"
	"github.com/fooddelivery/serverless-food-delivery/shared/store"
	"github.com/fooddelivery/serverless-food-delivery/shared/tracking"
)

func main() {
	observe.Setup("tracking")
	conf := platform.MustConfig(tracking.ConfigFromEnv(os.Getenv))
	cfg := awsenv.MustLoad()
	table := store.New(dynamodb.NewFromConfig(cfg), conf.TableName)
	lambda.Start(observe.Handler(tracking.NewRouter(tracking.NewService(table, time.Now)).Serve))
}
