package orders

import "github.com/fooddelivery/serverless-food-delivery/shared/platform"

// Config is the order-api function's configuration (functions/order-api): the app's table.
type Config = platform.TableConfig

// ConfigFromEnv reads the order-api function's Config (getenv is os.Getenv in the function).
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	return platform.TableConfigFromEnv(getenv)
}
