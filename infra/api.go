package infra

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2authorizers"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2integrations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/fooddelivery/serverless-food-delivery/shared/apiroutes"
)

type api struct {
	api awsapigatewayv2.HttpApi
	url *string
	// addRoutes wires the route table's rows of a function (shared/apiroutes) to fn behind one integration, with
	// the Cognito authorizer unless the row is public.
	addRoutes func(id, function string, fn awslambda.IFunction)
}

func newAPI(scope constructs.Construct, cfg stageConfig, a *auth, fns *functions) *api {
	httpAPI := awsapigatewayv2.NewHttpApi(scope, jsii.String("HttpApi"), &awsapigatewayv2.HttpApiProps{
		ApiName:     jsii.String("food-delivery"),
		Description: jsii.String("food-delivery customer and courier API"),
		CorsPreflight: &awsapigatewayv2.CorsPreflightOptions{
			AllowOrigins: jsii.Strings("*"),
			AllowMethods: &[]awsapigatewayv2.CorsHttpMethod{
				awsapigatewayv2.CorsHttpMethod_GET, awsapigatewayv2.CorsHttpMethod_POST, awsapigatewayv2.CorsHttpMethod_PUT,
				awsapigatewayv2.CorsHttpMethod_OPTIONS,
			},
			AllowHeaders: jsii.Strings("Authorization", "Content-Type", "Idempotency-Key"),
			MaxAge:       awscdk.Duration_Hours(jsii.Number(1)),
		},
		// The default stage the L2 would create takes no throttle settings; the one below does.
		CreateDefaultStage: jsii.Bool(false),
	})
	stage := httpAPI.AddStage(jsii.String("DefaultStage"), &awsapigatewayv2.HttpStageOptions{
		StageName:  jsii.String("$default"),
		AutoDeploy: jsii.Bool(true),
		Throttle: &awsapigatewayv2.ThrottleSettings{
			RateLimit:  jsii.Number(StageThrottle.Rate),
			BurstLimit: jsii.Number(StageThrottle.Burst),
		},
	})
	var httpRoutes []awsapigatewayv2.HttpRoute

	authorizer := awsapigatewayv2authorizers.NewHttpUserPoolAuthorizer(jsii.String("CognitoAuthorizer"), a.pool,
		&awsapigatewayv2authorizers.HttpUserPoolAuthorizerProps{
			UserPoolClients: &[]awscognito.IUserPoolClient{a.client},
		})

	addRoutes := func(id, function string, fn awslambda.IFunction) {
		integration := awsapigatewayv2integrations.NewHttpLambdaIntegration(jsii.String(id), fn,
			&awsapigatewayv2integrations.HttpLambdaIntegrationProps{
				PayloadFormatVersion: awsapigatewayv2.PayloadFormatVersion_VERSION_2_0(),
			})
		for _, r := range apiroutes.Of(function) {
			opts := &awsapigatewayv2.AddRoutesOptions{
				Path:        jsii.String(r.Path),
				Methods:     &[]awsapigatewayv2.HttpMethod{awsapigatewayv2.HttpMethod(r.Method)},
				Integration: integration,
			}
			if !r.Public {
				opts.Authorizer = authorizer
			}
			httpRoutes = append(httpRoutes, *httpAPI.AddRoutes(opts)...)
		}
	}
	addRoutes("OrderApiIntegration", FnOrderAPI, fns.orderAPI)
	addRoutes("TrackingIntegration", FnTracking, fns.tracking)
	hardenStage(scope, cfg, stage, httpRoutes) // access log, per-route throttles (edge.go)

	// ApiEndpoint is the service's own answer, so the emulator reports its URL and AWS its execute-api
	// URL; the $default stage serves at the root.
	url := awscdk.Fn_Join(jsii.String(""), jsii.Strings(*httpAPI.ApiEndpoint(), "/"))
	return &api{api: httpAPI, url: url, addRoutes: addRoutes}
}
