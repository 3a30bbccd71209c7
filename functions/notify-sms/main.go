// Command notify-sms is the SMS channel: it texts customers their order
// notifications through SNS (Publish to a phone number), once per event.
// Wiring only; the logic is in shared/notify, the SNS adapter in
// shared/notify/awssend/snssms.
package main

import (
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/notify"
	"github.com/fooddelivery/serverless-food-delivery/shared/notify/awssend/snssms"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awsenv"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/chaos"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/observe"
	"github.com/fooddelivery/serverless-food-delivery/shared/queue"
	"github.com/fooddelivery/serverless-food-delivery/shared/store"
)

func main() {
	observe.Setup("notify-sms")
	conf := platform.MustConfig(notify.ConfigFromEnv(domain.ChannelSMS, os.Getenv))
	cfg := awsenv.MustLoad()
	table := store.New(dynamodb.NewFromConfig(cfg), conf.TableName)
	sender := snssms.SMS{Client: sns.NewFromConfig(cfg), SenderID: conf.SMSSenderID}
	svc := notify.NewService(conf.Channel, table, sender, notify.Render, conf.ClaimLease, time.Now)
	consumer := queue.Consume(svc.HandleEvent, queue.RecordFailures(table, "notify-sms"))
	// A chaos stack (make reliability) gets its fault injection here; any other deploy runs consumer itself.
	lambda.Start(observe.Handler(chaos.FromEnv(consumer)))
}
