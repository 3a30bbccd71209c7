// Package awsclient loads the AWS SDK configuration of the tools that run on a
// developer's machine or in CI (scripts, tests, benchmarks), with the SDK's
// whole credential chain: environment, shared profiles, SSO and the rest.
// Lambda functions use shared/platform/awsenv instead, which reads only what
// the runtime gives them and keeps that chain out of their cold start; both
// share awsenv's call timeout and retries.
//
// No endpoint is configured here: the SDK reads AWS_ENDPOINT_URL itself.
package awsclient

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awsenv"
)

// Load returns the SDK configuration with bounded timeouts and jittered
// retries (awsenv.CallTimeout, awsenv.Retryer).
func Load(ctx context.Context) (aws.Config, error) {
	cfg, err := config.LoadDefaultConfig(ctx,
		// The SDK's buildable client (not a plain *http.Client) so that
		// AWS_CA_BUNDLE, where a machine sets it, can still add its roots.
		config.WithHTTPClient(awshttp.NewBuildableClient().WithTimeout(awsenv.CallTimeout)),
		config.WithRetryer(awsenv.Retryer),
	)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS config: %w", err)
	}
	return cfg, nil
}
