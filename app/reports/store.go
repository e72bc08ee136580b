package reports

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
)

// Store holds the reports' SQL: its own tables (runs and snapshots) and
// the read-only aggregate queries over the domains it reports on.
type Store struct {
	DB *db.DB
	// Raw compiles sessions and people from the sessions themselves, not
	// the pre-aggregates PostgreSQL keeps (tests compare the two).
	Raw bool
	// idb, when set, is the transaction the store runs in (WithTx).
	idb bun.IDB
}

// WithTx returns the store working inside tx, which must be scoped to the
// organisation of every call.
func (s *Store) WithTx(tx bun.IDB) *Store { return &Store{DB: s.DB, Raw: s.Raw, idb: tx} }

// storeErr maps driver errors in one place.
func storeErr(what string, err error) error { return db.Wrap(err, "reports", "%s", what) }

// AddRun records a run.
func (s *Store) AddRun(ctx context.Context, orgID uuid.UUID, r *Run) error {
	r.OrgID = orgID
	return storeErr("record run", db.In(ctx, s.DB, s.idb, orgID, func(ctx context.Context, tx bun.IDB) error {
		_, err := tx.NewInsert().Model(r).Exec(ctx)
		return err
	}))
}

// Run loads a run.
func (s *Store) Run(ctx context.Context, orgID, id uuid.UUID) (*Run, error) {
	r := new(Run)
	err := db.In(ctx, s.DB, s.idb, orgID, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(r).Where("org_id = ? AND id = ?", orgID, id).Scan(ctx)
	})
	if err != nil {
		return nil, storeErr("run "+id.String(), err)
	}
	return r, nil
}

// LatestRun is the newest run of a kind that has not finished, if any:
// the page shows its progress rather than offering a second run.
func (s *Store) LatestRun(ctx context.Context, orgID uuid.UUID, kind string) (*Run, error) {
	r := new(Run)
	err := db.In(ctx, s.DB, s.idb, orgID, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(r).Where("org_id = ? AND kind = ? AND status <> ?", orgID, kind, RunDone).
			OrderExpr("created_at DESC, id DESC").Limit(1).Scan(ctx)
	})
	if err != nil {
		return nil, storeErr("unfinished run", err)
	}
	return r, nil
}

// StartRun marks a run as running (a retry keeps its first start).
func (s *Store) StartRun(ctx context.Context, orgID, id uuid.UUID, now time.Time) error {
	return storeErr("start run", db.In(ctx, s.DB, s.idb, orgID, func(ctx context.Context, tx bun.IDB) error {
		_, err := tx.NewUpdate().Model((*Run)(nil)).Set("status = ?", RunRunning).Set("started_at = COALESCE(started_at, ?)", now).
			Where("org_id = ? AND id = ? AND status <> ?", orgID, id, RunDone).Exec(ctx)
		return err
	}))
}

// SetProgress records how far a running compilation got (0–100).
func (s *Store) SetProgress(ctx context.Context, orgID, id uuid.UUID, percent int) error {
	return storeErr("record progress", db.In(ctx, s.DB, s.idb, orgID, func(ctx context.Context, tx bun.IDB) error {
		_, err := tx.NewUpdate().Model((*Run)(nil)).Set("progress = ?", percent).
			Where("org_id = ? AND id = ? AND status = ?", orgID, id, RunRunning).Exec(ctx)
		return err
	}))
}

// FailRun records why the last attempt failed (the task is retried).
func (s *Store) FailRun(ctx context.Context, orgID, id uuid.UUID, msg string) error {
	return storeErr("record failure", db.In(ctx, s.DB, s.idb, orgID, func(ctx context.Context, tx bun.IDB) error {
		_, err := tx.NewUpdate().Model((*Run)(nil)).Set("last_error = ?", msg).Where("org_id = ? AND id = ?", orgID, id).Exec(ctx)
		return err
	}))
}

// Finish stores the snapshot of a run and marks the run done, once: a
// second call for the same run (a retried task) stores nothing and
// reports false.
func (s *Store) Finish(ctx context.Context, orgID uuid.UUID, snap *Snapshot) (bool, error) {
	snap.OrgID = orgID
	stored := false
	err := db.In(ctx, s.DB, s.idb, orgID, func(ctx context.Context, tx bun.IDB) error {
		res, err := tx.NewInsert().Model(snap).On("CONFLICT (id) DO NOTHING").Exec(ctx)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err == nil && n == 1 {
			stored = true
		}
		_, err = tx.NewUpdate().Model((*Run)(nil)).Set("status = ?", RunDone).Set("progress = 100").Set("last_error = ''").
			Set("compiled_at = COALESCE(compiled_at, ?)", snap.CompiledAt).Where("org_id = ? AND id = ?", orgID, snap.ID).Exec(ctx)
		return err
	})
	return stored, storeErr("store snapshot", err)
}

