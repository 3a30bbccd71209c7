package main

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/fooddelivery/serverless-food-delivery/shared/delivery"
	"github.com/fooddelivery/serverless-food-delivery/shared/devstack"
	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/notify"
	"github.com/fooddelivery/serverless-food-delivery/shared/notify/awssend/sesmail"
	"github.com/fooddelivery/serverless-food-delivery/shared/notify/awssend/snssms"
	"github.com/fooddelivery/serverless-food-delivery/shared/notify/emailhtml"
	"github.com/fooddelivery/serverless-food-delivery/shared/notify/notifyapi"
	"github.com/fooddelivery/serverless-food-delivery/shared/orders"
	"github.com/fooddelivery/serverless-food-delivery/shared/payments"
	"github.com/fooddelivery/serverless-food-delivery/shared/payments/simprovider"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/httpapi"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/jwtauth"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/secret"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/secret/awssecret"
	"github.com/fooddelivery/serverless-food-delivery/shared/publisher"
	"github.com/fooddelivery/serverless-food-delivery/shared/queue"
	"github.com/fooddelivery/serverless-food-delivery/shared/realtime"
	"github.com/fooddelivery/serverless-food-delivery/shared/realtime/cognitoauth"
	"github.com/fooddelivery/serverless-food-delivery/shared/store"
	"github.com/fooddelivery/serverless-food-delivery/shared/sweeper"
	"github.com/fooddelivery/serverless-food-delivery/shared/tracking"
)

// The Lambda handlers, built from the counted configuration exactly as each
// functions/<name>/main.go builds them (keep these in step with those files).
type functions struct {
	orderAPI     func(context.Context, json.RawMessage) (httpapi.Response, error)
	tracking     func(context.Context, json.RawMessage) (httpapi.Response, error)
	publisher    func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error)
	payment      func(context.Context, events.SQSEvent) (events.SQSEventResponse, error)
	assignment   func(context.Context, events.SQSEvent) (events.SQSEventResponse, error)
	notification func(context.Context, events.SQSEvent) (events.SQSEventResponse, error)
	notifyEmail  func(context.Context, events.SQSEvent) (events.SQSEventResponse, error)
	notifySMS    func(context.Context, events.SQSEvent) (events.SQSEventResponse, error)
	sweep        func(context.Context) (sweeper.Report, error)
	realtime     func(context.Context, events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error)
	push         func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error)
	// posts counts the frames the push handed to PostToConnection: the connection API is not AWS's here (it is
	// priced as WebSocket messages, which the cost model counts), so a counter stands in for it.
	posts *postCounter
}

// postCounter is the push's Poster in-process: it counts frames.
type postCounter struct{ n int }

func (p *postCounter) Post(context.Context, string, []byte) error {
	p.n++
	return nil
}

// menuCacheTTL is functions/order-api's.
const menuCacheTTL = time.Minute

