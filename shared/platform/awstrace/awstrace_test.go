package awstrace_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fooddelivery/serverless-food-delivery/shared/platform/awsenv"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/metrics"
)

// TestCallsAreCountedAndTracedAsSubsegments runs a DynamoDB call through a function's configuration
// (awsenv.Load) against a server that fails the first attempt: the call counts once, its retry once,
// and the X-Ray daemon (a UDP listener here) receives one subsegment of the invocation's segment.
func TestCallsAreCountedAndTracedAsSubsegments(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-amzn-RequestId", "REQ123")
		if hits.Add(1) == 1 {
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"__type":"InternalServerError","message":"try again"}`))
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		_, _ = w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	daemon, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer daemon.Close()

	t.Setenv("AWS_REGION", "eu-central-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_ENDPOINT_URL", srv.URL)
	t.Setenv("AWS_XRAY_DAEMON_ADDRESS", daemon.LocalAddr().String())
	t.Setenv("_X_AMZN_TRACE_ID", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
	var emf bytes.Buffer
	old := metrics.SetDefault(metrics.NewEmitter(&emf, time.Now))
	defer metrics.SetDefault(old)

	cfg, err := awsenv.Load()
	if err != nil {
		t.Fatal(err)
	}
	db := dynamodb.NewFromConfig(cfg)
	if _, err := db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String("t"), Item: map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "k"}}}); err != nil {
		t.Fatal(err)
	}
	metrics.Default().Flush(nil)
	var counts map[string]any
	if err := json.Unmarshal(emf.Bytes(), &counts); err != nil {
		t.Fatalf("EMF line %q: %v", emf.String(), err)
	}
	if counts[metrics.AWSCalls] != 1.0 || counts[metrics.AWSRetries] != 1.0 {
		t.Fatalf("counted %v, want 1 call and 1 retry", counts)
	}

	if err := daemon.SetReadDeadline(time.Now().Add(2 * time.Second)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64*1024)
	n, _, err := daemon.ReadFrom(buf)
	if err != nil {
		t.Fatalf("no subsegment reached the daemon: %v", err)
	}
	header, body, ok := strings.Cut(string(buf[:n]), "\n")
	if !ok || header != `{"format":"json","version":1}` {
		t.Fatalf("datagram header %q", header)
	}
	var seg struct {
		Type, ID, Name, Namespace string
		TraceID                   string  `json:"trace_id"`
		ParentID                  string  `json:"parent_id"`
		Start                     float64 `json:"start_time"`
		End                       float64 `json:"end_time"`
		AWS                       struct {
			Operation, Region string
			RequestID         string `json:"request_id"`
			Retries           int
		}
	}
	if err := json.Unmarshal([]byte(body), &seg); err != nil {
		t.Fatalf("subsegment %q: %v", body, err)
	}
	if seg.Type != "subsegment" || seg.Name != "DynamoDB" || seg.Namespace != "aws" || len(seg.ID) != 16 ||
		seg.TraceID != "1-5759e988-bd862e3fe1be46a994272793" || seg.ParentID != "53995c3f42cd8ad8" ||
		seg.AWS.Operation != "PutItem" || seg.AWS.Region != "eu-central-1" || seg.AWS.RequestID != "REQ123" ||
		seg.AWS.Retries != 1 || !(seg.End >= seg.Start && seg.Start > 0) {
		t.Fatalf("subsegment %s", body)
	}
}

func TestUnsampledInvocationsSendNothing(t *testing.T) {
	if _, ok := awstraceSubsegment("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0"); ok {
		t.Fatal("an unsampled invocation produced a subsegment")
	}
	if _, ok := awstraceSubsegment("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"); ok {
		t.Fatal("a header without Parent produced a subsegment")
	}
}
