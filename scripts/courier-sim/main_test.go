package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
	"github.com/fooddelivery/serverless-food-delivery/shared/tracking/cadence"
)

func TestTowardMovesAtMostTheStepAndArrives(t *testing.T) {
	a, b := domain.LatLng{Lat: 52.50, Lng: 13.40}, domain.LatLng{Lat: 52.51, Lng: 13.41}
	total := domain.DistanceMeters(a, b)
	pos, arrived := toward(a, b, 100)
	if arrived || math.Abs(domain.DistanceMeters(a, pos)-100) > 1 || domain.DistanceMeters(pos, b) >= total {
		t.Fatalf("one step: %+v arrived=%v", pos, arrived)
	}
	steps := 0
	for p := a; ; steps++ {
		var done bool
		if p, done = toward(p, b, 100); done {
			if p != b {
				t.Fatalf("arrived at %+v, not %+v", p, b)
			}
			break
		}
		if steps > 100 {
			t.Fatal("never arrived")
		}
	}
	if want := int(math.Ceil(total/100)) - 1; steps != want {
		t.Fatalf("%d steps for %.0f m, want %d", steps, total, want)
	}
}

// fakeAPI answers the rider's requests like the tracking API for one order, and records the batches it gets.
type fakeAPI struct {
	mu       sync.Mutex
	status   string
	batches  [][]fix
	statuses []string
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/couriers/me":
		fmt.Fprint(w, `{"status":"ASSIGNED","order_id":"o-1","location":{"lat":52.5000,"lng":13.4000}}`)
	case r.Method == http.MethodGet && r.URL.Path == "/orders/o-1/tracking":
		fmt.Fprintf(w, `{"status":%q,"pickup_location":{"lat":52.5100,"lng":13.4000},"delivery_location":{"lat":52.5100,"lng":13.4200}}`, f.status)
	case r.Method == http.MethodPost && r.URL.Path == "/couriers/me/location":
		var body struct{ Positions []fix }
		_ = json.NewDecoder(r.Body).Decode(&body)
		f.batches = append(f.batches, body.Positions)
		fmt.Fprint(w, `{"status":"ASSIGNED","order_id":"o-1"}`)
	case r.Method == http.MethodPost && r.URL.Path == "/orders/o-1/status":
		var body struct{ Status string }
		_ = json.NewDecoder(r.Body).Decode(&body)
		f.status = body.Status
		f.statuses = append(f.statuses, body.Status)
		fmt.Fprintf(w, `{"status":%q}`, body.Status)
	default:
		http.NotFound(w, r)
	}
}

// TestRiderRecordsAtTheCadenceAndSendsBatches rides one order at the simulator's speed through a fake API, one
// step per cadence.RecordEvery: every batch holds the fixes recorded since the last one, RecordEvery apart and
// in order, at most one batch per cadence.SendEvery except the one sent on arrival, and the status changes come
// after the fixes that reach the place.
func TestRiderRecordsAtTheCadenceAndSendsBatches(t *testing.T) {
	api := &fakeAPI{status: "COURIER_ASSIGNED"}
	srv := httptest.NewServer(api)
	defer srv.Close()
	r := &rider{name: "t", api: srv.URL, speed: 40, log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		http: srv.Client(), token: "x", signedIn: time.Now()}
	start := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for i := 0; i < 200 && len(api.statuses) < 2; i++ {
		if err := r.step(context.Background(), start.Add(time.Duration(i)*cadence.RecordEvery)); err != nil {
			t.Fatal(err)
		}
	}
	if want := []string{"PICKED_UP", "DELIVERED"}; !slices.Equal(api.statuses, want) {
		t.Fatalf("statuses %v, want %v", api.statuses, want)
	}
	perBatch := int(cadence.SendEvery / cadence.RecordEvery)
	var last time.Time
	for i, b := range api.batches {
		if len(b) == 0 || len(b) > perBatch || len(b) > cadence.MaxBatch {
			t.Fatalf("batch %d has %d fixes, want 1 to %d", i, len(b), perBatch)
		}
		for j, f := range b {
			if !last.IsZero() && f.RecordedAt.Sub(last) != cadence.RecordEvery {
				t.Fatalf("batch %d fix %d recorded %s after the one before, want %s", i, j, f.RecordedAt.Sub(last), cadence.RecordEvery)
			}
			last = f.RecordedAt
		}
	}
	// 1.1 km to the pickup, 1.35 km on at 200 m a fix: the batches are full but for the two sent on arrival.
	full := 0
	for _, b := range api.batches {
		if len(b) == perBatch {
			full++
		}
	}
	if full < len(api.batches)-2 {
		t.Fatalf("batches of %v fixes: only %d of %d full", batchSizes(api.batches), full, len(api.batches))
	}
	if end := api.batches[len(api.batches)-1]; end[len(end)-1].Lat != 52.51 || end[len(end)-1].Lng != 13.42 {
		t.Fatalf("the last fix %+v is not at the drop-off", end[len(end)-1])
	}
}

func batchSizes(bs [][]fix) []int {
	out := make([]int, len(bs))
	for i, b := range bs {
		out[i] = len(b)
	}
	return out
}
