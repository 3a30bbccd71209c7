// Command hellosdk is the second baseline of the cold-start benchmark: hello
// plus exactly what every function of ours sets up at init before its own
// code, the AWS SDK configuration (shared/platform/awsclient) and a DynamoDB
// client. Its ratio to hello is what the SDK costs; a function's ratio to it
// is what our own code costs.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awsenv"
)

func main() {
	db := dynamodb.NewFromConfig(awsenv.MustLoad())
	lambda.Start(func(ctx context.Context) (int, error) {
		out, err := db.ListTables(ctx, &dynamodb.ListTablesInput{})
		if err != nil {
			return 0, err
		}
		return len(out.TableNames), nil
	})
}
