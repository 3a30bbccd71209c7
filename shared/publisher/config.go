package publisher

import "github.com/fooddelivery/serverless-food-delivery/shared/platform"

// Config is the stream-publisher function's configuration (functions/stream-publisher).
type Config struct {
	EventBusName string
}

// ConfigFromEnv reads the stream-publisher function's Config (getenv is os.Getenv in the function).
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	env := platform.ReadEnv(getenv)
	c := Config{EventBusName: env.Required(platform.EnvEventBusName)}
	return c, env.Err()
}
