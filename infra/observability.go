package infra

import (
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// AlarmEmailParameter is the deploy-time parameter naming who gets the alarms by email
// (`cdk deploy --parameters AlarmEmail=ops@example.com`; `make deploy ALARM_EMAIL=…` on AWS, `make deploy-local ALARM_EMAIL=…`).
// Empty (the default, so a deploy never prompts) subscribes nobody: the topic is there to subscribe to later.
const AlarmEmailParameter = "AlarmEmail"

// Alarm thresholds. Each alarm means a person should look; none fires on a healthy stack.
const (
	// APIServerErrorRatePercent: share of API requests answered 5xx over 5 minutes.
	APIServerErrorRatePercent = 1.0
	// APILatencyP99Millis: p99 of API Gateway's latency over 5 minutes, 3 periods in a row (cold starts alone
	// don't make it).
	APILatencyP99Millis = 2000.0
)

// oldestMessageAlarmAge is the age of the oldest message of a work queue past which it alarms: older than all
// the retries a message gets (visibility timeout × maxReceiveCount), so messages are waiting, not retrying.
func oldestMessageAlarmAge(t ConsumerTimings) time.Duration {
	return t.VisibilityTimeout * time.Duration(t.MaxReceiveCount)
}

// observed is what newObservability found in the stack.
type observed struct {
	functions  []awslambda.Function
	workQueues []awssqs.Queue // queues with a redrive policy: a consumer takes from them
	deadQueues []awssqs.Queue // queues without one: DLQs and on-failure destinations, where failures wait for a person
	apis       []awsapigatewayv2.HttpApi
}

// discover walks the stack for the functions, queues and HTTP APIs in it, in a stable order. Walking rather than
// listing names means a function or queue added to the stack (a push function, a channel's queue) gets its
// alarms and dashboard widgets without a change here, as long as newObservability runs after it is added.
func discover(stack awscdk.Stack) observed {
	var o observed
	for _, c := range *stack.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		switch v := c.(type) {
		case awslambda.Function:
			o.functions = append(o.functions, v)
		case awssqs.Queue:
			if v.DeadLetterQueue() != nil {
				o.workQueues = append(o.workQueues, v)
			} else {
				o.deadQueues = append(o.deadQueues, v)
			}
		case awsapigatewayv2.HttpApi:
			o.apis = append(o.apis, v)
		}
	}
	byID := func(a, b constructs.IConstruct) bool { return *a.Node().Id() < *b.Node().Id() }
	sort.SliceStable(o.functions, func(i, j int) bool { return byID(o.functions[i], o.functions[j]) })
	sort.SliceStable(o.workQueues, func(i, j int) bool { return byID(o.workQueues[i], o.workQueues[j]) })
	sort.SliceStable(o.deadQueues, func(i, j int) bool { return byID(o.deadQueues[i], o.deadQueues[j]) })
	return o
}

