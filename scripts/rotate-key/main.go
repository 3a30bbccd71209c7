// Command rotate-key gives the payment provider's API key a new value: it
// puts a freshly generated key into the stack's secret (PutSecretValue),
// where it becomes the version labelled AWSCURRENT. Nothing is redeployed:
// the provider accepts the new key at once, and each payment function
// container presents it from its next request the provider refuses
// (shared/payments/simprovider/auth.go; docs/payments.md). It prints the new
// version's id, never the key.
//
//	go run ./scripts/rotate-key -outputs .run/4566/outputs.json
//
// `make rotate-key` runs it against the emulator on PORT; on AWS, point
// -outputs at the file `cdk deploy --outputs-file` wrote. With a real
// provider the new key would come from the provider's dashboard instead:
// put it with -from-stdin.
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/fooddelivery/serverless-food-delivery/shared/devstack"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awsclient"
)

func main() {
	outputsPath := flag.String("outputs", ".run/4566/outputs.json", "stack outputs file written by cdk deploy")
	fromStdin := flag.Bool("from-stdin", false, "put the key read from the first line of stdin instead of generating one")
	flag.Parse()
	if flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: rotate-key [-outputs FILE] [-from-stdin]")
		os.Exit(2)
	}
	if err := run(*outputsPath, *fromStdin); err != nil {
		fmt.Fprintln(os.Stderr, "rotate-key:", err)
		os.Exit(1)
	}
}

func run(outputsPath string, fromStdin bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := devstack.LoadOutputs(outputsPath)
	if err != nil {
		return err
	}
	if out.ProviderAPIKeySecret == "" {
		return fmt.Errorf("%s has no ProviderApiKeySecret output: deploy the current stack first", outputsPath)
	}
	key := newKey()
	if fromStdin {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if key = strings.TrimSpace(line); key == "" {
			if err != nil {
				return fmt.Errorf("no key on stdin: %w", err)
			}
			return errors.New("no key on stdin: the first line is empty")
		}
	}
	cfg, err := awsclient.Load(ctx)
	if err != nil {
		return err
	}
	res, err := secretsmanager.NewFromConfig(cfg).PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
		SecretId: &out.ProviderAPIKeySecret, SecretString: &key,
	})
	if err != nil {
		return fmt.Errorf("PutSecretValue %s: %w", out.ProviderAPIKeySecret, err)
	}
	if res.VersionId == nil {
		return errors.New("PutSecretValue answered no version id")
	}
	fmt.Printf("rotated %s: version %s is AWSCURRENT; no redeploy needed\n", out.ProviderAPIKeySecret, *res.VersionId)
	return nil
}

// newKey is 128 random bits as 26 letters and digits (crypto/rand.Text).
func newKey() string { return rand.Text() }
