package app

import (
	"github.com/hibiken/asynq"

	"github.com/leadershiptoolbox/toolbox/workers"
)

// newTaskMux is the task table: each task type (workers) to the handler
// of the domain that owns it. Every handler has the one shape
// func(ctx, payload) error; workers.Handle decodes the payload.
func newTaskMux(s *App) *asynq.ServeMux {
	mux := asynq.NewServeMux()
	// A task from the outbox reports on its row when it finished.
	mux.Use(s.Relay.Track)
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
	return mux
}
