// Package awstrace instruments the AWS SDK clients of a function: every
// operation is counted for the AWSCalls and AWSRetries metrics
// (shared/platform/metrics) and, when the invocation is traced by X-Ray
// (Lambda's active tracing on the aws stage), sent to the X-Ray daemon as a
// subsegment of the function's segment, so AWS calls appear as spans of the
// invocation that made them.
//
// Why not the X-Ray SDK for Go or OpenTelemetry: both were measured in `make
// bench` (docs/observability.md): they add packages whose init runs at every
// cold start, while what is needed here is one UDP datagram of JSON per call,
// which Lambda's X-Ray daemon accepts (the daemon's documented segment
// protocol). Nothing here runs at init; the socket is opened on the first
// traced call.
package awstrace

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/fooddelivery/serverless-food-delivery/shared/platform/metrics"
)

// Instrument adds the middleware to every client built from cfg.
func Instrument(cfg *aws.Config) {
	cfg.APIOptions = append(cfg.APIOptions, addMiddleware)
}

func addMiddleware(stack *middleware.Stack) error {
	// Initialize runs once per operation (retries included inside it): the span, and the call count.
	if err := stack.Initialize.Add(middleware.InitializeMiddlewareFunc("ObserveAWSCall", observeCall), middleware.After); err != nil {
		return err
	}
	// The end of Finalize runs once per HTTP attempt: the attempts beyond the first are retries.
	return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("ObserveAWSAttempt",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			if a, ok := ctx.Value(attemptsKey{}).(*int); ok {
				*a++
			}
			return next.HandleFinalize(ctx, in)
		}), middleware.After)
}

type attemptsKey struct{}

func observeCall(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
	attempts := 0
	start := time.Now()
	out, md, err := next.HandleInitialize(context.WithValue(ctx, attemptsKey{}, &attempts), in)
	end := time.Now()
	metrics.Add(metrics.AWSCalls, 1)
	if attempts > 1 {
		metrics.Add(metrics.AWSRetries, float64(attempts-1))
	}
	if header := os.Getenv("_X_AMZN_TRACE_ID"); header != "" {
		if addr := daemonUDP(os.Getenv("AWS_XRAY_DAEMON_ADDRESS")); addr != "" {
			if doc, ok := Subsegment(header, awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx),
				awsmiddleware.GetRegion(ctx), requestID(md), statusCode(md), attempts-1, start, end, err); ok {
				send(ctx, addr, doc)
			}
		}
	}
	return out, md, err
}

func requestID(md middleware.Metadata) string {
	id, _ := awsmiddleware.GetRequestIDMetadata(md)
	return id
}

func statusCode(md middleware.Metadata) int {
	if r, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response); ok && r != nil {
		return r.StatusCode
	}
	return 0
}

// daemonUDP is the daemon's UDP address from AWS_XRAY_DAEMON_ADDRESS, which is
// "host:port" or "tcp:host:port udp:host:port".
func daemonUDP(v string) string {
	for _, f := range strings.Fields(v) {
		if rest, ok := strings.CutPrefix(f, "udp:"); ok {
			return rest
		}
		if !strings.HasPrefix(f, "tcp:") {
			return f
		}
	}
	return ""
}

// Subsegment is the X-Ray document of one AWS call made under the trace
// header of the invocation (Lambda's _X_AMZN_TRACE_ID: Root, Parent, Sampled).
// ok is false when the invocation is not sampled or the header is unusable.
func Subsegment(header, service, operation, region, reqID string, status, retries int, start, end time.Time, callErr error) ([]byte, bool) {
	var root, parent string
	sampled := false
	for _, part := range strings.Split(header, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Root":
			root = v
		case "Parent":
			parent = v
		case "Sampled":
			sampled = v == "1"
		}
	}
	if !sampled || root == "" || parent == "" {
		return nil, false
	}
	var id [8]byte
	v := rand.Uint64() | 1
	for i := range id {
		id[i] = byte(v >> (8 * i))
	}
	doc := map[string]any{
		"type": "subsegment", "id": hex.EncodeToString(id[:]), "trace_id": root, "parent_id": parent,
		"name": service, "namespace": "aws",
		"start_time": float64(start.UnixMicro()) / 1e6, "end_time": float64(end.UnixMicro()) / 1e6,
	}
	awsAttrs := map[string]any{"operation": operation, "region": region}
	if reqID != "" {
		awsAttrs["request_id"] = reqID
	}
	if retries > 0 {
		awsAttrs["retries"] = retries
	}
	doc["aws"] = awsAttrs
	if status > 0 {
		doc["http"] = map[string]any{"response": map[string]any{"status": status}}
	}
	if callErr != nil {
		// X-Ray's convention: 4xx is an error (the caller's), anything else a fault.
		if status >= 400 && status < 500 {
			doc["error"] = true
		} else {
			doc["fault"] = true
		}
	}
	body, err := json.Marshal(doc)
	if err != nil {
		return nil, false
	}
	return append([]byte(`{"format":"json","version":1}`+"\n"), body...), true
}

var (
	connMu sync.Mutex
	conn   net.Conn
)

// send writes one datagram to the daemon; tracing is best effort and never
// fails a call.
func send(ctx context.Context, addr string, datagram []byte) {
	connMu.Lock()
	defer connMu.Unlock()
	if conn == nil {
		// The call's context bounds resolving the daemon's address; the UDP socket, once open, is reused.
		var d net.Dialer
		c, err := d.DialContext(ctx, "udp", addr)
		if err != nil {
			return
		}
		conn = c
	}
	_, _ = conn.Write(datagram) // best effort: a lost subsegment must not fail the call
}
