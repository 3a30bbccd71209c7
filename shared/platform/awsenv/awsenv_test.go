package awsenv_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awsenv"
)

func lambdaEnv(t *testing.T) {
	t.Setenv("AWS_REGION", "eu-central-1")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_SESSION_TOKEN", "token")
	t.Setenv("AWS_ENDPOINT_URL", "")
	t.Setenv("AWS_CA_BUNDLE", "")
}

func TestLoadTakesWhatTheRuntimeGives(t *testing.T) {
	lambdaEnv(t)
	cfg, err := awsenv.Load()
	if err != nil {
		t.Fatal(err)
	}
	creds, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil || creds.AccessKeyID != "AKIDEXAMPLE" || creds.SecretAccessKey != "secret" || creds.SessionToken != "token" {
		t.Fatalf("credentials %+v, %v", creds, err)
	}
	if cfg.Region != "eu-central-1" || cfg.BaseEndpoint != nil || cfg.Retryer().MaxAttempts() != 3 {
		t.Fatalf("region %q, endpoint %v, attempts %d", cfg.Region, cfg.BaseEndpoint, cfg.Retryer().MaxAttempts())
	}

	// On an emulator.
	t.Setenv("AWS_ENDPOINT_URL", "http://localhost:4566")
	if cfg, _ = awsenv.Load(); aws.ToString(cfg.BaseEndpoint) != "http://localhost:4566" {
		t.Fatalf("endpoint %v", cfg.BaseEndpoint)
	}
}

func TestLoadRefusesAnIncompleteEnvironment(t *testing.T) {
	for _, unset := range []string{"AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} {
		lambdaEnv(t)
		t.Setenv(unset, "")
		if _, err := awsenv.Load(); err == nil {
			t.Errorf("loaded without %s", unset)
		}
	}
	lambdaEnv(t)
	t.Setenv("AWS_CA_BUNDLE", filepath.Join(t.TempDir(), "missing.pem"))
	if _, err := awsenv.Load(); err == nil {
		t.Error("loaded with an unreadable AWS_CA_BUNDLE")
	}
	bad := filepath.Join(t.TempDir(), "empty.pem")
	if err := os.WriteFile(bad, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CA_BUNDLE", bad)
	if _, err := awsenv.Load(); err == nil {
		t.Error("loaded with an AWS_CA_BUNDLE holding no certificate")
	}
}
