// Package awsclient loads the AWS SDK configuration once per cold start.
//
// No endpoint is configured here: the SDK reads AWS_ENDPOINT_URL itself, which
// the emulator sets for every function process and which is absent on AWS.
package awsclient

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
)

// CallTimeout bounds every single AWS call. It is well under the shortest
// function timeout (10 s) so a stuck call fails the item, not the invocation.
const CallTimeout = 3 * time.Second

// Load returns the SDK configuration with bounded timeouts and jittered
// retries (the SDK's standard retryer backs off with full jitter).
func Load(ctx context.Context) (aws.Config, error) {
	cfg, err := config.LoadDefaultConfig(ctx,
		// The SDK's buildable client (not a plain *http.Client) so that
		// AWS_CA_BUNDLE, where a machine sets it, can still add its roots.
		config.WithHTTPClient(awshttp.NewBuildableClient().WithTimeout(CallTimeout)),
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = 3
				o.MaxBackoff = 500 * time.Millisecond
			})
		}),
	)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS config: %w", err)
	}
	return cfg, nil
}

// MustLoad is Load for main functions, which cannot start without it.
func MustLoad(ctx context.Context) aws.Config {
	cfg, err := Load(ctx)
	if err != nil {
		panic(err)
	}
	return cfg
}