// Snapshot loads a compiled report.
func (s *Store) Snapshot(ctx context.Context, orgID, id uuid.UUID) (*Snapshot, error) {
	snap := new(Snapshot)
	err := db.In(ctx, s.DB, s.idb, orgID, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(snap).Where("org_id = ? AND id = ?", orgID, id).Scan(ctx)
	})
	if err != nil {
		return nil, storeErr("snapshot "+id.String(), err)
	}
	return snap, nil
}

// SnapshotInfo is a snapshot without its figures, for lists.
type SnapshotInfo struct {
	ID         uuid.UUID `bun:"id"`
	PeriodFrom string    `bun:"period_from"`
	PeriodTo   string    `bun:"period_to"`
	FilterKind string    `bun:"filter_kind"`
	CompiledAt time.Time `bun:"compiled_at"`
}

// Snapshots lists the newest snapshots of a kind, newest first.
func (s *Store) Snapshots(ctx context.Context, orgID uuid.UUID, kind string, limit int) ([]SnapshotInfo, error) {
	var out []SnapshotInfo
	err := db.In(ctx, s.DB, s.idb, orgID, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Table("report_snapshots").Column("id", "period_from", "period_to", "filter_kind", "compiled_at").
			Where("org_id = ? AND kind = ?", orgID, kind).OrderExpr("compiled_at DESC, id DESC").Limit(int64(limit)).Scan(ctx, &out)
	})
	return out, storeErr("list snapshots", err)
}

// Previous is the snapshot to compare one with: the newest one compiled
// before it with the same kind filter and an earlier period.
func (s *Store) Previous(ctx context.Context, orgID uuid.UUID, snap *Snapshot) (*Snapshot, error) {
	prev := new(Snapshot)
	err := db.In(ctx, s.DB, s.idb, orgID, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(prev).
			Where("org_id = ? AND kind = ? AND filter_kind = ? AND period_from < ? AND id <> ?", orgID, snap.Kind, snap.FilterKind, snap.PeriodFrom, snap.ID).
			OrderExpr("period_from DESC, compiled_at DESC").Limit(1).Scan(ctx)
	})
	if errors.Is(err, db.ErrNotFound) {
		return nil, fmt.Errorf("reports: no earlier snapshot: %w", db.ErrNotFound)
	}
	if err != nil {
		return nil, storeErr("previous snapshot", err)
	}
	return prev, nil
}

// quietStates reads the silence of active relationships started before
// startedBefore (one relationship when id is set) as of now.
func (s *Store) quietStates(ctx context.Context, q bun.IDB, orgID uuid.UUID, id *uuid.UUID, now, startedBefore time.Time) ([]quietState, error) {
	var rows []quietState
	query := `SELECT r.id, r.status, r.started_at,
  (SELECT MAX(s.starts_at) FROM calendar_sessions AS s WHERE s.org_id = r.org_id AND s.relationship_id = r.id AND s.status <> 'cancelled' AND s.starts_at <= ?1) AS last_session,
  EXISTS (SELECT 1 FROM calendar_sessions AS s WHERE s.org_id = r.org_id AND s.relationship_id = r.id AND s.status = 'scheduled' AND s.starts_at > ?1) AS booked
 FROM relationships AS r WHERE r.org_id = ?0 AND r.status = 'active' AND r.started_at <= ?2`
	args := []any{orgID, now, startedBefore}
	if id != nil {
		query += ` AND r.id = ?3`
		args = append(args, *id)
	}
	err := q.NewRaw(query, args...).Scan(ctx, &rows)
	return rows, storeErr("quiet relationships", err)
}

// recordNudge records a nudge under its unique key; false when it was
// recorded before.
func (s *Store) recordNudge(ctx context.Context, q bun.IDB, orgID uuid.UUID, relID *uuid.UUID, key string, now time.Time) (bool, error) {
	res, err := q.NewRaw(`INSERT INTO nudges (id, org_id, relationship_id, key, sent_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (org_id, key) DO NOTHING`,
		uuid.Must(uuid.NewV7()), orgID, relID, key, now).Exec(ctx)
	if err != nil {
		return false, storeErr("record nudge", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

type person struct {
	UserID uuid.UUID `bun:"user_id"`
	Name   string    `bun:"name"`
	Email  string    `bun:"email"`
}

// participants lists the current participants of a relationship with
// their addresses.
func (s *Store) participants(ctx context.Context, q bun.IDB, orgID, relID uuid.UUID) ([]person, error) {
	var rows []person
	err := q.NewRaw(`SELECT p.user_id, u.name, u.email FROM relationship_participants AS p JOIN users AS u ON u.id = p.user_id
 WHERE p.org_id = ? AND p.relationship_id = ? AND p.left_at IS NULL AND u.deleted_at IS NULL ORDER BY p.side DESC, u.name`, orgID, relID).Scan(ctx, &rows)
	return rows, storeErr("participants", err)
}

// hasNudge reports whether a nudge was recorded under key.
func (s *Store) hasNudge(ctx context.Context, q bun.IDB, orgID uuid.UUID, key string) (bool, error) {
	n, err := q.NewSelect().Table("nudges").Where("org_id = ? AND key = ?", orgID, key).Count(ctx)
	return n > 0, storeErr("find nudge", err)
}
