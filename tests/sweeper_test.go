//go:build e2e

package tests

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/fooddelivery/serverless-food-delivery/shared/devstack"
	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/events"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awsclient"
)

// TestSweeperReannouncesAnOrderWhoseEventWasLost loses an event for real: the assignment rule is changed to skip
// one new customer's events, so the PaymentConfirmed of that customer's order reaches the notification queue but
// never the assignment queue, as if every copy of it had been dead-lettered. Nothing in the pipeline would ever
// move the order on. The scheduled sweeper must find it waiting in PAID and announce the same event again, and
// assignment must take it from there, no sooner than the deployed sweeper's SWEEP_AFTER_MS after the payment.
func TestSweeperReannouncesAnOrderWhoseEventWasLost(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	started := time.Now()
	after, period := sweeperTimings(t)
	token, customer := newCustomer(t)

	restore := skipCustomer(t, deployed.out.AssignmentQueueURL, customer)

	id, _ := placeWith(t, token, "tok_visa", 1)
	var paid domain.Order
	eventually(t, 30*time.Second, "order paid and the customer told (the event was published)", func() (bool, string) {
		paid, _ = table().GetOrder(ctx, id)
		n := notified(t, id)
		return paid.Status == domain.StatusPaid && n[events.PaymentConfirmed] == 1, fmt.Sprintf("%s, notified %v", paid.Status, n)
	})
	restore() // the event is lost already: EventBridge matched it against the skipping pattern
	t.Logf("order %s paid at %s; its PaymentConfirmed skipped the assignment queue", id, paid.UpdatedAt.Format(time.TimeOnly))

	var moved domain.Order
	eventually(t, after+2*period+30*time.Second, "the sweeper re-announces the order and assignment takes it on", func() (bool, string) {
		moved, _ = table().GetOrder(ctx, id)
		return moved.Status != domain.StatusPaid, string(moved.Status)
	})
	waited := time.Since(paid.UpdatedAt)
	t.Logf("order %s moved on to %s %s after its payment", id, moved.Status, waited.Round(time.Second))
	if waited < after {
		t.Errorf("the order moved on %s after its payment, before the sweeper's %s: something else delivered the event", waited, after)
	}
	// Assignment acted on the re-announced event: the same id the stream gave PaymentConfirmed.
	if !slices.Contains([]domain.Status{domain.StatusCourierAssigned, domain.StatusNoCourier}, moved.Status) ||
		moved.CausationID != events.EventID(id, paid.Version) {
		t.Errorf("after the sweep: %s caused by %q, want COURIER_ASSIGNED or NO_COURIER caused by PaymentConfirmed %s",
			moved.Status, moved.CausationID, events.EventID(id, paid.Version))
	}
	// The sweeper says so in its log (the line the stack's OrdersReannounced metric is made from).
	eventually(t, 30*time.Second, "a sweep reporting a re-announcement in the sweeper's log", func() (bool, string) {
		total, sweeps, err := devstack.SweepTotals(ctx, cloudwatchlogs.NewFromConfig(awsConfig(t)), deployed.out.SweeperLogGroupName, started)
		if err != nil {
			t.Fatal(err)
		}
		return total.Reannounced >= 1, fmt.Sprintf("%d sweeps since the test began: %+v", sweeps, total)
	})
	// The customer, already told of the payment, is not told again: the re-announcement has the same event id.
	if n := notified(t, id)[events.PaymentConfirmed]; n != 1 {
		t.Errorf("PaymentConfirmed notifications: %d", n)
	}
	if moved.Status == domain.StatusCourierAssigned { // free the courier for the other tests
		if resp := call(t, http.MethodPost, "/orders/"+id+"/cancel", token, nil); resp.Status != http.StatusOK {
			t.Logf("cancel after the test: %d %s", resp.Status, resp.Raw)
		}
	}
}

// skipCustomer changes the rule that feeds a queue so that it skips one customer's events, as if every copy of them
// had been dead-lettered there; the returned func (also run at cleanup) puts the rule back.
func skipCustomer(t *testing.T, queueURL, customer string) (restore func()) {
	t.Helper()
	ctx := context.Background()
	rule := ruleTargeting(t, queueURL)
	original, err := deployed.events.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: &rule, EventBusName: &deployed.out.EventBusName})
	if err != nil {
		t.Fatal(err)
	}
	var pattern map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(original.EventPattern)), &pattern); err != nil {
		t.Fatal(err)
	}
	pattern["detail"] = map[string]any{"data": map[string]any{"customer_id": []any{map[string]any{"anything-but": customer}}}}
	skipping, _ := json.Marshal(pattern)
	putPattern := func(p string) {
		t.Helper()
		if _, err := deployed.events.PutRule(ctx, &eventbridge.PutRuleInput{Name: &rule, EventBusName: &deployed.out.EventBusName,
			EventPattern: &p, State: original.State, Description: original.Description}); err != nil {
			t.Fatalf("put rule %s: %v", rule, err)
		}
	}
	putPattern(string(skipping))
	restored := false
	restore = func() {
		if !restored {
			putPattern(aws.ToString(original.EventPattern))
			restored = true
		}
	}
	t.Cleanup(restore)
	return restore
}

// sweeperTimings reads the deployed sweeper's configuration from its environment.
func sweeperTimings(t *testing.T) (after, period time.Duration) {
	t.Helper()
	cfg, err := devstack.SweeperConfig(context.Background(), lambdaClient(t), deployed.out.SweeperFunctionName)
	if err != nil {
		t.Fatal(err)
	}
	return cfg.After, cfg.Period
}

func lambdaClient(t *testing.T) *lambda.Client { return lambda.NewFromConfig(awsConfig(t)) }

func awsConfig(t *testing.T) aws.Config {
	t.Helper()
	cfg, err := awsclient.Load(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// ruleTargeting returns the name of the rule on the stack's bus whose only target is the queue.
func ruleTargeting(t *testing.T, queueURL string) string {
	t.Helper()
	ctx := context.Background()
	attrs, err := deployed.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &queueURL,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	queueArn := attrs.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]
	rules, err := deployed.events.ListRules(ctx, &eventbridge.ListRulesInput{EventBusName: &deployed.out.EventBusName})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules.Rules {
		targets, err := deployed.events.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: r.Name, EventBusName: &deployed.out.EventBusName})
		if err != nil {
			t.Fatal(err)
		}
		if len(targets.Targets) == 1 && aws.ToString(targets.Targets[0].Arn) == queueArn {
			return aws.ToString(r.Name)
		}
	}
	t.Fatalf("no rule on bus %s targets %s", deployed.out.EventBusName, queueArn)
	return ""
}
