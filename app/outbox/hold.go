package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/workers"
)

// NotHeld is the condition, on outbox rows, that leaves out the rows of a
// suspended organisation: they wait, unrelayed, until it is resumed.
// Organisations are not behind row-level security, so every relay sees
// their status.
const NotHeld = "(org_id IS NULL OR org_id NOT IN (SELECT id FROM organisations WHERE suspended_at IS NOT NULL))"

// Held task outcomes, recorded on the row the task came from.
const (
	heldCarriedOver = "held: organisation suspended; carried over to "
	heldDropped     = "skipped: organisation suspended"
)

// dropWhileSuspended are the task types that make sense only when they
// are due (a weekly digest, a nudge about a quiet spell): while their
// organisation is suspended they are dropped, not kept for later.
var dropWhileSuspended = map[string]bool{
	workers.TypeWeeklyDigest: true,
	workers.TypeQuietNudge:   true,
}

// Hold is Asynq middleware that keeps a suspended organisation's tasks
// for later instead of running them. A task handed to Redis before the
// suspension (a reminder scheduled days ahead) reaches the worker at its
// time; it is then recorded again as a new outbox row, which the relay
// leaves alone while the organisation is suspended (NotHeld) and hands
// over once it is resumed. The new row has a new id: the old one's task
// id is kept by Asynq for days and would be refused. Tasks that make
// sense only on time (dropWhileSuspended) are dropped. A task names its
// organisation in its payload's org_id; one without runs as ever.
func (r *Relay) Hold(next asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		var p struct {
			OrgID uuid.UUID `json:"org_id"`
		}
		if json.Unmarshal(t.Payload(), &p) != nil || p.OrgID == uuid.Nil {
			return next.ProcessTask(ctx, t)
		}
		suspended, err := r.DB.NewSelect().Table("organisations").Where("id = ? AND suspended_at IS NOT NULL", p.OrgID).Exists(ctx)
		if err != nil {
			return fmt.Errorf("outbox: is %s suspended: %w", p.OrgID, err)
		}
		if !suspended {
			return next.ProcessTask(ctx, t)
		}
		return r.hold(ctx, t, p.OrgID)
	})
}

// hold records a suspended organisation's task again for after its
// resumption (or drops it), and closes the row it came from.
func (r *Relay) hold(ctx context.Context, t *asynq.Task, orgID uuid.UUID) error {
	now := r.Clock.Now().UTC()
	var from *Row
	if id, ok := asynq.GetTaskID(ctx); ok {
		if rowID, err := uuid.Parse(id); err == nil {
			from = &Row{ID: rowID}
		}
	}
	return r.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		task := workers.Task{Type: t.Type(), Payload: t.Payload(), OrgID: orgID, RunAt: now}
		if from != nil {
			// The row it came from, if it is still there (a slice: no row
			// is no error).
			var rows []Row
			if err := tx.NewSelect().Model(&rows).Where("id = ?", from.ID).Limit(1).Scan(ctx); err != nil {
				return fmt.Errorf("outbox: read %s: %w", from.ID, err)
			}
			from = nil
			if len(rows) == 1 {
				from = &rows[0]
				task.Queue, task.MaxRetry = from.Queue, from.MaxRetry
				task.RunAt = from.RunAt
			}
		}
		outcome := heldDropped
		if !dropWhileSuspended[t.Type()] {
			id, err := add(ctx, tx, now, task)
			if err != nil {
				return err
			}
			outcome = heldCarriedOver + id.String()
		}
		r.Log.InfoContext(ctx, "task held while its organisation is suspended", "type", t.Type(), "org_id", orgID, "outcome", outcome)
		if from == nil {
			return nil
		}
		_, err := tx.NewUpdate().Model((*Row)(nil)).Set("done_at = ?", now).Set("last_error = ?", outcome).
			Where("id = ? AND done_at IS NULL", from.ID).Exec(ctx)
		if err != nil {
			return fmt.Errorf("outbox: close held row %s: %w", from.ID, err)
		}
		return nil
	})
}

