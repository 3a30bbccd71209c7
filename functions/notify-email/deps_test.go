package main

import (
	"testing"

	"github.com/fooddelivery/serverless-food-delivery/shared/platform/linkcheck"
)

// TestNoSNSClientInTheBinary: the email channel links only its own messaging client (shared/notify/awssend/sesmail);
// SNS's package init would add 0.2 ms to each of its cold starts (docs/performance.md).
func TestNoSNSClientInTheBinary(t *testing.T) {
	linkcheck.Forbid(t, "aws-sdk-go-v2/service/sns")
}

// TestNoHTTPAPIInTheBinary: a queue consumer links none of the order API's HTTP packages (the customer's
// notification routes live in shared/notify/notifyapi, apart from the channels).
func TestNoHTTPAPIInTheBinary(t *testing.T) {
	linkcheck.Forbid(t, linkcheck.HTTPAPI...)
}
