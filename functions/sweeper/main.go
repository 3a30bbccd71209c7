// Command sweeper runs on a schedule and re-announces orders whose saga step
// never happened because every copy of its event was lost (dead-lettered).
// Wiring only; the logic is in shared/sweeper.
package main

import (
	"context"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/fooddelivery/serverless-food-delivery/shared/platform"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awsenv"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/logging"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/observe"
	"github.com/fooddelivery/serverless-food-delivery/shared/publisher"
	"github.com/fooddelivery/serverless-food-delivery/shared/store"
	"github.com/fooddelivery/serverless-food-delivery/shared/sweeper"
)

func main() {
	observe.Setup("sweeper")
	conf := platform.MustConfig(sweeper.FunctionConfigFromEnv(os.Getenv))
	cfg := awsenv.MustLoad()
	table := store.New(dynamodb.NewFromConfig(cfg), conf.TableName)
	bus := publisher.NewEventBridgeBus(eventbridge.NewFromConfig(cfg), conf.EventBusName)
	svc, err := sweeper.New(table, bus, conf.Sweep, time.Now)
	if err != nil {
		panic(err)
	}
	lambda.Start(observe.Handler(func(ctx context.Context, e events.EventBridgeEvent) (sweeper.Report, error) {
		// The schedule's event carries nothing but its id and time.
		return svc.Sweep(logging.With(ctx, "schedule_event_id", e.ID))
	}))
}
