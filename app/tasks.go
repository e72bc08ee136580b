package app

import (
	"context"

	"github.com/hibiken/asynq"

	"github.com/leadershiptoolbox/toolbox/workers"
)

// newTaskMux is the task table: each task type (workers) to the handler
// of the domain that owns it.
func newTaskMux(s *App) *asynq.ServeMux {
	mux := asynq.NewServeMux()
	// A task from the outbox reports on its row when it finished.
	mux.Use(s.Relay.Track)
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
	mux.HandleFunc(workers.TypeAskFeedback, func(ctx context.Context, t *asynq.Task) error {
		p, err := workers.Decode[workers.AskFeedbackPayload](t)
		if err != nil {
			return err
		}
		return s.Feedback.HandleAskFeedback(ctx, p)
	})
	mux.HandleFunc(workers.TypePurgeSessions, func(ctx context.Context, _ *asynq.Task) error { return s.Auth.Purge(ctx) })
	return mux
}
