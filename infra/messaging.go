package infra

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// BusName is the custom bus of the domain events. Fixed (not per stage): one stack per account and
// region, and scripts and docs can name it.
const BusName = "food-delivery"

// maxReceiveCount bounds the tries of a poison message before it lands in its DLQ.
const maxReceiveCount = 5

// Which events each consumer's queue receives (contract, Events table).
var (
	paymentEvents      = []string{"OrderPlaced"}
	assignmentEvents   = []string{"PaymentConfirmed"}
	notificationEvents = []string{
		"PaymentConfirmed", "PaymentFailed", "CourierAssigned", "OrderPickedUp",
		"OrderDelivered", "OrderCancelled", "NoCourierAvailable", "OrderRefunded",
	}
)

type queuePair struct {
	queue awssqs.Queue
	dlq   awssqs.Queue
}

type messaging struct {
	bus                               awsevents.EventBus
	payment, assignment, notification queuePair
	streamDlq                         awssqs.Queue
}

func newMessaging(scope constructs.Construct, cfg stageConfig) *messaging {
	bus := awsevents.NewEventBus(scope, jsii.String("EventBus"), &awsevents.EventBusProps{
		EventBusName: jsii.String(BusName),
	})
	if cfg.isAWS {
		// The archive lets ops replay events after a consumer bug. AWS only: MiniStack (1.5.33) has no
		// AWS::Events::Archive and rejects a template that declares one, and nothing in a throw-away
		// emulator run is worth replaying.
		archive := bus.Archive(jsii.String("Archive"), &awsevents.BaseArchiveProps{
			Description:  jsii.String("every domain event of the food-delivery bus"),
			EventPattern: &awsevents.EventPattern{Source: jsii.Strings(EventSource)},
			Retention:    awscdk.Duration_Days(jsii.Number(30)),
		})
		// The L2 writes KmsKeyIdentifier "" when no key is given, which some regions refuse
		// (aws/aws-cdk#37847); without the property the archive uses the AWS-owned key.
		archive.Node().FindChild(jsii.String("Archive")).(awscdk.CfnResource).
			AddPropertyDeletionOverride(jsii.String("KmsKeyIdentifier"))
	}

	m := &messaging{bus: bus}
	m.payment = newQueuePair(scope, "Payment")
	m.assignment = newQueuePair(scope, "Assignment")
	m.notification = newQueuePair(scope, "Notification")
	// Stream records the publisher gave up on (after retries and bisection) land here.
	m.streamDlq = newQueue(scope, "StreamDlq", &awssqs.QueueProps{RetentionPeriod: awscdk.Duration_Days(jsii.Number(14))})

	route := func(id string, detailTypes []string, q awssqs.IQueue) {
		awsevents.NewRule(scope, jsii.String(id), &awsevents.RuleProps{
			EventBus: bus,
			EventPattern: &awsevents.EventPattern{
				Source:     jsii.Strings(EventSource),
				DetailType: jsii.Strings(detailTypes...),
			},
			Targets: &[]awsevents.IRuleTarget{awseventstargets.NewSqsQueue(q, nil)},
		})
	}
	route("PaymentRule", paymentEvents, m.payment.queue)
	route("AssignmentRule", assignmentEvents, m.assignment.queue)
	route("NotificationRule", notificationEvents, m.notification.queue)
	return m
}

// newQueuePair creates <name>Queue and its <name>Dlq. The visibility timeout is six times the consuming
// function's timeout (AWS's advice for SQS event sources), so a batch still in flight is never redelivered.
func newQueuePair(scope constructs.Construct, name string) queuePair {
	dlq := newQueue(scope, name+"Dlq", &awssqs.QueueProps{RetentionPeriod: awscdk.Duration_Days(jsii.Number(14))})
	q := newQueue(scope, name+"Queue", &awssqs.QueueProps{
		VisibilityTimeout: awscdk.Duration_Seconds(jsii.Number(6 * consumerTimeoutSeconds)),
		DeadLetterQueue:   &awssqs.DeadLetterQueue{Queue: dlq, MaxReceiveCount: jsii.Number(maxReceiveCount)},
	})
	return queuePair{queue: q, dlq: dlq}
}

// newQueue applies the settings every queue shares: encryption at rest and a TLS-only queue policy.
func newQueue(scope constructs.Construct, id string, props *awssqs.QueueProps) awssqs.Queue {
	props.Encryption = awssqs.QueueEncryption_SQS_MANAGED
	props.EnforceSSL = jsii.Bool(true)
	return awssqs.NewQueue(scope, jsii.String(id), props)
}
