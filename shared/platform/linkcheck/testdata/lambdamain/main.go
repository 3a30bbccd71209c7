// Command lambdamain is the smallest aws-lambda-go function, for linkcheck's own test.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context) (string, error) { return "hello", nil })
}
