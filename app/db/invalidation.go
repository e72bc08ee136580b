package db

import (
	"context"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"
)

// InvalidationChannel is the Postgres channel the cache triggers notify.
const InvalidationChannel = "toolbox_invalidate"

// ChangeChannel is the Postgres channel every watched table's trigger
// notifies after a committed write, with the organisation the writing
// transaction was scoped to (app.org_id), or "*" when it was scoped to
// none (migrations, scans, bulk loads): then anything may have changed.
const ChangeChannel = "toolbox_changed"

// UnwatchedTables are the tables whose writes change no page: the
// outbox (its relay's bookkeeping), sign-in throttling, form keys and
// sign-in sessions (a new session is a new cache key; a changed or
// ended one is announced by the session cache's own trigger). Every
// other table has the change trigger (migration 0032, and a test that
// fails when a new table lacks it).
var UnwatchedTables = []string{"outbox", "auth_failures", "form_submissions", "sessions", "bun_migrations", "bun_migration_locks"}

// cachedTables are the tables whose rows the request caches copy.
var cachedTables = []string{"sessions", "users", "memberships", "organisations"}

// Invalidator tells the caches (app/cache) that rows behind them changed:
// at once for writes made by this process (a bun query hook, fired after
// the transaction commits), and through LISTEN/NOTIFY for writes made by
// any other process. Caches serve only while Enabled: while the listener
// is connected on Postgres; always on SQLite (LocalInvalidator).
//
// It also tells whoever subscribed with OnChange of every committed write
// to a watched table (any but UnwatchedTables), with the organisation it
// was scoped to: the page cache (app/pagecache) drops that
// organisation's pages.
type Invalidator struct {
	Enabled atomic.Bool
	mu      sync.Mutex
	subs    []func()
	changes []*func(org uuid.UUID)
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

// OnChange registers fn to hear of committed writes: the organisation
// whose rows changed, or uuid.Nil when the write was not scoped to one
// (then every organisation's pages may have changed). The function it
// returns ends the subscription.
func (inv *Invalidator) OnChange(fn func(org uuid.UUID)) (stop func()) {
	sub := &fn
	inv.mu.Lock()
	inv.changes = append(inv.changes, sub)
	inv.mu.Unlock()
	return func() {
		inv.mu.Lock()
		inv.changes = slices.DeleteFunc(slices.Clone(inv.changes), func(f *func(uuid.UUID)) bool { return f == sub })
		inv.mu.Unlock()
	}
}

// fire clears the request caches, and every page: the rows behind them
// (people, memberships, organisations) show on pages too.
func (inv *Invalidator) fire() {
	inv.mu.Lock()
	subs := inv.subs
	inv.mu.Unlock()
	for _, clear := range subs {
		clear()
	}
	inv.changed(uuid.Nil)
}

// changed tells the OnChange subscribers that org's rows changed.
func (inv *Invalidator) changed(org uuid.UUID) {
	inv.mu.Lock()
	changes := inv.changes
	inv.mu.Unlock()
	for _, fn := range changes {
		(*fn)(org)
	}
}

// committed tells the subscribers what a committed transaction of the
// organisation (uuid.Nil: of none) wrote.
func (inv *Invalidator) committed(w *txWrites, org uuid.UUID) {
	if inv == nil {
		return
	}
	switch {
	case w.cached.Load():
		inv.fire()
	case w.data.Load():
		inv.changed(org)
	}
}

type txWritesKey struct{}

// txWrites is what one transaction's statements wrote, told to the
// subscribers once it commits.
type txWrites struct {
	// cached: a table behind the request caches.
	cached atomic.Bool
	// data: any watched table.
	data atomic.Bool
}

// withWrites returns ctx carrying a fresh record of a transaction's writes.
func withWrites(ctx context.Context) (context.Context, *txWrites) {
	w := new(txWrites)
	return context.WithValue(ctx, txWritesKey{}, w), w
}

// BeforeQuery implements bun.QueryHook.
func (inv *Invalidator) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	return ctx
}

// AfterQuery notes a write: inside one of our transactions it is told
// after the commit, otherwise at once.
func (inv *Invalidator) AfterQuery(ctx context.Context, e *bun.QueryEvent) {
	if e.Err != nil || !writes(e) {
		return
	}
	table := writtenTable(e.Query)
	if table != "" && slices.Contains(UnwatchedTables, table) {
		return
	}
	touches := false
	for _, t := range cachedTables {
		if table == t || (table == "" && strings.Contains(e.Query, t)) {
			touches = true
			break
		}
	}
	if w, ok := ctx.Value(txWritesKey{}).(*txWrites); ok {
		w.data.Store(true)
		if touches {
			w.cached.Store(true)
		}
		return
	}
	if touches {
		inv.fire()
		return
	}
	inv.changed(uuid.Nil)
}

// writes reports whether a statement may change rows. A model query
// says what it is; a raw one (bun calls every raw query a SELECT) is read:
// anything but a plain SELECT counts.
func writes(e *bun.QueryEvent) bool {
	if _, raw := e.IQuery.(*bun.RawQuery); e.IQuery != nil && !raw {
		switch e.IQuery.Operation() {
		case "INSERT", "UPDATE", "DELETE", "TRUNCATE", "MERGE":
			return true
		}
		return false
	}
	switch strings.ToUpper(queryVerb(e.Query)) {
	case "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "SET", "SHOW", "LISTEN":
		return false // a transaction's bounds and settings change no row
	}
	return !plainSelect(e.Query)
}

// queryVerb is a statement's first word.
func queryVerb(query string) string {
	q := strings.TrimLeft(query, " \t\r\n(")
	if i := strings.IndexAny(q, " \t\r\n;"); i >= 0 {
		return q[:i]
	}
	return q
}

// writtenTable is the table an INSERT, UPDATE or DELETE statement names
// first, or "" when the statement is of another shape (then every table
// is assumed).
func writtenTable(query string) string {
	q := strings.TrimLeft(query, " \t\r\n")
	for _, verb := range []string{"INSERT INTO ", "UPDATE ", "DELETE FROM ", "insert into ", "update ", "delete from "} {
		if rest, ok := strings.CutPrefix(q, verb); ok {
			rest = strings.TrimLeft(rest, " ")
			end := strings.IndexAny(rest, " (\n\t")
			if end < 0 {
				end = len(rest)
			}
			name := strings.Trim(rest[:end], `"`)
			if i := strings.LastIndexByte(name, '.'); i >= 0 {
				name = strings.Trim(name[i+1:], `"`)
			}
			return name
		}
	}
	return ""
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
	if _, err := conn.Exec(ctx, "LISTEN "+InvalidationChannel+"; LISTEN "+ChangeChannel); err != nil {
		return err
	}
	// Anything cached before the feed was up may be stale.
	inv.fire()
	inv.Enabled.Store(true)
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if n.Channel != ChangeChannel {
			inv.fire()
			continue
		}
		org, err := uuid.Parse(n.Payload)
		if err != nil {
			org = uuid.Nil // "*": not scoped to one organisation
		}
		inv.changed(org)
	}
}
