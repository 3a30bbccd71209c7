// Command hello is the baseline of the cold-start benchmark: the smallest
// aws-lambda-go function there is. `make bench` builds it with the same flags
// as the real functions and compares their start-up time with its own.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context) (string, error) { return "hello", nil })
}
