package infra

import (
	"path/filepath"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"
)

// The floor of bench/e2e has the app's order → courier-assigned topology: one stream, one bus with two rules, two
// queues, three functions with the app's event source settings (payment one message at a time, 5 at once). The
// topology floor beside it (floor_topology_test.go) has the same four hops on a table and bus of its own.
func TestFloorStackMirrorsTheAssignmentPath(t *testing.T) {
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
	stack := NewFloorStack(app, FloorStackName, &FloorProps{
		AssetDir:     filepath.Join(assetRoot, FnStreamPublisher), // any bootstrap will do
		Architecture: awslambda.Architecture_X86_64(),
	})
	tpl := assertions.Template_FromStack(stack, nil)
	tpl.ResourceCountIs(jsii.String("AWS::DynamoDB::Table"), jsii.Number(2)) // the floor's and the topology floor's
	tpl.HasResourceProperties(jsii.String("AWS::DynamoDB::Table"), map[string]any{
		"StreamSpecification": map[string]any{"StreamViewType": "NEW_AND_OLD_IMAGES"},
		"BillingMode":         "PAY_PER_REQUEST",
	})
	tpl.ResourceCountIs(jsii.String("AWS::Events::EventBus"), jsii.Number(2))
	// Two rules and queues each floor, and the topology floor's three channels.
	tpl.ResourceCountIs(jsii.String("AWS::Events::Rule"), jsii.Number(2+2+3))
	tpl.ResourceCountIs(jsii.String("AWS::SQS::Queue"), jsii.Number(2+2+3))
	// Three on the assignment path, two on the live-tracking path (edge: the HTTP route and the socket; push); the
	// topology floor's three, its push and its three channels.
	tpl.ResourceCountIs(jsii.String("AWS::Lambda::Function"), jsii.Number(5+3+1+3))
	tpl.ResourceCountIs(jsii.String("AWS::Lambda::EventSourceMapping"), jsii.Number(4+3+1+3))
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::EventSourceMapping"), map[string]any{
		"BatchSize": StreamPublisherBatchSize, "StartingPosition": "TRIM_HORIZON", "BisectBatchOnFunctionError": true,
	})
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::EventSourceMapping"), map[string]any{
		"BatchSize": paymentBatchSize, "ScalingConfig": map[string]any{"MaximumConcurrency": paymentConcurrency},
	})
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::EventSourceMapping"), map[string]any{
		"BatchSize": sqsBatchSize, "MaximumBatchingWindowInSeconds": 1,
	})
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]any{
		"ReservedConcurrentExecutions": paymentConcurrency,
		"Architectures":                []any{"x86_64"},
	})
	tpl.HasOutput(jsii.String("FloorTableName"), map[string]any{})
}

// The floor of bench/push has the app's location → frame topology: an HTTP API route, the table's stream with
// realtime-push's event source settings, and a WebSocket API stage the push posts to.
func TestFloorStackMirrorsThePushPath(t *testing.T) {
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
	stack := NewFloorStack(app, FloorStackName, &FloorProps{
		AssetDir:     filepath.Join(assetRoot, FnStreamPublisher),
		Architecture: awslambda.Architecture_X86_64(),
	})
	tpl := assertions.Template_FromStack(stack, nil)
	tpl.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::Route"), map[string]any{"RouteKey": "POST /ping"})
	for _, r := range []string{"$connect", "$default"} {
		tpl.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::Route"), map[string]any{"RouteKey": r})
	}
	tpl.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::Stage"), map[string]any{"StageName": WebSocketStageName})
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::EventSourceMapping"), map[string]any{
		"BatchSize": RealtimeStreamBatchSize, "StartingPosition": "LATEST", "MaximumRetryAttempts": 2,
		"FilterCriteria": map[string]any{"Filters": []any{map[string]any{"Pattern": `{"dynamodb":{"NewImage":{"kind":{"S":["ping"]}}},"eventName":["INSERT","MODIFY"]}`}}},
	})
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]any{
		"Environment": map[string]any{"Variables": assertions.Match_ObjectLike(&map[string]any{"FLOOR_ROLE": "push"})},
	})
	tpl.HasOutput(jsii.String("FloorHttpApiId"), map[string]any{})
	tpl.HasOutput(jsii.String("FloorWebSocketUrl"), map[string]any{})
}
