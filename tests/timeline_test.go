//go:build e2e

package tests

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/timeline"
)

// TestTimelineOfADeliveredOrder delivers an order and runs `make timeline ORDER=<id>` as a reader would (JSON
// entries through TIMELINE_ARGS=-json): the entries are in time order and hold every kind, in the order the saga
// makes them: the first version before the OrderPlaced event, the charge, the payment's notification, the courier's
// assignment, the last version DELIVERED, and log lines of every function that touched the order.
func TestTimelineOfADeliveredOrder(t *testing.T) {
	_, order := deliveredOrder(t, "00-6bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	id := order.Body["id"].(string)

	var entries []timeline.Entry
	eventually(t, 30*time.Second, "a timeline with the delivery's notification and every function's lines", func() (bool, string) {
		cmd := exec.CommandContext(t.Context(), "make", "--no-print-directory", "timeline", "ORDER="+id)
		cmd.Dir = ".."
		cmd.Env = append(cmd.Environ(), "TIMELINE_ARGS=-json")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("make timeline: %v\n%s", err, stderr.String())
		}
		entries = entries[:0]
		sc := bufio.NewScanner(bytes.NewReader(out))
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var e timeline.Entry
			if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
				t.Fatalf("not a JSON entry: %q", sc.Text())
			}
			entries = append(entries, e)
		}
		seen := map[string]bool{}
		for _, e := range entries {
			seen[e.Kind+" "+e.Source] = true
		}
		for _, f := range []string{"order-api", "stream-publisher", "payment", "delivery-assignment", "notification", "tracking"} {
			if !seen["log "+f] {
				return false, "no log line of " + f
			}
		}
		return containsPrefix(entries, timeline.KindNotification, "inbox OrderDelivered"), "no delivery notification yet"
	})

	for i := 1; i < len(entries); i++ {
		if entries[i].At.Before(entries[i-1].At) {
			t.Fatalf("entry %d %q at %s comes after one at %s", i, entries[i].Text, entries[i].At, entries[i-1].At)
		}
	}
	// The saga's milestones, each found after the one before it.
	milestones := []struct{ kind, prefix string }{
		{timeline.KindVersion, "v1 PLACED"},
		{timeline.KindEvent, "published OrderPlaced"},
		{timeline.KindVersion, "v2 PAID"}, // one transaction with the charge's settlement, at the same instant
		{timeline.KindLedger, "charge CAPTURED"},
		{timeline.KindEvent, "published PaymentConfirmed"},
		{timeline.KindAssignment, "courier "},
		{timeline.KindNotification, "inbox CourierAssigned"},
		{timeline.KindVersion, "v5 DELIVERED"},
		{timeline.KindEvent, "published OrderDelivered"},
		{timeline.KindNotification, "inbox OrderDelivered"},
	}
	next := 0
	for _, e := range entries {
		if next < len(milestones) && e.Kind == milestones[next].kind && strings.HasPrefix(e.Text, milestones[next].prefix) {
			next++
		}
	}
	if next < len(milestones) {
		var dump strings.Builder
		for _, e := range entries {
			dump.WriteString(e.At.Format(time.StampMilli) + " " + e.Kind + " " + e.Source + " " + e.Text + "\n")
		}
		t.Fatalf("milestone %d (%s %q) missing or out of order in:\n%s", next, milestones[next].kind, milestones[next].prefix, dump.String())
	}
}

func containsPrefix(entries []timeline.Entry, kind, prefix string) bool {
	for _, e := range entries {
		if e.Kind == kind && strings.HasPrefix(e.Text, prefix) {
			return true
		}
	}
	return false
}
