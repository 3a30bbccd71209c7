package infra

import (
	"path/filepath"
	"strconv"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdaeventsources"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/fooddelivery/serverless-food-delivery/shared/apiroutes"
	"github.com/fooddelivery/serverless-food-delivery/shared/delivery"
	"github.com/fooddelivery/serverless-food-delivery/shared/payments"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform"
	"github.com/fooddelivery/serverless-food-delivery/shared/store"
)

// Function folders under functions/ and under the asset root (contract, Functions table).
const (
	FnOrderAPI           = apiroutes.OrderAPI
	FnStreamPublisher    = "stream-publisher"
	FnPayment            = "payment"
	FnDeliveryAssignment = "delivery-assignment"
	FnNotification       = "notification"
	FnTracking           = apiroutes.Tracking
	FnSweeper            = "sweeper"
)

// FunctionFolders lists every function folder; the asset root must hold <folder>/bootstrap for each.
var FunctionFolders = []string{FnOrderAPI, FnStreamPublisher, FnPayment, FnDeliveryAssignment, FnNotification, FnNotifyEmail, FnNotifySMS, FnTracking, FnSweeper, FnRealtime, FnRealtimePush, FnOpsAPI}

const (
	// API functions answer a person waiting on an HTTP response (API Gateway's own limit is 30 s).
	apiTimeoutSeconds = 10
	// The stream publisher maps records to events and calls PutEvents; SQS consumers take the stage's
	// ConsumerTimings.FunctionTimeout instead.
	streamTimeoutSeconds = 30
	// Payment provider's rate limit: at most this many payment functions run at once.
	paymentConcurrency = 5
	sqsBatchSize       = 10
	// The payment function takes one message per invocation. A message may wait on the provider for its whole
	// budget (payments.Policy.MessageBudget), so a batch of n needs n budgets of function timeout; and one
	// invocation making one provider call at a time is what makes the reserved concurrency equal to the number
	// of concurrent provider calls, the provider's rate limit.
	paymentBatchSize = 1
	// StreamPublisherBatchSize is how many stream records one publisher invocation may take. The records are read
	// before the event source's filter drops the ones that are not orders (at least on the emulator), and a
	// delivered order writes about seven other items for each order record (ledger, idempotency key, courier,
	// notification claims, inbox): with 10 a backlog was published one or two orders per invocation. The
	// publisher puts them in PutEvents calls of 10 (its limit) either way.
	StreamPublisherBatchSize = 100
)

// paymentPolicy is the payment function's provider call policy in a stage: payments.DefaultPolicy with the
// stage's timeout and give-up delivery, which the function reads from its environment.
func paymentPolicy(t ConsumerTimings) payments.Policy {
	p := payments.DefaultPolicy()
	p.CallTimeout, p.GiveUpAfter = t.ProviderTimeout, t.GiveUpAfter
	return p
}

type functions struct {
	orderAPI, streamPublisher, payment, assignment, notification, tracking, sweeper awslambda.Function
	// The email and SMS channels beside the inbox (notification): notify.go.
	notifyEmail, notifySMS awslambda.Function
}

