package notify_test

import (
	"strings"
	"testing"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/notify"
)

// TestConfigFromEnvPerChannel: the email channel needs its sender, the others do not; the lease defaults.
func TestConfigFromEnvPerChannel(t *testing.T) {
	vars := map[string]string{"TABLE_NAME": "t", "CLAIM_LEASE_MS": "1500", "SMS_SENDER_ID": "Food"}
	get := func(k string) string { return vars[k] }
	for _, ch := range []string{domain.ChannelInbox, domain.ChannelSMS} {
		c, err := notify.ConfigFromEnv(ch, get)
		if err != nil || c.Channel != ch || c.TableName != "t" || c.ClaimLease != 1500*time.Millisecond {
			t.Errorf("%s: %+v, %v", ch, c, err)
		}
	}
	if c, _ := notify.ConfigFromEnv(domain.ChannelSMS, get); c.SMSSenderID != "Food" {
		t.Errorf("sms sender id %q", c.SMSSenderID)
	}
	if _, err := notify.ConfigFromEnv(domain.ChannelEmail, get); err == nil || !strings.Contains(err.Error(), "SENDER_EMAIL") {
		t.Errorf("email without a sender: %v", err)
	}
	vars["SENDER_EMAIL"] = "orders@example.com"
	delete(vars, "CLAIM_LEASE_MS")
	if c, err := notify.ConfigFromEnv(domain.ChannelEmail, get); err != nil || c.SenderEmail != "orders@example.com" ||
		c.ClaimLease != notify.DefaultClaimLease {
		t.Errorf("email: %+v, %v", c, err)
	}
}
