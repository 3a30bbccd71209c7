package tracecontext

import (
	"context"
	"strings"
	"testing"
)

func TestParseAndFormatRoundTrip(t *testing.T) {
	const tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	sc, ok := Parse(tp)
	if !ok {
		t.Fatalf("Parse(%q) failed", tp)
	}
	if sc.String() != tp || sc.TraceIDString() != "4bf92f3577b34da6a3ce929d0e0e4736" || sc.SpanIDString() != "00f067aa0ba902b7" || !sc.Sampled {
		t.Fatalf("round trip: %+v → %s", sc, sc)
	}
	unsampled, ok := Parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")
	if !ok || unsampled.Sampled {
		t.Fatalf("flags 00: ok=%v sampled=%v", ok, unsampled.Sampled)
	}
	// A later version may append fields; its first four are read.
	if _, ok := Parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra"); !ok {
		t.Fatal("a higher version with more fields must parse")
	}
}

func TestParseRefusesMalformed(t *testing.T) {
	for _, s := range []string{
		"",
		"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",     // no flags
		"00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  // upper case
		"00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // zero trace id
		"00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // zero span id
		"ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // forbidden version
		"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-", // version 00 is exactly 55 chars
		"00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
		"00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
	} {
		if sc, ok := Parse(s); ok {
			t.Errorf("Parse(%q) = %v, want refused", s, sc)
		}
	}
}

func TestNewAndChildKeepTheTrace(t *testing.T) {
	a, b := New(), New()
	if !a.Valid() || a.TraceID == b.TraceID || a.SpanID == b.SpanID {
		t.Fatalf("New: %s and %s", a, b)
	}
	c := Child(a)
	if c.TraceID != a.TraceID || c.SpanID == a.SpanID || c.Sampled != a.Sampled {
		t.Fatalf("Child(%s) = %s", a, c)
	}
	if _, ok := Parse(c.String()); !ok {
		t.Fatalf("Child formats an unparseable %q", c)
	}
}

func TestForOrderIsStablePerOrder(t *testing.T) {
	a, b := ForOrder("order-1"), ForOrder("order-1")
	if a != b || !a.Valid() {
		t.Fatalf("ForOrder not stable: %s %s", a, b)
	}
	if ForOrder("order-2").TraceID == a.TraceID {
		t.Fatal("two orders share a derived trace id")
	}
}

func TestXRayHeaderConversion(t *testing.T) {
	sc, ok := FromXRay("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
	if !ok || sc.TraceIDString() != "5759e988bd862e3fe1be46a994272793" || !sc.Sampled {
		t.Fatalf("FromXRay: %v %s", ok, sc)
	}
	h := sc.XRayHeader()
	if !strings.HasPrefix(h, "Root=1-5759e988-bd862e3fe1be46a994272793;Parent="+sc.SpanIDString()) || !strings.HasSuffix(h, ";Sampled=1") {
		t.Fatalf("XRayHeader = %q", h)
	}
	for _, bad := range []string{"", "Root=2-5759e988-bd862e3fe1be46a994272793", "Root=1-5759e988bd862e3fe1be46a994272793", "Parent=53995c3f42cd8ad8"} {
		if _, ok := FromXRay(bad); ok {
			t.Errorf("FromXRay(%q) accepted", bad)
		}
	}
}

func TestForWrite(t *testing.T) {
	stored := "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	cur := New()
	ctx := With(context.Background(), cur)

	// A new version keeps the order's trace id and names the writing span.
	got, _ := Parse(ForWrite(ctx, stored))
	if got.TraceIDString() != "4bf92f3577b34da6a3ce929d0e0e4736" || got.SpanID != cur.SpanID {
		t.Fatalf("ForWrite(ctx, stored) = %s", got)
	}
	// Without a current span the version still gets a span of its own.
	got, _ = Parse(ForWrite(context.Background(), stored))
	if got.TraceIDString() != "4bf92f3577b34da6a3ce929d0e0e4736" || got.SpanIDString() == "00f067aa0ba902b7" {
		t.Fatalf("ForWrite(no span, stored) = %s", got)
	}
	// A new order takes the current span context whole, or a new trace.
	if ForWrite(ctx, "") != cur.String() {
		t.Fatalf("ForWrite(ctx, \"\") = %s, want %s", ForWrite(ctx, ""), cur)
	}
	if _, ok := Parse(ForWrite(context.Background(), "garbage")); !ok {
		t.Fatal("ForWrite without anything must start a valid trace")
	}
}
