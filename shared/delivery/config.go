package delivery

import "github.com/fooddelivery/serverless-food-delivery/shared/platform"

// EnvGiveUpAfter is the delivery of a PaymentConfirmed on which the function stops looking for a courier.
const EnvGiveUpAfter = "ASSIGNMENT_GIVE_UP_AFTER"

// Config is the delivery-assignment function's configuration (functions/delivery-assignment).
type Config struct {
	TableName   string
	GiveUpAfter int // DefaultGiveUpAfter when unset
}

// ConfigFromEnv reads the delivery-assignment function's Config (getenv is os.Getenv in the function).
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	env := platform.ReadEnv(getenv)
	c := Config{
		TableName:   env.Required(platform.EnvTableName),
		GiveUpAfter: env.Int(EnvGiveUpAfter, DefaultGiveUpAfter),
	}
	return c, env.Err()
}
