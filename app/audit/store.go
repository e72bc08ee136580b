package audit

import (
	"context"
	"fmt"
	"strings"
	"time"

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

// Store reads the log. Events are written by Record, in the transaction
// of the change they describe.
type Store struct {
	DB *db.DB
}

// List returns an organisation's events, newest first.
func (s *Store) List(ctx context.Context, orgID uuid.UUID, f Filter) ([]Event, error) {
	var out []Event
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewSelect().Model(&out).Where("org_id = ?", orgID)
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
			// Keyset paging on the sort order (at, id): ids alone need not
			// follow the recorded times.
			var at time.Time
			if err := tx.NewSelect().Model((*Event)(nil)).Column("at").Where("org_id = ? AND id = ?", orgID, f.Before).Scan(ctx, &at); err != nil {
				return fmt.Errorf("page before %s: %w", f.Before, err)
			}
			q = q.Where("(at < ? OR (at = ? AND id < ?))", at, at, f.Before)
		}
		limit := f.Limit
		if limit <= 0 || limit > 200 {
			limit = 50
		}
		return q.OrderExpr("at DESC, id DESC").Limit(int64(limit)).Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	return out, nil
}
