package infra

import (
	"path/filepath"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdaeventsources"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Function folders under functions/ and under the asset root (contract, Functions table).
const (
	FnOrderAPI           = "order-api"
	FnStreamPublisher    = "stream-publisher"
	FnPayment            = "payment"
	FnDeliveryAssignment = "delivery-assignment"
	FnNotification       = "notification"
	FnTracking           = "tracking"
)

// FunctionFolders lists every function folder; the asset root must hold <folder>/bootstrap for each.
var FunctionFolders = []string{FnOrderAPI, FnStreamPublisher, FnPayment, FnDeliveryAssignment, FnNotification, FnTracking}

const (
	// API functions answer a person waiting on an HTTP response (API Gateway's own limit is 30 s).
	apiTimeoutSeconds = 10
	// Consumers work in batches of 10 and call the payment provider or run transactions.
	consumerTimeoutSeconds = 30
	// Payment provider's rate limit: at most this many payment functions run at once.
	paymentConcurrency = 5
	sqsBatchSize       = 10
)

type functions struct {
	orderAPI, streamPublisher, payment, assignment, notification, tracking awslambda.Function
}

func newFunctions(scope constructs.Construct, cfg stageConfig, d *data, m *messaging) *functions {
	tableEnv := map[string]string{"TABLE_NAME": *d.table.TableName()}
	fns := &functions{
		orderAPI: newFunction(scope, cfg, FnOrderAPI, fnOptions{timeout: apiTimeoutSeconds, env: tableEnv}),
		streamPublisher: newFunction(scope, cfg, FnStreamPublisher, fnOptions{
			timeout: consumerTimeoutSeconds, memory: 128, // only maps records to events: little CPU
			env: map[string]string{"EVENT_BUS_NAME": *m.bus.EventBusName()},
		}),
		payment: newFunction(scope, cfg, FnPayment, fnOptions{
			timeout:  consumerTimeoutSeconds,
			env:      map[string]string{"TABLE_NAME": *d.table.TableName(), "RECEIPTS_BUCKET": *d.bucket.BucketName()},
			reserved: paymentConcurrency,
		}),
		assignment:   newFunction(scope, cfg, FnDeliveryAssignment, fnOptions{timeout: consumerTimeoutSeconds, env: tableEnv}),
		notification: newFunction(scope, cfg, FnNotification, fnOptions{timeout: consumerTimeoutSeconds, env: tableEnv}),
		tracking:     newFunction(scope, cfg, FnTracking, fnOptions{timeout: apiTimeoutSeconds, env: tableEnv}),
	}

	// Least privilege, by grants only.
	d.table.GrantReadWriteData(fns.orderAPI) // places orders, reads menus and history
	m.bus.GrantPutEventsTo(fns.streamPublisher, nil)
	d.table.GrantReadWriteData(fns.payment)
	d.bucket.GrantPut(fns.payment, nil) // receipts are written once, never read back by the function
	d.table.GrantReadWriteData(fns.assignment)
	d.table.GrantReadWriteData(fns.notification)
	d.table.GrantReadWriteData(fns.tracking)

	// The outbox: stream → publisher. Stream read permissions come with the event source.
	fns.streamPublisher.AddEventSource(awslambdaeventsources.NewDynamoEventSource(d.table, &awslambdaeventsources.DynamoEventSourceProps{
		StartingPosition:        awslambda.StartingPosition_TRIM_HORIZON,
		BatchSize:               jsii.Number(10),
		BisectBatchOnError:      jsii.Bool(true), // isolate a poison record instead of blocking the shard
		RetryAttempts:           jsii.Number(5),
		ReportBatchItemFailures: jsii.Bool(true),
		OnFailure:               awslambdaeventsources.NewSqsDlq(m.streamDlq),
	}))

	sqsSource := func(q awssqs.IQueue, maxConcurrency float64) awslambda.IEventSource {
		props := &awslambdaeventsources.SqsEventSourceProps{
			BatchSize:               jsii.Number(sqsBatchSize),
			MaxBatchingWindow:       awscdk.Duration_Seconds(jsii.Number(1)),
			ReportBatchItemFailures: jsii.Bool(true), // partial batch failures, never whole-batch retries
		}
		if maxConcurrency > 0 {
			props.MaxConcurrency = jsii.Number(maxConcurrency)
		}
		return awslambdaeventsources.NewSqsEventSource(q, props)
	}
	// The payment mapping's maximum concurrency matches the reserved concurrency: without it the poller
	// outruns the reserved executions, throttled batches count as receives and healthy orders reach the DLQ.
	fns.payment.AddEventSource(sqsSource(m.payment.queue, paymentConcurrency))
	fns.assignment.AddEventSource(sqsSource(m.assignment.queue, 0))
	fns.notification.AddEventSource(sqsSource(m.notification.queue, 0))
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
