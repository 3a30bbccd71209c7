package infra

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2integrations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdaeventsources"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// FloorStackName is the benchmark's floor stack (cmd/cdkapp synthesizes it only with -c floor=true -c stage=local).
const FloorStackName = "FoodDeliveryFloor"

// FloorEventSource and FloorBusName are the floor's own event source and bus, apart from the app's.
const (
	FloorEventSource = "food-delivery.floor"
	FloorBusName     = "food-delivery-floor"
)

// FloorProps configures NewFloorStack.
type FloorProps struct {
	awscdk.StackProps
	// AssetDir holds the bootstrap of bench/floor, the no-op function.
	AssetDir string
	// Architecture of that bootstrap; nil means arm64.
	Architecture awslambda.Architecture
}

// NewFloorStack defines the emulator's latency floor of `make bench` (bench/e2e): the same topology and the same
// event source settings as the order → courier-assigned path of the app (table stream → stream publisher →
// EventBridge → payment queue → payment → table write → stream → stream publisher → EventBridge → assignment queue
// → assignment → table write), four hops, each a no-op Go function (bench/floor) that only forwards. Local stage only:
// it is a measuring instrument, never deployed to AWS.
func NewFloorStack(scope constructs.Construct, id string, props *FloorProps) awscdk.Stack {
	if props == nil || props.AssetDir == "" {
		panic("infra: FloorProps.AssetDir is required")
	}
	sprops := props.StackProps
	sprops.Description = jsii.String("Serverless food delivery: the benchmark's no-op floor (local stage only)")
	stack := awscdk.NewStack(scope, &id, &sprops)
	t := Timings(StageLocal)

	table, bus := newFloorData(stack, "", FloorBusName)
	fn := floorFunctions(stack, props, table, bus)
	newFloorHops(stack, "", t, table, bus, fn)

	newPushFloor(stack, table, fn)
	newTopologyFloor(stack, props, t)

	awscdk.NewCfnOutput(stack, jsii.String("FloorTableName"), &awscdk.CfnOutputProps{Value: table.TableName()})
	awscdk.NewCfnOutput(stack, jsii.String("FloorEventBusName"), &awscdk.CfnOutputProps{Value: bus.EventBusName()})
	return stack
}

// floorFn creates one function of a floor: the no-op bootstrap with a name, a timeout and a reserved concurrency
// (0: unreserved).
type floorFn func(name string, timeout, reserved float64) awslambda.Function

