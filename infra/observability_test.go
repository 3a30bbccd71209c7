package infra

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"

	"github.com/fooddelivery/serverless-food-delivery/shared/platform/metrics"
)

// alarmsOn indexes the template's alarms by (namespace, metric name, the dimension value's logical id).
func alarmsOn(s *synthesized) map[string][]obj {
	out := map[string][]obj{}
	for _, a := range s.ofType("AWS::CloudWatch::Alarm") {
		p := props(a)
		for _, d := range list(p["Dimensions"]) {
			v := d.(obj)["Value"]
			if r, ok := v.(obj)["Ref"].(string); ok {
				out[p["Namespace"].(string)+" "+p["MetricName"].(string)+" "+r] = append(out[p["Namespace"].(string)+" "+p["MetricName"].(string)+" "+r], p)
			}
			if g, ok := v.(obj)["Fn::GetAtt"].([]any); ok {
				out[p["Namespace"].(string)+" "+p["MetricName"].(string)+" "+g[0].(string)] = append(out[p["Namespace"].(string)+" "+p["MetricName"].(string)+" "+g[0].(string)], p)
			}
		}
	}
	return out
}

// TestEveryFunctionQueueAndAPIHasItsAlarms: the alarms are made for what the template holds, not for a list of
// names: every function (errors, throttles), every queue with a redrive policy (age of its oldest message), every
// queue without one (a DLQ or on-failure destination: depth > 0), the HTTP API (5xx rate, p99 latency), in both
// stages (the local stage alarms on any 5xx instead of the rate: MiniStack refuses metric math in alarms).
func TestEveryFunctionQueueAndAPIHasItsAlarms(t *testing.T) {
	for _, stage := range []string{StageLocal, StageAWS} {
		t.Run(stage, func(t *testing.T) {
			s := local(t)
			if stage == StageAWS {
				s = awsStage(t)
			}
			alarms := alarmsOn(s)
			has := func(key string, threshold float64) {
				t.Helper()
				as := alarms[key]
				if len(as) != 1 {
					t.Errorf("alarms on %s: %d, want 1", key, len(as))
					return
				}
				if as[0]["Threshold"] != threshold || as[0]["ComparisonOperator"] != "GreaterThanThreshold" || as[0]["TreatMissingData"] != "notBreaching" {
					t.Errorf("alarm on %s: %v", key, as[0])
				}
			}
			fns := s.ofType("AWS::Lambda::Function")
			if len(fns) < len(FunctionFolders) {
				t.Fatalf("%d functions in the template", len(fns))
			}
			for id := range fns {
				has("AWS/Lambda Errors "+id, 0)
				has("AWS/Lambda Throttles "+id, 0)
			}
			age := oldestMessageAlarmAge(Timings(stage)).Seconds()
			work, dead := 0, 0
			for id, q := range s.ofType("AWS::SQS::Queue") {
				if props(q)["RedrivePolicy"] != nil {
					work++
					has("AWS/SQS ApproximateAgeOfOldestMessage "+id, age)
				} else {
					dead++
					has("AWS/SQS ApproximateNumberOfMessagesVisible "+id, 0)
				}
			}
			if work < 3 || dead < 4 {
				t.Errorf("%d work queues and %d DLQs found", work, dead)
			}
			api := s.id(t, "AWS::ApiGatewayV2::Api", "HttpApi")
			has("AWS/ApiGateway Latency "+api, APILatencyP99Millis)
			var rate obj
			for _, a := range s.ofType("AWS::CloudWatch::Alarm") {
				if p := props(a); p["Metrics"] != nil {
					rate = p
				}
			}
			if stage == StageLocal {
				has("AWS/ApiGateway 5xx "+api, 0)
				if rate != nil {
					t.Errorf("metric math alarm on the local stage, which MiniStack refuses: %v", rate)
				}
				return
			}
			raw, _ := json.Marshal(rate)
			if rate == nil || rate["Threshold"] != APIServerErrorRatePercent || !strings.Contains(string(raw), `"MetricName":"5xx"`) ||
				!strings.Contains(string(raw), `"MetricName":"Count"`) || !strings.Contains(string(raw), "100 * errors / requests") {
				t.Errorf("API 5xx rate alarm: %s", raw)
			}
		})
	}
}

