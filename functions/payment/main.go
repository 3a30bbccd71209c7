// Command payment is the payment step of the order saga: it charges placed
// orders and refunds cancelled ones and those no courier could take. Wiring
// only; the logic is in shared/payments, the simulated provider in
// shared/payments/simprovider.
package main

import (
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/fooddelivery/serverless-food-delivery/shared/payments"
	"github.com/fooddelivery/serverless-food-delivery/shared/payments/simprovider"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awsenv"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/chaos"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/observe"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/secret"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/secret/awssecret"
	"github.com/fooddelivery/serverless-food-delivery/shared/queue"
	"github.com/fooddelivery/serverless-food-delivery/shared/store"
)

func main() {
	observe.Setup("payment")
	conf := platform.MustConfig(payments.ConfigFromEnv(os.Getenv))
	cfg := awsenv.MustLoad()
	db := dynamodb.NewFromConfig(cfg)
	table := store.New(db, conf.TableName)
	// Path-style addressing: it works on every endpoint (docs/emulator.md).
	s3Client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	receipts := payments.NewS3Receipts(s3Client, conf.ReceiptsBucket)

	sim := simprovider.New(simprovider.NewDynamoBooks(db, conf.ProviderTableName),
		simprovider.DefaultConfig().WithLatency(conf.ProviderLatency), time.Now)
	// The provider's API key, in Secrets Manager. The provider checks every request against the secret as it
	// is now; we present it from a cache read on the first request (not here: no call at init) and again
	// after a refusal, so a rotation needs no redeploy (shared/payments/simprovider/auth.go).
	apiKey := awssecret.Current{Client: secretsmanager.NewFromConfig(cfg), SecretID: conf.ProviderAPIKeySecret}
	keyCache, err := secret.NewCache(apiKey, simprovider.KeyTTL, time.Now)
	if err != nil {
		panic(err)
	}
	provider := simprovider.NewClient(simprovider.NewServer(sim, apiKey), keyCache)
	svc := payments.NewService(table, provider, receipts, time.Now, payments.WithPolicy(conf.Policy))
	consumer := queue.ConsumeAttempts(svc.HandleEvent, queue.RecordFailures(table, "payment"))
	// A chaos stack (make reliability) gets its fault injection here; any other deploy runs consumer itself.
	lambda.Start(observe.Handler(chaos.FromEnv(consumer)))
}
