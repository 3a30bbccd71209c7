package infra

import (
	"fmt"

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

// Which events each consumer's queue receives (contract, Events table).
var (
	// Payment is the saga's money step: it charges placed orders and refunds those cancelled or without courier.
	paymentEvents      = []string{"OrderPlaced", "OrderCancelled", "NoCourierAvailable"}
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
	// email and sms are the notification channels beside the inbox (notification), each with its own queue.
	email, sms queuePair
	streamDlq  awssqs.Queue
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
	m.payment = newQueuePair(scope, "Payment", cfg.consumers)
	m.assignment = newQueuePair(scope, "Assignment", cfg.consumers)
	m.notification = newQueuePair(scope, "Notification", cfg.consumers)
	m.email = newQueuePair(scope, "NotifyEmail", cfg.consumers)
	m.sms = newQueuePair(scope, "NotifySms", cfg.consumers)
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
	route("NotifyEmailRule", notificationEvents, m.email.queue)
	route("NotifySmsRule", notificationEvents, m.sms.queue)
	if cfg.chaos {
		for _, r := range []struct {
			name  string
			types []string
			q     awssqs.IQueue
		}{{"Payment", paymentEvents, m.payment.queue}, {"Assignment", assignmentEvents, m.assignment.queue}, {"Notification", notificationEvents, m.notification.queue},
			{"NotifyEmail", notificationEvents, m.email.queue}, {"NotifySms", notificationEvents, m.sms.queue}} {
			for i, types := range ChaosExtraRules(r.types) {
				route(fmt.Sprintf("%sChaosRule%d", r.name, i+1), types, r.q)
			}
		}
	}
	return m
}

// ChaosExtraRules returns the detail types of the extra rules a chaos stack adds for a queue that receives
// detailTypes: the first copies every event (each is delivered twice), the second every other type again (those
// are delivered three times). Each rule is a separate EventBridge target, so each copy is its own SQS message.
func ChaosExtraRules(detailTypes []string) [][]string {
	var third []string
	for i, d := range detailTypes {
		if i%2 == 0 {
			third = append(third, d)
		}
	}
	return [][]string{detailTypes, third}
}

// newQueuePair creates <name>Queue and its <name>Dlq, with the stage's visibility timeout and number of tries
// (ConsumerTimings). DLQs keep messages 14 days, the longest SQS allows, for ops to inspect and redrive.
func newQueuePair(scope constructs.Construct, name string, t ConsumerTimings) queuePair {
	dlq := newQueue(scope, name+"Dlq", &awssqs.QueueProps{RetentionPeriod: awscdk.Duration_Days(jsii.Number(14))})
	q := newQueue(scope, name+"Queue", &awssqs.QueueProps{
		VisibilityTimeout: awscdk.Duration_Seconds(jsii.Number(t.VisibilityTimeout.Seconds())),
		DeadLetterQueue:   &awssqs.DeadLetterQueue{Queue: dlq, MaxReceiveCount: jsii.Number(float64(t.MaxReceiveCount))},
	})
	return queuePair{queue: q, dlq: dlq}
}

// newQueue applies the settings every queue shares: encryption at rest and a TLS-only queue policy.
func newQueue(scope constructs.Construct, id string, props *awssqs.QueueProps) awssqs.Queue {
	props.Encryption = awssqs.QueueEncryption_SQS_MANAGED
	props.EnforceSSL = jsii.Bool(true)
	return awssqs.NewQueue(scope, jsii.String(id), props)
}
