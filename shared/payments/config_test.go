package payments_test

import (
	"strings"
	"testing"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/payments"
)

func TestConfigFromEnv(t *testing.T) {
	vars := map[string]string{"TABLE_NAME": "t", "RECEIPTS_BUCKET": "b", "PROVIDER_TABLE_NAME": "p", "PROVIDER_API_KEY_SECRET": "arn:s",
		"PROVIDER_TIMEOUT_MS": "800", "CHARGE_GIVE_UP_AFTER": "6"}
	c, err := payments.ConfigFromEnv(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	want := payments.DefaultPolicy()
	want.CallTimeout, want.GiveUpAfter = 800*time.Millisecond, 6
	if c.TableName != "t" || c.ReceiptsBucket != "b" || c.ProviderTableName != "p" || c.ProviderAPIKeySecret != "arn:s" || c.ProviderLatency != 0 || c.Policy != want {
		t.Errorf("got %+v, want the tables, bucket and DefaultPolicy with timeout 800ms and give-up 6", c)
	}
	// Unset, the policy is the default one; a policy it cannot work with, or a missing bucket, stops the start.
	delete(vars, "PROVIDER_TIMEOUT_MS")
	delete(vars, "CHARGE_GIVE_UP_AFTER")
	if c, err := payments.ConfigFromEnv(func(k string) string { return vars[k] }); err != nil || c.Policy != payments.DefaultPolicy() {
		t.Errorf("defaults: %+v, %v", c.Policy, err)
	}
	vars["CHARGE_GIVE_UP_AFTER"] = "0"
	delete(vars, "RECEIPTS_BUCKET")
	_, err = payments.ConfigFromEnv(func(k string) string { return vars[k] })
	if err == nil || !strings.Contains(err.Error(), "RECEIPTS_BUCKET") || !strings.Contains(err.Error(), "give-up") {
		t.Errorf("err = %v, want it to name RECEIPTS_BUCKET and the policy", err)
	}
}
