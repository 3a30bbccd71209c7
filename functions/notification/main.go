// Command notification is the in-app inbox channel: it writes what customers
// read through GET /me/notifications, once per event. Wiring only; the logic
// is in shared/notify.
package main

import (
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/notify"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awsenv"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/chaos"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/observe"
	"github.com/fooddelivery/serverless-food-delivery/shared/queue"
	"github.com/fooddelivery/serverless-food-delivery/shared/store"
)

func main() {
	observe.Setup("notification")
	conf := platform.MustConfig(notify.ConfigFromEnv(domain.ChannelInbox, os.Getenv))
	cfg := awsenv.MustLoad()
	table := store.New(dynamodb.NewFromConfig(cfg), conf.TableName)
	svc := notify.NewService(conf.Channel, table, notify.Inbox{W: table, Now: time.Now}, notify.Render, conf.ClaimLease, time.Now)
	consumer := queue.Consume(svc.HandleEvent, queue.RecordFailures(table, "notification"))
	// A chaos stack (make reliability) gets its fault injection here; any other deploy runs consumer itself.
	lambda.Start(observe.Handler(chaos.FromEnv(consumer)))
}
