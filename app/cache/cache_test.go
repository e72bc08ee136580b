package cache

import (
	"sync/atomic"
	"testing"
	"time"
)

func enabled() *atomic.Bool {
	var b atomic.Bool
	b.Store(true)
	return &b
}

func TestPutGetDelete(t *testing.T) {
	c := New[string, int](time.Minute, 10, enabled())
	c.Put("a", 1, c.Generation())
	if v, ok := c.Get("a"); !ok || v != 1 {
		t.Fatalf("Get = %d, %v", v, ok)
	}
	c.Delete("a")
	if _, ok := c.Get("a"); ok {
		t.Fatal("deleted entry still served")
	}
}

func TestALookupThatRacedWithAnInvalidationIsNotKept(t *testing.T) {
	c := New[string, int](time.Minute, 10, enabled())
	gen := c.Generation() // a request starts its lookup
	c.Delete("other")     // meanwhile something changed
	c.Put("a", 1, gen)    // the lookup may be stale
	if _, ok := c.Get("a"); ok {
		t.Fatal("a lookup older than an invalidation was cached")
	}
}

func TestExpiryAndDisabled(t *testing.T) {
	on := enabled()
	c := New[string, int](time.Nanosecond, 10, on)
	c.Put("a", 1, c.Generation())
	time.Sleep(time.Millisecond)
	if _, ok := c.Get("a"); ok {
		t.Fatal("expired entry served")
	}
	c = New[string, int](time.Minute, 10, on)
	c.Put("a", 1, c.Generation())
	on.Store(false)
	if _, ok := c.Get("a"); ok {
		t.Fatal("served while the invalidation feed is down")
	}
}

func TestBounded(t *testing.T) {
	c := New[int, int](time.Minute, 3, enabled())
	for i := range 10 {
		c.Put(i, i, c.Generation())
	}
	if len(c.items) > 3 {
		t.Fatalf("%d entries, max 3", len(c.items))
	}
}
