//go:build e2e

package tests

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// TestQueuesKeepTheirRedrivePolicy pins an emulator behaviour we rely on: an
// older MiniStack dropped RedrivePolicy from queues created by CloudFormation,
// so failed messages never reached their DLQ. If an upgrade brings that back,
// this fails loudly.
func TestQueuesKeepTheirRedrivePolicy(t *testing.T) {
	queues := map[string]string{
		"payment":      deployed.out.PaymentQueueURL,
		"assignment":   deployed.out.AssignmentQueueURL,
		"notification": deployed.out.NotificationQueueURL, "email": deployed.out.NotifyEmailQueueURL, "sms": deployed.out.NotifySmsQueueURL,
	}
	for name, url := range queues {
		attrs, err := deployed.sqs.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
			QueueUrl: &url, AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameRedrivePolicy},
		})
		if err != nil {
			t.Fatalf("%s queue: %v", name, err)
		}
		var policy struct {
			DeadLetterTargetArn string `json:"deadLetterTargetArn"`
			MaxReceiveCount     any    `json:"maxReceiveCount"`
		}
		raw := attrs.Attributes[string(types.QueueAttributeNameRedrivePolicy)]
		if err := json.Unmarshal([]byte(raw), &policy); err != nil || policy.DeadLetterTargetArn == "" || policy.MaxReceiveCount == nil {
			t.Errorf("%s queue has no usable RedrivePolicy: %q", name, raw)
		}
	}
}

// TestCORSPreflight checks that browsers may call the API from the web app.
// MiniStack 1.5.33 drops the HTTP API's CorsConfiguration when CloudFormation
// creates it; scripts/emulator-fixups re-applies it from the template. If the
// preflight fails, either the emulator changed or the fix-up stopped running.
func TestCORSPreflight(t *testing.T) {
	req, err := http.NewRequestWithContext(t.Context(), http.MethodOptions, deployed.apiBase+"/orders", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Origin", "http://localhost:8080")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 || resp.Header.Get("Access-Control-Allow-Origin") == "" {
		t.Fatalf("preflight: %d, headers %v", resp.StatusCode, resp.Header)
	}
}

// TestTableTTLEnabled checks that expired tracking pings and idempotency
// records are removed. MiniStack 1.5.33 ignores the template's
// TimeToLiveSpecification; scripts/emulator-fixups enables it.
func TestTableTTLEnabled(t *testing.T) {
	out, err := deployed.ddb.DescribeTimeToLive(context.Background(), &dynamodb.DescribeTimeToLiveInput{TableName: &deployed.out.TableName})
	if err != nil {
		t.Fatal(err)
	}
	d := out.TimeToLiveDescription
	if d == nil || d.TimeToLiveStatus != ddbtypes.TimeToLiveStatusEnabled || aws.ToString(d.AttributeName) != "expires_at" {
		t.Fatalf("TTL %+v", d)
	}
}

// TestQueuesDrainAfterSuccess checks that handled messages are deleted. A
// consumer that answers `"batchItemFailures": null` makes MiniStack 1.5.33
// fail before deleting the batch, so every message comes back after its
// visibility timeout and, in the end, lands in the DLQ although it was handled.
// Run after the order journey, it waits for all three queues to be empty.
func TestQueuesDrainAfterSuccess(t *testing.T) {
	TestOrderJourney(t)
	queues := map[string]string{
		"payment": deployed.out.PaymentQueueURL, "assignment": deployed.out.AssignmentQueueURL,
		"notification": deployed.out.NotificationQueueURL, "email": deployed.out.NotifyEmailQueueURL, "sms": deployed.out.NotifySmsQueueURL,
	}
	eventually(t, 30*time.Second, "queues empty, nothing in flight", func() (bool, string) {
		for name, url := range queues {
			attrs, err := deployed.sqs.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
				QueueUrl: &url, AttributeNames: []types.QueueAttributeName{
					types.QueueAttributeNameApproximateNumberOfMessages, types.QueueAttributeNameApproximateNumberOfMessagesNotVisible},
			})
			if err != nil {
				return false, err.Error()
			}
			if attrs.Attributes["ApproximateNumberOfMessages"] != "0" || attrs.Attributes["ApproximateNumberOfMessagesNotVisible"] != "0" {
				return false, fmt.Sprintf("%s queue: %v", name, attrs.Attributes)
			}
		}
		return true, ""
	})
}

