// Command sdkfloor is the SDK floor probe of the cold-start benchmark: hello (bench/hello) plus exactly the AWS SDK
// clients one function's job requires, built as the functions build them (shared/platform/awsenv), each with a call
// site so that the linker keeps it, and, for a notification channel, a message rendered with the template engine its
// job requires. None of our own code is in it: a function's cold start against its floor's
// (coldstart.<fn>.ratio_vs_sdk_floor, docs/performance.md) is what our code adds, and the floor's own ratio to hello
// is what the clients and templates the job requires cost before any of our code runs.
//
// Build tags choose what a probe has, one per client or template engine (scripts/bench.sh builds one probe per
// function held to the cold-start target):
//
//	sdkfloor_dynamodb sdkfloor_eventbridge sdkfloor_s3 sdkfloor_secretsmanager sdkfloor_sesv2 sdkfloor_sns
//	    the client, built from awsenv.MustLoad(), and one call
//	sdkfloor_text  a short message and a text part rendered with text/template (every channel, shared/notify)
//	sdkfloor_html  an HTML part rendered with html/template (the email), with sdkfloor_text
//
// Templates are parsed on first use and executed with a struct, as shared/notify does.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awsenv"
)

// parts are what the build tags put in: each builds its client (or template) from the SDK configuration and returns
// the call an invocation makes.
var parts []func(aws.Config) func(context.Context) error

func main() {
	cfg := awsenv.MustLoad()
	calls := make([]func(context.Context) error, len(parts))
	for i, part := range parts {
		calls[i] = part(cfg)
	}
	lambda.Start(func(ctx context.Context) (int, error) {
		for _, call := range calls {
			if err := call(ctx); err != nil {
				return 0, err
			}
		}
		return len(calls), nil
	})
}

// register adds a client of one AWS service and one of its operations, called with an empty input.
func register[C, In, Out, Opt any](newClient func(aws.Config, ...func(*Opt)) C, op func(C, context.Context, *In, ...func(*Opt)) (*Out, error)) {
	parts = append(parts, func(cfg aws.Config) func(context.Context) error {
		c := newClient(cfg)
		return func(ctx context.Context) error {
			_, err := op(c, ctx, new(In))
			return err
		}
	})
}

// view is what a message says, like shared/notify's View.
type view struct {
	OrderID, Restaurant, Total, CourierFirstName string
	Items                                        []viewItem
	ETAMinutes                                   int
}

type viewItem struct {
	Quantity int
	Name     string
}

var sample = view{OrderID: "o-1", Restaurant: "Pizza Place", Total: "€12.50", CourierFirstName: "Ana",
	Items: []viewItem{{Quantity: 2, Name: "Margherita"}}, ETAMinutes: 12}
