package audit

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
)

// Record adds an event in idb, normally the transaction of the change
// (scoped to the event's organisation).
func Record(ctx context.Context, idb bun.IDB, e Event) error {
	if e.OrgID == uuid.Nil {
		return db.ErrNoTenant
	}
	if e.ID == uuid.Nil {
		e.ID = uuid.Must(uuid.NewV7())
	}
	if _, err := idb.NewInsert().Model(&e).Exec(ctx); err != nil {
		return fmt.Errorf("audit: record %s: %w", e.Action, err)
	}
	return nil
}

// Anonymise takes a deleted person out of an organisation's past events
// in idb: their name as the actor becomes name, and their address as the
// target becomes anon.
func Anonymise(ctx context.Context, idb bun.IDB, orgID, actorID uuid.UUID, email, name, anon string) error {
	if _, err := idb.NewUpdate().Model((*Event)(nil)).Set("actor = ?", name).
		Where("org_id = ? AND actor_id = ?", orgID, actorID).Exec(ctx); err != nil {
		return fmt.Errorf("audit: anonymise events: %w", err)
	}
	if _, err := idb.NewUpdate().Model((*Event)(nil)).Set("target = ?", anon).
		Where("org_id = ? AND target = ?", orgID, email).Exec(ctx); err != nil {
		return fmt.Errorf("audit: anonymise events: %w", err)
	}
	return nil
}

// Store reads the log. Events are written by Record, in the transaction
// of the change they describe.
type Store struct {
	DB *db.DB
}

// List returns an organisation's events, newest first: at most Limit, and
// whether older ones follow. It is one query outside a transaction
// (row-level security holds on the scoped connection), and it pages by
// keyset on (at, id), so that a page costs the same however long the log
// is, and events recorded meanwhile neither repeat nor hide older ones.
func (s *Store) List(ctx context.Context, orgID uuid.UUID, f Filter) (events []Event, more bool, err error) {
	limit := f.Limit
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	var out []Event
	err = s.DB.ReadTenant(ctx, orgID, func(ctx context.Context, idb bun.IDB) error {
		q := idb.NewSelect().Model(&out).Where("org_id = ?", orgID)
		if f.Action != "" {
			q = q.Where("action = ?", f.Action)
		}
		if f.Actor != "" {
			q = q.Where("lower(actor) LIKE ?", "%"+strings.ToLower(f.Actor)+"%")
		}
		if !f.From.IsZero() {
			q = q.Where("at >= ?", f.From)
		}
		if !f.To.IsZero() {
			q = q.Where("at < ?", f.To)
		}
		if f.Before != uuid.Nil {
			// The sort order is (at, id): ids alone need not follow the
			// recorded times. An unknown id pages from nothing.
			q = q.Where("(at, id) < (SELECT b.at, b.id FROM audit_events AS b WHERE b.org_id = ? AND b.id = ?)", orgID, f.Before)
		}
		return q.OrderExpr("at DESC, id DESC").Limit(int64(limit + 1)).Scan(ctx)
	})
	if err != nil {
		return nil, false, fmt.Errorf("audit: list: %w", err)
	}
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}
