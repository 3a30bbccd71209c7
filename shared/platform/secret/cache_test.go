package secret

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// store is a secret store that counts its reads. Its value changes when a
// test rotates it; release, when set, holds every read until closed, and
// entered then receives a token as each read starts.
type store struct {
	mu      sync.Mutex
	value   string
	err     error
	reads   atomic.Int32
	release chan struct{}
	entered chan struct{}
}

// held is a store whose reads wait for release.
func held(value string) *store {
	return &store{value: value, release: make(chan struct{}), entered: make(chan struct{}, 100)}
}

func (s *store) Fetch(ctx context.Context) (string, error) {
	s.reads.Add(1)
	s.mu.Lock()
	release := s.release
	s.mu.Unlock()
	if release != nil {
		s.entered <- struct{}{}
		select {
		case <-release:
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.value, s.err
}

func (s *store) set(value string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.value, s.err = value, err
}

// clock is a settable time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newTestCache(t *testing.T, s *store) (*Cache, *clock) {
	t.Helper()
	clk := &clock{t: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	c, err := NewCache(s, time.Minute, clk.now)
	if err != nil {
		t.Fatal(err)
	}
	return c, clk
}

func mustGet(t *testing.T, c *Cache, want string) {
	t.Helper()
	got, err := c.Get(context.Background())
	if err != nil || got != want {
		t.Fatalf("Get = %q, %v; want %q", got, err, want)
	}
}

func TestCacheReadsLazilyAndOncePerTTL(t *testing.T) {
	s := &store{value: "key-1"}
	c, clk := newTestCache(t, s)
	if n := s.reads.Load(); n != 0 {
		t.Fatalf("NewCache read the secret %d times: the read must wait for the first Get", n)
	}
	mustGet(t, c, "key-1")
	s.set("key-2", nil) // rotated in the store
	clk.advance(59 * time.Second)
	mustGet(t, c, "key-1") // within the TTL: the cached value, no read
	if n := s.reads.Load(); n != 1 {
		t.Fatalf("%d reads within the TTL, want 1", n)
	}
	clk.advance(time.Second) // the TTL is over
	mustGet(t, c, "key-2")
	if n := s.reads.Load(); n != 2 {
		t.Fatalf("%d reads after the TTL, want 2", n)
	}
}

func TestRefreshReadsAgainAtOnceAfterARefusal(t *testing.T) {
	s := &store{value: "key-1"}
	c, _ := newTestCache(t, s)
	mustGet(t, c, "key-1")
	s.set("key-2", nil)
	got, err := c.Refresh(context.Background(), "key-1")
	if err != nil || got != "key-2" {
		t.Fatalf("Refresh = %q, %v; want the rotated key-2 long before the TTL", got, err)
	}
	mustGet(t, c, "key-2") // and the cache keeps it
	// A caller still holding key-1 refreshes after someone else did: it gets key-2 without another read.
	if got, _ := c.Refresh(context.Background(), "key-1"); got != "key-2" || s.reads.Load() != 2 {
		t.Fatalf("late Refresh = %q after %d reads; want key-2 after 2", got, s.reads.Load())
	}
	// A refusal of the current value itself reads again (the store may have moved on once more).
	s.set("key-3", nil)
	if got, _ := c.Refresh(context.Background(), "key-2"); got != "key-3" || s.reads.Load() != 3 {
		t.Fatalf("Refresh of the current value = %q after %d reads; want key-3 after 3", got, s.reads.Load())
	}
}

func TestConcurrentCallersShareOneRead(t *testing.T) {
	s := held("key-1")
	c, clk := newTestCache(t, s)
	const callers = 50
	var wg sync.WaitGroup
	got := make([]string, callers)
	errs := make([]error, callers)
	start := func(f func(i int)) {
		for i := range callers {
			wg.Add(1)
			go func() { defer wg.Done(); f(i) }()
		}
	}
	start(func(i int) { got[i], errs[i] = c.Get(context.Background()) })
	<-s.entered
	time.Sleep(20 * time.Millisecond) // let every caller reach the read in flight
	close(s.release)
	wg.Wait()
	for i := range callers {
		if errs[i] != nil || got[i] != "key-1" {
			t.Fatalf("caller %d: %q, %v", i, got[i], errs[i])
		}
	}
	if n := s.reads.Load(); n != 1 {
		t.Fatalf("%d concurrent callers made %d reads, want 1", callers, n)
	}

	// A burst of refusals of key-1, mixed with Gets after the TTL, still reads once more, not once each.
	s.set("key-2", nil)
	clk.advance(2 * time.Minute)
	start(func(i int) {
		if i%2 == 0 {
			got[i], errs[i] = c.Refresh(context.Background(), "key-1")
		} else {
			got[i], errs[i] = c.Get(context.Background())
		}
	})
	wg.Wait()
	for i := range callers {
		if errs[i] != nil || got[i] != "key-2" {
			t.Fatalf("caller %d after the rotation: %q, %v", i, got[i], errs[i])
		}
	}
	if n := s.reads.Load(); n != 2 {
		t.Fatalf("%d reads after the burst, want 2", n)
	}
}

func TestAFailedReadKeepsTheExpiredValueAndTriesAgain(t *testing.T) {
	s := &store{value: "key-1"}
	c, clk := newTestCache(t, s)
	mustGet(t, c, "key-1")
	s.set("", errors.New("secrets manager unavailable"))
	clk.advance(2 * time.Minute)
	mustGet(t, c, "key-1") // expired, but better than nothing: the provider decides
	mustGet(t, c, "key-1")
	if n := s.reads.Load(); n != 3 {
		t.Fatalf("%d reads: each Get after a failed read must try the store again", n)
	}
	// A Refresh follows a refusal: the old value is known bad, so its failure is the caller's error.
	if _, err := c.Refresh(context.Background(), "key-1"); err == nil {
		t.Fatal("Refresh returned no error while the store is failing")
	}
	s.set("key-2", nil)
	mustGet(t, c, "key-2")
}

func TestNoValueAndAFailingStoreIsAnError(t *testing.T) {
	for name, s := range map[string]*store{
		"read fails":   {err: errors.New("AccessDeniedException")},
		"secret empty": {value: ""},
	} {
		t.Run(name, func(t *testing.T) {
			c, _ := newTestCache(t, s)
			if v, err := c.Get(context.Background()); err == nil {
				t.Fatalf("Get = %q with no error", v)
			}
		})
	}
}

func TestAWaiterGivingUpDoesNotCancelTheSharedRead(t *testing.T) {
	s := held("key-1")
	c, _ := newTestCache(t, s)
	impatient, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := c.Get(impatient); done <- err }()
	<-s.entered
	patient := make(chan string, 1)
	go func() { v, _ := c.Get(context.Background()); patient <- v }()
	time.Sleep(10 * time.Millisecond)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("the impatient caller got %v, want its own cancellation", err)
	}
	close(s.release)
	if v := <-patient; v != "key-1" {
		t.Fatalf("the patient caller got %q: the shared read was cancelled with the caller that started it", v)
	}
	if n := s.reads.Load(); n != 1 {
		t.Fatalf("%d reads, want 1", n)
	}
}

func TestNewCacheRefusesNonsense(t *testing.T) {
	src := SourceFunc(func(context.Context) (string, error) { return "k", nil })
	for i, c := range []struct {
		src Source
		ttl time.Duration
		now func() time.Time
	}{{nil, time.Minute, time.Now}, {src, 0, time.Now}, {src, time.Minute, nil}} {
		if _, err := NewCache(c.src, c.ttl, c.now); err == nil {
			t.Errorf("case %d: no error", i)
		}
	}
}
