package db

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"
)

// InvalidationChannel is the Postgres channel the cache triggers notify.
const InvalidationChannel = "toolbox_invalidate"

// cachedTables are the tables whose rows the request caches copy.
var cachedTables = []string{"sessions", "users", "memberships", "organisations"}

// Invalidator tells the caches (app/cache) that rows behind them changed:
// at once for writes made by this process (a bun query hook, fired after
// the transaction commits), and through LISTEN/NOTIFY for writes made by
// any other process. Caches serve only while Enabled: while the listener
// is connected on Postgres; always on SQLite (LocalInvalidator).
type Invalidator struct {
	Enabled atomic.Bool
	mu      sync.Mutex
	subs    []func()
}

// LocalInvalidator is an Invalidator for a database that only this
// process writes (SQLite in the embedded mode): its own writes, seen by
// the query hook after each commit, are all the caches need to hear
// about, so they serve from the start.
func LocalInvalidator() *Invalidator {
	inv := &Invalidator{}
	inv.Enabled.Store(true)
	return inv
}

// Subscribe registers a cache's Clear.
func (inv *Invalidator) Subscribe(clear func()) {
	inv.mu.Lock()
	inv.subs = append(inv.subs, clear)
	inv.mu.Unlock()
}

func (inv *Invalidator) fire() {
	inv.mu.Lock()
	subs := inv.subs
	inv.mu.Unlock()
	for _, clear := range subs {
		clear()
	}
}

type txWritesKey struct{}

// BeforeQuery implements bun.QueryHook.
func (inv *Invalidator) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	return ctx
}

// AfterQuery notes a write to a cached table: inside one of our
// transactions it fires after the commit, otherwise at once.
func (inv *Invalidator) AfterQuery(ctx context.Context, e *bun.QueryEvent) {
	switch e.Operation() {
	case "INSERT", "UPDATE", "DELETE":
	default:
		return
	}
	touches := false
	for _, t := range cachedTables {
		if strings.Contains(e.Query, t) {
			touches = true
			break
		}
	}
	if !touches {
		return
	}
	if wrote, ok := ctx.Value(txWritesKey{}).(*atomic.Bool); ok {
		wrote.Store(true)
		return
	}
	inv.fire()
}

// Listen keeps a connection listening for other processes' changes until
// ctx ends. While it is down, caches are bypassed and emptied.
func (inv *Invalidator) Listen(ctx context.Context, url string, onError func(error)) {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := inv.listenOnce(ctx, url)
		inv.Enabled.Store(false)
		inv.fire()
		if ctx.Err() != nil {
			return
		}
		if onError != nil {
			onError(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

func (inv *Invalidator) listenOnce(ctx context.Context, url string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+InvalidationChannel); err != nil {
		return err
	}
	// Anything cached before the feed was up may be stale.
	inv.fire()
	inv.Enabled.Store(true)
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		inv.fire()
	}
}
