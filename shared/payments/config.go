package payments

import (
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/platform"
)

// The payment function's environment variables.
const (
	EnvReceiptsBucket    = "RECEIPTS_BUCKET"     // where receipts are written
	EnvProviderTableName = "PROVIDER_TABLE_NAME" // the simulated provider's books
	// EnvProviderAPIKeySecret names the Secrets Manager secret holding the provider's API key (its ARN): where
	// the key is, never the key.
	EnvProviderAPIKeySecret = "PROVIDER_API_KEY_SECRET"
	EnvProviderTimeout      = "PROVIDER_TIMEOUT_MS"  // Policy.CallTimeout
	EnvProviderLatency      = "PROVIDER_LATENCY_MS"  // the simulated provider's latency
	EnvChargeGiveUpAfter    = "CHARGE_GIVE_UP_AFTER" // Policy.GiveUpAfter
)

// Config is the payment function's configuration (functions/payment).
type Config struct {
	TableName, ReceiptsBucket, ProviderTableName string
	// ProviderAPIKeySecret is the secret of the provider's API key, read on the first provider request.
	ProviderAPIKeySecret string
	// ProviderLatency is the simulated provider's added latency; 0 (unset) keeps its default.
	ProviderLatency time.Duration
	// Policy is DefaultPolicy with the call timeout and give-up delivery the environment sets.
	Policy Policy
}

// ConfigFromEnv reads the payment function's Config (getenv is os.Getenv in the function).
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	env := platform.ReadEnv(getenv)
	policy := DefaultPolicy()
	policy.CallTimeout = env.Millis(EnvProviderTimeout, policy.CallTimeout)
	policy.GiveUpAfter = env.Int(EnvChargeGiveUpAfter, policy.GiveUpAfter)
	c := Config{
		TableName:            env.Required(platform.EnvTableName),
		ReceiptsBucket:       env.Required(EnvReceiptsBucket),
		ProviderTableName:    env.Required(EnvProviderTableName),
		ProviderAPIKeySecret: env.Required(EnvProviderAPIKeySecret),
		ProviderLatency:      env.Millis(EnvProviderLatency, 0),
		Policy:               policy,
	}
	env.Check(policy.Validate())
	return c, env.Err()
}
