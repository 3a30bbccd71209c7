// Command order-api serves the customer API: catalogue, placing and reading
// orders. Wiring only; the logic is in shared/orders.
package main

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/fooddelivery/serverless-food-delivery/shared/orders"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awsclient"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/logging"
	"github.com/fooddelivery/serverless-food-delivery/shared/store"
)

func main() {
	logging.Setup("order-api")
	cfg := awsclient.MustLoad(context.Background())
	table := store.New(dynamodb.NewFromConfig(cfg), platform.MustEnv("TABLE_NAME"))
	lambda.Start(orders.NewRouter(orders.NewService(table, time.Now, platform.NewID)).Serve)
}
