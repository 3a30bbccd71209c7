package awsclient_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awsclient"
)

func TestCallCounterCountsCallsAndAttempts(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		if requests.Add(1) == 2 { // the second request (the first PutItem) is throttled once, then retried
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"slow down"}`))
			return
		}
		_, _ = w.Write([]byte(`{}`))
	}))
	defer srv.Close()

	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ENDPOINT_URL", srv.URL)
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	ctx := context.Background()
	base, err := awsclient.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	counter := awsclient.NewCallCounter()
	cfg := awsclient.WithCallCounter(base, counter)
	if len(base.APIOptions) == len(cfg.APIOptions) {
		t.Fatal("the counted config must have one more API option")
	}

	db := dynamodb.NewFromConfig(cfg)
	table := aws.String("t")
	key := map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "k"}}
	if _, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: table, Key: key}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: key}); err != nil {
			t.Fatal(err)
		}
	}
	// A call that fails validation never leaves the process and is not counted.
	if _, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: table}); err == nil {
		t.Fatal("GetItem without a key must fail validation")
	}
	got := counter.Take()
	get, put := awsclient.Call{Service: "DynamoDB", Operation: "GetItem"}, awsclient.Call{Service: "DynamoDB", Operation: "PutItem"}
	if got.Calls[get] != 1 || got.Calls[put] != 2 || got.Total("DynamoDB") != 3 || got.Total("S3") != 0 {
		t.Fatalf("calls %v", got.Calls)
	}
	if got.Attempts[put] != 3 || got.Retries() != 1 {
		t.Fatalf("attempts %v, retries %d", got.Attempts, got.Retries())
	}
	if s := got.Sorted(); len(s) != 2 || s[0] != get {
		t.Fatalf("sorted %v", s)
	}

	// Take starts afresh, and clients of the uncounted config are not counted.
	if _, err := dynamodb.NewFromConfig(base).GetItem(ctx, &dynamodb.GetItemInput{TableName: table, Key: key}); err != nil {
		t.Fatal(err)
	}
	if again := counter.Take(); again.Total("") != 0 {
		t.Fatalf("counted after Take: %v", again.Calls)
	}
}
