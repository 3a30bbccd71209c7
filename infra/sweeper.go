package infra

import (
	"strconv"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/fooddelivery/serverless-food-delivery/shared/platform"
	"github.com/fooddelivery/serverless-food-delivery/shared/sweeper"
)

// MetricNamespace is the namespace of the app's own CloudWatch metrics.
const MetricNamespace = "FoodDelivery"

const (
	// sweepTimeoutSeconds: a sweep reads a few dozen index pages and publishes at most MaxPerSweep events; it
	// must end well before the next one starts.
	sweepTimeoutSeconds = 30
	sweepMaxOrders      = 500
)

// SweepConfig is the sweeper's configuration in a stage (shared/sweeper). After exceeds the time a consumer queue
// retries a message before its DLQ takes it (VisibilityTimeout × MaxReceiveCount: 30 s locally, 15 min on AWS), so
// the sweeper only steps in once the normal retries are over. The period is EventBridge's shortest schedule.
func SweepConfig(stage string) sweeper.Config {
	c := sweeper.Config{Period: time.Minute, MaxPerSweep: sweepMaxOrders}
	if stage == StageAWS {
		c.After, c.GiveUpAfter = 20*time.Minute, 24*time.Hour
	} else {
		c.After, c.GiveUpAfter = 45*time.Second, 30*time.Minute
	}
	return c
}

// newSweeper is the scheduled function that re-announces orders whose saga event was lost, with two metrics from
// its summary log line (orders re-announced, orders given up) and an alarm on the second: an order the sweeper gave
// up on needs a person.
func newSweeper(scope constructs.Construct, cfg stageConfig, d *data, m *messaging) awslambda.Function {
	stage := StageLocal
	if cfg.isAWS {
		stage = StageAWS
	}
	sc := SweepConfig(stage)
	ms := func(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }
	fn := newFunction(scope, cfg, FnSweeper, fnOptions{timeout: sweepTimeoutSeconds, memory: 128, env: map[string]string{
		platform.EnvTableName:    *d.table.TableName(),
		platform.EnvEventBusName: *m.bus.EventBusName(),
		sweeper.EnvAfter:         ms(sc.After),
		sweeper.EnvPeriod:        ms(sc.Period),
		sweeper.EnvGiveUpAfter:   ms(sc.GiveUpAfter),
		sweeper.EnvMaxOrders:     strconv.Itoa(sc.MaxPerSweep),
	}})
	grantTable(fn, d.table, FnSweeper) // the awaiting index and the ledger; it never writes
	m.bus.GrantPutEventsTo(fn, nil)
	sweeperFailureDestination(scope, fn) // a failed asynchronous invocation is kept, not dropped (edge.go)

	// Scheduled rules live on the default bus.
	awsevents.NewRule(scope, jsii.String("SweepSchedule"), &awsevents.RuleProps{
		Description: jsii.String("re-announce orders whose saga event was lost"),
		Schedule:    awsevents.Schedule_Rate(awscdk.Duration_Minutes(jsii.Number(sc.Period.Minutes()))),
		Targets:     &[]awsevents.IRuleTarget{awseventstargets.NewLambdaFunction(fn, nil)},
	})

	// The sweep's summary line ({"msg":"sweep done","reannounced":n,"gave_up":n,…}) becomes two metrics.
	metric := func(id, name, field string) awscloudwatch.Metric {
		return awslogs.NewMetricFilter(scope, jsii.String(id), &awslogs.MetricFilterProps{
			LogGroup:        fn.LogGroup(),
			FilterPattern:   awslogs.FilterPattern_StringValue(jsii.String("$.msg"), jsii.String("="), jsii.String("sweep done")),
			MetricNamespace: jsii.String(MetricNamespace),
			MetricName:      jsii.String(name),
			MetricValue:     jsii.String("$." + field),
			DefaultValue:    jsii.Number(0),
		}).Metric(&awscloudwatch.MetricOptions{Statistic: jsii.String("Sum"), Period: awscdk.Duration_Minutes(jsii.Number(5))})
	}
	metric("OrdersReannouncedMetric", "OrdersReannounced", "reannounced")
	metric("OrdersGivenUpMetric", "OrdersGivenUp", "gave_up").CreateAlarm(scope, jsii.String("OrdersGivenUpAlarm"), &awscloudwatch.CreateAlarmOptions{
		AlarmDescription:   jsii.String("the sweeper re-announced an order until it gave up: it needs a person (see the sweeper's log)"),
		Threshold:          jsii.Number(0),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
		EvaluationPeriods:  jsii.Number(1),
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	})
	return fn
}
