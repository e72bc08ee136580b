// Package outbox is the transactional outbox: domain code records the task
// it needs in the same database transaction as the change that needs it,
// and the relay moves recorded tasks to Asynq. A crash or a Redis outage
// between commit and enqueue loses nothing: the row waits and is moved
// when Redis is back. Each row is enqueued under its own id as the Asynq
// task id, so a row enqueued twice (a relay crashing after the enqueue but
// before marking it) still runs once.
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
	Attempts   int        `bun:"attempts"`
	LastError  string     `bun:"last_error"`
}

// Add records a task in the caller's transaction (or outside one: idb may
// be the database itself for work that needs no atomicity).
func Add(ctx context.Context, idb bun.IDB, now time.Time, t workers.Task) error {
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
		return fmt.Errorf("outbox: record %s task: %w", t.Type, err)
	}
	return nil
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
}

// NewRelay returns a relay polling every interval.
func NewRelay(d *db.DB, client Enqueuer, clk clock.Clock, log *slog.Logger) *Relay {
	return &Relay{DB: d, Client: client, Clock: clk, Log: log, Interval: time.Second, Retention: 48 * time.Hour}
}

// Run relays until ctx is done.
func (r *Relay) Run(ctx context.Context) {
	ticker := time.NewTicker(r.Interval)
	defer ticker.Stop()
	for {
		if _, err := r.Flush(ctx); err != nil && ctx.Err() == nil {
			r.Log.Warn("outbox relay: tasks wait for the next try", "err", err)
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
		q := tx.NewSelect().Model(&rows).Where("enqueued_at IS NULL").OrderExpr("created_at, id").Limit(batchSize)
		if r.DB.Engine == db.Postgres {
			// Several relays (web and worker processes) share the work.
			q = q.For("UPDATE SKIP LOCKED")
		}
		if err := q.Scan(ctx); err != nil {
			return fmt.Errorf("outbox: read waiting tasks: %w", err)
		}
		for i := range rows {
			row := &rows[i]
			if err := r.enqueue(ctx, row); err != nil {
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

func (r *Relay) enqueue(ctx context.Context, row *Row) error {
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
		return nil
	}
	if err != nil {
		return fmt.Errorf("outbox: enqueue %s %s: %w", row.TaskType, row.ID, err)
	}
	return nil
}

// keepRelayed is how long relayed rows stay, for the operator to inspect.
const keepRelayed = 7 * 24 * time.Hour

// HandlePurge deletes rows relayed more than a week ago.
func (r *Relay) HandlePurge(ctx context.Context, _ *asynq.Task) error {
	_, err := r.DB.NewDelete().Model((*Row)(nil)).
		Where("enqueued_at IS NOT NULL AND enqueued_at < ?", r.Clock.Now().Add(-keepRelayed)).Exec(ctx)
	if err != nil {
		return fmt.Errorf("outbox: purge relayed rows: %w", err)
	}
	return nil
}
