// Command notify-email is the email channel: it sends customers their order
// notifications through SES, once per event. Wiring only; the logic is in
// shared/notify (and the HTML part in shared/notify/emailhtml), the SES adapter in
// shared/notify/awssend/sesmail.
package main

import (
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/notify"
	"github.com/fooddelivery/serverless-food-delivery/shared/notify/awssend/sesmail"
	"github.com/fooddelivery/serverless-food-delivery/shared/notify/emailhtml"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awsenv"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/chaos"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/observe"
	"github.com/fooddelivery/serverless-food-delivery/shared/queue"
	"github.com/fooddelivery/serverless-food-delivery/shared/store"
)

func main() {
	observe.Setup("notify-email")
	conf := platform.MustConfig(notify.ConfigFromEnv(domain.ChannelEmail, os.Getenv))
	cfg := awsenv.MustLoad()
	table := store.New(dynamodb.NewFromConfig(cfg), conf.TableName)
	sender := sesmail.Email{Client: sesv2.NewFromConfig(cfg), From: conf.SenderEmail, ConfigurationSet: conf.ConfigurationSet}
	svc := notify.NewService(conf.Channel, table, sender, emailhtml.Render, conf.ClaimLease, time.Now)
	consumer := queue.Consume(svc.HandleEvent, queue.RecordFailures(table, "notify-email"))
	// A chaos stack (make reliability) gets its fault injection here; any other deploy runs consumer itself.
	lambda.Start(observe.Handler(chaos.FromEnv(consumer)))
}
