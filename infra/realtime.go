package infra

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2integrations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdaeventsources"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform"
	"github.com/fooddelivery/serverless-food-delivery/shared/realtime"
	"github.com/fooddelivery/serverless-food-delivery/shared/store"
)

// Live tracking (docs/realtime.md): a WebSocket API whose routes one function serves, and a push function on the
// table's stream that posts frames to the connections watching an order.
const (
	FnRealtime     = "realtime"
	FnRealtimePush = "realtime-push"
	// WebSocketStageName is the stage clients connect to (<endpoint>/live) and the push posts through.
	WebSocketStageName = "live"
)

// RealtimeStreamBatchSize: under load, the positions of many orders arrive together in one invocation; there is
// no batching window, so a lone change is pushed as soon as the stream delivers it.
const RealtimeStreamBatchSize = 100

type realtimeAPI struct {
	api        awsapigatewayv2.WebSocketApi
	stage      awsapigatewayv2.WebSocketStage
	url        *string
	fn, pushFn awslambda.Function
}

func newRealtime(scope constructs.Construct, cfg stageConfig, d *data, a *auth) *realtimeAPI {
	wsAPI := awsapigatewayv2.NewWebSocketApi(scope, jsii.String("WebSocketApi"), &awsapigatewayv2.WebSocketApiProps{
		ApiName:                  jsii.String("food-delivery-live"),
		Description:              jsii.String("food-delivery live tracking (WebSocket)"),
		RouteSelectionExpression: jsii.String("$request.body.action"),
	})
	stage := awsapigatewayv2.NewWebSocketStage(scope, jsii.String("WebSocketStage"), &awsapigatewayv2.WebSocketStageProps{
		WebSocketApi: wsAPI,
		StageName:    jsii.String(WebSocketStageName),
		AutoDeploy:   jsii.Bool(true),
		// Messages from clients are subscribes: a few per page view. The limit caps what a misbehaving client
		// can make the function cost.
		Throttle: &awsapigatewayv2.ThrottleSettings{RateLimit: jsii.Number(50), BurstLimit: jsii.Number(100)},
	})
	// ApiEndpoint is the service's own answer: wss://<id>.execute-api.<region>.amazonaws.com on AWS, where clients
	// connect to <endpoint>/<stage> and the management API (PostToConnection) is the same host over https. The
	// emulator answers http://<id>.execute-api.localhost:<port> and serves plain HTTP and WebSocket without TLS;
	// names under .localhost do not resolve everywhere (Go's resolver on this machine), so the local stage uses
	// the emulator's path form, ws://localhost:<port>/_aws/execute-api/<id>/<stage>, for both.
	endpoint := wsAPI.ApiEndpoint()
	stagePath := jsii.String("/" + WebSocketStageName)
	var clientURL, callbackURL *string
	if cfg.isAWS {
		host := awscdk.Fn_Select(jsii.Number(1), awscdk.Fn_Split(jsii.String("://"), endpoint, nil))
		clientURL = awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("wss://"), host, stagePath})
		callbackURL = awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("https://"), host, stagePath})
	} else {
		emulator := awscdk.Fn_Select(jsii.Number(1), awscdk.Fn_Split(jsii.String("execute-api."), endpoint, nil))
		path := []*string{emulator, jsii.String("/_aws/execute-api/"), wsAPI.ApiId(), stagePath}
		ws, http := append([]*string{jsii.String("ws://")}, path...), append([]*string{jsii.String("http://")}, path...)
		clientURL, callbackURL = awscdk.Fn_Join(jsii.String(""), &ws), awscdk.Fn_Join(jsii.String(""), &http)
	}

	// The pool's issuer is the same URL on AWS and on the emulator; its keys are published under it on AWS, and on
	// the emulator's own endpoint locally (the host of the API endpoint without "<id>.execute-api.").
	issuer := awscdk.Fn_Join(jsii.String(""), &[]*string{
		jsii.String("https://cognito-idp."), awscdk.Aws_REGION(), jsii.String("."), awscdk.Aws_URL_SUFFIX(),
		jsii.String("/"), a.pool.UserPoolId(),
	})
	jwksURL := awscdk.Fn_Join(jsii.String(""), jsii.Strings(*issuer, "/.well-known/jwks.json"))
	if !cfg.isAWS {
		jwksURL = awscdk.Fn_Join(jsii.String(""), &[]*string{
			jsii.String("http://"),
			awscdk.Fn_Select(jsii.Number(1), awscdk.Fn_Split(jsii.String("execute-api."), endpoint, nil)),
			jsii.String("/"), a.pool.UserPoolId(), jsii.String("/.well-known/jwks.json"),
		})
	}

	fn := newFunction(scope, cfg, FnRealtime, fnOptions{timeout: apiTimeoutSeconds, memory: 128, env: map[string]string{
		platform.EnvTableName:   *d.table.TableName(),
		realtime.EnvJWTIssuer:   *issuer,
		realtime.EnvJWTAudience: *a.client.UserPoolClientId(),
		realtime.EnvJWKSURL:     *jwksURL,
	}})
	pushFn := newFunction(scope, cfg, FnRealtimePush, fnOptions{timeout: apiTimeoutSeconds, memory: 128, env: map[string]string{
		platform.EnvTableName:      *d.table.TableName(),
		realtime.EnvConnectionsURL: *callbackURL,
	}})
	// $connect puts the connection; subscribe reads the connection, the order, its position and its sequence
	// counter, adds the order to the connection and puts the subscription; $disconnect deletes the connection
	// and its subscriptions in one BatchWriteItem. The push queries an order's subscriptions, bumps its sequence
	// counter and removes gone connections. Both from their store ports (infra.TablePorts, access.go).
	grantTable(fn, d.table, FnRealtime)
	grantTable(pushFn, d.table, FnRealtimePush)
	// PostToConnection on this API's stage only (GrantManagementApiAccess would also allow GET and DELETE).
	pushFn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings("execute-api:ManageConnections"),
		Resources: &[]*string{awscdk.Stack_Of(scope).FormatArn(&awscdk.ArnComponents{
			Service:      jsii.String("execute-api"),
			Resource:     wsAPI.ApiId(),
			ResourceName: jsii.String(WebSocketStageName + "/POST/@connections/*"),
			ArnFormat:    awscdk.ArnFormat_SLASH_RESOURCE_NAME,
		})},
	}))

	integration := func(id string) awsapigatewayv2.WebSocketRouteIntegration {
		return awsapigatewayv2integrations.NewWebSocketLambdaIntegration(jsii.String(id), fn, nil)
	}
	for _, r := range realtime.Routes {
		wsAPI.AddRoute(jsii.String(r), &awsapigatewayv2.WebSocketRouteOptions{
			Integration: integration("Ws" + routeID(r) + "Integration"),
			// subscribe and $default answer with a frame (the function's response body); $connect and
			// $disconnect have nothing to say. The emulator's CloudFormation has no AWS::ApiGatewayV2::RouteResponse,
			// and its WebSocket API sends every route's response body back anyway, so only AWS needs it.
			ReturnResponse: jsii.Bool(cfg.isAWS && (r == realtime.RouteSubscribe || r == realtime.RouteDefault)),
		})
	}

	pushFn.AddEventSource(realtimePushSource(d.table))
	return &realtimeAPI{api: wsAPI, stage: stage, url: clientURL, fn: fn, pushFn: pushFn}
}

