// Package outbox is the transactional outbox: domain code records the task
// it needs in the same database transaction as the change that needs it,
// and the relay moves recorded tasks to Asynq. A crash or a Redis outage
// between commit and enqueue loses nothing: the row waits and is moved
// when Redis is back. Each row is enqueued under its own id as the Asynq
// task id, so a row enqueued twice (a relay crashing after the enqueue but
// before marking it) still runs once.
//
// A row stays open until its task reports that it finished (Track), not
// only that Redis took it: a Redis restarted without its data forgets the
// tasks it held, and Recheck hands rows over again that should have
// finished well before now. The task id keeps a task Redis still holds
// from running twice.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/workers"
)

// Row is one recorded task.
type Row struct {
	bun.BaseModel `bun:"table:outbox"`

	ID         uuid.UUID  `bun:"id,pk,type:uuid"`
	OrgID      *uuid.UUID `bun:"org_id,type:uuid"`
	TaskType   string     `bun:"task_type"`
	Payload    []byte     `bun:"payload"`
	Queue      string     `bun:"queue"`
	MaxRetry   int        `bun:"max_retry"`
	RunAt      time.Time  `bun:"run_at"`
	CreatedAt  time.Time  `bun:"created_at"`
	EnqueuedAt *time.Time `bun:"enqueued_at"`
	DoneAt     *time.Time `bun:"done_at"`
	Attempts   int        `bun:"attempts"`
	LastError  string     `bun:"last_error"`
}

// Add records a task in the caller's transaction (or outside one: idb may
// be the database itself for work that needs no atomicity).
func Add(ctx context.Context, idb bun.IDB, now time.Time, t workers.Task) error {
	_, err := add(ctx, idb, now, t)
	return err
}

// add records a task and returns its row's id.
func add(ctx context.Context, idb bun.IDB, now time.Time, t workers.Task) (uuid.UUID, error) {
	row := &Row{
		ID:        uuid.Must(uuid.NewV7()),
		TaskType:  t.Type,
		Payload:   t.Payload,
		Queue:     t.Queue,
		MaxRetry:  t.MaxRetry,
		RunAt:     t.RunAt.UTC(),
		CreatedAt: now.UTC(),
	}
	if row.Queue == "" {
		row.Queue = workers.QueueDefault
	}
	if row.RunAt.IsZero() {
		row.RunAt = row.CreatedAt
	}
	if t.OrgID != uuid.Nil {
		org := t.OrgID
		row.OrgID = &org
	}
	if _, err := idb.NewInsert().Model(row).Exec(ctx); err != nil {
		return uuid.Nil, fmt.Errorf("outbox: record %s task: %w", t.Type, err)
	}
	return row.ID, nil
}

// Enqueuer is the part of asynq.Client the relay uses.
type Enqueuer interface {
	EnqueueContext(ctx context.Context, task *asynq.Task, opts ...asynq.Option) (*asynq.TaskInfo, error)
}

// Relay moves recorded tasks to Asynq.
type Relay struct {
	DB       *db.DB
	Client   Enqueuer
	Clock    clock.Clock
	Log      *slog.Logger
	Interval time.Duration
	// Retention keeps a finished task's id in Redis so that a late
	// duplicate enqueue is refused rather than run again.
	Retention time.Duration
	// RecheckAfter is how long after its due time, and after it was last
	// handed over, a task not reported done is handed over again.
	RecheckAfter time.Duration
}

// DefaultRecheckAfter leaves a task ample time to run (a backlog, a
// worker restart, Asynq recovering a dead worker's task after a minute)
// before the relay asks Redis whether it still has it.
const DefaultRecheckAfter = 10 * time.Minute

// NewRelay returns a relay polling every interval.
func NewRelay(d *db.DB, client Enqueuer, clk clock.Clock, log *slog.Logger) *Relay {
	return &Relay{DB: d, Client: client, Clock: clk, Log: log, Interval: time.Second, Retention: 48 * time.Hour,
		RecheckAfter: DefaultRecheckAfter}
}

