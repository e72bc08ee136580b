// Package server wires the Asynq server (queues and priorities) and the
// periodic scheduler; the task table is app/tasks.go (app.Build's Tasks).
package server

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/leadershiptoolbox/toolbox/workers"
)

// Options configure the server.
type Options struct {
	Concurrency     int
	ShutdownTimeout time.Duration
	Log             *slog.Logger
}

// New returns an Asynq server. The delayed-task check runs every second so
// that a scheduled task (a reminder) starts within a second of its time.
func New(redis asynq.RedisConnOpt, o Options) *asynq.Server {
	return asynq.NewServer(redis, asynq.Config{
		Concurrency:              o.Concurrency,
		Queues:                   workers.Queues,
		DelayedTaskCheckInterval: time.Second,
		ShutdownTimeout:          o.ShutdownTimeout,
		Logger:                   Logger{o.Log},
		ErrorHandler: asynq.ErrorHandlerFunc(func(ctx context.Context, t *asynq.Task, err error) {
			retried, _ := asynq.GetRetryCount(ctx)
			maxRetry, _ := asynq.GetMaxRetry(ctx)
			id, _ := asynq.GetTaskID(ctx)
			o.Log.WarnContext(ctx, "task failed", "type", t.Type(), "task_id", id, "err", err, "retry", retried, "max_retry", maxRetry)
		}),
	})
}

// DefaultOutcomesEvery is how often the scan for due nudges, check-ins,
// digests and summaries runs (TOOLBOX_OUTCOMES_EVERY); each run finds
// only what was not sent yet, so running it more often sends nothing
// twice.
const DefaultOutcomesEvery = time.Hour

// DefaultCalendarsEvery is how often practitioners' own calendars are
// read (TOOLBOX_CALENDARS_EVERY).
const DefaultCalendarsEvery = 15 * time.Minute

// NewScheduler registers the periodic tasks; outcomesEvery is how often
// the outcomes scan runs (0: DefaultOutcomesEvery), calendarsEvery how
// often the scan for calendars due a refresh runs (0:
// DefaultCalendarsEvery; the scan itself picks only calendars not read
// within that interval).
func NewScheduler(redis asynq.RedisConnOpt, log *slog.Logger, outcomesEvery, calendarsEvery time.Duration) (*asynq.Scheduler, error) {
	if outcomesEvery <= 0 {
		outcomesEvery = DefaultOutcomesEvery
	}
	if calendarsEvery <= 0 {
		calendarsEvery = DefaultCalendarsEvery
	}
	s := asynq.NewScheduler(redis, &asynq.SchedulerOpts{Logger: Logger{log}, Location: time.UTC})
	if _, err := s.Register("@hourly", workers.NewPurgeOutboxTask(), asynq.Queue(workers.QueueLow), asynq.Unique(time.Hour)); err != nil {
		return nil, fmt.Errorf("worker: register outbox purge: %w", err)
	}
	if _, err := s.Register("@every 1m", workers.NewSweepEmailsTask(), asynq.Queue(workers.QueueLow), asynq.Unique(50*time.Second)); err != nil {
		return nil, fmt.Errorf("worker: register e-mail sweep: %w", err)
	}
	if _, err := s.Register("@every 15m", workers.NewPurgeSessionsTask(), asynq.Queue(workers.QueueLow), asynq.Unique(10*time.Minute)); err != nil {
		return nil, fmt.Errorf("worker: register session purge: %w", err)
	}
	if _, err := s.Register("@every 5m", workers.NewReconcileRefundsTask(), asynq.Queue(workers.QueueLow), asynq.Unique(4*time.Minute)); err != nil {
		return nil, fmt.Errorf("worker: register refund reconciliation: %w", err)
	}
	// The outcomes scan includes the quiet relationships' (TypeQuietScan
	// is still handled, for tasks queued before).
	spec := "@every " + outcomesEvery.String()
	if _, err := s.Register(spec, workers.NewOutcomesScanTask(), asynq.Queue(workers.QueueLow), asynq.Unique(outcomesEvery*9/10)); err != nil {
		return nil, fmt.Errorf("worker: register outcomes scan: %w", err)
	}
	// Checked a few times an interval, so that a calendar is read about
	// every interval.
	scan := max(calendarsEvery/3, time.Second)
	if _, err := s.Register("@every "+scan.String(), workers.NewCalendarsScanTask(), asynq.Queue(workers.QueueLow), asynq.Unique(scan*9/10)); err != nil {
		return nil, fmt.Errorf("worker: register calendars scan: %w", err)
	}
	return s, nil
}

// Logger adapts slog to Asynq's logger.
type Logger struct{ L *slog.Logger }

func (l Logger) Debug(args ...any) { l.L.Debug(fmt.Sprint(args...), "component", "asynq") }
func (l Logger) Info(args ...any)  { l.L.Info(fmt.Sprint(args...), "component", "asynq") }
func (l Logger) Warn(args ...any)  { l.L.Warn(fmt.Sprint(args...), "component", "asynq") }
func (l Logger) Error(args ...any) { l.L.Error(fmt.Sprint(args...), "component", "asynq") }
func (l Logger) Fatal(args ...any) {
	l.L.Error(fmt.Sprint(args...), "component", "asynq", "fatal", true)
}
