// Package infra is the CDK app of the food-delivery reference system. One stack serves both stages:
// "local" (the MiniStack emulator) and "aws" (a real account). docs/architecture.md is the contract.
package infra

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Stages the app knows.
const (
	StageLocal = "local"
	StageAWS   = "aws"
)

// EventSource is the EventBridge source of every domain event (see the contract's Events section).
const EventSource = "food-delivery.orders"

// StackProps configures NewFoodDeliveryStack.
type StackProps struct {
	awscdk.StackProps
	// Stage is "local" or "aws".
	Stage string
	// LambdaAssetRoot is the directory holding <function-folder>/bootstrap for every function.
	LambdaAssetRoot string
	// Architecture of the bootstraps in LambdaAssetRoot. Nil means arm64 (the aws default).
	Architecture awslambda.Architecture
}

// ValidStage reports whether s is a stage the app can synthesize.
func ValidStage(s string) bool { return s == StageLocal || s == StageAWS }

// ArchitectureForGOARCH maps a Go architecture name to the Lambda architecture that runs its binaries.
func ArchitectureForGOARCH(goarch string) (awslambda.Architecture, error) {
	switch goarch {
	case "amd64":
		return awslambda.Architecture_X86_64(), nil
	case "arm64":
		return awslambda.Architecture_ARM_64(), nil
	}
	return nil, fmt.Errorf("no Lambda architecture for GOARCH %q (want amd64 or arm64)", goarch)
}

// stageConfig holds everything that differs between stages, so the constructs below read the same for both.
type stageConfig struct {
	isAWS         bool
	removal       awscdk.RemovalPolicy
	arch          awslambda.Architecture
	assetRoot     string
	tracing       awslambda.Tracing // unset locally: the emulator has no X-Ray
	logRetention  awslogs.RetentionDays
	versionBucket bool
}

// NewFoodDeliveryStack defines every resource of the app. It panics on an unknown stage or a missing
// asset root: both are programming errors the CDK app (cmd/cdkapp) reports before calling it.
func NewFoodDeliveryStack(scope constructs.Construct, id string, props *StackProps) awscdk.Stack {
	if props == nil || !ValidStage(props.Stage) {
		panic(fmt.Sprintf("infra: stage must be %q or %q", StageLocal, StageAWS))
	}
	if props.LambdaAssetRoot == "" {
		panic("infra: LambdaAssetRoot is required")
	}
	sprops := props.StackProps
	if sprops.Description == nil {
		sprops.Description = jsii.String("Serverless food delivery (" + props.Stage + " stage)")
	}
	stack := awscdk.NewStack(scope, &id, &sprops)

	cfg := stageConfig{
		isAWS:     props.Stage == StageAWS,
		arch:      props.Architecture,
		assetRoot: props.LambdaAssetRoot,
	}
	if cfg.arch == nil {
		cfg.arch = awslambda.Architecture_ARM_64()
	}
	if cfg.isAWS {
		// Real data outlives a stack deletion; the emulator is thrown away after every run.
		cfg.removal = awscdk.RemovalPolicy_RETAIN
		cfg.tracing = awslambda.Tracing_ACTIVE
		cfg.versionBucket = true
		cfg.logRetention = awslogs.RetentionDays_ONE_MONTH
	} else {
		cfg.removal = awscdk.RemovalPolicy_DESTROY
		cfg.logRetention = awslogs.RetentionDays_ONE_WEEK
	}

	// Tags make the cost per order attributable in Cost Explorer.
	awscdk.Tags_Of(stack).Add(jsii.String("app"), jsii.String("food-delivery"), nil)
	awscdk.Tags_Of(stack).Add(jsii.String("stage"), jsii.String(props.Stage), nil)

	data := newData(stack, cfg)
	msg := newMessaging(stack, cfg)
	auth := newAuth(stack, cfg)
	fns := newFunctions(stack, cfg, data, msg)
	api := newAPI(stack, auth, fns)
	newAlarms(stack, msg)

	out := func(id string, value *string, desc string) {
		awscdk.NewCfnOutput(stack, jsii.String(id), &awscdk.CfnOutputProps{Value: value, Description: jsii.String(desc)})
	}
	out("ApiId", api.api.ApiId(), "HTTP API id (emulator: $AWS_ENDPOINT_URL/_aws/execute-api/<ApiId>/<path>)")
	out("ApiUrl", api.url, "HTTP API base URL ($default stage)")
	out("TableName", data.table.TableName(), "single-table DynamoDB table")
	out("EventBusName", msg.bus.EventBusName(), "EventBridge bus of the domain events")
	out("UserPoolId", auth.pool.UserPoolId(), "Cognito user pool")
	out("UserPoolClientId", auth.client.UserPoolClientId(), "public app client (no secret)")
	out("ReceiptsBucketName", data.bucket.BucketName(), "S3 bucket of payment receipts")
	out("PaymentQueueUrl", msg.payment.queue.QueueUrl(), "payment queue (OrderPlaced)")
	out("PaymentDlqUrl", msg.payment.dlq.QueueUrl(), "payment dead-letter queue")
	out("AssignmentQueueUrl", msg.assignment.queue.QueueUrl(), "assignment queue (PaymentConfirmed)")
	out("AssignmentDlqUrl", msg.assignment.dlq.QueueUrl(), "assignment dead-letter queue")
	out("NotificationQueueUrl", msg.notification.queue.QueueUrl(), "notification queue (customer-facing events)")
	out("NotificationDlqUrl", msg.notification.dlq.QueueUrl(), "notification dead-letter queue")
	out("StreamDlqUrl", msg.streamDlq.QueueUrl(), "records the stream publisher gave up on")

	return stack
}
