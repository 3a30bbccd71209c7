package infra

import (
	"sort"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdadestinations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/fooddelivery/serverless-food-delivery/shared/apiroutes"
)

// Throttle is a steady rate (requests per second) and a burst, the HTTP API's token bucket.
type Throttle struct{ Rate, Burst float64 }

// StageThrottle is every route's limit unless its throttle class in the route table (shared/apiroutes) is
// Writes: the reads (catalogue, orders, tracking, the courier's own status).
var StageThrottle = Throttle{Rate: 50, Burst: 100}

// WriteThrottle is tighter for the routes that write and cost the most: an order starts a saga (payment,
// assignment, notifications), a location batch is three writes. It is account-region-wide per route, not per
// client; above it API Gateway answers 429 before any function runs. make reliability places up to 24 orders a
// second on the emulator, which keeps its limits (MiniStack does not enforce them).
var WriteThrottle = Throttle{Rate: 25, Burst: 50}

// RouteThrottles are the stage's route settings: WriteThrottle for every route of class Writes in the route table.
var RouteThrottles = func() map[string]Throttle {
	out := map[string]Throttle{}
	for _, r := range apiroutes.HTTP {
		if r.Throttle == apiroutes.Writes {
			out[r.Key()] = WriteThrottle
		}
	}
	return out
}()

// AccessLogFields is the JSON access log line of the HTTP API: who (the token's subject, never the token),
// what (route, status), how long, and the ids to find the function's own log lines. No headers, no query
// strings, no bodies.
var AccessLogFields = map[string]string{
	"requestId":            "$context.requestId",
	"time":                 "$context.requestTimeEpoch",
	"routeKey":             "$context.routeKey",
	"method":               "$context.httpMethod",
	"path":                 "$context.path",
	"status":               "$context.status",
	"latencyMs":            "$context.responseLatency",
	"integrationLatencyMs": "$context.integrationLatency",
	"integrationStatus":    "$context.integrationStatus",
	"sub":                  "$context.authorizer.claims.sub",
	"sourceIp":             "$context.identity.sourceIp",
	"error":                "$context.error.message",
	"integrationError":     "$context.integrationErrorMessage",
	"responseLength":       "$context.responseLength",
}

// accessLogFormat renders AccessLogFields as one JSON object (every value a string, as API Gateway fills
// them in), keys in a fixed order so the template does not churn.
func accessLogFormat() string {
	keys := make([]string, 0, len(AccessLogFields))
	for k := range AccessLogFields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = `"` + k + `":"` + AccessLogFields[k] + `"`
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// hardenStage gives the $default stage its access log and per-route throttles. The stage is created after
// the routes it names (API Gateway refuses route settings for a route that does not exist yet).
func hardenStage(scope constructs.Construct, cfg stageConfig, stage awsapigatewayv2.HttpStage, routes []awsapigatewayv2.HttpRoute) awslogs.LogGroup {
	logs := awslogs.NewLogGroup(scope, jsii.String("ApiAccessLogs"), &awslogs.LogGroupProps{
		Retention:     cfg.logRetention,
		RemovalPolicy: cfg.removal,
	})
	cfn := stage.Node().DefaultChild().(awsapigatewayv2.CfnStage)
	cfn.SetAccessLogSettings(&awsapigatewayv2.CfnStage_AccessLogSettingsProperty{
		DestinationArn: logs.LogGroupArn(),
		Format:         jsii.String(accessLogFormat()),
	})
	settings := map[string]any{}
	for key, th := range RouteThrottles {
		settings[key] = map[string]any{"ThrottlingRateLimit": th.Rate, "ThrottlingBurstLimit": th.Burst}
	}
	cfn.SetRouteSettings(settings)
	for _, r := range routes {
		stage.Node().AddDependency(r)
	}
	return logs
}

// sweeperFailureDestination: the sweeper is invoked asynchronously by its schedule; an invocation that fails
// every retry is sent (event and error) to this queue instead of vanishing, for make dlq-like inspection.
func sweeperFailureDestination(scope constructs.Construct, fn awslambda.Function) awssqs.Queue {
	q := awssqs.NewQueue(scope, jsii.String("SweeperFailureQueue"), &awssqs.QueueProps{
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(14)),
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
	})
	fn.ConfigureAsyncInvoke(&awslambda.EventInvokeConfigOptions{
		OnFailure:     awslambdadestinations.NewSqsDestination(q),
		RetryAttempts: jsii.Number(2),
		MaxEventAge:   awscdk.Duration_Minutes(jsii.Number(10)), // a sweep older than a few periods is moot
	})
	return q
}
