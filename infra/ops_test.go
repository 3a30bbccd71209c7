package infra

import (
	"encoding/json"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
)

// wantOpsEnv is the ops function's environment: the table, the sweeper's log group, every queue and DLQ a redrive
// reads or refills, and LOG_GROUPS, checked apart (TestOpsFunctionReadsEveryLogGroup).
func wantOpsEnv(t *testing.T, s *synthesized) obj {
	t.Helper()
	q := func(name string) any { return ref(s.id(t, "AWS::SQS::Queue", name)) }
	res := s.resources()
	env := props(res[s.id(t, "AWS::Lambda::Function", "OpsApiFunction")])["Environment"].(obj)["Variables"].(obj)
	sweeperLogs := props(res[s.id(t, "AWS::Lambda::Function", "SweeperFunction")])["LoggingConfig"].(obj)["LogGroup"]
	return obj{
		"LOG_LEVEL": "INFO", "SERVICE_NAME": FnOpsAPI,
		"TABLE_NAME": ref(s.id(t, "AWS::DynamoDB::Table", "Table")), "SWEEPER_LOG_GROUP": sweeperLogs,
		"PAYMENT_QUEUE_URL": q("PaymentQueue"), "PAYMENT_DLQ_URL": q("PaymentDlq"),
		"ASSIGNMENT_QUEUE_URL": q("AssignmentQueue"), "ASSIGNMENT_DLQ_URL": q("AssignmentDlq"),
		"NOTIFICATION_QUEUE_URL": q("NotificationQueue"), "NOTIFICATION_DLQ_URL": q("NotificationDlq"),
		"NOTIFY_EMAIL_QUEUE_URL": q("NotifyEmailQueue"), "NOTIFY_EMAIL_DLQ_URL": q("NotifyEmailDlq"),
		"NOTIFY_SMS_QUEUE_URL": q("NotifySmsQueue"), "NOTIFY_SMS_DLQ_URL": q("NotifySmsDlq"),
		"STREAM_DLQ_URL": q("StreamDlq"),
		"LOG_GROUPS":     env["LOG_GROUPS"],
	}
}

// TestOpsFunctionReadsEveryLogGroup: the timeline reads every function's log, the ops function's own included.
func TestOpsFunctionReadsEveryLogGroup(t *testing.T) {
	s := local(t)
	env := props(s.resources()[s.id(t, "AWS::Lambda::Function", "OpsApiFunction")])["Environment"].(obj)["Variables"].(obj)
	join, _ := env["LOG_GROUPS"].(obj)["Fn::Join"].([]any)
	if len(join) != 2 || join[0] != "," {
		t.Fatalf("LOG_GROUPS = %v, want a comma-joined list", env["LOG_GROUPS"])
	}
	var got, want []string
	for _, g := range list(join[1]) {
		b, _ := json.Marshal(g)
		got = append(got, string(b))
	}
	for id := range s.ofType("AWS::Logs::LogGroup") {
		b, _ := json.Marshal(ref(id))
		want = append(want, string(b))
	}
	sort.Strings(got)
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("LOG_GROUPS names %v, want every log group of the stack %v", got, want)
	}
}

// TestOpsGrants: the ops function may do exactly this, each action on named resources: read the table (the awaiting
// index GSI2, an order's partition, failure records; from its port ops.Store), lease, delete and count DLQ messages, send to the three work queues a
// redrive refills, and filter the stack's log groups. No writes to the table, no other service.
func TestOpsGrants(t *testing.T) {
	s := local(t)
	js := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	table := s.id(t, "AWS::DynamoDB::Table", "Table")
	tableArn := js(getAtt(table, "Arn"))
	gsi2 := js(obj{"Fn::Join": arr{"", arr{getAtt(table, "Arn"), "/index/GSI2"}}})
	queueArn := func(name string) string { return js(getAtt(s.id(t, "AWS::SQS::Queue", name), "Arn")) }
	want := map[grant]bool{}
	// Its store port (ops.Store): items by key prefix (iam_test.go checks the LeadingKeys), the awaiting index by name.
	want[grant{"dynamodb:Query", tableArn}], want[grant{"dynamodb:GetItem", tableArn}], want[grant{"dynamodb:Query", gsi2}] = true, true, true
	for _, q := range []string{"PaymentDlq", "AssignmentDlq", "NotificationDlq", "NotifyEmailDlq", "NotifySmsDlq", "StreamDlq"} {
		for _, a := range []string{"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"} {
			want[grant{a, queueArn(q)}] = true
		}
	}
	for _, q := range []string{"PaymentQueue", "AssignmentQueue", "NotificationQueue", "NotifyEmailQueue", "NotifySmsQueue"} {
		want[grant{"sqs:SendMessage", queueArn(q)}] = true
	}
	for id := range s.ofType("AWS::Logs::LogGroup") {
		want[grant{"logs:FilterLogEvents", js(getAtt(id, "Arn"))}] = true
	}
	got := map[grant]bool{}
	for _, g := range s.grantsOf(t, s.id(t, "AWS::Lambda::Function", "OpsApiFunction")) {
		got[g] = true
		if g.resource == `"*"` || strings.HasSuffix(g.action, "*") {
			t.Errorf("wildcard grant %v", g)
		}
	}
	var missing, extra []string
	for g := range want {
		if !got[g] {
			missing = append(missing, g.action+" "+g.resource)
		}
	}
	for g := range got {
		if !want[g] {
			extra = append(extra, g.action+" "+g.resource)
		}
	}
	slices.Sort(missing)
	slices.Sort(extra)
	if len(missing)+len(extra) > 0 {
		t.Errorf("ops function grants:\n missing %v\n extra %v", missing, extra)
	}
}
