// Package observe is what every function's main wires around its handler:
// JSON logs tagged with the function's name and the Lambda request id of each
// invocation, and the per-invocation metrics (AWS calls, retries, duplicates,
// batch failures) written as one EMF line when the invocation ends.
package observe

import (
	"context"
	"log/slog"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/fooddelivery/serverless-food-delivery/shared/platform/logging"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/metrics"
)

// Setup installs the logger and names the function in the metrics.
func Setup(function string) *slog.Logger {
	metrics.Default().SetFunction(function)
	return logging.Setup(function)
}

// Handler wraps a Lambda handler of any event type.
func Handler[In, Out any](h func(context.Context, In) (Out, error)) func(context.Context, In) (Out, error) {
	return func(ctx context.Context, in In) (Out, error) {
		id := ""
		if lc, ok := lambdacontext.FromContext(ctx); ok {
			id = lc.AwsRequestID
		}
		logging.SetRequestID(id)
		defer logging.SetRequestID("")
		defer metrics.Default().Flush(map[string]any{"request_id": id})
		return h(ctx, in)
	}
}
