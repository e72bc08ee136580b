package db_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// TestEveryTableAnnouncesItsChanges holds migration 0032 and later ones
// to db.UnwatchedTables: every table but those has the change trigger
// that the page cache hears other processes' writes by, and those have
// none. A new table fails here until its migration adds the trigger.
func TestEveryTableAnnouncesItsChanges(t *testing.T) {
	env := testkit.New(t, testkit.OnEngine(db.Postgres))
	var rows []struct {
		Table   string `bun:"table"`
		Trigger bool   `bun:"trigger"`
	}
	err := env.OwnerDB.NewRaw(`SELECT c.relname AS "table", EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = c.oid
  AND g.tgname = c.relname || '_changed' AND NOT g.tgisinternal) AS "trigger"
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY 1`).Scan(context.Background(), &rows)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 50 {
		t.Fatalf("only %d tables found", len(rows))
	}
	for _, r := range rows {
		unwatched := slices.Contains(db.UnwatchedTables, r.Table)
		if r.Trigger == unwatched {
			t.Errorf("table %s: change trigger %v, listed in db.UnwatchedTables %v (a table has the trigger unless listed)", r.Table, r.Trigger, unwatched)
		}
	}
}

// heard collects the organisations the invalidator tells of.
type heard struct {
	mu   sync.Mutex
	orgs []uuid.UUID
}

func (h *heard) add(org uuid.UUID) { h.mu.Lock(); h.orgs = append(h.orgs, org); h.mu.Unlock() }

func (h *heard) take() []uuid.UUID {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := h.orgs
	h.orgs = nil
	return out
}

// TestCommittedWritesAreToldWithTheirOrganisation: a tenant transaction's
// write is told once, after its commit, with its organisation; a write
// scoped to none is told as uuid.Nil; reads, rolled-back writes and
// writes to unwatched tables are not told; a raw UPDATE is a write.
func TestCommittedWritesAreToldWithTheirOrganisation(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		ctx := context.Background()
		h := &heard{}
		stop := env.DB.Invalidator.OnChange(h.add)
		defer stop()
		told := func(what string, fn func() error) []uuid.UUID {
			t.Helper()
			// Notifications of earlier writes (other processes' path) come
			// in later: wait for them to stop before the call.
			for h.take(); ; {
				time.Sleep(150 * time.Millisecond)
				if len(h.take()) == 0 {
					break
				}
			}
			if err := fn(); err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			// What this process tells is told before the call returns.
			return h.take()
		}
		has := func(got []uuid.UUID, want uuid.UUID) bool { return slices.Contains(got, want) }

		got := told("a read", func() error {
			return env.DB.InTenant(ctx, org.ID, func(ctx context.Context, tx bun.Tx) error {
				var n int
				return tx.NewRaw("SELECT count(*) FROM audit_events WHERE org_id = ?", org.ID).Scan(ctx, &n)
			})
		})
		if has(got, org.ID) {
			t.Errorf("a read was told as a change: %v", got)
		}
		got = told("a raw update", func() error {
			return env.DB.InTenant(ctx, org.ID, func(ctx context.Context, tx bun.Tx) error {
				_, err := tx.NewRaw("UPDATE organisations SET name = name WHERE id = ?", org.ID).Exec(ctx)
				return err
			})
		})
		if !has(got, uuid.Nil) {
			t.Errorf("a raw UPDATE of organisations (a table behind the request caches) was not told to every page: %v", got)
		}
		got = told("an insert", func() error {
			return env.DB.InTenant(ctx, org.ID, func(ctx context.Context, tx bun.Tx) error {
				_, err := tx.NewRaw("INSERT INTO audit_events (id, org_id, actor, action, target, detail, ip, at) VALUES (?, ?, 'T', 'org.settings_changed', '', '', '', ?)",
					uuid.New(), org.ID, time.Now()).Exec(ctx)
				return err
			})
		})
		if !has(got, org.ID) {
			t.Errorf("a tenant write was not told with its organisation: %v", got)
		}
		got = told("a rolled-back write", func() error {
			err := env.DB.InTenant(ctx, org.ID, func(ctx context.Context, tx bun.Tx) error {
				if _, err := tx.NewRaw("DELETE FROM audit_events WHERE org_id = ?", org.ID).Exec(ctx); err != nil {
					return err
				}
				return context.Canceled
			})
			if err == nil {
				t.Error("the transaction did not fail")
			}
			return nil
		})
		if has(got, org.ID) {
			t.Errorf("a rolled-back write was told: %v", got)
		}
		got = told("an unwatched table", func() error {
			return env.DB.InTenant(ctx, org.ID, func(ctx context.Context, tx bun.Tx) error {
				_, err := tx.NewRaw("DELETE FROM form_submissions WHERE org_id = ?", org.ID).Exec(ctx)
				return err
			})
		})
		if has(got, org.ID) {
			t.Errorf("a write to form_submissions (unwatched) was told: %v", got)
		}
	})
}
