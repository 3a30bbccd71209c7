// Command ours is hello-sdk with what every function runs: awsenv (SDK calls counted and traced to X-Ray by
// shared/platform/awstrace) and shared/platform/observe (request ids on log lines, EMF metrics).
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awsenv"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/observe"
)

func main() {
	observe.Setup("tracing-ours")
	db := dynamodb.NewFromConfig(awsenv.MustLoad())
	lambda.Start(observe.Handler(func(ctx context.Context, _ struct{}) (int, error) {
		out, err := db.ListTables(ctx, &dynamodb.ListTablesInput{})
		if err != nil {
			return 0, err
		}
		return len(out.TableNames), nil
	}))
}
