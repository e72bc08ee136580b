package app

import (
	"context"
	"encoding/json"
	"log/slog"

	"github.com/hibiken/asynq"

	"github.com/leadershiptoolbox/toolbox/app/logctx"
	"github.com/leadershiptoolbox/toolbox/workers"
)

// newTaskMux is the task table: each task type (workers) to the handler
// of the domain that owns it. Every handler has the one shape
// func(ctx, payload) error; workers.Handle decodes the payload.
func newTaskMux(s *App) *asynq.ServeMux {
	mux := asynq.NewServeMux()
	// Counted for the metrics, whatever happens inside.
	mux.Use(s.Metrics.Tasks)
	// Every line logged for the task names it and its organisation.
	mux.Use(logContext)
	// A task from the outbox reports on its row when it finished.
	mux.Use(s.Relay.Track)
	// A suspended organisation's tasks wait for its resumption.
	mux.Use(s.Relay.Hold)
	mux.HandleFunc(workers.TypeSendEmail, workers.Handle(s.Mail.HandleSendEmail))
	mux.HandleFunc(workers.TypeSweepEmails, workers.Handle(s.Mail.HandleSweep))
	mux.HandleFunc(workers.TypePurgeOutbox, workers.Handle(s.Relay.HandlePurge))
	mux.HandleFunc(workers.TypePurgeSessions, workers.Handle(s.Auth.Purge))
	mux.HandleFunc(workers.TypeProposalExpiry, workers.Handle(s.Matching.HandleProposalExpiry))
	mux.HandleFunc(workers.TypeCourseCompleted, workers.Handle(s.Courses.HandleCourseCompleted))
	mux.HandleFunc(workers.TypeReconcileRefunds, workers.Handle(s.Billing.HandleReconcileRefunds))
	mux.HandleFunc(workers.TypeSessionReminder, workers.Handle(s.Calendar.HandleSessionReminder))
	mux.HandleFunc(workers.TypeCompileReport, workers.Handle(s.Reports.HandleCompile))
	mux.HandleFunc(workers.TypeQuietScan, workers.Handle(s.Reports.ScanQuiet))
	mux.HandleFunc(workers.TypeQuietNudge, workers.Handle(s.Reports.HandleQuietNudge))
	mux.HandleFunc(workers.TypeAskFeedback, workers.Handle(s.Feedback.HandleAskFeedback))
	mux.HandleFunc(workers.TypeOutcomesScan, workers.Handle(s.Reports.ScanOutcomes))
	mux.HandleFunc(workers.TypeCheckIn, workers.Handle(s.Feedback.HandleCheckIn))
	mux.HandleFunc(workers.TypeReviewDue, workers.Handle(s.Reports.HandleReviewDue))
	mux.HandleFunc(workers.TypeWeeklyDigest, workers.Handle(s.Reports.HandleWeeklyDigest))
	mux.HandleFunc(workers.TypeMonthlySummary, workers.Handle(s.Reports.HandleMonthlySummary))
	mux.HandleFunc(workers.TypeRefreshCalendar, workers.Handle(s.Busy.HandleRefresh))
	mux.HandleFunc(workers.TypeCalendarsScan, workers.Handle(s.Busy.ScanDue))
	return mux
}

// logContext is Asynq middleware that puts the task's id and type, and
// the organisation its payload names, in the context every line logged
// for the task is written with (logctx).
func logContext(next asynq.Handler) asynq.Handler {
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
