// Package metrics writes CloudWatch metrics as Embedded Metric Format (EMF)
// lines: one JSON object per line on stdout, which Lambda sends to the
// function's log group, where CloudWatch Logs extracts the metrics (no
// PutMetricData call, no extra latency, no IAM permission). A line is also a
// log line, so `make timeline` and Logs Insights read the same records.
//
// Dimensions are few and of low cardinality: Function (a function's folder),
// EventType (an event type or an HTTP route pattern), Service. An order id is
// never a dimension; a line may carry it as a plain property (order_id,
// trace_id), which CloudWatch keeps in the log and does not turn into a metric.
//
// It is a few dozen lines over encoding/json on purpose: the functions' cold
// start is a budget (DESIGN.md section 8) and a metrics SDK is not needed to
// print a line.
package metrics

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"sort"
	"sync"
	"time"
)

// Namespace of every metric of the app.
const Namespace = "FoodDelivery"

// ServiceName is the value of the Service dimension of the business metrics.
const ServiceName = "food-delivery"

// Unit is a CloudWatch unit.
type Unit string

// The units the app uses.
const (
	Count        Unit = "Count"
	Milliseconds Unit = "Milliseconds"
	None         Unit = "None" // amounts of money in minor units
)

// Business metrics (dimension Service), emitted by the stream publisher once per order status change it
// publishes: the outbox sees every change exactly once per successful publish, whichever function wrote it.
const (
	OrdersPlaced      = "OrdersPlaced"
	OrdersPaid        = "OrdersPaid"
	OrdersDeclined    = "OrdersDeclined" // PAYMENT_FAILED: declined by the provider, or given up on
	OrdersDelivered   = "OrdersDelivered"
	OrdersRefunded    = "OrdersRefunded"
	OrdersNoCourier   = "OrdersNoCourier"
	OrdersCancelled   = "OrdersCancelled"
	RevenueMinor      = "RevenueMinor"  // the total of a paid order, in minor units (cents)
	RefundedMinor     = "RefundedMinor" // the total of a refunded order
	PlacedToDelivered = "PlacedToDelivered"
)

// Technical metrics.
const (
	// HandlerDuration (dimensions Function, EventType): time spent on one event (an SQS message, an HTTP
	// request, a stream batch, a sweep).
	HandlerDuration = "HandlerDuration"
	// Per invocation (dimension Function), written by Flush: AWS SDK operations called and HTTP attempts
	// retried, events dropped as duplicates, messages or records reported as batch item failures.
	AWSCalls          = "AWSCalls"
	AWSRetries        = "AWSRetries"
	DuplicatesIgnored = "DuplicatesIgnored"
	BatchItemFailures = "BatchItemFailures"
)

// Metric is one value.
type Metric struct {
	Name  string
	Unit  Unit
	Value float64
}

// Dim is one dimension.
type Dim struct{ Name, Value string }

// Emitter writes EMF lines. The package-level functions use a default one
// writing to stdout.
type Emitter struct {
	mu       sync.Mutex
	w        io.Writer
	now      func() time.Time
	function string
	counts   map[string]float64 // per-invocation counters, written by Flush
}

// NewEmitter returns an emitter writing to w.
func NewEmitter(w io.Writer, now func() time.Time) *Emitter {
	return &Emitter{w: w, now: now, counts: map[string]float64{}}
}

var std = NewEmitter(os.Stdout, time.Now)

// Default is the emitter the package-level functions use.
func Default() *Emitter { return std }

// SetDefault replaces the default emitter (tests) and returns the one it replaced.
func SetDefault(e *Emitter) *Emitter {
	old := std
	std = e
	return old
}

// SetFunction names the function whose metrics this process writes (the Function dimension).
func (e *Emitter) SetFunction(name string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.function = name
}

// Function is the name SetFunction set.
func (e *Emitter) Function() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.function
}

// Emit writes one EMF line with the metrics under one dimension set, and the
// properties as extra members (never dimensions).
func (e *Emitter) Emit(dims []Dim, ms []Metric, props map[string]any) {
	if len(ms) == 0 {
		return
	}
	line := e.encode(dims, ms, props)
	e.mu.Lock()
	defer e.mu.Unlock()
	_, _ = e.w.Write(line) // a lost metric line must not fail the event it describes
}

func (e *Emitter) encode(dims []Dim, ms []Metric, props map[string]any) []byte {
	type metricDef struct {
		Name string `json:"Name"`
		Unit Unit   `json:"Unit"`
	}
	type directive struct {
		Namespace  string      `json:"Namespace"`
		Dimensions [][]string  `json:"Dimensions"`
		Metrics    []metricDef `json:"Metrics"`
	}
	doc := make(map[string]any, len(props)+len(dims)+len(ms)+1)
	for k, v := range props {
		doc[k] = v
	}
	names := make([]string, len(dims))
	for i, d := range dims {
		names[i] = d.Name
		doc[d.Name] = d.Value
	}
	defs := make([]metricDef, len(ms))
	for i, m := range ms {
		defs[i] = metricDef{Name: m.Name, Unit: m.Unit}
		doc[m.Name] = m.Value
	}
	doc["_aws"] = map[string]any{
		"Timestamp":         e.now().UnixMilli(),
		"CloudWatchMetrics": []directive{{Namespace: Namespace, Dimensions: [][]string{names}, Metrics: defs}},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf) // one line, newline-terminated
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil
	}
	return buf.Bytes()
}

// Business writes business metrics under the Service dimension; the line names the function that wrote it as a
// property (function, as on log lines), not as a dimension.
func (e *Emitter) Business(ms []Metric, props map[string]any) {
	all := map[string]any{"function": e.Function()}
	for k, v := range props {
		all[k] = v
	}
	e.Emit([]Dim{{"Service", ServiceName}}, ms, all)
}

// Duration writes HandlerDuration for one event of a type.
func (e *Emitter) Duration(eventType string, d time.Duration, props map[string]any) {
	e.Emit([]Dim{{"Function", e.Function()}, {"EventType", eventType}},
		[]Metric{{HandlerDuration, Milliseconds, float64(d.Microseconds()) / 1000}}, props)
}

// Add counts n of a per-invocation counter (AWSCalls, AWSRetries,
// DuplicatesIgnored, BatchItemFailures); Flush writes them.
func (e *Emitter) Add(name string, n float64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.counts[name] += n
}

// Flush writes the counters added since the last Flush as one line under the
// Function dimension, and resets them. Nothing is written when nothing was counted.
func (e *Emitter) Flush(props map[string]any) {
	e.mu.Lock()
	counts := e.counts
	e.counts = map[string]float64{}
	function := e.function
	e.mu.Unlock()
	names := make([]string, 0, len(counts))
	for name := range counts {
		names = append(names, name)
	}
	sort.Strings(names)
	ms := make([]Metric, 0, len(names))
	for _, name := range names {
		ms = append(ms, Metric{Name: name, Unit: Count, Value: counts[name]})
	}
	e.Emit([]Dim{{"Function", function}}, ms, props)
}

// Add counts on the default emitter.
func Add(name string, n float64) { std.Add(name, n) }

// Business writes business metrics on the default emitter.
func Business(ms []Metric, props map[string]any) { std.Business(ms, props) }

// Duration writes HandlerDuration on the default emitter.
func Duration(eventType string, d time.Duration, props map[string]any) {
	std.Duration(eventType, d, props)
}