// TestEveryAlarmNotifiesTheTopic: each alarm of the stack, the sweeper's give-up alarm included, has the alarm
// topic as its action; the topic's email subscription comes from the AlarmEmail parameter, whose empty default
// lets a deploy run without prompting and then subscribes nobody.
func TestEveryAlarmNotifiesTheTopic(t *testing.T) {
	for _, s := range []*synthesized{local(t), awsStage(t)} {
		topic := s.id(t, "AWS::SNS::Topic", "AlarmTopic")
		alarms := s.ofType("AWS::CloudWatch::Alarm")
		sawGiveUp := false
		for id, a := range alarms {
			if !reflect.DeepEqual(props(a)["AlarmActions"], arr{ref(topic)}) {
				t.Errorf("alarm %s notifies %v, want the topic %s", id, props(a)["AlarmActions"], topic)
			}
			sawGiveUp = sawGiveUp || strings.HasPrefix(id, "OrdersGivenUpAlarm")
		}
		if !sawGiveUp {
			t.Error("the sweeper's give-up alarm is missing")
		}
		param := s.raw["Parameters"].(obj)[AlarmEmailParameter].(obj)
		if param["Type"] != "String" || param["Default"] != "" {
			t.Errorf("parameter %v: want a String defaulting to empty", param)
		}
		subs := s.ofType("AWS::SNS::Subscription")
		if len(subs) != 1 {
			t.Fatalf("subscriptions: %v", subs)
		}
		for _, sub := range subs {
			p := props(sub)
			if p["Protocol"] != "email" || !reflect.DeepEqual(p["Endpoint"], ref(AlarmEmailParameter)) ||
				!reflect.DeepEqual(p["TopicArn"], ref(topic)) || sub["Condition"] != "HasAlarmEmail" {
				t.Errorf("subscription %v", sub)
			}
		}
		cond := s.raw["Conditions"].(obj)["HasAlarmEmail"]
		want := obj{"Fn::Not": arr{obj{"Fn::Equals": arr{ref(AlarmEmailParameter), ""}}}}
		if !reflect.DeepEqual(cond, want) {
			t.Errorf("condition %v", cond)
		}
	}
}

// TestDashboardShowsEverything: the dashboard graphs each function's invocations, errors, throttles and
// duration p50/p99, each queue's depth and oldest message, each DLQ's depth, the API's 4xx/5xx and latency, and
// the business metrics.
func TestDashboardShowsEverything(t *testing.T) {
	s := local(t)
	dashes := s.ofType("AWS::CloudWatch::Dashboard")
	if len(dashes) != 1 {
		t.Fatalf("dashboards: %d", len(dashes))
	}
	var body string
	for _, d := range dashes {
		p := props(d)
		if p["DashboardName"] != DashboardName {
			t.Errorf("name %v", p["DashboardName"])
		}
		raw, _ := json.Marshal(p["DashboardBody"])
		body = string(raw)
	}
	for id := range s.ofType("AWS::Lambda::Function") {
		for _, m := range []string{"Invocations", "Errors", "Throttles", "Duration"} {
			if !strings.Contains(body, `\"`+m+`\",\"FunctionName\",\"",{"Ref":"`+id+`"}`) {
				t.Errorf("no %s graph for function %s", m, id)
			}
		}
	}
	for id := range s.ofType("AWS::SQS::Queue") {
		if !strings.Contains(body, `"Fn::GetAtt":["`+id+`","QueueName"]`) {
			t.Errorf("queue %s is not on the dashboard", id)
		}
	}
	for _, want := range []string{`\"p50\"`, `\"p99\"`, `ApproximateAgeOfOldestMessage`, `ApproximateNumberOfMessagesVisible`,
		`\"4xx\"`, `\"5xx\"`, `\"Latency\"`, metrics.OrdersPlaced, metrics.OrdersPaid, metrics.OrdersDeclined, metrics.OrdersDelivered,
		metrics.OrdersRefunded, metrics.OrdersNoCourier, metrics.RevenueMinor, metrics.PlacedToDelivered, metrics.HandlerDuration,
		metrics.AWSCalls, metrics.AWSRetries, metrics.DuplicatesIgnored, metrics.BatchItemFailures} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %s", want)
		}
	}
}

// TestALaterFunctionGetsItsAlarms: a function and a queue pair that another part of the stack adds (a push
// function, a channel's queue) get their alarms, dashboard graphs and the topic without naming them anywhere.
func TestALaterFunctionGetsItsAlarms(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Later"), nil)
	fn := awslambda.NewFunction(stack, jsii.String("PushFunction"), &awslambda.FunctionProps{
		Runtime: awslambda.Runtime_PROVIDED_AL2023(), Handler: jsii.String("bootstrap"),
		Code: awslambda.Code_FromAsset(jsii.String(filepath.Join(assetRoot, FnOrderAPI)), nil),
	})
	_ = fn
	pair := newQueuePair(stack, "Email", Timings(StageLocal))
	_ = pair
	newObservability(stack, stageConfig{consumers: Timings(StageLocal)})
	tpl := assertions.Template_FromStack(stack, nil)
	raw, _ := json.Marshal(tpl.ToJSON())
	var doc obj
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	s := &synthesized{tpl: tpl, raw: doc}
	alarms := alarmsOn(s)
	for _, key := range []string{
		"AWS/Lambda Errors " + s.id(t, "AWS::Lambda::Function", "PushFunction"),
		"AWS/Lambda Throttles " + s.id(t, "AWS::Lambda::Function", "PushFunction"),
		"AWS/SQS ApproximateAgeOfOldestMessage " + s.id(t, "AWS::SQS::Queue", "EmailQueue"),
		"AWS/SQS ApproximateNumberOfMessagesVisible " + s.id(t, "AWS::SQS::Queue", "EmailDlq"),
	} {
		if len(alarms[key]) != 1 {
			t.Errorf("no alarm %s", key)
		}
	}
	topic := s.id(t, "AWS::SNS::Topic", "AlarmTopic")
	for id, a := range s.ofType("AWS::CloudWatch::Alarm") {
		if !reflect.DeepEqual(props(a)["AlarmActions"], arr{ref(topic)}) {
			t.Errorf("alarm %s does not notify the topic", id)
		}
	}
	_ = awssqs.QueueEncryption_SQS_MANAGED
}
