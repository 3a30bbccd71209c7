// Command payment charges placed orders from the payment queue. Wiring only;
// the logic is in shared/payments.
package main

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/fooddelivery/serverless-food-delivery/shared/payments"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awsclient"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/logging"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/queue"
	"github.com/fooddelivery/serverless-food-delivery/shared/store"
)

func main() {
	logging.Setup("payment")
	cfg := awsclient.MustLoad(context.Background())
	table := store.New(dynamodb.NewFromConfig(cfg), platform.MustEnv("TABLE_NAME"))
	// Path-style addressing works against the emulator and AWS alike.
	s3Client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	receipts := payments.NewS3Receipts(s3Client, platform.MustEnv("RECEIPTS_BUCKET"))
	svc := payments.NewService(table, payments.SimulatedProvider{}, receipts, time.Now)
	lambda.Start(queue.Consume(svc.HandleEvent))
}
