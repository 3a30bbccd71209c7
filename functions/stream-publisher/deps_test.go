package main

import (
	"testing"

	"github.com/fooddelivery/serverless-food-delivery/shared/platform/linkcheck"
)

// TestNoDynamoDBClientInTheBinary: the publisher reads stream images only (shared/store/streamimage), so the SDK's
// DynamoDB packages, cost it about 0.75 ms of every cold start (docs/performance.md), stay out.
func TestNoDynamoDBClientInTheBinary(t *testing.T) {
	linkcheck.Forbid(t, "service/dynamodb", "feature/dynamodb")
}
