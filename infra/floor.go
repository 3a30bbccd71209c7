package infra

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
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
	arch := props.Architecture
	if arch == nil {
		arch = awslambda.Architecture_ARM_64()
	}
	t := Timings(StageLocal)

	table := awsdynamodb.NewTable(stack, jsii.String("Table"), &awsdynamodb.TableProps{
		PartitionKey:  &awsdynamodb.Attribute{Name: jsii.String("PK"), Type: awsdynamodb.AttributeType_STRING},
		BillingMode:   awsdynamodb.BillingMode_PAY_PER_REQUEST,
		Stream:        awsdynamodb.StreamViewType_NEW_AND_OLD_IMAGES, // as the app's table
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	bus := awsevents.NewEventBus(stack, jsii.String("EventBus"), &awsevents.EventBusProps{EventBusName: jsii.String(FloorBusName)})
	queue := func(name string) awssqs.Queue {
		return awssqs.NewQueue(stack, jsii.String(name+"Queue"), &awssqs.QueueProps{
			VisibilityTimeout: awscdk.Duration_Seconds(jsii.Number(t.VisibilityTimeout.Seconds())),
		})
	}
	payQ, assignQ := queue("Payment"), queue("Assignment")
	for _, r := range []struct {
		id, detailType string
		q              awssqs.IQueue
	}{{"PaymentRule", "FloorPlaced", payQ}, {"AssignmentRule", "FloorPaid", assignQ}} {
		awsevents.NewRule(stack, jsii.String(r.id), &awsevents.RuleProps{
			EventBus:     bus,
			EventPattern: &awsevents.EventPattern{Source: jsii.Strings(FloorEventSource), DetailType: jsii.Strings(r.detailType)},
			Targets:      &[]awsevents.IRuleTarget{awseventstargets.NewSqsQueue(r.q, nil)},
		})
	}

	fn := func(name string, timeout, reserved float64) awslambda.Function {
		props := &awslambda.FunctionProps{
			Description:  jsii.String("food-delivery floor (no-op) " + name),
			Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
			Handler:      jsii.String("bootstrap"),
			Architecture: arch,
			Code:         awslambda.Code_FromAsset(jsii.String(props.AssetDir), nil),
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
	consumerTimeout := t.FunctionTimeout.Seconds()
	publisher := fn("StreamPublisher", streamTimeoutSeconds, 0)
	payment := fn("Payment", consumerTimeout, paymentConcurrency)
	assignment := fn("Assignment", consumerTimeout, 0)
	bus.GrantPutEventsTo(publisher, nil)
	table.GrantReadWriteData(payment)
	table.GrantReadWriteData(assignment)

	// The app's event source settings (functions.go), so that only the functions' work differs.
	publisher.AddEventSource(awslambdaeventsources.NewDynamoEventSource(table, &awslambdaeventsources.DynamoEventSourceProps{
		StartingPosition:        awslambda.StartingPosition_TRIM_HORIZON,
		BatchSize:               jsii.Number(10),
		BisectBatchOnError:      jsii.Bool(true),
		RetryAttempts:           jsii.Number(5),
		ReportBatchItemFailures: jsii.Bool(true),
	}))
	payment.AddEventSource(awslambdaeventsources.NewSqsEventSource(payQ, &awslambdaeventsources.SqsEventSourceProps{
		BatchSize: jsii.Number(paymentBatchSize), ReportBatchItemFailures: jsii.Bool(true), MaxConcurrency: jsii.Number(paymentConcurrency),
	}))
	assignment.AddEventSource(awslambdaeventsources.NewSqsEventSource(assignQ, &awslambdaeventsources.SqsEventSourceProps{
		BatchSize: jsii.Number(sqsBatchSize), ReportBatchItemFailures: jsii.Bool(true),
		MaxBatchingWindow: awscdk.Duration_Seconds(jsii.Number(1)),
	}))

	awscdk.NewCfnOutput(stack, jsii.String("FloorTableName"), &awscdk.CfnOutputProps{Value: table.TableName()})
	awscdk.NewCfnOutput(stack, jsii.String("FloorEventBusName"), &awscdk.CfnOutputProps{Value: bus.EventBusName()})
	return stack
}
