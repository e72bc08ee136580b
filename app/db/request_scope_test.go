package db_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/audit"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// begins counts the transactions begun on the database.
type begins struct{ n atomic.Int32 }

func (b *begins) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }
func (b *begins) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	if strings.HasPrefix(e.Query, "BEGIN") {
		b.n.Add(1)
	}
}

func backend(ctx context.Context, q bun.IDB) (int, error) {
	var pid int
	err := q.NewRaw("SELECT pg_backend_pid()").Scan(ctx, &pid)
	return pid, err
}

func auditRows(t *testing.T, env *testkit.Env, org *testkit.Org, target string) int {
	t.Helper()
	var n int
	err := env.DB.InTenant(context.Background(), org.ID, func(ctx context.Context, tx bun.Tx) error {
		c, err := tx.NewSelect().TableExpr("audit_events").Where("target = ?", target).Count(ctx)
		n = int(c)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRequestScopeSharesOneConnectionAndKeepsEachCallsWrites: a page's
// reads share one connection and one transaction; a write commits as its
// call returns (another connection sees it before the request ends); a
// failed call's write is undone and the reads after it still work; a
// transaction of its own runs on the same connection; a call for another
// organisation, a nested call and a call from another goroutine do not
// use the scope, and each sees its own organisation's rows only.
func TestRequestScopeSharesOneConnectionAndKeepsEachCallsWrites(t *testing.T) {
	env := testkit.New(t)
	a, b := env.NewOrg(), env.NewOrg()
	env.NewPerson(b, tenancy.RoleMember)
	counter := &begins{}
	env.DB.WatchQueries(counter)
	ctx, release := env.DB.WithRequestScope(context.Background(), a.ID)
	defer release()
	read := func(org *testkit.Org) (pid, members int) {
		t.Helper()
		err := db.In(ctx, env.DB, nil, org.ID, func(ctx context.Context, q bun.IDB) error {
			var err error
			if pid, err = backend(ctx, q); err != nil {
				return err
			}
			members, err = countMemberships(ctx, q)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return pid, members
	}

	// ReadTenant alone takes the connection without a transaction.
	var first int
	if err := env.DB.ReadTenant(ctx, a.ID, func(ctx context.Context, q bun.IDB) (err error) { first, err = backend(ctx, q); return err }); err != nil {
		t.Fatal(err)
	}
	before := counter.n.Load()
	for range 3 {
		if pid, members := read(a); pid != first || members != 1 {
			t.Fatalf("a read in the scope ran on backend %d (want %d) and saw %d memberships (want 1)", pid, first, members)
		}
	}
	if got := counter.n.Load() - before; got != 1 {
		t.Fatalf("three reads began %d transactions, want 1", got)
	}

	// A write commits as its call returns.
	event := func(target string) audit.Event {
		return audit.Event{OrgID: a.ID, Action: audit.ActionOrgSettings, Actor: "Scope test", Target: target, At: env.Clock.Now()}
	}
	if err := db.In(ctx, env.DB, nil, a.ID, func(ctx context.Context, q bun.IDB) error { return audit.Record(ctx, q, event("kept")) }); err != nil {
		t.Fatal(err)
	}
	if n := auditRows(t, env, a, "kept"); n != 1 {
		t.Fatalf("a write in the scope is seen %d times from another connection before the request ends, want 1", n)
	}

	// A failed call's write is undone; the scope goes on working.
	boom := errors.New("boom")
	err := db.In(ctx, env.DB, nil, a.ID, func(ctx context.Context, q bun.IDB) error {
		if err := audit.Record(ctx, q, event("undone")); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("the failed call returned %v", err)
	}
	if n := auditRows(t, env, a, "undone"); n != 0 {
		t.Fatalf("a failed call's write was kept (%d rows)", n)
	}
	if err := db.In(ctx, env.DB, nil, a.ID, func(ctx context.Context, q bun.IDB) error {
		_, err := q.NewRaw("SELECT 1/0").Exec(ctx)
		return err
	}); err == nil {
		t.Fatal("division by zero did not fail")
	}
	if pid, _ := read(a); pid != first {
		t.Fatalf("after a failed statement the scope moved to backend %d", pid)
	}

	// A transaction of its own runs on the scope's connection.
	err = env.DB.InTenant(ctx, a.ID, func(ctx context.Context, tx bun.Tx) error {
		pid, err := backend(ctx, tx)
		if err == nil && pid != first {
			t.Errorf("InTenant in the scope ran on backend %d, want %d", pid, first)
		}
		if err == nil {
			err = audit.Record(ctx, tx, event("own"))
		}
		return err
	})
	if err != nil || auditRows(t, env, a, "own") != 1 {
		t.Fatalf("InTenant in the scope: %v", err)
	}

	// Another organisation's call, a nested call and another goroutine's
	// call each use a connection of their own and see their own rows.
	if pid, members := read(b); pid == first || members != 2 {
		t.Fatalf("organisation b's read ran on backend %d (the scope's is %d) and saw %d memberships (want 2)", pid, first, members)
	}
	err = db.In(ctx, env.DB, nil, a.ID, func(ctx context.Context, q bun.IDB) error {
		pid, members := read(a)
		if pid == first || members != 1 {
			t.Errorf("a nested read ran on backend %d (the scope's is %d) and saw %d memberships", pid, first, members)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if _, members := read(a); members != 1 {
				t.Errorf("a concurrent read saw %d memberships, want 1", members)
			}
		})
	}
	wg.Wait()
}
