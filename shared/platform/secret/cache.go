// Package secret keeps a secret's value in memory for a while, so that a
// function reads it from its store (Secrets Manager: secret/awssecret) once
// per container and TTL, not once per request, and re-reads it at once when
// the party the secret is presented to says it is no longer valid.
//
// It imports no AWS package: the store is a Source, declared here where it is
// used.
package secret

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Source reads the secret's current value from where it is kept.
type Source interface {
	Fetch(ctx context.Context) (string, error)
}

// SourceFunc adapts a function to Source.
type SourceFunc func(ctx context.Context) (string, error)

// Fetch implements Source.
func (f SourceFunc) Fetch(ctx context.Context) (string, error) { return f(ctx) }

// Cache is a secret read lazily (the first Get, not at construction: a cold
// start pays nothing for it) and kept for TTL. At most one read of the source
// is in flight: concurrent callers that need a read share it.
type Cache struct {
	src Source
	ttl time.Duration
	now func() time.Time

	mu        sync.Mutex
	value     string
	fetchedAt time.Time
	have      bool
	inflight  *fetch // the read in progress, if any
}

// fetch is one read of the source, shared by every caller waiting for it.
type fetch struct {
	done  chan struct{}
	value string
	err   error
}

// NewCache returns a cache over src keeping each value for ttl.
func NewCache(src Source, ttl time.Duration, now func() time.Time) (*Cache, error) {
	if src == nil || ttl <= 0 || now == nil {
		return nil, errors.New("secret: a cache needs a source, a positive TTL and a clock")
	}
	return &Cache{src: src, ttl: ttl, now: now}, nil
}

// Get returns the secret, read from the source when the cache has none or
// the one it has is older than the TTL. When that read fails and the cache
// holds an expired value, Get returns the expired value rather than fail:
// whether it is still good is for the party it is presented to to say (and
// Refresh follows a refusal); the next Get tries the source again.
func (c *Cache) Get(ctx context.Context) (string, error) {
	c.mu.Lock()
	if c.have && c.now().Sub(c.fetchedAt) < c.ttl {
		v := c.value
		c.mu.Unlock()
		return v, nil
	}
	stale, haveStale := c.value, c.have
	f := c.startLocked(ctx)
	c.mu.Unlock()
	v, err := c.wait(ctx, f)
	if err != nil && haveStale {
		return stale, nil
	}
	return v, err
}

// Refresh reads the secret again because refused, the value the caller
// presented, was refused. If the cache already holds another value (a
// concurrent caller refreshed it since), that one is returned without a
// read, so a burst of refusals costs one read, not one each.
func (c *Cache) Refresh(ctx context.Context, refused string) (string, error) {
	c.mu.Lock()
	if c.have && c.value != refused {
		v := c.value
		c.mu.Unlock()
		return v, nil
	}
	f := c.startLocked(ctx)
	c.mu.Unlock()
	return c.wait(ctx, f)
}

// startLocked joins the read in flight or starts one. c.mu must be held.
func (c *Cache) startLocked(ctx context.Context) *fetch {
	if c.inflight != nil {
		return c.inflight
	}
	f := &fetch{done: make(chan struct{})}
	c.inflight = f
	// The read belongs to every caller waiting for it, not only to the one
	// that started it: a caller giving up must not cancel the others' read.
	// It keeps the starter's deadline, so it cannot outlive the invocation.
	readCtx, cancel := context.WithoutCancel(ctx), context.CancelFunc(func() {})
	if d, ok := ctx.Deadline(); ok {
		readCtx, cancel = context.WithDeadline(readCtx, d)
	}
	go func() {
		defer cancel()
		v, err := c.src.Fetch(readCtx)
		if err == nil && v == "" {
			err = errors.New("the secret is empty")
		}
		if err != nil {
			err = fmt.Errorf("read secret: %w", err)
		}
		c.mu.Lock()
		if err == nil {
			c.value, c.fetchedAt, c.have = v, c.now(), true
		}
		c.inflight = nil
		c.mu.Unlock()
		f.value, f.err = v, err
		close(f.done)
	}()
	return f
}

// wait waits for f, or for ctx to end.
func (c *Cache) wait(ctx context.Context, f *fetch) (string, error) {
	select {
	case <-f.done:
		return f.value, f.err
	case <-ctx.Done():
		return "", fmt.Errorf("read secret: %w", ctx.Err())
	}
}
