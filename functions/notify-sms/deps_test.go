package main

import (
	"testing"

	"github.com/fooddelivery/serverless-food-delivery/shared/platform/linkcheck"
)

// TestNoSESClientInTheBinary: the SMS channel links only its own messaging client (shared/notify/awssend/snssms);
// SES v2's package init would add 0.5 ms to each of its cold starts (docs/performance.md).
func TestNoSESClientInTheBinary(t *testing.T) {
	linkcheck.Forbid(t, "aws-sdk-go-v2/service/ses")
}

// TestNoHTTPAPIInTheBinary: a queue consumer links none of the order API's HTTP packages (the customer's
// notification routes live in shared/notify/notifyapi, apart from the channels).
func TestNoHTTPAPIInTheBinary(t *testing.T) {
	linkcheck.Forbid(t, linkcheck.HTTPAPI...)
}

// TestNoHTMLTemplateInTheBinary: the email's HTML part is the email channel's (shared/notify/emailhtml); an SMS is
// text, and html/template's init would take 0.08 ms of each cold start.
func TestNoHTMLTemplateInTheBinary(t *testing.T) {
	linkcheck.Forbid(t, "html/template", "shared/notify/emailhtml")
}