// newFloorData creates a floor's table (streamed as the app's) and bus; prefix tells the topology floor's apart.
func newFloorData(stack awscdk.Stack, prefix, busName string) (awsdynamodb.Table, awsevents.EventBus) {
	table := awsdynamodb.NewTable(stack, jsii.String(prefix+"Table"), &awsdynamodb.TableProps{
		PartitionKey:  &awsdynamodb.Attribute{Name: jsii.String("PK"), Type: awsdynamodb.AttributeType_STRING},
		BillingMode:   awsdynamodb.BillingMode_PAY_PER_REQUEST,
		Stream:        awsdynamodb.StreamViewType_NEW_AND_OLD_IMAGES, // as the app's table
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	bus := awsevents.NewEventBus(stack, jsii.String(prefix+"EventBus"), &awsevents.EventBusProps{EventBusName: jsii.String(busName)})
	return table, bus
}

// floorFunctions returns the function factory of a floor working on table and bus.
func floorFunctions(stack awscdk.Stack, p *FloorProps, table awsdynamodb.Table, bus awsevents.EventBus) floorFn {
	arch := p.Architecture
	if arch == nil {
		arch = awslambda.Architecture_ARM_64()
	}
	return func(name string, timeout, reserved float64) awslambda.Function {
		props := &awslambda.FunctionProps{
			Description:  jsii.String("food-delivery floor (no-op) " + name),
			Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
			Handler:      jsii.String("bootstrap"),
			Architecture: arch,
			Code:         awslambda.Code_FromAsset(jsii.String(p.AssetDir), nil),
			MemorySize:   jsii.Number(128),
			Timeout:      awscdk.Duration_Seconds(jsii.Number(timeout)),
			Environment: &map[string]*string{
				"TABLE_NAME": table.TableName(), "EVENT_BUS_NAME": bus.EventBusName(),
			},
		}
		if reserved > 0 {
			props.ReservedConcurrentExecutions = jsii.Number(reserved)
		}
		return awslambda.NewFunction(stack, jsii.String(name+"Function"), props)
	}
}

// floorHops are the functions and queues of a floor's four hops.
type floorHops struct {
	publisher, payment, assignment awslambda.Function
	payQ, assignQ                  awssqs.Queue
}

// newFloorHops creates the four hops of a floor on table and bus: its two rules, two queues and three functions
// with the app's event source settings (functions.go). prefix tells the topology floor's construct ids apart.
func newFloorHops(stack awscdk.Stack, prefix string, t ConsumerTimings, table awsdynamodb.Table, bus awsevents.EventBus, fn floorFn) floorHops {
	queue := func(name string) awssqs.Queue {
		return awssqs.NewQueue(stack, jsii.String(prefix+name+"Queue"), &awssqs.QueueProps{
			VisibilityTimeout: awscdk.Duration_Seconds(jsii.Number(t.VisibilityTimeout.Seconds())),
		})
	}
	h := floorHops{payQ: queue("Payment"), assignQ: queue("Assignment")}
	for _, r := range []struct {
		id, detailType string
		q              awssqs.IQueue
	}{{"PaymentRule", "FloorPlaced", h.payQ}, {"AssignmentRule", "FloorPaid", h.assignQ}} {
		awsevents.NewRule(stack, jsii.String(prefix+r.id), &awsevents.RuleProps{
			EventBus:     bus,
			EventPattern: &awsevents.EventPattern{Source: jsii.Strings(FloorEventSource), DetailType: jsii.Strings(r.detailType)},
			Targets:      &[]awsevents.IRuleTarget{awseventstargets.NewSqsQueue(r.q, nil)},
		})
	}

	consumerTimeout := t.FunctionTimeout.Seconds()
	h.publisher = fn(prefix+"StreamPublisher", streamTimeoutSeconds, 0)
	h.payment = fn(prefix+"Payment", consumerTimeout, paymentConcurrency)
	h.assignment = fn(prefix+"Assignment", consumerTimeout, 0)
	bus.GrantPutEventsTo(h.publisher, nil)
	table.GrantReadWriteData(h.payment)
	table.GrantReadWriteData(h.assignment)

	// The app's event source settings (functions.go), so that only the functions' work differs.
	h.publisher.AddEventSource(awslambdaeventsources.NewDynamoEventSource(table, &awslambdaeventsources.DynamoEventSourceProps{
		StartingPosition:        awslambda.StartingPosition_TRIM_HORIZON,
		BatchSize:               jsii.Number(StreamPublisherBatchSize),
		BisectBatchOnError:      jsii.Bool(true),
		RetryAttempts:           jsii.Number(5),
		ReportBatchItemFailures: jsii.Bool(true),
		// As the app's publisher sees only order items, this one sees only the floor's orders, not its pings.
		Filters: &[]*map[string]any{awslambda.FilterCriteria_Filter(&map[string]any{
			"dynamodb": map[string]any{"NewImage": map[string]any{"status": map[string]any{
				"S": awslambda.FilterRule_Or(jsii.String("PLACED"), jsii.String("PAID"), jsii.String("ASSIGNED"))}}},
		})},
	}))
	h.payment.AddEventSource(sqsEventSource(h.payQ, paymentBatchSize, paymentConcurrency))
	h.assignment.AddEventSource(sqsEventSource(h.assignQ, sqsBatchSize, 0))
	return h
}

// newPushFloor adds the floor of bench/push, the live-tracking path with no-op functions: an HTTP API route
// (tracking's place) whose function puts a "ping" item, the table's stream to a push function (realtime-push's place,
// with its event source settings) that posts the ping to the connection it names, and a WebSocket API (stage live)
// whose $connect accepts anyone and whose $default answers with the caller's connection id.
func newPushFloor(stack awscdk.Stack, table awsdynamodb.Table, fn floorFn) {
	edge := fn("Edge", apiTimeoutSeconds, 0)
	table.Grant(edge, jsii.String("dynamodb:PutItem"))
	httpAPI := awsapigatewayv2.NewHttpApi(stack, jsii.String("HttpApi"), &awsapigatewayv2.HttpApiProps{ApiName: jsii.String("food-delivery-floor")})
	httpAPI.AddRoutes(&awsapigatewayv2.AddRoutesOptions{
		Path: jsii.String("/ping"), Methods: &[]awsapigatewayv2.HttpMethod{awsapigatewayv2.HttpMethod_POST},
		Integration: awsapigatewayv2integrations.NewHttpLambdaIntegration(jsii.String("PingIntegration"), edge,
			&awsapigatewayv2integrations.HttpLambdaIntegrationProps{PayloadFormatVersion: awsapigatewayv2.PayloadFormatVersion_VERSION_2_0()}),
	})
	wsAPI := awsapigatewayv2.NewWebSocketApi(stack, jsii.String("WebSocketApi"), &awsapigatewayv2.WebSocketApiProps{
		ApiName: jsii.String("food-delivery-floor-live"), RouteSelectionExpression: jsii.String("$request.body.action"),
	})
	awsapigatewayv2.NewWebSocketStage(stack, jsii.String("WebSocketStage"), &awsapigatewayv2.WebSocketStageProps{
		WebSocketApi: wsAPI, StageName: jsii.String(WebSocketStageName), AutoDeploy: jsii.Bool(true),
	})
	for _, r := range []string{"$connect", "$default"} {
		wsAPI.AddRoute(jsii.String(r), &awsapigatewayv2.WebSocketRouteOptions{
			Integration: awsapigatewayv2integrations.NewWebSocketLambdaIntegration(jsii.String("Ws"+routeID(r)+"Integration"), edge, nil),
		})
	}
	// The emulator's path form, as the app's local stage builds it (infra/realtime.go).
	emulator := awscdk.Fn_Select(jsii.Number(1), awscdk.Fn_Split(jsii.String("execute-api."), wsAPI.ApiEndpoint(), nil))
	callbackURL := awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("http://"), emulator, jsii.String("/_aws/execute-api/"), wsAPI.ApiId(), jsii.String("/" + WebSocketStageName)})
	clientURL := awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("ws://"), emulator, jsii.String("/_aws/execute-api/"), wsAPI.ApiId(), jsii.String("/" + WebSocketStageName)})

	push := fn("Push", apiTimeoutSeconds, 0)
	push.AddEnvironment(jsii.String("FLOOR_ROLE"), jsii.String("push"), nil)
	push.AddEnvironment(jsii.String("CONNECTIONS_URL"), callbackURL, nil)
	push.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings("execute-api:ManageConnections"),
		Resources: &[]*string{stack.FormatArn(&awscdk.ArnComponents{
			Service: jsii.String("execute-api"), Resource: wsAPI.ApiId(),
			ResourceName: jsii.String(WebSocketStageName + "/POST/@connections/*"), ArnFormat: awscdk.ArnFormat_SLASH_RESOURCE_NAME,
		})},
	}))
	// realtime-push's event source settings (infra/realtime.go), so that only the functions' work differs.
	push.AddEventSource(awslambdaeventsources.NewDynamoEventSource(table, &awslambdaeventsources.DynamoEventSourceProps{
		StartingPosition:        awslambda.StartingPosition_LATEST,
		BatchSize:               jsii.Number(RealtimeStreamBatchSize),
		RetryAttempts:           jsii.Number(2),
		MaxRecordAge:            awscdk.Duration_Seconds(jsii.Number(60)),
		BisectBatchOnError:      jsii.Bool(true),
		ReportBatchItemFailures: jsii.Bool(true),
		Filters: &[]*map[string]any{awslambda.FilterCriteria_Filter(&map[string]any{
			"eventName": awslambda.FilterRule_Or(jsii.String("INSERT"), jsii.String("MODIFY")),
			"dynamodb":  map[string]any{"NewImage": map[string]any{"kind": map[string]any{"S": awslambda.FilterRule_IsEqual(jsii.String("ping"))}}},
		})},
	}))
	awscdk.NewCfnOutput(stack, jsii.String("FloorHttpApiId"), &awscdk.CfnOutputProps{Value: httpAPI.ApiId()})
	awscdk.NewCfnOutput(stack, jsii.String("FloorWebSocketUrl"), &awscdk.CfnOutputProps{Value: clientURL})
}
