package orders

import (
	"context"
	"sync"
	"time"

	"github.com/fooddelivery/serverless-food-delivery/shared/domain"
)

// MenuCache keeps menus in memory for a while. A Lambda execution environment
// serves many requests one after another, so a warm function prices most
// orders without reading the table.
type MenuCache struct {
	source MenuSource
	ttl    time.Duration
	now    func() time.Time

	mu      sync.Mutex
	entries map[string]cachedMenu
}

type cachedMenu struct {
	menu    domain.Menu
	fetched time.Time
}

// NewMenuCache wraps source.
func NewMenuCache(source MenuSource, ttl time.Duration, now func() time.Time) *MenuCache {
	return &MenuCache{source: source, ttl: ttl, now: now, entries: map[string]cachedMenu{}}
}

// GetMenu returns a cached menu younger than the ttl, or reads it. Errors are
// not cached: a missing restaurant may be added any time.
func (c *MenuCache) GetMenu(ctx context.Context, restaurantID string) (domain.Menu, error) {
	now := c.now()
	c.mu.Lock()
	e, ok := c.entries[restaurantID]
	c.mu.Unlock()
	if ok && now.Sub(e.fetched) < c.ttl {
		return e.menu, nil
	}
	menu, err := c.source.GetMenu(ctx, restaurantID)
	if err != nil {
		return domain.Menu{}, err
	}
	c.mu.Lock()
	c.entries[restaurantID] = cachedMenu{menu: menu, fetched: now}
	c.mu.Unlock()
	return menu, nil
}
