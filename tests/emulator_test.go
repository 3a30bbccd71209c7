//go:build e2e

package tests

import (
	"context"
	"encoding/json"
	"testing"

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
		"notification": deployed.out.NotificationQueueURL,
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
