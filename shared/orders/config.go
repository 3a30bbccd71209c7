package orders

import "github.com/fooddelivery/serverless-food-delivery/shared/platform"

// Config is the order-api function's configuration (functions/order-api).
type Config struct {
	TableName string
}

// ConfigFromEnv reads the order-api function's Config (getenv is os.Getenv in the function).
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	env := platform.ReadEnv(getenv)
	c := Config{TableName: env.Required(platform.EnvTableName)}
	return c, env.Err()
}