// newObservability adds the alarms and the dashboard for everything in the stack, and sends every alarm of the
// stack (also those made elsewhere, like the sweeper's) to one SNS topic with an optional email subscription.
// It must run after every other construct is added.
func newObservability(stack awscdk.Stack, cfg stageConfig) awssns.Topic {
	email := awscdk.NewCfnParameter(stack, jsii.String(AlarmEmailParameter), &awscdk.CfnParameterProps{
		Type:           jsii.String("String"),
		Default:        jsii.String(""),
		AllowedPattern: jsii.String(`^$|^[^@\s]+@[^@\s]+\.[^@\s]+$`),
		Description:    jsii.String("email address that receives every alarm of the stack (empty: subscribe later)"),
	})
	topic := awssns.NewTopic(stack, jsii.String("AlarmTopic"), &awssns.TopicProps{
		DisplayName: jsii.String("food-delivery alarms"),
	})
	hasEmail := awscdk.NewCfnCondition(stack, jsii.String("HasAlarmEmail"), &awscdk.CfnConditionProps{
		Expression: awscdk.Fn_ConditionNot(awscdk.Fn_ConditionEquals(email.ValueAsString(), jsii.String(""))),
	})
	sub := awssns.NewCfnSubscription(stack, jsii.String("AlarmEmailSubscription"), &awssns.CfnSubscriptionProps{
		TopicArn: topic.TopicArn(), Protocol: jsii.String("email"), Endpoint: email.ValueAsString(),
	})
	sub.CfnOptions().SetCondition(hasEmail)

	o := discover(stack)
	fiveMin := awscdk.Duration_Minutes(jsii.Number(5))
	oneMin := awscdk.Duration_Minutes(jsii.Number(1))
	alarm := func(id string, m awscloudwatch.IMetric, threshold float64, periods float64, desc string) {
		awscloudwatch.NewAlarm(stack, jsii.String(id), &awscloudwatch.AlarmProps{
			Metric:             m,
			AlarmDescription:   jsii.String(desc),
			Threshold:          jsii.Number(threshold),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
			EvaluationPeriods:  jsii.Number(periods),
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		})
	}
	for _, fn := range o.functions {
		id := strings.TrimSuffix(*fn.Node().Id(), "Function")
		alarm(id+"ErrorsAlarm", fn.MetricErrors(&awscloudwatch.MetricOptions{Period: fiveMin, Statistic: jsii.String("Sum")}), 0, 1,
			"the function failed invocations (crashes, timeouts, returned errors): see its log group")
		alarm(id+"ThrottlesAlarm", fn.MetricThrottles(&awscloudwatch.MetricOptions{Period: fiveMin, Statistic: jsii.String("Sum")}), 0, 1,
			"the function was throttled: its reserved or the account's concurrency is exhausted")
	}
	age := oldestMessageAlarmAge(cfg.consumers)
	for _, q := range o.workQueues {
		alarm(*q.Node().Id()+"AgeAlarm", q.MetricApproximateAgeOfOldestMessage(&awscloudwatch.MetricOptions{Period: oneMin, Statistic: jsii.String("Maximum")}),
			age.Seconds(), 3, "a message has waited longer than all its retries take: the consumer is stuck or too slow")
	}
	for _, q := range o.deadQueues {
		// Same ids as before this file existed (PaymentDlqAlarm…), so existing alarms are updated, not replaced.
		alarm(*q.Node().Id()+"Alarm", q.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{Period: oneMin, Statistic: jsii.String("Maximum")}),
			0, 1, "messages waiting in a dead-letter queue: inspect and redrive (make dlq, make redrive)")
	}
	for _, api := range o.apis {
		id := *api.Node().Id()
		rate := awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
			Expression: jsii.String("IF(requests > 0, 100 * errors / requests, 0)"),
			UsingMetrics: &map[string]awscloudwatch.IMetric{
				"errors":   api.MetricServerError(&awscloudwatch.MetricOptions{Period: fiveMin, Statistic: jsii.String("Sum")}),
				"requests": api.MetricCount(&awscloudwatch.MetricOptions{Period: fiveMin, Statistic: jsii.String("Sum")}),
			},
			Label:  jsii.String("5xx %"),
			Period: fiveMin,
		})
		if cfg.isAWS {
			alarm(id+"ServerErrorRateAlarm", rate, APIServerErrorRatePercent, 1, "more than 1 % of API requests answered 5xx")
		} else {
			// MiniStack 1.5.33 refuses metric math in an alarm (AWS::CloudWatch::Alarm Metrics): locally, any 5xx.
			alarm(id+"ServerErrorsAlarm", api.MetricServerError(&awscloudwatch.MetricOptions{Period: fiveMin, Statistic: jsii.String("Sum")}),
				0, 1, "the API answered 5xx (the aws stage alarms on the rate, which the emulator cannot evaluate)")
		}
		alarm(id+"LatencyP99Alarm", api.MetricLatency(&awscloudwatch.MetricOptions{Period: fiveMin, Statistic: jsii.String("p99")}),
			APILatencyP99Millis, 3, "API p99 latency above 2 s for 15 minutes")
	}

	// Every alarm of the stack reaches the topic, wherever it was made.
	action := awscloudwatchactions.NewSnsAction(topic)
	for _, c := range *stack.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		if a, ok := c.(awscloudwatch.Alarm); ok {
			a.AddAlarmAction(action)
		}
	}
	newDashboard(stack, o)
	return topic
}
