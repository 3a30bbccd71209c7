// Package infra is the CDK app of the food-delivery reference system. One stack serves both stages:
// "local" (the MiniStack emulator) and "aws" (a real account). docs/architecture.md is the contract.
package infra

import (
	"fmt"
	"time"

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
	// Chaos switches on the fault injection of `make reliability` (cdk context chaos=true): extra EventBridge
	// rules that deliver every event 2 or 3 times to each consumer queue (ChaosExtraRules), and
	// CHAOS_CRASH_PERCENT on the SQS consumers, which then crash on that share of messages (shared/queue).
	// Local stage only: NewFoodDeliveryStack panics if it is set for aws.
	Chaos bool
	// SenderEmail is the address notification emails come from (cdk context senderEmail). Empty: the local stage
	// uses LocalSenderEmail, the aws stage asks for it as the SenderEmail parameter at deploy.
	SenderEmail string
}

// ChaosCrashPercent is the share of messages (by message id and receive count) on which an SQS consumer of a
// chaos stack crashes.
const ChaosCrashPercent = 5

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
	consumers     ConsumerTimings
	chaos         bool   // fault injection (StackProps.Chaos)
	senderEmail   string // StackProps.SenderEmail
}

// ConsumerTimings are the timeouts and retry bounds of the SQS consumers and of the payment provider calls.
// They differ per stage only in scale: AWS retries a failed message for about 15 minutes before its DLQ, which
// is right for a real outage and far too slow for the emulator's tests, which must watch a poison message reach
// its DLQ and a saga step give up in seconds.
type ConsumerTimings struct {
	// FunctionTimeout of every SQS consumer.
	FunctionTimeout time.Duration
	// VisibilityTimeout of every consumer queue: a failed message is delivered again after it. It is at least
	// the function timeout (AWS refuses an event source otherwise: a message still being worked on would be
	// handed to a second consumer).
	VisibilityTimeout time.Duration
	// MaxReceiveCount is how many deliveries a message gets before SQS moves it to its DLQ.
	MaxReceiveCount int
	// GiveUpAfter is the delivery on which the saga's retrying steps stop and close the order instead (payment:
	// void and PAYMENT_FAILED; assignment: NO_COURIER). Below MaxReceiveCount, so the give-up happens before
	// the DLQ would take the message.
	GiveUpAfter int
	// ProviderTimeout bounds one payment provider request; ProviderLatency is what the simulated provider adds
	// to each request.
	ProviderTimeout, ProviderLatency time.Duration
}

// Timings returns the consumer timings of a stage.
func Timings(stage string) ConsumerTimings {
	if stage == StageAWS {
		return ConsumerTimings{
			FunctionTimeout: 30 * time.Second,
			// Six times the function timeout, AWS's advice for SQS event sources: throttled or retried
			// invocations then never see a message come back while it is still being worked on.
			VisibilityTimeout: 180 * time.Second,
			MaxReceiveCount:   5, GiveUpAfter: 4,
			ProviderTimeout: 4 * time.Second, ProviderLatency: 100 * time.Millisecond,
		}
	}
	return ConsumerTimings{
		FunctionTimeout: 9 * time.Second, VisibilityTimeout: 10 * time.Second,
		MaxReceiveCount: 3, GiveUpAfter: 2,
		ProviderTimeout: 700 * time.Millisecond, ProviderLatency: 20 * time.Millisecond,
	}
}

// NewFoodDeliveryStack defines every resource of the app. It panics on an unknown stage or a missing
// asset root: both are programming errors the CDK app (cmd/cdkapp) reports before calling it.
func NewFoodDeliveryStack(scope constructs.Construct, id string, props *StackProps) awscdk.Stack {
	if props == nil || !ValidStage(props.Stage) {
		panic(fmt.Sprintf("infra: stage must be %q or %q", StageLocal, StageAWS))
	}
	if props.Chaos && props.Stage != StageLocal {
		panic("infra: chaos is for the local stage only")
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
		isAWS:       props.Stage == StageAWS,
		arch:        props.Architecture,
		assetRoot:   props.LambdaAssetRoot,
		consumers:   Timings(props.Stage),
		chaos:       props.Chaos,
		senderEmail: props.SenderEmail,
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
	api := newAPI(stack, cfg, auth, fns)
	live := newRealtime(stack, cfg, data, auth)
	newOps(stack, cfg, data, msg, api, fns) // after every function whose log it reads
	// Last: it walks the stack for every function, queue, API and alarm added above.
	alarmTopic := newObservability(stack, cfg)

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
	out("ReceiptsAccessLogsBucketName", data.accessLogs.BucketName(), "S3 server access log of the receipts bucket (prefix "+ReceiptsAccessLogPrefix+")")
	out("ProviderTableName", data.providerTable.TableName(), "the simulated payment provider's own books")
	out("ProviderApiKeySecret", data.providerKey.SecretArn(), "the payment provider's API key in Secrets Manager (ARN; name on the emulator): rotate with PutSecretValue, docs/payments.md")
	out("PaymentQueueUrl", msg.payment.queue.QueueUrl(), "payment queue (OrderPlaced, OrderCancelled, NoCourierAvailable)")
	out("PaymentDlqUrl", msg.payment.dlq.QueueUrl(), "payment dead-letter queue")
	out("AssignmentQueueUrl", msg.assignment.queue.QueueUrl(), "assignment queue (PaymentConfirmed)")
	out("AssignmentDlqUrl", msg.assignment.dlq.QueueUrl(), "assignment dead-letter queue")
	out("NotificationQueueUrl", msg.notification.queue.QueueUrl(), "inbox notification queue (customer-facing events)")
	out("NotificationDlqUrl", msg.notification.dlq.QueueUrl(), "notification dead-letter queue")
	out("NotifyEmailQueueUrl", msg.email.queue.QueueUrl(), "email notification queue (customer-facing events)")
	out("NotifyEmailDlqUrl", msg.email.dlq.QueueUrl(), "email notification dead-letter queue")
	out("NotifySmsQueueUrl", msg.sms.queue.QueueUrl(), "SMS notification queue (customer-facing events)")
	out("NotifySmsDlqUrl", msg.sms.dlq.QueueUrl(), "SMS notification dead-letter queue")
	out("StreamDlqUrl", msg.streamDlq.QueueUrl(), "records the stream publisher gave up on")
	out("WebSocketUrl", live.url, "live tracking WebSocket API: connect with ?token=<Cognito ID token> (docs/realtime.md)")
	out("WebSocketApiId", live.api.ApiId(), "live tracking WebSocket API id")
	out("SweeperFunctionName", fns.sweeper.FunctionName(), "scheduled sweeper: re-announces orders whose saga event was lost")
	out("AlarmTopicArn", alarmTopic.TopicArn(), "SNS topic every alarm of the stack notifies (subscribe with the AlarmEmail parameter)")
	out("DashboardName", jsii.String(DashboardName), "CloudWatch dashboard of the stack")
	out("SweeperLogGroupName", fns.sweeper.LogGroup().LogGroupName(), "the sweeper's log: one \"sweep done\" line per sweep")

	return stack
}
