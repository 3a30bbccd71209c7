package ops

import (
	"strings"
	"testing"
)

// TestConfigFromEnvListsEveryQueue: the console's queues, each with its DLQ and source, then the stream's DLQ.
func TestConfigFromEnvListsEveryQueue(t *testing.T) {
	vars := map[string]string{"TABLE_NAME": "t", "LOG_GROUPS": "a,b", "SWEEPER_LOG_GROUP": "s", "STREAM_DLQ_URL": "sd"}
	for _, q := range ConsumerQueues {
		vars[q.EnvPrefix+"_QUEUE_URL"], vars[q.EnvPrefix+"_DLQ_URL"] = q.Name+"-q", q.Name+"-d"
	}
	c, err := ConfigFromEnv(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, q := range c.Queues {
		got = append(got, q.Name+":"+q.DLQURL+":"+q.SourceURL)
	}
	want := "payment:payment-d:payment-q assignment:assignment-d:assignment-q notification:notification-d:notification-q " +
		"email:email-d:email-q sms:sms-d:sms-q stream:sd:"
	if strings.Join(got, " ") != want || strings.Join(c.LogGroups, ",") != "a,b" || c.SweeperLogGroup != "s" {
		t.Errorf("got %+v", c)
	}
	delete(vars, "NOTIFY_SMS_DLQ_URL")
	if _, err := ConfigFromEnv(func(k string) string { return vars[k] }); err == nil || !strings.Contains(err.Error(), "NOTIFY_SMS_DLQ_URL") {
		t.Errorf("missing DLQ: %v", err)
	}
}
