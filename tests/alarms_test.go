//go:build e2e

package tests

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/fooddelivery/serverless-food-delivery/shared/devstack"
)

// TestDeployedAlarmsNotifyTheTopic reads what the emulator deployed: every alarm of the stack (one per function for
// errors and throttles, per queue, per DLQ, the API's and the sweeper's) has the alarm topic as its action, the
// dashboard exists, and the topic's email subscription is the deploy's ALARM_EMAIL (none when it was empty: the
// deploy did not prompt for the parameter).
func TestDeployedAlarmsNotifyTheTopic(t *testing.T) {
	ctx := context.Background()
	cfg := awsConfig(t)
	topic := deployed.out.AlarmTopicArn
	if topic == "" {
		t.Fatal("no AlarmTopicArn output")
	}
	var names []string
	token := ""
	for {
		var page struct {
			MetricAlarms []struct {
				AlarmName    string
				AlarmActions []string
			}
			NextToken string
		}
		in := map[string]any{"AlarmNamePrefix": devstack.StackName + "-", "MaxRecords": 100}
		if token != "" {
			in["NextToken"] = token
		}
		cloudWatchJSON(t, "DescribeAlarms", in, &page)
		for _, a := range page.MetricAlarms {
			names = append(names, a.AlarmName)
			if len(a.AlarmActions) != 1 || a.AlarmActions[0] != topic {
				t.Errorf("alarm %s notifies %v, want %s", a.AlarmName, a.AlarmActions, topic)
			}
		}
		if token = page.NextToken; token == "" {
			break
		}
	}
	var dash struct{ DashboardName, DashboardBody string }
	cloudWatchJSON(t, "GetDashboard", map[string]any{"DashboardName": deployed.out.DashboardName}, &dash)
	if dash.DashboardName != deployed.out.DashboardName || !strings.Contains(dash.DashboardBody, "OrdersDelivered") {
		t.Errorf("dashboard %q not deployed (got %q)", deployed.out.DashboardName, dash.DashboardName)
	}
	all := strings.Join(names, " ")
	for _, want := range []string{"OrderApiErrorsAlarm", "PaymentThrottlesAlarm", "PaymentQueueAgeAlarm", "PaymentDlqAlarm",
		"StreamDlqAlarm", "HttpApiLatencyP99Alarm", "HttpApiServerErrorsAlarm", "OrdersGivenUpAlarm", "SweeperErrorsAlarm"} {
		if !strings.Contains(all, want) {
			t.Errorf("no deployed alarm %s among %d: %s", want, len(names), all)
		}
	}
	subs, err := sns.NewFromConfig(cfg).ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: &topic})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range subs.Subscriptions {
		got = append(got, *s.Protocol+":"+*s.Endpoint)
	}
	want := ""
	if email := os.Getenv("ALARM_EMAIL"); email != "" {
		want = "email:" + email
	}
	if strings.Join(got, ",") != want {
		t.Errorf("topic subscriptions %v, want %q (ALARM_EMAIL of the deploy)", got, want)
	}
}

// cloudWatchJSON calls CloudWatch with its JSON protocol (awsJson1_0, X-Amz-Target GraniteServiceVersion20100801).
// The SDK's CloudWatch client (v1.75) speaks Smithy RPCv2 CBOR, whose answers from MiniStack 1.5.33 it cannot
// decode, and MiniStack's query-protocol answer leaves out AlarmActions; the JSON protocol is served by both
// CloudWatch and the emulator, complete.
func cloudWatchJSON(t *testing.T, action string, in any, out any) {
	t.Helper()
	ctx := context.Background()
	cfg := awsConfig(t)
	endpoint := os.Getenv("AWS_ENDPOINT_URL")
	if endpoint == "" {
		endpoint = "https://monitoring." + cfg.Region + ".amazonaws.com"
	}
	body, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "GraniteServiceVersion20100801."+action)
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "monitoring", cfg.Region, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("CloudWatch %s: %v", action, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("CloudWatch %s: %d %s", action, resp.StatusCode, raw)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("CloudWatch %s answer %s: %v", action, raw, err)
	}
}