// realtimePushSource is realtime-push's event source on a table's stream. The topology floor of `make bench`
// (infra/floor_topology.go) gives its no-op push the same one, so that only the function's work differs.
func realtimePushSource(table awsdynamodb.ITable) awslambda.IEventSource {
	return awslambdaeventsources.NewDynamoEventSource(table, &awslambdaeventsources.DynamoEventSourceProps{
		StartingPosition:        awslambda.StartingPosition_LATEST, // a frame about the past is no use to anyone
		BatchSize:               jsii.Number(RealtimeStreamBatchSize),
		RetryAttempts:           jsii.Number(2), // a late frame is worth little; the next one carries the whole state
		MaxRecordAge:            awscdk.Duration_Seconds(jsii.Number(60)),
		BisectBatchOnError:      jsii.Bool(true),
		ReportBatchItemFailures: jsii.Bool(true),
		// Only status changes and courier positions are pushed: of each delivered order's stream records, the
		// connection, subscription, counter, ledger, notification and idempotency items never invoke it. Nor does
		// a new order (status PLACED): nobody can have subscribed to an order before it exists, and a subscribe
		// answers with the order's status anyway. Every record that invokes the push shares the emulator's one
		// stream poller with the outbox publisher (docs/performance.md), so this one is not paid on each order's way.
		Filters: &[]*map[string]any{
			awslambda.FilterCriteria_Filter(&map[string]any{
				"eventName": awslambda.FilterRule_Or(jsii.String("INSERT"), jsii.String("MODIFY")),
				"dynamodb": map[string]any{"NewImage": map[string]any{
					"type":   map[string]any{"S": awslambda.FilterRule_IsEqual(jsii.String(store.ItemTypeOrder))},
					"status": map[string]any{"S": awslambda.FilterRule_NotEquals(jsii.String(string(domain.StatusPlaced)))},
				}},
			}),
			awslambda.FilterCriteria_Filter(&map[string]any{
				"eventName": awslambda.FilterRule_Or(jsii.String("INSERT"), jsii.String("MODIFY")),
				"dynamodb":  map[string]any{"NewImage": map[string]any{"type": map[string]any{"S": awslambda.FilterRule_IsEqual(jsii.String(store.ItemTypeTracking))}}},
			}),
		},
	})
}

// routeID turns "$connect" into "Connect".
func routeID(r string) string {
	if r[0] == '$' {
		r = r[1:]
	}
	return constructName(r)
}
