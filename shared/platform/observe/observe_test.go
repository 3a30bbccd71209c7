package observe

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/fooddelivery/serverless-food-delivery/shared/platform/logging"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/metrics"
)

func TestEveryLineOfAnInvocationCarriesItsRequestID(t *testing.T) {
	var logs, emf bytes.Buffer
	logging.SetupTo(&logs, "payment")
	old := metrics.SetDefault(metrics.NewEmitter(&emf, time.Now))
	defer metrics.SetDefault(old)
	metrics.Default().SetFunction("payment")

	h := Handler(func(ctx context.Context, in string) (string, error) {
		slog.Info("through the default logger")
		logging.From(logging.With(ctx, "order_id", "o-1")).Info("through the context's logger")
		metrics.Add(metrics.AWSCalls, 2)
		return in, nil
	})
	for _, id := range []string{"req-1", "req-2"} {
		ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: id})
		if _, err := h(ctx, "x"); err != nil {
			t.Fatal(err)
		}
	}
	slog.Info("between invocations")

	var got []string
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var l map[string]any
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("not JSON: %q", line)
		}
		if l["function"] != "payment" {
			t.Errorf("line without function: %q", line)
		}
		id, _ := l["request_id"].(string)
		got = append(got, id)
	}
	if strings.Join(got, ",") != "req-1,req-1,req-2,req-2," {
		t.Fatalf("request ids per line: %q", got)
	}
	// One metrics line per invocation, with that invocation's counts only.
	flushed := strings.Split(strings.TrimSpace(emf.String()), "\n")
	if len(flushed) != 2 {
		t.Fatalf("want one EMF line per invocation, got %q", emf.String())
	}
	for i, line := range flushed {
		var doc map[string]any
		if err := json.Unmarshal([]byte(line), &doc); err != nil {
			t.Fatalf("line %d is not JSON: %v", i, err)
		}
		if doc[metrics.AWSCalls] != 2.0 || doc["request_id"] != []string{"req-1", "req-2"}[i] || doc["Function"] != "payment" {
			t.Errorf("line %d: %v", i, doc)
		}
	}
}