// TestStreamMappingKeepsItsFilter: the stream publisher is invoked only for order records (infra's FilterCriteria
// on the stream's event source mapping). Checked as deployed, as the emulator's CloudFormation drops some settings
// (CORS, TTL): without the filter the publisher still works, only slower and dearer, so nothing else would notice.
func TestStreamMappingKeepsItsFilter(t *testing.T) {
	ctx := context.Background()
	table, err := deployed.ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &deployed.out.TableName})
	if err != nil {
		t.Fatal(err)
	}
	mappings, err := lambdaClient(t).ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{EventSourceArn: table.Table.LatestStreamArn})
	if err != nil {
		t.Fatal(err)
	}
	// The outbox publisher's (order items only) and the live-tracking push's (order items but new ones, position
	// items), each filter a pattern of its own.
	want := map[string][]string{
		"StreamPublisher": {`{"S":["order"]}`},
		"RealtimePush":    {`"status":{"S":[{"anything-but":["PLACED"]}]},"type":{"S":["order"]}`, `{"type":{"S":["tracking"]}}`},
	}
	if len(mappings.EventSourceMappings) != len(want) {
		t.Fatalf("%d mappings on the table's stream, want the publisher's and the push's", len(mappings.EventSourceMappings))
	}
	for _, m := range mappings.EventSourceMappings {
		fn := aws.ToString(m.FunctionArn)
		matched := false
		for name, patterns := range want {
			if !strings.Contains(fn, name) {
				continue
			}
			matched = true
			if m.FilterCriteria == nil || len(m.FilterCriteria.Filters) != len(patterns) {
				t.Errorf("%s: stream mapping's filter criteria: %+v", name, m.FilterCriteria)
				continue
			}
			for i, pattern := range patterns {
				if got := strings.ReplaceAll(aws.ToString(m.FilterCriteria.Filters[i].Pattern), " ", ""); !strings.Contains(got, pattern) {
					t.Errorf("%s: stream mapping's filter %d is %s, want it to hold %s", name, i, got, pattern)
				}
			}
		}
		if !matched {
			t.Errorf("unexpected mapping on the table's stream: %s", fn)
		}
	}
}

// TestSecretsManagerAsTheProviderKeyUsesIt pins what the payment provider's API key relies on (infra/secrets.go,
// docs/payments.md). MiniStack 1.5.33: a secret's Ref is its name, not its ARN as on AWS (the function's
// PROVIDER_API_KEY_SECRET and the ProviderApiKeySecret output hold the name), and GetSecretValue takes either; a
// PutSecretValue is AWSCURRENT as soon as it returns, the value it replaced labelled AWSPREVIOUS, which is what
// makes a rotation take effect at the provider at once.
func TestSecretsManagerAsTheProviderKeyUsesIt(t *testing.T) {
	ctx := context.Background()
	sm := secretsmanager.NewFromConfig(awsConfig(t))
	id := deployed.out.ProviderAPIKeySecret
	if strings.HasPrefix(id, "arn:") {
		t.Errorf("the secret's Ref is now an ARN (%s), as on AWS: update the comments in infra/functions.go and this test", id)
	}
	got, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &id})
	if err != nil || got.SecretString == nil || *got.SecretString == "" || got.ARN == nil || !strings.HasPrefix(*got.ARN, "arn:") {
		t.Fatalf("GetSecretValue by the output %q: %+v %v", id, got, err)
	}

	// Rotation on a secret of its own, so the stack's key is left to the tests that rotate it on purpose.
	name := fmt.Sprintf("e2e-rotation-%d", time.Now().UnixNano())
	if _, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: &name, SecretString: aws.String("v1")}); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if _, err := sm.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: &name, ForceDeleteWithoutRecovery: aws.Bool(true)}); err != nil {
			t.Logf("delete the test secret %s: %v", name, err)
		}
	}()
	if _, err := sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: &name, SecretString: aws.String("v2")}); err != nil {
		t.Fatal(err)
	}
	for stage, want := range map[string]string{"": "v2", "AWSCURRENT": "v2", "AWSPREVIOUS": "v1"} {
		in := &secretsmanager.GetSecretValueInput{SecretId: &name}
		if stage != "" {
			in.VersionStage = &stage
		}
		got, err := sm.GetSecretValue(ctx, in)
		if err != nil || got.SecretString == nil || *got.SecretString != want {
			t.Errorf("stage %q right after PutSecretValue: %+v %v; want %q", stage, got, err, want)
		}
	}
}
