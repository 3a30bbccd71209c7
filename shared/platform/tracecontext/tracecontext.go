// Package tracecontext carries one W3C trace context (a traceparent) per
// order: order-api starts it, the order item stores it, the stream publisher
// copies it into every event envelope, and each consumer continues it. So every
// function that touches an order logs the same trace_id, and the writes an
// order went through form one trace (each version names, as its parent span,
// the invocation that wrote it).
//
// It deliberately is a few functions over strings rather than a tracing SDK:
// nothing here runs at init, and the functions' cold start is a budget
// (DESIGN.md section 8).
package tracecontext

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"strings"
)

// Header is the HTTP header (and envelope field) of W3C Trace Context.
const Header = "traceparent"

// SpanContext is a parsed traceparent: version 00, a 16-byte trace id, an
// 8-byte parent (span) id and the sampled flag.
type SpanContext struct {
	TraceID [16]byte
	SpanID  [8]byte
	Sampled bool
}

// Valid reports whether both ids are non-zero, as W3C requires.
func (sc SpanContext) Valid() bool {
	return sc.TraceID != [16]byte{} && sc.SpanID != [8]byte{}
}

// TraceIDString is the trace id as 32 lowercase hex digits (the logs' trace_id).
func (sc SpanContext) TraceIDString() string { return hex.EncodeToString(sc.TraceID[:]) }

// SpanIDString is the span id as 16 lowercase hex digits.
func (sc SpanContext) SpanIDString() string { return hex.EncodeToString(sc.SpanID[:]) }

// String formats the traceparent: 00-<trace id>-<span id>-<flags>.
func (sc SpanContext) String() string {
	flags := "00"
	if sc.Sampled {
		flags = "01"
	}
	return "00-" + sc.TraceIDString() + "-" + sc.SpanIDString() + "-" + flags
}

// Parse reads a traceparent. It accepts version 00 exactly and, as the spec
// asks of parsers, a higher version's first four fields; anything else (wrong
// lengths, upper-case hex, all-zero ids, version ff) is not a trace context.
func Parse(s string) (SpanContext, bool) {
	var sc SpanContext
	if len(s) < 55 || (len(s) > 55 && (s[:2] == "00" || s[55] != '-')) {
		return sc, false
	}
	if s[2] != '-' || s[35] != '-' || s[52] != '-' || !lowerHex(s[:2]) || s[:2] == "ff" {
		return sc, false
	}
	if !lowerHex(s[3:35]) || !lowerHex(s[36:52]) || !lowerHex(s[53:55]) {
		return sc, false
	}
	_, _ = hex.Decode(sc.TraceID[:], []byte(s[3:35])) // lowerHex checked every digit above
	_, _ = hex.Decode(sc.SpanID[:], []byte(s[36:52]))
	var flags [1]byte
	_, _ = hex.Decode(flags[:], []byte(s[53:55]))
	sc.Sampled = flags[0]&1 == 1
	return sc, sc.Valid()
}

func lowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// newSpanID is a random non-zero span id. math/rand/v2's generator is seeded
// from the OS per process and costs nothing at init; ids need to be unique,
// not secret.
func newSpanID() [8]byte {
	var id [8]byte
	for id == [8]byte{} {
		v := rand.Uint64()
		for i := range id {
			id[i] = byte(v >> (8 * i))
		}
	}
	return id
}

// New starts a trace: a random trace id and span id, sampled.
func New() SpanContext {
	var sc SpanContext
	for sc.TraceID == [16]byte{} {
		a, b := rand.Uint64(), rand.Uint64()
		for i := 0; i < 8; i++ {
			sc.TraceID[i], sc.TraceID[8+i] = byte(a>>(8*i)), byte(b>>(8*i))
		}
	}
	sc.SpanID, sc.Sampled = newSpanID(), true
	return sc
}

// Child is a new span in the same trace as parent.
func Child(parent SpanContext) SpanContext {
	return SpanContext{TraceID: parent.TraceID, SpanID: newSpanID(), Sampled: parent.Sampled}
}

// ForOrder is the trace context an order written without one gets: its trace id
// is derived from the order id, so every function that meets such an order
// (one stored before trace contexts existed) names the same trace.
func ForOrder(orderID string) SpanContext {
	sum := sha256.Sum256([]byte("trace#" + orderID))
	var sc SpanContext
	copy(sc.TraceID[:], sum[:16])
	copy(sc.SpanID[:], sum[16:24])
	sc.Sampled = true
	if !sc.Valid() { // astronomically unlikely; keeps the invariant anyway
		return New()
	}
	return sc
}

// FromXRay takes the trace id of an X-Ray trace header ("Root=1-5759e988-
// bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1", what Lambda
// puts in _X_AMZN_TRACE_ID with active tracing): the root's 8 + 24 hex digits
// are the W3C trace id, the mapping AWS's own OpenTelemetry propagator uses.
// The span id is new; sampled follows the header.
func FromXRay(header string) (SpanContext, bool) {
	var sc SpanContext
	var root string
	for _, part := range strings.Split(header, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Root":
			root = v
		case "Sampled":
			sc.Sampled = v == "1"
		}
	}
	if len(root) != 35 || root[:2] != "1-" || root[10] != '-' {
		return SpanContext{}, false
	}
	digits := root[2:10] + root[11:]
	if !lowerHex(digits) {
		return SpanContext{}, false
	}
	_, _ = hex.Decode(sc.TraceID[:], []byte(digits)) // lowerHex checked every digit above
	sc.SpanID = newSpanID()
	return sc, sc.Valid()
}

// XRayHeader formats sc as an X-Ray trace header, for the AWS services that
// carry X-Ray's header rather than W3C's (EventBridge PutEvents' TraceHeader,
// SQS's AWSTraceHeader).
func (sc SpanContext) XRayHeader() string {
	t := sc.TraceIDString()
	sampled := "0"
	if sc.Sampled {
		sampled = "1"
	}
	return "Root=1-" + t[:8] + "-" + t[8:] + ";Parent=" + sc.SpanIDString() + ";Sampled=" + sampled
}

type ctxKey struct{}

// With returns a context carrying sc as the current span.
func With(ctx context.Context, sc SpanContext) context.Context {
	return context.WithValue(ctx, ctxKey{}, sc)
}

// From returns the context's current span, if any.
func From(ctx context.Context) (SpanContext, bool) {
	sc, ok := ctx.Value(ctxKey{}).(SpanContext)
	return sc, ok && sc.Valid()
}

// ForWrite is the traceparent to store with a new version of an order whose
// stored traceparent is stored ("" for a new order): the order keeps its trace
// id for life, and the version names the current span of ctx (the invocation
// writing it) as its parent, or a new span when ctx has none. A new order
// takes ctx's whole span context, or a new trace.
func ForWrite(ctx context.Context, stored string) string {
	cur, hasCur := From(ctx)
	if prev, ok := Parse(stored); ok {
		if hasCur {
			prev.SpanID = cur.SpanID
		} else {
			prev.SpanID = newSpanID()
		}
		return prev.String()
	}
	if hasCur {
		return cur.String()
	}
	return New().String()
}

// OrderTraceID is the trace id of an order whose stored traceparent is tp: its
// own, or the one derived from its id (ForOrder) when it has none.
func OrderTraceID(tp, orderID string) string {
	if sc, ok := Parse(tp); ok {
		return sc.TraceIDString()
	}
	return ForOrder(orderID).TraceIDString()
}
