package infra

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// newAlarms raises an alarm as soon as any DLQ holds a message: each one is an order stuck mid-saga or a
// lost event, and ops redrive them by hand.
func newAlarms(scope constructs.Construct, m *messaging) {
	// Both stages: the emulator deploys them, and the same constructs then serve both.
	dlqs := []struct {
		id  string
		dlq awssqs.IQueue
	}{
		{"PaymentDlqAlarm", m.payment.dlq},
		{"AssignmentDlqAlarm", m.assignment.dlq},
		{"NotificationDlqAlarm", m.notification.dlq},
		{"StreamDlqAlarm", m.streamDlq},
	}
	for _, d := range dlqs {
		d.dlq.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{
			Period:    awscdk.Duration_Minutes(jsii.Number(1)),
			Statistic: jsii.String("Maximum"),
		}).CreateAlarm(scope, jsii.String(d.id), &awscloudwatch.CreateAlarmOptions{
			AlarmDescription:   jsii.String("messages waiting in a dead-letter queue: inspect and redrive"),
			Threshold:          jsii.Number(0),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
			EvaluationPeriods:  jsii.Number(1),
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		})
	}
}
