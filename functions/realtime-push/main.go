// Command realtime-push reads the table's stream (order status changes and accepted courier positions, selected by
// the event source's filter) and posts frames to the WebSocket connections watching each order. Wiring only; the
// logic is in shared/realtime.
package main

import (
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/fooddelivery/serverless-food-delivery/shared/platform"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awsenv"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/observe"
	"github.com/fooddelivery/serverless-food-delivery/shared/realtime"
	"github.com/fooddelivery/serverless-food-delivery/shared/realtime/connapi"
	"github.com/fooddelivery/serverless-food-delivery/shared/store"
)

func main() {
	observe.Setup("realtime-push")
	conf := platform.MustConfig(realtime.PushConfigFromEnv(os.Getenv))
	cfg := awsenv.MustLoad()
	table := store.New(dynamodb.NewFromConfig(cfg), conf.TableName)
	poster, err := connapi.New(conf.ConnectionsURL, cfg, cfg.HTTPClient)
	if err != nil {
		panic(err)
	}
	pusher := realtime.NewPusher(table, poster, time.Now)
	lambda.Start(observe.Handler(realtime.NewStreamHandler(pusher, store.StreamImages{}).Handle))
}
