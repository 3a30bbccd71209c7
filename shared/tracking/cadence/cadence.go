// Package cadence is the one statement of how often the shipped clients talk to the tracking API: the courier
// simulator and the web app's courier view record and send positions at this pace, the customer's order page falls
// back to polling at it while its socket is down, the cost model multiplies by it, and the docs quote it. The web
// app reads it from config.json, which scripts/webserve fills from this package.
package cadence

import "time"

const (
	// RecordEvery is how often a courier's device takes a position fix.
	RecordEvery = 5 * time.Second
	// SendEvery is how often a courier's device sends the fixes it has recorded, as one batch. It is the freshness
	// budget's largest term: the customer's map shows a position at most SendEvery + RecordEvery + the push latency
	// old (about 26 s on AWS), inside the 30 s target; a longer interval would cost less and break that target.
	SendEvery = 20 * time.Second
	// MaxBatch is the most positions one request may carry (SendEvery / RecordEvery fixes fit with room for a
	// device that was briefly offline).
	MaxBatch = 20
	// FallbackPollEvery is how often the customer's order page polls the order while its live socket is down.
	FallbackPollEvery = 10 * time.Second
)

// Web is the cadence as the web app reads it from config.json (milliseconds, the unit of JavaScript timers).
type Web struct {
	RecordEveryMS       int64 `json:"recordEveryMs"`
	SendEveryMS         int64 `json:"sendEveryMs"`
	MaxBatch            int   `json:"maxBatch"`
	FallbackPollEveryMS int64 `json:"fallbackPollEveryMs"`
}

// ForWeb returns the cadence for config.json.
func ForWeb() Web {
	return Web{
		RecordEveryMS:       RecordEvery.Milliseconds(),
		SendEveryMS:         SendEvery.Milliseconds(),
		MaxBatch:            MaxBatch,
		FallbackPollEveryMS: FallbackPollEvery.Milliseconds(),
	}
}
