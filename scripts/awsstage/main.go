// Command awsstage is the AWS side of `make deploy` and `make destroy` (scripts/deploy-aws.sh, scripts/destroy.sh):
//
//	go run ./scripts/awsstage check               # credentials, region, CDK bootstrap: before anything is built
//	go run ./scripts/awsstage retained TEMPLATE   # what deleting the stack leaves behind, and why
//	go run ./scripts/awsstage destroy             # deletes the FoodDelivery stack, waits, lists what stayed
//
// It uses the SDK's default credential chain (environment, AWS_PROFILE and ~/.aws, SSO, a role), as the CDK CLI
// does, so what passes `check` is what `cdk deploy` will use. Nothing here talks to an emulator: the scripts
// refuse to run with AWS_ENDPOINT_URL set.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/fooddelivery/serverless-food-delivery/infra/retention"
)

// StackName is the stack `make deploy` creates (infra/cmd/cdkapp).
const StackName = "FoodDelivery"

// BootstrapStack is the stack `cdk bootstrap` creates in each account and region.
const BootstrapStack = "CDKToolkit"

func main() {
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: awsstage check | retained TEMPLATE | destroy")
	}
	flag.Parse()
	var err error
	switch flag.Arg(0) {
	case "check":
		err = runCheck(os.Stdout)
	case "retained":
		if flag.NArg() != 2 {
			flag.Usage()
			os.Exit(2)
		}
		err = runRetained(os.Stdout, flag.Arg(1))
	case "destroy":
		err = runDestroy(os.Stdout)
	default:
		flag.Usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

// account is who and where the default credential chain resolves to.
type account struct {
	cfg     aws.Config
	id, arn string
}

// resolve loads the default configuration and asks STS who it is. Its errors say what to do.
func resolve(ctx context.Context) (account, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return account{}, fmt.Errorf("cannot load the AWS configuration (%w): check AWS_PROFILE and ~/.aws/config", err)
	}
	if cfg.Region == "" {
		return account{}, errors.New("no AWS region: set AWS_REGION (e.g. AWS_REGION=eu-west-1) or a region in your profile")
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return account{}, fmt.Errorf("no AWS credentials: configure them first (aws configure or aws sso login, "+
			"AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY); the SDK said: %v", err)
	}
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return account{}, fmt.Errorf("STS in %s did not accept the credentials or could not be reached (expired session? no network?): %w", cfg.Region, err)
	}
	return account{cfg: cfg, id: aws.ToString(id.Account), arn: aws.ToString(id.Arn)}, nil
}

// stackStatus is the status of a stack, or "" when there is none of that name.
func stackStatus(ctx context.Context, cfn *cloudformation.Client, name string) (string, error) {
	out, err := cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorCode() == "ValidationError" && strings.Contains(apiErr.ErrorMessage(), "does not exist") {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("describe stack %s: %w", name, err)
	}
	if len(out.Stacks) == 0 {
		return "", nil
	}
	return string(out.Stacks[0].StackStatus), nil
}

func runCheck(w io.Writer) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	acct, err := resolve(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "deploying as %s to account %s in %s\n", acct.arn, acct.id, acct.cfg.Region)
	status, err := stackStatus(ctx, cloudformation.NewFromConfig(acct.cfg), BootstrapStack)
	if err != nil {
		return err
	}
	if status == "" || strings.HasPrefix(status, "DELETE") {
		return fmt.Errorf("account %s is not bootstrapped for the CDK in %s: run `npx cdk bootstrap aws://%s/%s` once",
			acct.id, acct.cfg.Region, acct.id, acct.cfg.Region)
	}
	fmt.Fprintf(w, "CDK bootstrap stack %s: %s\n", BootstrapStack, status)
	return nil
}

func runRetained(w io.Writer, path string) error {
	tpl, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	rs, err := retention.Retained(tpl)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	printRetained(w, rs, nil)
	return nil
}

// printRetained lists the retained resources by type, each type with its reason; physical names the ids when known.
func printRetained(w io.Writer, rs []retention.Resource, physical map[string]string) {
	if len(rs) == 0 {
		fmt.Fprintln(w, "nothing: every resource is deleted with the stack")
		return
	}
	for i, r := range rs {
		if i == 0 || rs[i-1].Type != r.Type {
			reason := r.Reason
			if reason == "" {
				reason = "(no reason recorded in infra/retention)"
			}
			fmt.Fprintf(w, "  %s: %s\n", r.Type, reason)
		}
		name := r.LogicalID
		if p := physical[r.LogicalID]; p != "" {
			name += "  " + p
		}
		fmt.Fprintf(w, "      %s\n", name)
	}
}

func runDestroy(w io.Writer) error {
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Minute)
	defer cancel()
	acct, err := resolve(ctx)
	if err != nil {
		return err
	}
	cfn := cloudformation.NewFromConfig(acct.cfg)
	status, err := stackStatus(ctx, cfn, StackName)
	if err != nil {
		return err
	}
	if status == "" {
		return fmt.Errorf("no stack %s in account %s, %s: nothing to delete", StackName, acct.id, acct.cfg.Region)
	}
	// What stays is read from the deployed template (it may be older than this checkout) and named with the
	// physical ids, so they can be found, exported or deleted by hand afterwards.
	tpl, err := cfn.GetTemplate(ctx, &cloudformation.GetTemplateInput{StackName: aws.String(StackName), TemplateStage: cfntypes.TemplateStageProcessed})
	if err != nil {
		return fmt.Errorf("read the deployed template of %s: %w", StackName, err)
	}
	rs, err := retention.Retained([]byte(aws.ToString(tpl.TemplateBody)))
	if err != nil {
		return err
	}
	physical := map[string]string{}
	pager := cloudformation.NewListStackResourcesPaginator(cfn, &cloudformation.ListStackResourcesInput{StackName: aws.String(StackName)})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list the resources of %s: %w", StackName, err)
		}
		for _, r := range page.StackResourceSummaries {
			physical[aws.ToString(r.LogicalResourceId)] = aws.ToString(r.PhysicalResourceId)
		}
	}
	fmt.Fprintf(w, "deleting stack %s (%s) in account %s, %s as %s\n", StackName, status, acct.id, acct.cfg.Region, acct.arn)
	if _, err := cfn.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String(StackName)}); err != nil {
		return fmt.Errorf("delete stack %s: %w", StackName, err)
	}
	waiter := cloudformation.NewStackDeleteCompleteWaiter(cfn)
	if err := waiter.Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(StackName)}, 40*time.Minute); err != nil {
		return fmt.Errorf("stack %s did not finish deleting (see its events in the CloudFormation console): %w", StackName, err)
	}
	fmt.Fprintf(w, "stack %s deleted. Retained in the account (delete them by hand once you are sure):\n", StackName)
	printRetained(w, rs, physical)
	fmt.Fprintf(w, "Also kept: the CDK bootstrap stack %s (shared by every CDK app of the account and region).\n", BootstrapStack)
	return nil
}
