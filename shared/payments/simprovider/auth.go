package simprovider

import (
	"context"
	"crypto/subtle"
	"fmt"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/payments"
	"github.com/fooddelivery/serverless-food-delivery/shared/platform/logging"
)

// The provider's API and our client of it. A real provider is reached over
// HTTPS with an API key in every request and answers 401 to a missing, wrong
// or revoked one; this one runs in the payment function's process, so the
// network is a method call, but the key is still presented (Server's methods
// take it) and checked on every request.
//
// Rotation, and why it works this way (docs/payments.md, "The provider's API
// key"): the operator puts a new value in the secret; the provider accepts
// only that value (AWSCURRENT) from then on; a client holding the old one is
// refused once, reads the secret again and retries the same request, which
// carries the same idempotency key and so cannot charge twice. Rotation is
// thus in force at once, with no redeploy and no failed order. We do not also
// accept the previous value (AWSPREVIOUS) for a grace period: the reason to
// rotate is usually a key that leaked, and a grace period would keep the
// leaked key working until the next rotation, to save what is one refused
// call and one secret read per warm container.

// AcceptedKey is where the provider looks up the one API key it accepts.
// Deployed it is the secret itself, read on every request and never cached
// (awssecret.Current): the simulation's stand-in for a provider's own key
// store, where a rotated key is in force the moment the operator's
// PutSecretValue returns. A real provider has its own store and the stack
// would not pay for these reads.
type AcceptedKey interface {
	Fetch(ctx context.Context) (string, error)
}

// Server is the provider's API: it refuses a request without the key it
// accepts, then hands it to the Provider, which processes it.
type Server struct {
	p    *Provider
	keys AcceptedKey
}

// NewServer puts p behind an API that accepts the key keys holds.
func NewServer(p *Provider, keys AcceptedKey) *Server { return &Server{p: p, keys: keys} }

// authorize answers 401 unless apiKey is the accepted key. A failure to
// read the accepted key is the provider's own: a 500, worth retrying.
func (s *Server) authorize(ctx context.Context, op, apiKey string) error {
	want, err := s.keys.Fetch(ctx)
	if err != nil {
		return internalError(op, fmt.Errorf("read the accepted API key: %w", err))
	}
	// Constant time: how much of a guessed key matched must not show in the answer's timing.
	if apiKey == "" || want == "" || subtle.ConstantTimeCompare([]byte(apiKey), []byte(want)) != 1 {
		return &payments.ProviderError{Op: op, StatusCode: payments.StatusUnauthorized, Code: payments.CodeUnauthorized}
	}
	return nil
}

// Charge is Provider.Charge for a caller presenting apiKey.
func (s *Server) Charge(ctx context.Context, apiKey string, req payments.ChargeRequest) (payments.ChargeResult, error) {
	if err := s.authorize(ctx, "charge", apiKey); err != nil {
		return payments.ChargeResult{}, err
	}
	return s.p.Charge(ctx, req)
}

// Lookup is Provider.Lookup for a caller presenting apiKey.
func (s *Server) Lookup(ctx context.Context, apiKey, key string) (payments.ChargeResult, bool, error) {
	if err := s.authorize(ctx, "lookup", apiKey); err != nil {
		return payments.ChargeResult{}, false, err
	}
	return s.p.Lookup(ctx, key)
}

// Void is Provider.Void for a caller presenting apiKey.
func (s *Server) Void(ctx context.Context, apiKey, key string) (payments.ChargeResult, error) {
	if err := s.authorize(ctx, "void", apiKey); err != nil {
		return payments.ChargeResult{}, err
	}
	return s.p.Void(ctx, key)
}

// Refund is Provider.Refund for a caller presenting apiKey.
func (s *Server) Refund(ctx context.Context, apiKey string, req payments.RefundRequest) (payments.RefundResult, error) {
	if err := s.authorize(ctx, "refund", apiKey); err != nil {
		return payments.RefundResult{}, err
	}
	return s.p.Refund(ctx, req)
}

// KeyTTL is how long the payment function keeps the key it read from the
// secret before reading it again. A rotation does not wait for it (a
// refusal re-reads at once); it bounds how long a container keeps a key the
// secret no longer holds when no request is refused, and makes the reads one
// per container every five minutes instead of one per request.
const KeyTTL = 5 * time.Minute

// APIKey is the client's copy of the key: the secret, cached
// (secret.Cache).
type APIKey interface {
	Get(ctx context.Context) (string, error)
	// Refresh reads the key again after refused was refused.
	Refresh(ctx context.Context, refused string) (string, error)
}

// Client is the payment function's side: payments.Provider over the Server,
// presenting the key on every request.
type Client struct {
	server *Server
	key    APIKey
}

// NewClient returns a client of server presenting key.
func NewClient(server *Server, key APIKey) *Client { return &Client{server: server, key: key} }

var _ payments.Provider = (*Client)(nil)

// Charge implements payments.Provider.
func (c *Client) Charge(ctx context.Context, req payments.ChargeRequest) (payments.ChargeResult, error) {
	return withKey(ctx, c, "charge", func(k string) (payments.ChargeResult, error) { return c.server.Charge(ctx, k, req) })
}

// Lookup implements payments.Provider.
func (c *Client) Lookup(ctx context.Context, key string) (payments.ChargeResult, bool, error) {
	var found bool
	res, err := withKey(ctx, c, "lookup", func(k string) (res payments.ChargeResult, err error) {
		res, found, err = c.server.Lookup(ctx, k, key)
		return res, err
	})
	return res, found, err
}

// Void implements payments.Provider.
func (c *Client) Void(ctx context.Context, key string) (payments.ChargeResult, error) {
	return withKey(ctx, c, "void", func(k string) (payments.ChargeResult, error) { return c.server.Void(ctx, k, key) })
}

// Refund implements payments.Provider.
func (c *Client) Refund(ctx context.Context, req payments.RefundRequest) (payments.RefundResult, error) {
	return withKey(ctx, c, "refund", func(k string) (payments.RefundResult, error) { return c.server.Refund(ctx, k, req) })
}

// withKey makes the request with the cached key; if the provider refuses
// the key, it reads the key again and makes the same request once more (see
// the top of this file for why). A refused request did nothing at the
// provider, and every request carries its idempotency key, so the second
// one is safe. A second refusal is returned as it is (payments.Unauthorized):
// the secret itself holds a key the provider does not accept.
func withKey[T any](ctx context.Context, c *Client, op string, call func(apiKey string) (T, error)) (T, error) {
	var zero T
	key, err := c.key.Get(ctx)
	if err != nil {
		return zero, fmt.Errorf("payment provider %s: no API key: %w", op, err)
	}
	res, err := call(key)
	if !payments.Unauthorized(err) {
		return res, err
	}
	log := logging.From(ctx)
	fresh, rerr := c.key.Refresh(ctx, key)
	if rerr != nil {
		log.Error("payment provider refused the API key, and reading it again failed", "op", op, "error", rerr)
		return zero, &payments.ProviderError{Op: op, StatusCode: payments.StatusUnauthorized, Code: payments.CodeUnauthorized, Cause: rerr}
	}
	if fresh == key {
		log.Error("payment provider refuses the API key the secret holds", "op", op)
		return res, err
	}
	log.Warn("payment provider refused the cached API key; retrying with the key read again from the secret", "op", op)
	return call(fresh)
}
