//go:build e2e

package tests

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/fooddelivery/serverless-food-delivery/shared/devstack"
	"github.com/fooddelivery/serverless-food-delivery/shared/dlq"
	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/payments"
	"github.com/fooddelivery/serverless-food-delivery/shared/payments/simprovider"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/secret/awssecret"
	"github.com/fooddelivery/serverless-food-delivery/shared/timeline"
)

// providerKey reads the provider's API key from the stack's secret, as the payment function does.
func providerKey(t *testing.T) string {
	t.Helper()
	v, err := awssecret.Current{Client: secretsmanager.NewFromConfig(awsConfig(t)), SecretID: deployed.out.ProviderAPIKeySecret}.Fetch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// paymentFunction is the deployed payment function's configuration.
func paymentFunction(t *testing.T) *lambda.GetFunctionConfigurationOutput {
	t.Helper()
	ctx := context.Background()
	cfg := awsConfig(t)
	res, err := cloudformation.NewFromConfig(cfg).DescribeStackResources(ctx, &cloudformation.DescribeStackResourcesInput{
		StackName: aws.String(devstack.StackName)})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.StackResources {
		if *r.ResourceType == "AWS::Lambda::Function" && regexp.MustCompile(`^PaymentFunction[0-9A-F]{8}$`).MatchString(*r.LogicalResourceId) {
			fn, err := lambda.NewFromConfig(cfg).GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: r.PhysicalResourceId})
			if err != nil {
				t.Fatal(err)
			}
			return fn
		}
	}
	t.Fatal("no payment function in the stack")
	return nil
}

// TestProviderKeyRotatesWithoutRedeployOrFailedOrder is the operator's rotation on the emulator: with a payment
// container warm and holding the key, the operator's command (`make rotate-key`, docs/payments.md) puts a new one.
// From that moment the provider refuses the old key and accepts the new one; orders placed right after are all
// charged (none fails, none is charged twice, none reaches the DLQ); a warm container was refused once and
// switched to the new key without waiting for its TTL; and the function was not redeployed.
func TestProviderKeyRotatesWithoutRedeployOrFailedOrder(t *testing.T) {
	ctx := context.Background()
	fnBefore := paymentFunction(t)
	oldKey := providerKey(t)
	token, _ := newCustomer(t)
	charged := func(id string) (bool, string) {
		c, err := table().GetCharge(ctx, id)
		if err != nil {
			return false, err.Error()
		}
		return c.Status == domain.ChargeCaptured, string(c.Status)
	}

	// A warm container that has read the current key.
	warm, _ := placeWith(t, token, simprovider.TokenVisa, 1)
	eventually(t, 30*time.Second, "the first order charged", func() (bool, string) { return charged(warm) })

	rotatedAt := time.Now()
	cmd := exec.CommandContext(t.Context(), "go", "run", "./scripts/rotate-key", "-outputs", os.Getenv("E2E_OUTPUTS"))
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "is AWSCURRENT") {
		t.Fatalf("rotate-key: %v\n%s", err, out)
	}
	newKey := providerKey(t)
	if newKey == oldKey || newKey == "" {
		t.Fatal("the secret did not change")
	}

	// The provider's side reads the same secret: the old key is refused at once, the new one accepted.
	server := simprovider.NewServer(simprovider.New(simprovider.NewDynamoBooks(deployed.ddb, deployed.out.ProviderTableName),
		simprovider.Config{}, time.Now), awssecret.Current{Client: secretsmanager.NewFromConfig(awsConfig(t)), SecretID: deployed.out.ProviderAPIKeySecret})
	if _, _, err := server.Lookup(ctx, oldKey, warm); !payments.Unauthorized(err) {
		t.Fatalf("the provider with the rotated-out key: %v; want 401", err)
	}
	if res, found, err := server.Lookup(ctx, newKey, warm); err != nil || !found || res.Outcome != payments.Captured {
		t.Fatalf("the provider with the new key: %+v %v %v", res, found, err)
	}

	// Orders right after the rotation, a few at once so that warm containers take some of them.
	var ids []string
	for range 4 {
		id, _ := placeWith(t, token, simprovider.TokenVisa, 1)
		ids = append(ids, id)
	}
	for _, id := range ids {
		eventually(t, 45*time.Second, "order "+id+" charged after the rotation", func() (bool, string) {
			o, err := table().GetOrder(ctx, id)
			if err == nil && o.Status == domain.StatusPaymentFailed {
				t.Fatalf("order %s failed its payment after the rotation", id)
			}
			return charged(id)
		})
	}
	books := readBooks(t)
	for _, id := range ids {
		if captured, _ := books.Money(id); captured <= 0 {
			t.Errorf("order %s: the provider's books hold no capture", id)
		}
	}
	tool := &dlq.Tool{SQS: deployed.sqs, Failures: table()}
	if msgs, err := tool.List(ctx, dlq.QueuesOf(deployed.out)[0]); err != nil {
		t.Fatal(err)
	} else {
		for _, m := range msgs {
			for _, id := range append(ids, warm) {
				if m.OrderID == id {
					t.Errorf("order %s reached the payment DLQ: %+v", id, m)
				}
			}
		}
	}

	// A warm container switched keys on a refusal (logged with the order it was charging), not by a TTL or a
	// cold start. Any container: another test's order may be the first to meet the new key.
	cfg := awsConfig(t)
	groups, err := timeline.StackLogGroups(ctx, cloudformation.NewFromConfig(cfg), devstack.StackName)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "a payment log line of a refused key read again", func() (bool, string) {
		lines, err := timeline.ReadLogs(ctx, cloudwatchlogs.NewFromConfig(cfg), groups, rotatedAt.Add(-time.Second), func(f map[string]any) bool {
			msg, _ := f["msg"].(string)
			return f["function"] == "payment" && strings.Contains(msg, "refused the cached API key")
		})
		if err != nil {
			return false, err.Error()
		}
		return len(lines) > 0, fmt.Sprintf("%d lines", len(lines))
	})

	// The couriers these orders took are the other tests' too: deliver the orders once assigned.
	for _, id := range append(ids, warm) {
		eventually(t, 45*time.Second, "order "+id+" past assignment", func() (bool, string) {
			o, err := table().GetOrder(ctx, id)
			if err != nil {
				return false, err.Error()
			}
			return o.Status != domain.StatusPlaced && o.Status != domain.StatusPaid, string(o.Status)
		})
	}
	theCrew(t).round(t)

	// No redeploy: the same code and configuration.
	fnAfter := paymentFunction(t)
	if *fnAfter.CodeSha256 != *fnBefore.CodeSha256 || *fnAfter.LastModified != *fnBefore.LastModified {
		t.Errorf("the payment function changed: %s %s → %s %s", *fnBefore.CodeSha256, *fnBefore.LastModified, *fnAfter.CodeSha256, *fnAfter.LastModified)
	}
}
