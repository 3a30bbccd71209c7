package benchfile

import (
	"bytes"
	"strings"
	"testing"
)

func TestLinesRoundTrip(t *testing.T) {
	in := []Figure{New("coldstart.order_api.ratio", 1.23456, "x"), New("calls.place_order.dynamodb", 2, "calls"),
		New("handler.notify.time", 0.012345, "ns/op")}
	var buf bytes.Buffer
	if err := Print(&buf, in...); err != nil {
		t.Fatal(err)
	}
	want := "BENCH coldstart.order_api.ratio 1.23 x\nBENCH calls.place_order.dynamodb 2 calls\nBENCH handler.notify.time 0.0123 ns/op\n"
	if buf.String() != want {
		t.Fatalf("got\n%s", buf.String())
	}
	got, err := Parse(strings.NewReader("==> step\n" + buf.String() + "done\n"))
	if err != nil || len(got) != 3 || got[0] != in[0] || got[2].Value != 0.0123 {
		t.Fatalf("parsed %+v, %v", got, err)
	}
	if _, err := Parse(strings.NewReader("BENCH a 1\n")); err == nil {
		t.Fatal("a line without a unit must be an error")
	}
	if _, err := Parse(strings.NewReader("BENCH a one x\n")); err == nil {
		t.Fatal("a line without a number must be an error")
	}
}

func TestTSVAndJSON(t *testing.T) {
	figs := []Figure{New("a.b", 1.5, "x")}
	var tsv, js bytes.Buffer
	if err := WriteTSV(&tsv, figs); err != nil || tsv.String() != "name\tvalue\tunit\na.b\t1.5\tx\n" {
		t.Fatalf("tsv %q %v", tsv.String(), err)
	}
	if err := WriteJSON(&js, Report{Date: "d", Figures: figs}); err != nil || !strings.Contains(js.String(), `"name": "a.b"`) {
		t.Fatalf("json %s %v", js.String(), err)
	}
}

func TestStatsAndNames(t *testing.T) {
	if m := Median([]float64{5, 1, 3}); m != 3 {
		t.Fatalf("median %v", m)
	}
	if m := Median([]float64{4, 1, 3, 2}); m != 2.5 {
		t.Fatalf("median %v", m)
	}
	if q := Quantile([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0.9); q != 9 {
		t.Fatalf("p90 %v", q)
	}
	for in, want := range map[string]string{"order-api": "order_api", "PlaceOrder": "place_order",
		"StreamPublisherBatch10": "stream_publisher_batch10", "Assign50Couriers": "assign50_couriers"} {
		if got := SnakeName(in); got != want {
			t.Errorf("SnakeName(%q) = %q, want %q", in, got, want)
		}
	}
}
