// Package awsenv builds a Lambda function's AWS SDK configuration from the
// environment the runtime gives it: region, the execution role's credentials
// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) and, on an
// emulator, AWS_ENDPOINT_URL. Lambda's provided runtime always sets the first
// two; an emulator sets all three for its function processes (docs/emulator.md).
//
// It deliberately does not import github.com/aws/aws-sdk-go-v2/config: every
// imported package's init runs at every cold start, and that package's
// credential chain (shared files, SSO, SSO-OIDC, STS, sign-in, IMDS, container
// and process credentials) brings 17 packages whose init took 0.47 ms of
// each bootstrap's 4 ms start, for sources a function never uses. Tools that
// run on a developer's machine need that chain: they use
// shared/platform/awsclient, which shares the timeouts and retries below.
package awsenv

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awstrace"
)

// CallTimeout bounds every single AWS call. It is well under the shortest
// function timeout (10 s) so a stuck call fails the item, not the invocation.
const CallTimeout = 3 * time.Second

// Retryer is the retry policy of every client: the SDK's standard retryer
// (exponential backoff with full jitter), 3 attempts, at most 0.5 s apart.
func Retryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = 3
		o.MaxBackoff = 500 * time.Millisecond
	})
}

// HTTPClient is the SDK's buildable client with CallTimeout, trusting the
// extra roots of AWS_CA_BUNDLE where a machine sets it.
func HTTPClient() (*awshttp.BuildableClient, error) {
	client := awshttp.NewBuildableClient().WithTimeout(CallTimeout)
	path := os.Getenv("AWS_CA_BUNDLE")
	if path == "" {
		return client, nil
	}
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("AWS_CA_BUNDLE: %w", err)
	}
	roots, err := x509.SystemCertPool()
	if err != nil {
		roots = x509.NewCertPool()
	}
	if !roots.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("AWS_CA_BUNDLE %s holds no certificate", path)
	}
	return client.WithTransportOptions(func(t *http.Transport) {
		if t.TLSClientConfig == nil {
			t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		}
		t.TLSClientConfig.RootCAs = roots
	}), nil
}

// Load returns the configuration, or an error naming what the environment
// lacks.
func Load() (aws.Config, error) {
	region := os.Getenv("AWS_REGION")
	if region == "" {
		region = os.Getenv("AWS_DEFAULT_REGION")
	}
	id, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
	if region == "" || id == "" || secret == "" {
		return aws.Config{}, errors.New("awsenv: AWS_REGION, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set (the Lambda runtime sets them)")
	}
	client, err := HTTPClient()
	if err != nil {
		return aws.Config{}, fmt.Errorf("awsenv: %w", err)
	}
	cfg := aws.Config{
		Region: region,
		Credentials: aws.NewCredentialsCache(
			credentials.NewStaticCredentialsProvider(id, secret, os.Getenv("AWS_SESSION_TOKEN"))),
		HTTPClient: client,
		Retryer:    Retryer,
	}
	// Every call is counted for the metrics and, when X-Ray traces the invocation, sent as a span.
	awstrace.Instrument(&cfg)
	// No endpoint on AWS; the emulator sets this for every function process.
	if ep := os.Getenv("AWS_ENDPOINT_URL"); ep != "" {
		cfg.BaseEndpoint = aws.String(ep)
	}
	return cfg, nil
}

// MustLoad is Load for main functions, which cannot start without it.
func MustLoad() aws.Config {
	cfg, err := Load()
	if err != nil {
		panic(err)
	}
	return cfg
}