// uncounted is cfg without the counting, for what stands in for others' systems (the provider's key check).
func wire(cfg, uncounted aws.Config, out devstack.Outputs, sweepCfg sweeper.Config) (functions, error) {
	table := func() *store.Table { return store.New(dynamodb.NewFromConfig(cfg), out.TableName) }

	// functions/order-api
	ordersSvc := orders.NewService(table(), time.Now, platform.NewID)
	ordersSvc.CacheMenus(menuCacheTTL)

	// functions/stream-publisher
	bus := publisher.NewEventBridgeBus(eventbridge.NewFromConfig(cfg), out.EventBusName)

	// functions/payment. The simulated provider stands in for a card
	// processor's HTTP API: its books are kept in memory here, and its check
	// of the API key reads the secret uncounted, so that only the function's
	// own AWS calls are counted (its read of the key: one per container and
	// simprovider.KeyTTL).
	paymentTable := table()
	s3Client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	receipts := payments.NewS3Receipts(s3Client, out.ReceiptsBucketName)
	keyCache, err := secret.NewCache(awssecret.Current{Client: secretsmanager.NewFromConfig(cfg), SecretID: out.ProviderAPIKeySecret},
		simprovider.KeyTTL, time.Now)
	if err != nil {
		return functions{}, err
	}
	provider := simprovider.NewClient(simprovider.NewServer(simprovider.New(simprovider.NewMemoryBooks(), simprovider.DefaultConfig(), time.Now),
		awssecret.Current{Client: secretsmanager.NewFromConfig(uncounted), SecretID: out.ProviderAPIKeySecret}), keyCache)
	paymentSvc := payments.NewService(paymentTable, provider, receipts, time.Now, payments.WithPolicy(payments.DefaultPolicy()))

	// functions/delivery-assignment and functions/notification
	assignmentTable, notificationTable := table(), table()

	// functions/sweeper, with the deployed function's configuration
	sweep, err := sweeper.New(table(), publisher.NewEventBridgeBus(eventbridge.NewFromConfig(cfg), out.EventBusName), sweepCfg, time.Now)
	if err != nil {
		return functions{}, err
	}

	// functions/realtime, verifying real ID tokens of the pool against its keys as the deployed function does
	// (the emulator serves them at <endpoint>/<pool id>/.well-known/jwks.json; infra/realtime.go).
	issuer := "https://cognito-idp." + cfg.Region + ".amazonaws.com/" + out.UserPoolID
	jwks := issuer + "/.well-known/jwks.json"
	if ep := os.Getenv("AWS_ENDPOINT_URL"); ep != "" {
		jwks = strings.TrimSuffix(ep, "/") + "/" + out.UserPoolID + "/.well-known/jwks.json"
	}
	verifier, err := jwtauth.New(jwtauth.Config{Issuer: issuer, Audience: out.UserPoolClientID, JWKSURL: jwks}, cfg.HTTPClient, time.Now)
	if err != nil {
		return functions{}, err
	}
	realtimeTable := table()
	realtimeSvc := realtime.NewService(cognitoauth.New(verifier), realtimeTable, realtimeTable, time.Now)
	// functions/realtime-push
	posts := &postCounter{}
	pushTable := table()
	pusher := realtime.NewPusher(pushTable, posts, time.Now)

	return functions{
		realtime:  realtime.NewHandler(realtimeSvc).Serve,
		push:      realtime.NewStreamHandler(pusher, store.StreamImages{}).Handle,
		posts:     posts,
		orderAPI:  orderAPIRouter(ordersSvc, table()).Serve,
		tracking:  tracking.NewRouter(tracking.NewService(table(), time.Now)).Serve,
		publisher: publisher.NewHandler(bus).Handle,
		payment:   queue.ConsumeAttempts(paymentSvc.HandleEvent, queue.RecordFailures(paymentTable, "payment")),
		assignment: queue.ConsumeAttempts(delivery.NewService(assignmentTable, time.Now, delivery.DefaultGiveUpAfter).HandleEvent,
			queue.RecordFailures(assignmentTable, "delivery-assignment")),
		notification: queue.Consume(notify.NewService(domain.ChannelInbox, notificationTable,
			notify.Inbox{W: notificationTable, Now: time.Now}, notify.Render, 30*time.Second, time.Now).HandleEvent,
			queue.RecordFailures(notificationTable, "notification")),
		// functions/notify-email and functions/notify-sms: SES and SNS on the emulator, from the sender the local
		// stage verifies.
		notifyEmail: queue.Consume(notify.NewService(domain.ChannelEmail, notificationTable,
			sesmail.Email{Client: sesv2.NewFromConfig(cfg), From: notify.LocalSenderEmail}, emailhtml.Render, 30*time.Second, time.Now).HandleEvent,
			queue.RecordFailures(notificationTable, "notify-email")),
		notifySMS: queue.Consume(notify.NewService(domain.ChannelSMS, notificationTable,
			snssms.SMS{Client: sns.NewFromConfig(cfg)}, notify.Render, 30*time.Second, time.Now).HandleEvent,
			queue.RecordFailures(notificationTable, "notify-sms")),
		sweep: sweep.Sweep,
	}, nil
}

// orderAPIRouter is functions/order-api's router: the order routes and the customer's notification routes.
func orderAPIRouter(svc *orders.Service, t *store.Table) *httpapi.Router {
	rt := orders.NewRouter(svc)
	notifyapi.AddRoutes(rt, t, time.Now)
	return rt
}
