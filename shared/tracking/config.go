package tracking

import "github.com/fooddelivery/serverless-food-delivery/shared/platform"

// Config is the tracking function's configuration (functions/tracking).
type Config struct {
	TableName string
}

// ConfigFromEnv reads the tracking function's Config (getenv is os.Getenv in the function).
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	env := platform.ReadEnv(getenv)
	c := Config{TableName: env.Required(platform.EnvTableName)}
	return c, env.Err()
}
