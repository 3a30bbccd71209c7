package tracking

import "github.com/fooddelivery/serverless-food-delivery/shared/platform"

// Config is the tracking function's configuration (functions/tracking): the app's table.
type Config = platform.TableConfig

// ConfigFromEnv reads the tracking function's Config (getenv is os.Getenv in the function).
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	return platform.TableConfigFromEnv(getenv)
}
