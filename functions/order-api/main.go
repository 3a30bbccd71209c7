// Command order-api serves the customer API: catalogue, placing and reading
// orders, and the customer's notification preferences and inbox. Wiring only; the logic is in shared/orders.
package main

import (
	"os"
	"time"
	_ "time/tzdata" // opening hours are local times; the Lambda image may lack a zone database

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/fooddelivery/serverless-food-delivery/shared/notify/notifyapi"
	"github.com/fooddelivery/serverless-food-delivery/shared/orders"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awsenv"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/observe"
	"github.com/fooddelivery/serverless-food-delivery/shared/store"
)

// menuCacheTTL is how long a warm function prices orders from a menu it read
// before; a menu change reaches new orders within it.
const menuCacheTTL = time.Minute

func main() {
	observe.Setup("order-api")
	conf := platform.MustConfig(orders.ConfigFromEnv(os.Getenv))
	cfg := awsenv.MustLoad()
	table := store.New(dynamodb.NewFromConfig(cfg), conf.TableName)
	svc := orders.NewService(table, time.Now, platform.NewID)
	svc.CacheMenus(menuCacheTTL)
	router := orders.NewRouter(svc)
	notifyapi.AddRoutes(router, table, time.Now) // the customer's preferences and inbox
	lambda.Start(observe.Handler(router.Serve))
}
