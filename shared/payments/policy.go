package payments

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/platform/logging"
)

// Policy bounds the calls to the provider. The numbers differ per stage and
// come from the function's environment (set in infra/); DefaultPolicy is the
// aws stage's.
type Policy struct {
	// CallTimeout bounds one provider request. A request that takes longer
	// is abandoned as a timeout: its outcome is unknown until a retry under
	// the same idempotency key, or a Lookup, tells.
	CallTimeout time.Duration
	// Attempts is how many requests one operation (charge, lookup, void,
	// refund) makes within one delivery of a message, retrying transient
	// failures with jittered exponential backoff between BackoffBase and
	// BackoffMax. After that the message fails and SQS redelivers it later
	// (the queue's visibility timeout), which spreads retries over minutes
	// without holding a function busy.
	Attempts                int
	BackoffBase, BackoffMax time.Duration
	// GiveUpAfter is the delivery (SQS receive count) of OrderPlaced on which
	// a charge whose outcome is still unknown is voided at the provider and
	// the order fails: a customer is not kept waiting forever, and no order is
	// left PLACED. It must be below the queue's maxReceiveCount, so that the
	// give-up happens before the message would be dead-lettered.
	GiveUpAfter int
	// Reserve is the part of the invocation's time kept for the ledger
	// writes after the provider calls: no provider call starts unless a whole
	// CallTimeout still fits before it.
	Reserve time.Duration
}

// DefaultPolicy is the aws stage's policy.
func DefaultPolicy() Policy {
	return Policy{
		CallTimeout: 4 * time.Second, Attempts: 3,
		BackoffBase: 100 * time.Millisecond, BackoffMax: time.Second,
		GiveUpAfter: 4, Reserve: 2 * time.Second,
	}
}

// MessageBudget is the longest the provider calls for one message can take:
// every charge attempt with its backoff, then a lookup and a void, plus the
// reserve for the ledger writes. The payment function's timeout must exceed
// it times the batch size (an assertion in infra/ checks the deployed
// numbers), so a message fails on its own budget, never by the function being
// killed mid-write.
func (p Policy) MessageBudget() time.Duration {
	return time.Duration(p.Attempts)*p.CallTimeout + time.Duration(p.Attempts-1)*p.BackoffMax +
		2*p.CallTimeout + p.Reserve
}

// Validate rejects a policy that could not work.
func (p Policy) Validate() error {
	if p.CallTimeout <= 0 || p.Attempts < 1 || p.BackoffBase <= 0 || p.BackoffMax < p.BackoffBase || p.GiveUpAfter < 1 || p.Reserve < 0 {
		return errors.New("payments: policy needs a call timeout, at least one attempt, 0 < backoff base ≤ max, give-up ≥ 1")
	}
	return nil
}

// errNoTime is returned instead of starting a provider call that could not
// finish before the invocation's reserve.
var errNoTime = &ProviderError{Op: "any", Code: "no_time_left_in_invocation", Temporary: true}

// call runs op against the provider with the policy's per-call timeout,
// retrying transient failures with full-jitter exponential backoff while
// attempts and the invocation's time allow. A call cut off by its own timeout
// becomes a temporary "timeout" ProviderError; non-transient errors and
// answers return at once.
func (s *Service) call(ctx context.Context, name string, op func(ctx context.Context) error) error {
	p := s.policy
	for attempt := 1; ; attempt++ {
		if !s.fits(ctx, p.CallTimeout) {
			return errNoTime
		}
		callCtx, cancel := context.WithTimeout(ctx, p.CallTimeout)
		err := op(callCtx)
		cutOff := errors.Is(callCtx.Err(), context.DeadlineExceeded) && ctx.Err() == nil
		cancel()
		switch {
		case err == nil || Transient(err):
		case ctx.Err() != nil:
			// The invocation itself is ending: the outcome is unknown, and
			// a later delivery will find out.
			return &ProviderError{Op: name, Code: "invocation_ended", Temporary: true, Cause: err}
		case cutOff:
			err = &ProviderError{Op: name, Code: "timeout", Temporary: true}
		}
		if err == nil || !Transient(err) || attempt >= p.Attempts {
			return err
		}
		wait := s.backoff(attempt)
		if !s.fits(ctx, wait+p.CallTimeout) {
			return err
		}
		logging.From(ctx).Warn("payment provider call failed; retrying", "op", name, "attempt", attempt,
			"backoff_ms", wait.Milliseconds(), "error", err)
		if err := s.sleep(ctx, wait); err != nil {
			return &ProviderError{Op: name, Code: "invocation_ended", Temporary: true, Cause: err}
		}
	}
}

// backoff is "full jitter": a random wait up to the exponential bound, which
// spreads the retries of many clients instead of synchronising them.
func (s *Service) backoff(attempt int) time.Duration {
	bound := s.policy.BackoffBase << (attempt - 1)
	if bound <= 0 || bound > s.policy.BackoffMax {
		bound = s.policy.BackoffMax
	}
	return time.Duration(s.jitter(int64(bound) + 1))
}

// fits reports whether d still fits in the invocation before its reserve.
func (s *Service) fits(ctx context.Context, d time.Duration) bool {
	deadline, ok := ctx.Deadline()
	return !ok || time.Until(deadline)-s.policy.Reserve >= d
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func defaultJitter(n int64) int64 { return rand.Int64N(n) }
