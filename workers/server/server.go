// Package server wires the Asynq server: queues and priorities, the task
// handlers of each domain, and the periodic scheduler.
package server

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/leadershiptoolbox/toolbox/app"
	"github.com/leadershiptoolbox/toolbox/app/logctx"
	"github.com/leadershiptoolbox/toolbox/workers"
)

// NewMux routes each task type to the handler of the domain that owns it.
func NewMux(s *app.Services) *asynq.ServeMux {
	mux := asynq.NewServeMux()
	// Counted for the metrics, whatever happens inside.
	mux.Use(s.Metrics.Tasks)
	// Every line logged for the task names it and its organisation.
	mux.Use(LogContext)
	// A task from the outbox reports on its row when it finished.
	mux.Use(s.Relay.Track)
	// A suspended organisation's tasks wait for its resumption.
	mux.Use(s.Relay.Hold)
	mux.HandleFunc(workers.TypeSendEmail, s.Mail.HandleSendEmail)
	mux.HandleFunc(workers.TypeSweepEmails, s.Mail.HandleSweep)
	mux.HandleFunc(workers.TypePurgeOutbox, s.Relay.HandlePurge)
	mux.HandleFunc(workers.TypeProposalExpiry, s.Matching.HandleProposalExpiry)
	mux.HandleFunc(workers.TypeCourseCompleted, s.Courses.HandleCourseCompleted)
	mux.HandleFunc(workers.TypeSessionReminder, func(ctx context.Context, t *asynq.Task) error {
		p, err := workers.Decode[workers.SessionReminderPayload](t)
		if err != nil {
			return err
		}
		return s.Calendar.HandleSessionReminder(ctx, p)
	})
	mux.HandleFunc(workers.TypeReconcileRefunds, s.Billing.HandleReconcileRefunds)
	mux.HandleFunc(workers.TypeCompileReport, func(ctx context.Context, t *asynq.Task) error {
		p, err := workers.Decode[workers.CompileReportPayload](t)
		if err != nil {
			return err
		}
		return s.Reports.HandleCompile(ctx, p)
	})
	mux.HandleFunc(workers.TypeQuietScan, func(ctx context.Context, _ *asynq.Task) error { return s.Reports.ScanQuiet(ctx) })
	mux.HandleFunc(workers.TypeQuietNudge, func(ctx context.Context, t *asynq.Task) error {
		p, err := workers.Decode[workers.QuietNudgePayload](t)
		if err != nil {
			return err
		}
		return s.Reports.HandleQuietNudge(ctx, p)
	})
	mux.HandleFunc(workers.TypePurgeSessions, func(ctx context.Context, _ *asynq.Task) error { return s.Auth.Purge(ctx) })
	return mux
}

// LogContext is Asynq middleware that puts the task's id and type, and
// the organisation its payload names, in the context every line logged
// for the task is written with (logctx).
func LogContext(next asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		attrs := []slog.Attr{slog.String("task_type", t.Type())}
		if id, ok := asynq.GetTaskID(ctx); ok {
			attrs = append(attrs, slog.String("task_id", id))
		}
		var p struct {
			OrgID string `json:"org_id"`
		}
		if json.Unmarshal(t.Payload(), &p) == nil && p.OrgID != "" {
			attrs = append(attrs, slog.String("org_id", p.OrgID))
		}
		return next.ProcessTask(logctx.With(ctx, attrs...), t)
	})
}

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

// NewScheduler registers the periodic tasks.
func NewScheduler(redis asynq.RedisConnOpt, log *slog.Logger) (*asynq.Scheduler, error) {
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
	if _, err := s.Register("0 6 * * *", workers.NewQuietScanTask(), asynq.Queue(workers.QueueLow), asynq.Unique(time.Hour)); err != nil {
		return nil, fmt.Errorf("worker: register quiet relationship scan: %w", err)
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