// Lag is the state of the outbox for the metrics and the operator:
// rows waiting to be handed to Asynq (due or not, held or not), and how
// long the oldest due row that is not held has waited.
type Lag struct {
	Waiting int
	Held    int
	Oldest  time.Duration
}

// ReadLag reads the outbox's lag at now.
func ReadLag(ctx context.Context, d *db.DB, now time.Time) (Lag, error) {
	var l Lag
	n, err := d.NewSelect().Model((*Row)(nil)).Where("enqueued_at IS NULL").Count(ctx)
	if err != nil {
		return l, fmt.Errorf("outbox: count waiting rows: %w", err)
	}
	l.Waiting = int(n)
	held, err := d.NewSelect().Model((*Row)(nil)).Where("enqueued_at IS NULL AND NOT " + NotHeld).Count(ctx)
	if err != nil {
		return l, fmt.Errorf("outbox: count held rows: %w", err)
	}
	l.Held = int(held)
	var oldest []Row
	err = d.NewSelect().Model(&oldest).Column("id", "run_at").Where("enqueued_at IS NULL AND run_at <= ?", now.UTC()).
		Where(NotHeld).OrderExpr("run_at").Limit(1).Scan(ctx)
	if err != nil {
		return l, fmt.Errorf("outbox: oldest waiting row: %w", err)
	}
	if len(oldest) == 1 {
		l.Oldest = now.Sub(oldest[0].RunAt)
	}
	return l, nil
}

// Failures lists the rows whose task failed for good or whose hand-over
// to Redis failed (it is retried by itself), and the held ones, newest
// first.
func Failures(ctx context.Context, d *db.DB, limit int) ([]Row, error) {
	var rows []Row
	err := d.NewSelect().Model(&rows).Where("last_error <> ''").OrderExpr("created_at DESC, id DESC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("outbox: list failures: %w", err)
	}
	return rows, nil
}

// ErrNotRetriable: the row is not a finished failure.
var ErrNotRetriable = errors.New("outbox: only a task that failed for good can be retried")

// Retry records a failed task again as a new row, due now (its old id is
// kept by Asynq for days and would be refused), and notes it on the old
// row. It returns the new row's id.
func Retry(ctx context.Context, d *db.DB, now time.Time, id uuid.UUID) (uuid.UUID, error) {
	var newID uuid.UUID
	err := d.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		row := &Row{ID: id}
		if err := tx.NewSelect().Model(row).WherePK().Scan(ctx); err != nil {
			// d.Tx maps the driver's error: no row is db.ErrNotFound.
			return fmt.Errorf("outbox: read %s: %w", id, err)
		}
		if row.DoneAt == nil || row.LastError == "" {
			return ErrNotRetriable
		}
		t := workers.Task{Type: row.TaskType, Payload: row.Payload, Queue: row.Queue, MaxRetry: row.MaxRetry, RunAt: now}
		if row.OrgID != nil {
			t.OrgID = *row.OrgID
		}
		var err error
		if newID, err = add(ctx, tx, now, t); err != nil {
			return err
		}
		_, err = tx.NewUpdate().Model(row).Set("last_error = ?", "retried as "+newID.String()+" after: "+row.LastError).WherePK().Exec(ctx)
		return err
	})
	return newID, err
}

// Open lists an organisation's rows not finished yet (waiting, held, or
// handed to the queue), soonest due first.
func Open(ctx context.Context, d *db.DB, orgID uuid.UUID, limit int) ([]Row, error) {
	var rows []Row
	err := d.NewSelect().Model(&rows).Column("id", "task_type", "queue", "run_at", "created_at", "enqueued_at", "attempts", "last_error").
		Where("org_id = ? AND done_at IS NULL", orgID).OrderExpr("run_at, id").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("outbox: open rows of %s: %w", orgID, err)
	}
	return rows, nil
}
