//go:build e2e

package tests

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fooddelivery/serverless-food-delivery/shared/store"
	"github.com/fooddelivery/serverless-food-delivery/shared/store/storetest"
)

// TestDynamoDBTableKeepsTheStoreContract runs the store contract suite (shared/store/storetest), which the
// in-memory store of the unit tests also runs, against DynamoDB on the emulator: conditional creates, optimistic
// versions, the courier and notification claims, idempotency records, newest-first pages, the sweeper's index.
//
// It runs on a table made for it with the deployed table's keys and indexes (read back from the deployed table,
// so it cannot drift from infra/), not on the deployed table itself: that one's stream would publish the suite's
// made-up orders and start the saga on them, which would then race the suite's own writes.
func TestDynamoDBTableKeepsTheStoreContract(t *testing.T) {
	name := contractTable(t)
	storetest.Run(t, store.New(deployed.ddb, name), "e2e")

	// What DynamoDB's TTL deletes, and what it must never delete: positions, idempotency records and failure
	// records carry an expires_at in Unix seconds; orders, the ledger, couriers and notifications carry none.
	ctx := t.Context()
	ttl, err := deployed.ddb.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: &deployed.out.TableName})
	if err != nil {
		t.Fatal(err)
	}
	if d := ttl.TimeToLiveDescription; d == nil || aws.ToString(d.AttributeName) != "expires_at" || d.TimeToLiveStatus != types.TimeToLiveStatusEnabled {
		t.Errorf("the deployed table's TTL: %+v, want ENABLED on expires_at", d)
	}
	expiring := map[string]bool{"tracking": true, "idempotency": true, "failure": true}
	seen := map[string]int{}
	p := dynamodb.NewScanPaginator(deployed.ddb, &dynamodb.ScanInput{TableName: &name})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			kind := attrS(it, "type")
			seen[kind]++
			exp, has := it["expires_at"].(*types.AttributeValueMemberN)
			switch {
			case expiring[kind] && !has:
				t.Errorf("%s item %s/%s has no numeric expires_at: TTL would keep it forever", kind, attrS(it, "PK"), attrS(it, "SK"))
			case expiring[kind]:
				if err := checkExpiry(kind, exp.Value, it); err != nil {
					t.Errorf("%s item %s/%s: %v", kind, attrS(it, "PK"), attrS(it, "SK"), err)
				}
			case it["expires_at"] != nil:
				t.Errorf("%s item %s/%s has an expires_at: TTL would delete it", kind, attrS(it, "PK"), attrS(it, "SK"))
			}
		}
	}
	for _, kind := range []string{"order", "charge", "refund", "courier", "notification", "delivery", "preferences", "tracking", "idempotency", "failure"} {
		if seen[kind] == 0 {
			t.Errorf("the suite wrote no %s item (items by type: %v)", kind, seen)
		}
	}
}

// checkExpiry checks an expires_at (Unix seconds) against the time its item was written at: a day after a
// position was recorded, 14 days after a failure (the DLQs' retention), and after the order for a key.
func checkExpiry(kind, value string, it map[string]types.AttributeValue) error {
	exp, err := strconv.ParseInt(value, 10, 64)
	if err != nil {
		return fmt.Errorf("expires_at %q is not a whole number of seconds", value)
	}
	switch kind {
	case "tracking":
		ms, err := strconv.ParseInt(attrN(it, "recorded_at_ms"), 10, 64)
		if want := time.UnixMilli(ms).Add(24 * time.Hour).Unix(); err != nil || exp != want {
			return fmt.Errorf("expires_at %d, want %d (recorded_at_ms %s plus a day)", exp, want, attrN(it, "recorded_at_ms"))
		}
	case "failure":
		failed, err := time.Parse(time.RFC3339Nano, attrS(it, "failed_at"))
		if want := failed.Add(store.FailureTTL).Unix(); err != nil || exp != want {
			return fmt.Errorf("expires_at %d, want %d (failed_at %s plus %s)", exp, want, attrS(it, "failed_at"), store.FailureTTL)
		}
	case "idempotency":
		// The suite's records are written for orders of 2026 with TTLs of an hour or a day.
		if lo, hi := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Unix(), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC).Unix(); exp < lo || exp > hi {
			return fmt.Errorf("expires_at %d is not in 2026", exp)
		}
	}
	return nil
}

// contractTable creates an empty table with the deployed table's key schema and indexes, deleted when the test
// ends, and returns its name.
func contractTable(t *testing.T) string {
	t.Helper()
	ctx := t.Context()
	desc, err := deployed.ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &deployed.out.TableName})
	if err != nil {
		t.Fatal(err)
	}
	src := desc.Table
	name := fmt.Sprintf("store-contract-%d", time.Now().UnixNano())
	in := &dynamodb.CreateTableInput{
		TableName: &name, KeySchema: src.KeySchema, AttributeDefinitions: src.AttributeDefinitions,
		BillingMode: types.BillingModePayPerRequest,
	}
	for _, g := range src.GlobalSecondaryIndexes {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
			IndexName: g.IndexName, KeySchema: g.KeySchema, Projection: g.Projection})
	}
	if len(in.GlobalSecondaryIndexes) < 2 {
		t.Fatalf("the deployed table has %d global secondary indexes, want GSI1 and GSI2", len(in.GlobalSecondaryIndexes))
	}
	if _, err := deployed.ddb.CreateTable(ctx, in); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// The test's context is over by now.
		if _, err := deployed.ddb.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: &name}); err != nil {
			t.Errorf("delete the contract table: %v", err)
		}
	})
	if err := dynamodb.NewTableExistsWaiter(deployed.ddb).Wait(ctx, &dynamodb.DescribeTableInput{TableName: &name}, time.Minute); err != nil {
		t.Fatal(err)
	}
	return name
}

func attrS(it map[string]types.AttributeValue, k string) string {
	if v, ok := it[k].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func attrN(it map[string]types.AttributeValue, k string) string {
	if v, ok := it[k].(*types.AttributeValueMemberN); ok {
		return v.Value
	}
	return ""
}
