package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Each ratio is taken within a run (a system against the floor or the topology floor of the same run) and printed as
// the median over the runs with its min and max; the existing figures keep their names and meaning.
func TestFiguresTakeEachRatioWithinARun(t *testing.T) {
	runs := []runFigures{
		{p50: 300, p99: 600, floorP50: 200, floorP99: 300, topoP50: 250, topoP99: 400, perS: 6, floorPerS: 15, topoPerS: 10},
		{p50: 500, p99: 900, floorP50: 250, floorP99: 300, topoP50: 250, topoP99: 450, perS: 5, floorPerS: 10, topoPerS: 8},
		{p50: 330, p99: 700, floorP50: 220, floorP99: 350, topoP50: 300, topoP99: 500, perS: 7, floorPerS: 14, topoPerS: 7},
	}
	got := map[string]float64{}
	for _, f := range figures(runs, 100, 5, 25) {
		if _, dup := got[f.Name]; dup {
			t.Errorf("figure %s printed twice", f.Name)
		}
		got[f.Name] = f.Value
	}
	want := map[string]float64{
		"e2e.runs": 3, "e2e.orders": 100, "e2e.offered_rate": 5, "e2e.offered_rate.throughput": 25,
		// Medians of the systems' own figures.
		"e2e.assign_latency.p50": 330, "e2e.assign_latency.floor_p50": 220, "e2e.topology.assign_latency.p50": 250,
		"e2e.assign_latency.p99": 700, "e2e.assign_latency.floor_p99": 300, "e2e.topology.assign_latency.p99": 450,
		"e2e.sustained_orders_per_s": 6, "e2e.sustained_orders_per_s.floor": 14, "e2e.topology.sustained_orders_per_s": 8,
		// app / floor within each run: p50 1.5, 2, 1.5.
		"e2e.assign_latency.ratio_p50": 1.5, "e2e.assign_latency.ratio_p50_min": 1.5, "e2e.assign_latency.ratio_p50_max": 2,
		// topology / floor: p50 1.25, 1, 1.364; p99 1.333, 1.5, 1.429; sustained 0.667, 0.8, 0.5.
		"e2e.topology.ratio_p50": 1.25, "e2e.topology.ratio_p50_min": 1, "e2e.topology.ratio_p50_max": 1.364,
		"e2e.topology.ratio_p99": 1.429, "e2e.topology.ratio_p99_min": 1.333, "e2e.topology.ratio_p99_max": 1.5,
		"e2e.topology.sustained_ratio": 0.667, "e2e.topology.sustained_ratio_min": 0.5, "e2e.topology.sustained_ratio_max": 0.8,
		// app / topology: p50 1.2, 2, 1.1; p99 1.5, 2, 1.4; sustained 0.6, 0.625, 1.
		"e2e.ratio_vs_topology_p50": 1.2, "e2e.ratio_vs_topology_p50_min": 1.1, "e2e.ratio_vs_topology_p50_max": 2,
		"e2e.ratio_vs_topology_p99": 1.5, "e2e.ratio_vs_topology_p99_min": 1.4, "e2e.ratio_vs_topology_p99_max": 2,
		"e2e.sustained.ratio_vs_topology": 0.625, "e2e.sustained.ratio_vs_topology_min": 0.6, "e2e.sustained.ratio_vs_topology_max": 1,
	}
	for name, v := range want {
		g, ok := got[name]
		if !ok {
			t.Errorf("no figure %s", name)
			continue
		}
		if d := g - v; d > 0.005 || d < -0.005 { // printed figures are rounded
			t.Errorf("%s = %v, want %v", name, g, v)
		}
	}
}

// The floor stack's outputs name both floors; the topology floor's items carry the app's order item type (its push's
// filter selects on it) and its queues are drained before the app's orders.
func TestFloorSystemsFromTheOutputs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "floor-outputs.json")
	if err := os.WriteFile(path, []byte(`{"FoodDeliveryFloor":{"FloorTableName":"f","TopologyTableName":"t","TopologyQueueUrls":"q1,q2,q3"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	floor, topo, err := floorSystems(path)
	if err != nil {
		t.Fatal(err)
	}
	if floor.table != "f" || len(floor.item) != 0 || len(floor.queueURLs) != 0 {
		t.Errorf("floor = %+v, want table f and nothing else", floor)
	}
	if topo.table != "t" || len(topo.queueURLs) != 3 || topo.queueURLs[2] != "q3" || topo.item["type"] == nil {
		t.Errorf("topology = %+v, want table t, 3 queues and the order item type", topo)
	}
	if err := os.WriteFile(path, []byte(`{"FoodDeliveryFloor":{"FloorTableName":"f"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := floorSystems(path); err == nil {
		t.Error("outputs without the topology floor: want an error naming what is missing")
	}
}

// -timestamps writes one line per measured order, in the log lines' time format, for the per-hop join.
func TestWriteStamps(t *testing.T) {
	var r result
	placed := time.Date(2026, 12, 1, 5, 0, 0, 123456789, time.UTC)
	r.add("o1", placed, placed.Add(250*time.Millisecond))
	var buf strings.Builder
	if err := writeStamps(&buf, 2, "topology floor", "latency", r); err != nil {
		t.Fatal(err)
	}
	want := "2\ttopology floor\tlatency\to1\t2026-12-01T05:00:00.123456789Z\t2026-12-01T05:00:00.373456789Z\n"
	if buf.String() != want {
		t.Errorf("stamps = %q, want %q", buf.String(), want)
	}
	if err := writeStamps(nil, 1, "app", "latency", r); err != nil {
		t.Errorf("no -timestamps: %v, want nothing written and no error", err)
	}
	if len(r.latencies) != 1 || r.latencies[0] != 250*time.Millisecond || !r.first.Equal(placed) {
		t.Errorf("result = %+v", r)
	}
}
