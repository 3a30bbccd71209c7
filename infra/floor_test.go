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
// queues, three functions with the app's event source settings (payment one message at a time, 5 at once).
func TestFloorStackMirrorsTheAssignmentPath(t *testing.T) {
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
	stack := NewFloorStack(app, FloorStackName, &FloorProps{
		AssetDir:     filepath.Join(assetRoot, FnStreamPublisher), // any bootstrap will do
		Architecture: awslambda.Architecture_X86_64(),
	})
	tpl := assertions.Template_FromStack(stack, nil)
	tpl.ResourceCountIs(jsii.String("AWS::DynamoDB::Table"), jsii.Number(1))
	tpl.HasResourceProperties(jsii.String("AWS::DynamoDB::Table"), map[string]any{
		"StreamSpecification": map[string]any{"StreamViewType": "NEW_AND_OLD_IMAGES"},
		"BillingMode":         "PAY_PER_REQUEST",
	})
	tpl.ResourceCountIs(jsii.String("AWS::Events::EventBus"), jsii.Number(1))
	tpl.ResourceCountIs(jsii.String("AWS::Events::Rule"), jsii.Number(2))
	tpl.ResourceCountIs(jsii.String("AWS::SQS::Queue"), jsii.Number(2))
	tpl.ResourceCountIs(jsii.String("AWS::Lambda::Function"), jsii.Number(3))
	tpl.ResourceCountIs(jsii.String("AWS::Lambda::EventSourceMapping"), jsii.Number(3))
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::EventSourceMapping"), map[string]any{
		"BatchSize": 10, "StartingPosition": "TRIM_HORIZON", "BisectBatchOnFunctionError": true,
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
