package main

import (
	"testing"

	"github.com/fooddelivery/serverless-food-delivery/shared/platform/linkcheck"
)

// TestOnlyTheInboxInTheBinary: the inbox channel calls DynamoDB alone; neither messaging client (SES v2's package
// init takes 0.5 ms, SNS's 0.2 ms), nor the order API's HTTP packages (the customer's inbox routes live in
// shared/notify/notifyapi, on the order API), nor the email's HTML part (html/template's init, 0.08 ms; the inbox
// shows the short text) belong in its cold start (docs/performance.md).
func TestOnlyTheInboxInTheBinary(t *testing.T) {
	linkcheck.Forbid(t, append(linkcheck.HTTPAPI, "aws-sdk-go-v2/service/ses", "aws-sdk-go-v2/service/sns",
		"html/template", "shared/notify/emailhtml")...)
}
