// Command realtime serves the live-tracking WebSocket API's routes: $connect (verifies the Cognito ID token),
// $disconnect, subscribe and $default. Wiring only; the logic is in shared/realtime.
package main

import (
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/fooddelivery/serverless-food-delivery/shared/platform"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awsenv"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/jwtauth"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/observe"
	"github.com/fooddelivery/serverless-food-delivery/shared/realtime"
	"github.com/fooddelivery/serverless-food-delivery/shared/realtime/cognitoauth"
	"github.com/fooddelivery/serverless-food-delivery/shared/store"
)

func main() {
	observe.Setup("realtime")
	conf := platform.MustConfig(realtime.ConfigFromEnv(os.Getenv))
	cfg := awsenv.MustLoad()
	table := store.New(dynamodb.NewFromConfig(cfg), conf.TableName)
	// One verifier per container: the pool's keys are fetched on the first token and kept.
	verifier, err := jwtauth.New(jwtauth.Config{Issuer: conf.JWTIssuer, Audience: conf.JWTAudience, JWKSURL: conf.JWKSURL},
		cfg.HTTPClient, time.Now)
	if err != nil {
		panic(err)
	}
	svc := realtime.NewService(cognitoauth.New(verifier), table, table, time.Now)
	lambda.Start(observe.Handler(realtime.NewHandler(svc).Serve))
}
