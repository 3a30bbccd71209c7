// Command stream-publisher turns order changes on the table's stream into
// domain events on EventBridge. Wiring only; the logic is in shared/publisher.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"os"

	"github.com/fooddelivery/serverless-food-delivery/shared/platform"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awsenv"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/observe"
	"github.com/fooddelivery/serverless-food-delivery/shared/publisher"
)

func main() {
	observe.Setup("stream-publisher")
	conf := platform.MustConfig(publisher.ConfigFromEnv(os.Getenv))
	cfg := awsenv.MustLoad()
	bus := publisher.NewEventBridgeBus(eventbridge.NewFromConfig(cfg), conf.EventBusName)
	lambda.Start(observe.Handler(publisher.NewHandler(bus).Handle))
}
