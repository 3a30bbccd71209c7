package main

import (
	"strings"
	"testing"
)

const sample = `goos: linux
goarch: amd64
pkg: github.com/fooddelivery/serverless-food-delivery/shared/orders
cpu: AMD EPYC
BenchmarkPlaceOrder-2   	   52110	     22950 ns/op	    9120 B/op	     121 allocs/op
BenchmarkStreamPublisherBatch10/records-2 	 1000	 1234.5 ns/op	 10 B/op	 1 allocs/op
PASS
ok  	github.com/fooddelivery/serverless-food-delivery/shared/orders	2.1s
`

func TestParse(t *testing.T) {
	figs, err := parse(strings.NewReader(sample), "handler")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range figs {
		got = append(got, f.String())
	}
	want := []string{
		"BENCH handler.place_order.time 22950 ns/op",
		"BENCH handler.place_order.bytes 9120 B/op",
		"BENCH handler.place_order.allocs 121 allocs/op",
		"BENCH handler.place_order.iterations 52110 ops",
		"BENCH handler.stream_publisher_batch10_records.time 1234.5 ns/op",
	}
	for i, w := range want {
		if got[i] != w {
			t.Errorf("line %d: %q, want %q", i, got[i], w)
		}
	}
}

func TestParseFailures(t *testing.T) {
	for name, in := range map[string]string{
		"failed test":  sample + "--- FAIL: TestX\n",
		"no benchmark": "PASS\n",
		"no benchmem":  "BenchmarkX-2 10 5 ns/op\n",
	} {
		if _, err := parse(strings.NewReader(in), "handler"); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
