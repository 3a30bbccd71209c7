package awstrace_test

import (
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awstrace"
)

func awstraceSubsegment(header string) ([]byte, bool) {
	now := time.Now()
	return awstrace.Subsegment(header, "DynamoDB", "GetItem", "eu-central-1", "", 200, 0, now, now, nil)
}
