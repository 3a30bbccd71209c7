package notify

import (
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform"
)

// The channel functions' environment variables.
const (
	// EnvClaimLease is the claim lease in milliseconds (infra sets it to the function timeout).
	EnvClaimLease = "CLAIM_LEASE_MS"
	// EnvSenderEmail is the verified address emails come from (the email channel).
	EnvSenderEmail = "SENDER_EMAIL"
	// EnvSESConfigurationSet names the SES configuration set of the sends, if any (the email channel).
	EnvSESConfigurationSet = "SES_CONFIGURATION_SET"
	// EnvSMSSenderID is the sender id of text messages, if any (the SMS channel).
	EnvSMSSenderID = "SMS_SENDER_ID"
)

// DefaultClaimLease is the claim lease when CLAIM_LEASE_MS is unset.
const DefaultClaimLease = 30 * time.Second

// Config is the configuration of one channel's function: notification (the inbox), notify-email or notify-sms.
type Config struct {
	Channel    string
	TableName  string
	ClaimLease time.Duration
	// The email channel's: SenderEmail is required, ConfigurationSet optional.
	SenderEmail, ConfigurationSet string
	// The SMS channel's, optional.
	SMSSenderID string
}

// ConfigFromEnv reads the Config of channel's function (getenv is os.Getenv in the function).
func ConfigFromEnv(channel string, getenv func(string) string) (Config, error) {
	env := platform.ReadEnv(getenv)
	c := Config{
		Channel:    channel,
		TableName:  env.Required(platform.EnvTableName),
		ClaimLease: env.Millis(EnvClaimLease, DefaultClaimLease),
	}
	switch channel {
	case domain.ChannelEmail:
		c.SenderEmail = env.Required(EnvSenderEmail)
		c.ConfigurationSet = env.Optional(EnvSESConfigurationSet)
	case domain.ChannelSMS:
		c.SMSSenderID = env.Optional(EnvSMSSenderID)
	}
	return c, env.Err()
}
