// Package cache keeps short-lived copies of the lookups every signed-in
// request makes (its session and person, their memberships), and drops
// them as soon as the database says the rows behind them changed.
//
// Correctness rests on invalidation, not on the time to live: on
// PostgreSQL, triggers send a notification after every committed change
// to the rows behind an entry, and the listener (app/db Listener) evicts
// it in every process. A lookup that raced with a change is not kept: Put
// takes the generation read before the lookup and refuses when any
// invalidation happened since. While the listener is disconnected, caches
// are bypassed.
package cache

import (
	"sync"
	"sync/atomic"
	"time"
)

// Cache maps keys to values for at most TTL.
type Cache[K comparable, V any] struct {
	ttl     time.Duration
	max     int
	mu      sync.Mutex
	items   map[K]entry[V]
	gen     atomic.Uint64
	enabled *atomic.Bool
}

type entry[V any] struct {
	v       V
	expires time.Time
}

// New returns a cache holding at most max entries for ttl each. It serves
// nothing while enabled is false (the invalidation feed is down).
func New[K comparable, V any](ttl time.Duration, max int, enabled *atomic.Bool) *Cache[K, V] {
	return &Cache[K, V]{ttl: ttl, max: max, items: make(map[K]entry[V]), enabled: enabled}
}

// Generation is read before a lookup and handed to Put.
func (c *Cache[K, V]) Generation() uint64 {
	if c == nil {
		return 0
	}
	return c.gen.Load()
}

// A nil *Cache is valid and caches nothing (SQLite, or no feed).

// Get returns a live entry.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	var zero V
	if c == nil || !c.enabled.Load() {
		return zero, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[k]
	if !ok {
		return zero, false
	}
	if time.Now().After(e.expires) {
		delete(c.items, k)
		return zero, false
	}
	return e.v, true
}

// Put keeps v unless an invalidation happened since generation gen.
func (c *Cache[K, V]) Put(k K, v V, gen uint64) {
	if c == nil || !c.enabled.Load() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen.Load() != gen {
		return
	}
	if len(c.items) >= c.max {
		// Full: start over rather than track recency; entries are cheap
		// to load again and live seconds anyway.
		clear(c.items)
	}
	c.items[k] = entry[V]{v: v, expires: time.Now().Add(c.ttl)}
}

// Delete evicts one key.
func (c *Cache[K, V]) Delete(k K) {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.gen.Add(1)
	delete(c.items, k)
	c.mu.Unlock()
}

// Clear evicts everything.
func (c *Cache[K, V]) Clear() {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.gen.Add(1)
	clear(c.items)
	c.mu.Unlock()
}
