package awsclient

import (
	"context"
	"sort"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
)

// Call names one AWS API operation, such as DynamoDB PutItem.
type Call struct {
	Service   string // the SDK's service id: "DynamoDB", "EventBridge", "S3"
	Operation string // "PutItem"
}

func (c Call) String() string { return c.Service + "." + c.Operation }

// CallCounter counts the AWS calls made by the clients of a configuration
// returned by WithCallCounter. Benchmarks and tests use it to measure how many
// calls a request or an event costs. It is safe for concurrent use.
type CallCounter struct {
	mu       sync.Mutex
	calls    map[Call]int
	attempts map[Call]int
}

// NewCallCounter returns a counter with nothing counted.
func NewCallCounter() *CallCounter {
	return &CallCounter{calls: map[Call]int{}, attempts: map[Call]int{}}
}

// Counts is what a CallCounter saw: Calls has one per operation invoked (what
// the code asked for), Attempts one per HTTP request sent (retries included,
// which is what AWS bills).
type Counts struct {
	Calls    map[Call]int
	Attempts map[Call]int
}

// Total is the number of calls, over every operation of service ("" for all).
func (c Counts) Total(service string) int {
	n := 0
	for call, k := range c.Calls {
		if service == "" || call.Service == service {
			n += k
		}
	}
	return n
}

// Retries is the number of attempts beyond the first of each call.
func (c Counts) Retries() int {
	n := 0
	for call, k := range c.Attempts {
		n += k - c.Calls[call]
	}
	return n
}

// Sorted lists the calls by service and operation.
func (c Counts) Sorted() []Call {
	out := make([]Call, 0, len(c.Calls))
	for call := range c.Calls {
		out = append(out, call)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// Take returns what was counted since the last Take and starts afresh.
func (c *CallCounter) Take() Counts {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := Counts{Calls: c.calls, Attempts: c.attempts}
	c.calls, c.attempts = map[Call]int{}, map[Call]int{}
	return out
}

func (c *CallCounter) add(ctx context.Context, attempt bool) {
	call := Call{Service: awsmiddleware.GetServiceID(ctx), Operation: awsmiddleware.GetOperationName(ctx)}
	c.mu.Lock()
	defer c.mu.Unlock()
	if attempt {
		c.attempts[call]++
	} else {
		c.calls[call]++
	}
}

// WithCallCounter returns a copy of cfg whose clients count every call they
// make in counter. cfg itself is left unchanged.
func WithCallCounter(cfg aws.Config, counter *CallCounter) aws.Config {
	opts := make([]func(*middleware.Stack) error, len(cfg.APIOptions), len(cfg.APIOptions)+1)
	copy(opts, cfg.APIOptions)
	cfg.APIOptions = append(opts, func(stack *middleware.Stack) error {
		// Initialize runs once per operation (after input validation, so a call
		// that never leaves the process is not counted); the end of Finalize,
		// after the retry middleware, once per HTTP attempt.
		if err := stack.Initialize.Add(middleware.InitializeMiddlewareFunc("CountCalls",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				counter.add(ctx, false)
				return next.HandleInitialize(ctx, in)
			}), middleware.After); err != nil {
			return err
		}
		return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("CountAttempts",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				counter.add(ctx, true)
				return next.HandleFinalize(ctx, in)
			}), middleware.After)
	})
	return cfg
}
