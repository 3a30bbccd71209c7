package infra

import (
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"

	"github.com/fooddelivery/serverless-food-delivery/shared/payments"
)

// The topology floor's names: its bus, the prefix of its construct ids, and its channels (the app's three
// notification channels: the in-app inbox, email and SMS).
const (
	TopologyFloorBusName = "food-delivery-floor-topology"
	topologyPrefix       = "Topology"
)

var topologyChannels = []string{FnNotification, FnNotifyEmail, FnNotifySMS}

// The roles bench/floor plays in the topology floor beside the plain floor's (FLOOR_ROLE), and the switch of its
// publisher (FLOOR_PUBLISH_ASSIGNED): bench/floor/main.go reads them.
const (
	FloorRoleStatusPush     = "status-push" // the no-op realtime-push: one log line per invocation, no call
	FloorRoleChannel        = "channel"     // a no-op notification channel: one log line per message, no call
	FloorEnvRole            = "FLOOR_ROLE"
	FloorEnvPublishAssigned = "FLOOR_PUBLISH_ASSIGNED" // "true": the publisher also publishes FloorAssigned
)

// newTopologyFloor adds the topology floor of bench/e2e: the floor's four hops (newFloorHops, the same settings)
// on a table and bus of its own, plus what the app's design adds on the placed → assigned path, each part as a
// no-op function with the app's settings, so that the emulator's cost of the design is measured apart from the cost
// of the app's code:
//   - a second consumer of the table's stream, the place of realtime-push, with its event source (realtimePushSource:
//     the same batch, retries, and filter, so it is invoked for every order status other than PLACED) on items
//     that carry the app's order item type;
//   - three SQS channel consumers, the places of notification, notify-email and notify-sms, with the app's event
//     source (sqsEventSource, batch and window), each fed by a rule on the floor's Paid and Assigned events as the
//     app's channels are on PaymentConfirmed and CourierAssigned (the publisher publishes Assigned here);
//   - the payment waiting the local stage's simulated provider latency (the app's PROVIDER_LATENCY_MS).
//
// The plain floor (its table, bus and functions) is left exactly as it is.
func newTopologyFloor(stack awscdk.Stack, props *FloorProps, t ConsumerTimings) {
	table, bus := newFloorData(stack, topologyPrefix, TopologyFloorBusName)
	fn := floorFunctions(stack, props, table, bus)
	h := newFloorHops(stack, topologyPrefix, t, table, bus, fn)
	h.publisher.AddEnvironment(jsii.String(FloorEnvPublishAssigned), jsii.String("true"), nil)
	h.payment.AddEnvironment(jsii.String(payments.EnvProviderLatency),
		jsii.String(strconv.FormatInt(t.ProviderLatency.Milliseconds(), 10)), nil)

	push := fn(topologyPrefix+"Push", apiTimeoutSeconds, 0)
	push.AddEnvironment(jsii.String(FloorEnvRole), jsii.String(FloorRoleStatusPush), nil)
	push.AddEventSource(realtimePushSource(table))
	// MiniStack (1.5.33) runs the stream mappings one after the other on its one poller thread, in the order it
	// created them, and that order moves the push's 50 ms invocation from one hop to the other and changes the
	// topology's p50 by about 70 ms (docs/performance.md). The app's publisher mapping is created before
	// realtime-push's (list-event-source-mappings on a deployed emulator); without this dependency the push's came
	// first here.
	push.Node().AddDependency(h.publisher)

	urls := []*string{h.payQ.QueueUrl(), h.assignQ.QueueUrl()}
	for _, ch := range topologyChannels {
		id := topologyPrefix + constructName(ch)
		q := awssqs.NewQueue(stack, jsii.String(id+"Queue"), &awssqs.QueueProps{
			VisibilityTimeout: awscdk.Duration_Seconds(jsii.Number(t.VisibilityTimeout.Seconds())),
		})
		awsevents.NewRule(stack, jsii.String(id+"Rule"), &awsevents.RuleProps{
			EventBus:     bus,
			EventPattern: &awsevents.EventPattern{Source: jsii.Strings(FloorEventSource), DetailType: jsii.Strings("FloorPaid", "FloorAssigned")},
			Targets:      &[]awsevents.IRuleTarget{awseventstargets.NewSqsQueue(q, nil)},
		})
		consumer := fn(id, t.FunctionTimeout.Seconds(), 0)
		consumer.AddEnvironment(jsii.String(FloorEnvRole), jsii.String(FloorRoleChannel), nil)
		consumer.AddEventSource(sqsEventSource(q, sqsBatchSize, 0))
		urls = append(urls, q.QueueUrl())
	}

	awscdk.NewCfnOutput(stack, jsii.String("TopologyTableName"), &awscdk.CfnOutputProps{Value: table.TableName()})
	// Every queue of the topology floor, comma-separated: bench/e2e waits for them to drain before the app's run.
	awscdk.NewCfnOutput(stack, jsii.String("TopologyQueueUrls"), &awscdk.CfnOutputProps{
		Value: awscdk.Fn_Join(jsii.String(","), &urls),
	})
}
