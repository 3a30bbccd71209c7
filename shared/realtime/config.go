package realtime

import "github.com/fooddelivery/serverless-food-delivery/shared/platform"

// The WebSocket functions' environment variables.
const (
	EnvJWTIssuer      = "JWT_ISSUER"      // the user pool's issuer URL
	EnvJWTAudience    = "JWT_AUDIENCE"    // the app client id ID tokens are issued for
	EnvJWKSURL        = "JWKS_URL"        // where the pool's signing keys are
	EnvConnectionsURL = "CONNECTIONS_URL" // the WebSocket API's @connections endpoint
)

// Config is the realtime function's configuration (functions/realtime, the WebSocket API's routes).
type Config struct {
	TableName                       string
	JWTIssuer, JWTAudience, JWKSURL string
}

// ConfigFromEnv reads the realtime function's Config (getenv is os.Getenv in the function).
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	env := platform.ReadEnv(getenv)
	c := Config{
		TableName:   env.Required(platform.EnvTableName),
		JWTIssuer:   env.Required(EnvJWTIssuer),
		JWTAudience: env.Required(EnvJWTAudience),
		JWKSURL:     env.Required(EnvJWKSURL),
	}
	return c, env.Err()
}

// PushConfig is the realtime-push function's configuration (functions/realtime-push).
type PushConfig struct {
	TableName      string
	ConnectionsURL string
}

// PushConfigFromEnv reads the realtime-push function's PushConfig (getenv is os.Getenv in the function).
func PushConfigFromEnv(getenv func(string) string) (PushConfig, error) {
	env := platform.ReadEnv(getenv)
	c := PushConfig{
		TableName:      env.Required(platform.EnvTableName),
		ConnectionsURL: env.Required(EnvConnectionsURL),
	}
	return c, env.Err()
}