// Run relays, and rechecks open rows, until ctx is done.
func (r *Relay) Run(ctx context.Context) {
	ticker := time.NewTicker(r.Interval)
	defer ticker.Stop()
	recheckEvery := min(r.RecheckAfter, time.Minute)
	var lastRecheck time.Time
	for {
		if _, err := r.Flush(ctx); err != nil && ctx.Err() == nil {
			r.Log.Warn("outbox relay: tasks wait for the next try", "err", err)
		}
		if time.Since(lastRecheck) >= recheckEvery {
			lastRecheck = time.Now()
			if n, err := r.Recheck(ctx); err != nil && ctx.Err() == nil {
				r.Log.Warn("outbox relay: recheck of open tasks failed; next time", "err", err)
			} else if n > 0 {
				r.Log.Warn("outbox relay: Redis had lost tasks; handed them over again", "count", n)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// batchSize bounds one pass so that a long backlog does not hold a
// transaction open.
const batchSize = 200

// Flush moves every waiting task it can and returns how many it moved. It
// stops at the first enqueue failure (Redis is down: the rest would fail
// too) and records the error on that row.
func (r *Relay) Flush(ctx context.Context) (int, error) {
	moved := 0
	for {
		n, err := r.flushBatch(ctx)
		moved += n
		if err != nil || n < batchSize {
			return moved, err
		}
	}
}

func (r *Relay) flushBatch(ctx context.Context) (int, error) {
	moved := 0
	var failed *Row
	var enqueueErr error
	err := r.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var rows []Row
		// Several relays (web and worker processes) share the work.
		q := db.ForUpdateSkipLocked(tx.NewSelect().Model(&rows).Where("enqueued_at IS NULL").Where(NotHeld).OrderExpr("created_at, id").Limit(batchSize))
		if err := q.Scan(ctx); err != nil {
			return fmt.Errorf("outbox: read waiting tasks: %w", err)
		}
		for i := range rows {
			row := &rows[i]
			if _, err := r.enqueue(ctx, row); err != nil {
				// Keep what went through; the rest waits for the next try.
				failed, enqueueErr = row, err
				return nil
			}
			now := r.Clock.Now().UTC()
			row.EnqueuedAt = &now
			if _, err := tx.NewUpdate().Model(row).Column("enqueued_at").WherePK().Exec(ctx); err != nil {
				return fmt.Errorf("outbox: mark %s enqueued: %w", row.ID, err)
			}
			moved++
		}
		return nil
	})
	if err != nil {
		// The batch rolled back; rows whose enqueue went through are
		// enqueued again next time and refused by Asynq as duplicates,
		// which counts as delivered.
		return 0, err
	}
	if failed != nil {
		_, uerr := r.DB.NewUpdate().Model((*Row)(nil)).Set("attempts = attempts + 1").Set("last_error = ?", enqueueErr.Error()).
			Where("id = ?", failed.ID).Exec(ctx)
		return moved, errors.Join(enqueueErr, uerr)
	}
	return moved, nil
}

// enqueue hands a row to Asynq under its id. It reports whether Asynq
// took it as new (false: it still held a task of that id).
func (r *Relay) enqueue(ctx context.Context, row *Row) (bool, error) {
	opts := []asynq.Option{
		asynq.TaskID(row.ID.String()),
		asynq.Queue(row.Queue),
		asynq.Retention(r.Retention),
	}
	if row.MaxRetry > 0 {
		opts = append(opts, asynq.MaxRetry(row.MaxRetry))
	}
	if row.RunAt.After(r.Clock.Now()) {
		opts = append(opts, asynq.ProcessAt(row.RunAt))
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, err := r.Client.EnqueueContext(ctx, asynq.NewTask(row.TaskType, row.Payload), opts...)
	if errors.Is(err, asynq.ErrTaskIDConflict) || errors.Is(err, asynq.ErrDuplicateTask) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("outbox: enqueue %s %s: %w", row.TaskType, row.ID, err)
	}
	return true, nil
}

// Recheck hands over again the rows that were handed over but not
// reported done, RecheckAfter past both their due time and their last
// handing over. A task Redis still holds is refused by its id and left
// alone; one Redis lost is queued again. It returns how many were lost.
func (r *Relay) Recheck(ctx context.Context) (int, error) {
	lost := 0
	err := r.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		now := r.Clock.Now().UTC()
		cutoff := now.Add(-r.RecheckAfter)
		var rows []Row
		q := tx.NewSelect().Model(&rows).
			Where("enqueued_at IS NOT NULL AND done_at IS NULL AND run_at < ? AND enqueued_at < ?", cutoff, cutoff).
			OrderExpr("run_at, id").Limit(batchSize)
		// Several relays (web and worker processes) share the work.
		if err := db.ForUpdateSkipLocked(q).Scan(ctx); err != nil {
			return fmt.Errorf("outbox: read open tasks: %w", err)
		}
		for i := range rows {
			row := &rows[i]
			fresh, err := r.enqueue(ctx, row)
			if err != nil {
				return err // Redis is down: the rows wait, unchanged
			}
			if fresh {
				lost++
			}
			if _, err := tx.NewUpdate().Model(row).Set("enqueued_at = ?", now).WherePK().Exec(ctx); err != nil {
				return fmt.Errorf("outbox: mark %s rechecked: %w", row.ID, err)
			}
		}
		return nil
	})
	return lost, err
}

// Track is Asynq middleware that records on its outbox row that a task
// finished: it succeeded, or it failed for good (no retry left, or a
// failure that retrying cannot mend). Tasks that did not come from the
// outbox (periodic ones) match no row.
func (r *Relay) Track(next asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		err := next.ProcessTask(ctx, t)
		id, ok := asynq.GetTaskID(ctx)
		rowID, perr := uuid.Parse(id)
		if !ok || perr != nil {
			return err
		}
		retried, _ := asynq.GetRetryCount(ctx)
		maxRetry, _ := asynq.GetMaxRetry(ctx)
		if err != nil && !errors.Is(err, asynq.SkipRetry) && retried < maxRetry {
			return err // it will run again
		}
		failure := ""
		if err != nil {
			failure = err.Error()
		}
		// Recorded even when the worker is stopping: the work was done.
		fin, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if _, merr := r.DB.NewUpdate().Model((*Row)(nil)).Set("done_at = ?", r.Clock.Now().UTC()).Set("last_error = ?", failure).
			Where("id = ? AND done_at IS NULL", rowID).Exec(fin); merr != nil {
			// The row is rechecked later; the task's id or its idempotent
			// handler keeps that harmless.
			r.Log.WarnContext(ctx, "outbox: record task done", "task", t.Type(), "id", rowID, "err", merr)
		}
		return err
	})
}

// keepRelayed is how long finished rows stay, for the operator to inspect.
const keepRelayed = 7 * 24 * time.Hour

// HandlePurge deletes rows finished more than a week ago, and rows handed
// over that a week of rechecks since their due time did not see finish.
func (r *Relay) HandlePurge(ctx context.Context, _ workers.Periodic) error {
	cutoff := r.Clock.Now().Add(-keepRelayed)
	_, err := r.DB.NewDelete().Model((*Row)(nil)).
		Where("done_at < ? OR (done_at IS NULL AND enqueued_at IS NOT NULL AND run_at < ?)", cutoff, cutoff).Exec(ctx)
	if err != nil {
		return fmt.Errorf("outbox: purge relayed rows: %w", err)
	}
	return nil
}