func newFunctions(scope constructs.Construct, cfg stageConfig, d *data, m *messaging) *functions {
	tableEnv := map[string]string{platform.EnvTableName: *d.table.TableName()}
	t := cfg.consumers
	consumerTimeout := t.FunctionTimeout.Seconds()
	policy := paymentPolicy(t)
	// consumerEnv adds the fault injection of a chaos stack to an SQS consumer's environment.
	consumerEnv := func(env map[string]string) map[string]string {
		if cfg.chaos {
			out := map[string]string{"CHAOS_CRASH_PERCENT": strconv.Itoa(ChaosCrashPercent)}
			for k, v := range env {
				out[k] = v
			}
			return out
		}
		return env
	}
	fns := &functions{
		orderAPI: newFunction(scope, cfg, FnOrderAPI, fnOptions{timeout: apiTimeoutSeconds, env: tableEnv}),
		streamPublisher: newFunction(scope, cfg, FnStreamPublisher, fnOptions{
			timeout: streamTimeoutSeconds, memory: 128, // only maps records to events: little CPU
			env: map[string]string{platform.EnvEventBusName: *m.bus.EventBusName()},
		}),
		payment: newFunction(scope, cfg, FnPayment, fnOptions{
			timeout: consumerTimeout,
			env: consumerEnv(map[string]string{
				platform.EnvTableName:         *d.table.TableName(),
				payments.EnvReceiptsBucket:    *d.bucket.BucketName(),
				payments.EnvProviderTableName: *d.providerTable.TableName(),
				// The secret's ARN (on MiniStack its name: tests/emulator_test.go), not its value.
				payments.EnvProviderAPIKeySecret: *d.providerKey.SecretArn(),
				payments.EnvProviderTimeout:      strconv.FormatInt(policy.CallTimeout.Milliseconds(), 10),
				payments.EnvProviderLatency:      strconv.FormatInt(t.ProviderLatency.Milliseconds(), 10),
				payments.EnvChargeGiveUpAfter:    strconv.Itoa(policy.GiveUpAfter),
			}),
			reserved: paymentConcurrency,
		}),
		assignment: newFunction(scope, cfg, FnDeliveryAssignment, fnOptions{timeout: consumerTimeout, env: consumerEnv(map[string]string{
			platform.EnvTableName:   *d.table.TableName(),
			delivery.EnvGiveUpAfter: strconv.Itoa(t.GiveUpAfter),
		})}),
		notification: newFunction(scope, cfg, FnNotification, fnOptions{timeout: consumerTimeout, env: consumerEnv(tableEnv)}),
		tracking:     newFunction(scope, cfg, FnTracking, fnOptions{timeout: apiTimeoutSeconds, env: tableEnv}),
	}

	// Least privilege: each function's table policy is built from the store ports it is wired with (access.go).
	grantTable(fns.orderAPI, d.table, FnOrderAPI)
	m.bus.GrantPutEventsTo(fns.streamPublisher, nil)
	grantTable(fns.payment, d.table, FnPayment)
	grantReceipts(fns.payment, d.bucket) // receipts are written once, never read back by the function
	// The simulated provider runs inside the payment function; its books need three calls (simprovider.DynamoBooks).
	grantProviderBooks(fns.payment, d.providerTable)
	grantProviderAPIKey(fns.payment, d.providerKey)
	grantTable(fns.assignment, d.table, FnDeliveryAssignment)
	grantTable(fns.notification, d.table, FnNotification)
	grantTable(fns.tracking, d.table, FnTracking)

	// The outbox: stream → publisher. Stream read permissions come with the event source.
	fns.streamPublisher.AddEventSource(awslambdaeventsources.NewDynamoEventSource(d.table, &awslambdaeventsources.DynamoEventSourceProps{
		StartingPosition:        awslambda.StartingPosition_TRIM_HORIZON,
		BatchSize:               jsii.Number(StreamPublisherBatchSize),
		BisectBatchOnError:      jsii.Bool(true), // isolate a poison record instead of blocking the shard
		RetryAttempts:           jsii.Number(5),
		ReportBatchItemFailures: jsii.Bool(true),
		OnFailure:               awslambdaeventsources.NewSqsDlq(m.streamDlq),
		// Only order items make events; the other items written beside them (ledger, idempotency keys,
		// couriers, notifications, positions: about 10 of 12 stream records per delivered order) are dropped by
		// Lambda's filter instead of invoking the publisher to be skipped (shared/publisher still skips them).
		Filters: &[]*map[string]any{awslambda.FilterCriteria_Filter(&map[string]any{
			"eventName": awslambda.FilterRule_Or(jsii.String("INSERT"), jsii.String("MODIFY")),
			"dynamodb": map[string]any{"NewImage": map[string]any{"type": map[string]any{
				"S": awslambda.FilterRule_IsEqual(jsii.String(store.ItemTypeOrder))}}},
		})},
	}))

	sqsSource := sqsEventSource
	// The payment mapping's maximum concurrency matches the reserved concurrency: without it the poller
	// outruns the reserved executions, throttled batches count as receives and healthy orders reach the DLQ.
	fns.payment.AddEventSource(sqsSource(m.payment.queue, paymentBatchSize, paymentConcurrency))
	fns.assignment.AddEventSource(sqsSource(m.assignment.queue, sqsBatchSize, 0))
	fns.notification.AddEventSource(sqsSource(m.notification.queue, sqsBatchSize, 0))
	newNotifyChannels(awscdk.Stack_Of(scope), cfg, d, m, consumerEnv, fns)
	fns.sweeper = newSweeper(scope, cfg, d, m)
	return fns
}

type fnOptions struct {
	timeout  float64
	memory   float64 // MB; 0 means 256
	env      map[string]string
	reserved float64 // reserved concurrent executions; 0 means unreserved
}

// newFunction creates the Lambda function of one folder with its own log group.
func newFunction(scope constructs.Construct, cfg stageConfig, folder string, o fnOptions) awslambda.Function {
	id := constructName(folder)
	// An explicit log group, so retention is set without the LogRetention custom resource (a Node.js
	// Lambda the emulator cannot run) and the group goes away with a local stack.
	logs := awslogs.NewLogGroup(scope, jsii.String(id+"Logs"), &awslogs.LogGroupProps{
		Retention:     cfg.logRetention,
		RemovalPolicy: cfg.removal,
	})
	env := map[string]*string{
		"LOG_LEVEL":    jsii.String("INFO"),
		"SERVICE_NAME": jsii.String(folder),
	}
	for k, v := range o.env {
		env[k] = jsii.String(v)
	}
	memory := o.memory
	if memory == 0 {
		memory = 256
	}
	props := &awslambda.FunctionProps{
		Description:  jsii.String("food-delivery " + folder),
		Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
		Handler:      jsii.String("bootstrap"),
		Architecture: cfg.arch,
		Code:         awslambda.Code_FromAsset(jsii.String(filepath.Join(cfg.assetRoot, folder)), nil),
		MemorySize:   jsii.Number(memory),
		Timeout:      awscdk.Duration_Seconds(jsii.Number(o.timeout)),
		Environment:  &env,
		LogGroup:     logs,
		Tracing:      cfg.tracing,
	}
	if o.reserved > 0 {
		props.ReservedConcurrentExecutions = jsii.Number(o.reserved)
	}
	return awslambda.NewFunction(scope, jsii.String(id+"Function"), props)
}

// constructName turns "delivery-assignment" into "DeliveryAssignment".
func constructName(folder string) string {
	var b strings.Builder
	for _, part := range strings.Split(folder, "-") {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

// sqsEventSource is the event source of every SQS consumer: partial batch failures, a second to fill a batch.
func sqsEventSource(q awssqs.IQueue, batchSize, maxConcurrency float64) awslambda.IEventSource {
	props := &awslambdaeventsources.SqsEventSourceProps{
		BatchSize:               jsii.Number(batchSize),
		ReportBatchItemFailures: jsii.Bool(true), // partial batch failures, never whole-batch retries
	}
	if batchSize > 1 {
		// Wait up to a second to fill a batch; pointless (only latency) for batches of one.
		props.MaxBatchingWindow = awscdk.Duration_Seconds(jsii.Number(1))
	}
	if maxConcurrency > 0 {
		props.MaxConcurrency = jsii.Number(maxConcurrency)
	}
	return awslambdaeventsources.NewSqsEventSource(q, props)
}
