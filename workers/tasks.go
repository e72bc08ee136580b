// Package workers is the task contract between the code that asks for
// background work and the worker that does it: task type names, payloads
// and constructors. Tasks are not enqueued directly: domain code records
// them in the transactional outbox (app/outbox) in the same transaction as
// the change that needs them, and the relay hands them to Asynq.
package workers

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"
)

// Queues, by priority.
const (
	QueueCritical = "critical"
	QueueDefault  = "default"
	QueueLow      = "low"
)

// Queues maps each queue to its weight for the Asynq server.
var Queues = map[string]int{QueueCritical: 6, QueueDefault: 3, QueueLow: 1}

// Task is a unit of background work as recorded in the outbox.
type Task struct {
	Type    string
	Payload []byte
	Queue   string
	// RunAt is when the task becomes due; zero means now.
	RunAt time.Time
	// OrgID is the organisation the task works for, if any (for the
	// operator's view; handlers take the tenant from the payload).
	OrgID uuid.UUID
	// MaxRetry bounds retries; zero means the server default.
	MaxRetry int
}

func newTask(typ, queue string, payload any) Task {
	b, err := json.Marshal(payload)
	if err != nil {
		// Payloads are plain structs of ids and times; failing to encode
		// one is a programming error.
		panic(fmt.Sprintf("workers: encode %s payload: %v", typ, err))
	}
	return Task{Type: typ, Payload: b, Queue: queue}
}

// Periodic is the payload of a periodic task: it has none.
type Periodic struct{}

// Handle is how every task reaches its handler: a task handler has the one
// shape func(ctx, payload) error, and Handle decodes the payload for it.
func Handle[P any](fn func(context.Context, P) error) asynq.HandlerFunc {
	return func(ctx context.Context, t *asynq.Task) error {
		p, err := Decode[P](t)
		if err != nil {
			return err
		}
		return fn(ctx, p)
	}
}

// Decode reads a task's payload. A payload that cannot be decoded will
// never succeed, so the error wraps asynq.SkipRetry.
func Decode[T any](t *asynq.Task) (T, error) {
	var p T
	if _, periodic := any(p).(Periodic); periodic {
		return p, nil
	}
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return p, fmt.Errorf("workers: decode %s payload: %v: %w", t.Type(), err, asynq.SkipRetry)
	}
	return p, nil
}

// TypeSendEmail delivers one recorded e-mail.
const TypeSendEmail = "mail:send"

// SendEmailPayload names the e-mail row to deliver.
type SendEmailPayload struct {
	EmailID uuid.UUID `json:"email_id"`
}

// NewSendEmailTask asks for an e-mail to be delivered.
func NewSendEmailTask(orgID, emailID uuid.UUID) Task {
	t := newTask(TypeSendEmail, QueueCritical, SendEmailPayload{EmailID: emailID})
	t.OrgID = orgID
	t.MaxRetry = 12
	return t
}

// TypeSweepEmails gives new tasks to e-mails left "sending" by a worker
// that died (periodic).
const TypeSweepEmails = "mail:sweep"

// NewSweepEmailsTask asks for stuck e-mails to be queued again.
func NewSweepEmailsTask() *asynq.Task { return asynq.NewTask(TypeSweepEmails, nil) }

// TypePurgeOutbox deletes outbox rows relayed long ago (periodic).
const TypePurgeOutbox = "outbox:purge"

// NewPurgeOutboxTask asks for old relayed rows to be deleted.
func NewPurgeOutboxTask() *asynq.Task { return asynq.NewTask(TypePurgeOutbox, nil) }

// TypePurgeSessions deletes expired sessions and old sign-in failures
// (periodic).
const TypePurgeSessions = "auth:purge_sessions"

// NewPurgeSessionsTask asks for expired sessions to be deleted.
func NewPurgeSessionsTask() *asynq.Task { return asynq.NewTask(TypePurgeSessions, nil) }

// TypeReconcileRefunds applies refunds that arrived before their payment
// and are still waiting although the payment is known (periodic).
const TypeReconcileRefunds = "billing:reconcile_refunds"

// NewReconcileRefundsTask asks for waiting refunds to be applied.
func NewReconcileRefundsTask() *asynq.Task { return asynq.NewTask(TypeReconcileRefunds, nil) }

// TypeProposalExpiry expires a matching proposal left unanswered and asks
// the next candidate.
const TypeProposalExpiry = "matching:proposal_expiry"

// ProposalExpiryPayload names the proposal.
type ProposalExpiryPayload struct {
	OrgID      uuid.UUID `json:"org_id"`
	ProposalID uuid.UUID `json:"proposal_id"`
}

// NewProposalExpiryTask asks for a proposal to be expired at its time.
func NewProposalExpiryTask(orgID, proposalID uuid.UUID, at time.Time) Task {
	t := newTask(TypeProposalExpiry, QueueDefault, ProposalExpiryPayload{OrgID: orgID, ProposalID: proposalID})
	t.OrgID, t.RunAt = orgID, at
	return t
}

// TypeCourseCompleted tells a person and their organisation's staff that
// a course was completed (courses).
const TypeCourseCompleted = "courses:course_completed"

// CourseCompletedPayload names the completed enrolment.
type CourseCompletedPayload struct {
	OrgID       uuid.UUID `json:"org_id"`
	EnrolmentID uuid.UUID `json:"enrolment_id"`
}

// NewCourseCompletedTask asks for the completion e-mails.
func NewCourseCompletedTask(orgID, enrolmentID uuid.UUID) Task {
	t := newTask(TypeCourseCompleted, QueueDefault, CourseCompletedPayload{OrgID: orgID, EnrolmentID: enrolmentID})
	t.OrgID = orgID
	return t
}

// TypeSessionReminder reminds the people of a session, at one offset
// before it.
const TypeSessionReminder = "calendar:session_reminder"

// SessionReminderPayload names the session, the version it was scheduled
// for (a changed session makes the task do nothing) and the offset.
type SessionReminderPayload struct {
	OrgID         uuid.UUID `json:"org_id"`
	SessionID     uuid.UUID `json:"session_id"`
	Version       int       `json:"version"`
	OffsetMinutes int       `json:"offset_minutes"`
}

// NewSessionReminderTask asks for a reminder at due.
func NewSessionReminderTask(p SessionReminderPayload, due time.Time) Task {
	t := newTask(TypeSessionReminder, QueueDefault, p)
	t.OrgID = p.OrgID
	t.RunAt = due
	t.MaxRetry = 10
	return t
}

// TypeCompileReport compiles a report run into its snapshot (reports).
const TypeCompileReport = "reports:compile"

// CompileReportPayload names the run; its snapshot takes the run's id,
// so a task delivered twice stores one snapshot.
type CompileReportPayload struct {
	OrgID uuid.UUID `json:"org_id"`
	RunID uuid.UUID `json:"run_id"`
}

// NewCompileReportTask asks for a report run to be compiled.
func NewCompileReportTask(orgID, runID uuid.UUID) Task {
	t := newTask(TypeCompileReport, QueueDefault, CompileReportPayload{OrgID: orgID, RunID: runID})
	t.OrgID = orgID
	t.MaxRetry = 5
	return t
}

// TypeQuietScan looks for quiet relationships in every organisation and
// records a nudge task for each (periodic, daily).
const TypeQuietScan = "reports:quiet_scan"

// NewQuietScanTask asks for the daily scan.
func NewQuietScanTask() *asynq.Task { return asynq.NewTask(TypeQuietScan, nil) }

// TypeQuietNudge nudges about one quiet relationship: both sides first,
// the coordinators after twice as long.
const TypeQuietNudge = "reports:quiet_nudge"

// QuietNudgePayload names the relationship and the quiet spell (the date
// of its last session, or of its start): a session booked since changes
// the spell, and the task then does nothing.
type QuietNudgePayload struct {
	OrgID          uuid.UUID `json:"org_id"`
	RelationshipID uuid.UUID `json:"relationship_id"`
	Spell          string    `json:"spell"`
	Stage          string    `json:"stage"` // sides or coordinators
}

// NewQuietNudgeTask asks for one nudge.
func NewQuietNudgeTask(p QuietNudgePayload) Task {
	t := newTask(TypeQuietNudge, QueueLow, p)
	t.OrgID = p.OrgID
	return t
}

// TypeDigestScan records the weekly digest of every organisation's staff
// (periodic, weekly).
const TypeDigestScan = "reports:digest_scan"

// NewDigestScanTask asks for the weekly scan.
func NewDigestScanTask() *asynq.Task { return asynq.NewTask(TypeDigestScan, nil) }

// TypeWeeklyDigest e-mails one person their organisation's weekly digest.
const TypeWeeklyDigest = "reports:weekly_digest"

// WeeklyDigestPayload names the person and the ISO week.
type WeeklyDigestPayload struct {
	OrgID  uuid.UUID `json:"org_id"`
	UserID uuid.UUID `json:"user_id"`
	Week   string    `json:"week"`
}

// NewWeeklyDigestTask asks for one digest.
func NewWeeklyDigestTask(p WeeklyDigestPayload) Task {
	t := newTask(TypeWeeklyDigest, QueueLow, p)
	t.OrgID = p.OrgID
	return t
}

// TypeAskFeedback asks the members of a completed session for feedback
// (recorded when attendance marks the session completed).
const TypeAskFeedback = "feedback:ask"

// AskFeedbackPayload names the session; the handler reads who attended.
type AskFeedbackPayload struct {
	OrgID     uuid.UUID `json:"org_id"`
	SessionID uuid.UUID `json:"session_id"`
}

// NewAskFeedbackTask asks for the feedback requests of a session.
func NewAskFeedbackTask(orgID, sessionID uuid.UUID) Task {
	t := newTask(TypeAskFeedback, QueueDefault, AskFeedbackPayload{OrgID: orgID, SessionID: sessionID})
	t.OrgID = orgID
	return t
}

// TypeOutcomesScan looks, in every organisation, for the scheduled work
// that is due: quiet relationships, check-ins, review dates, the weekly
// digest and the monthly summaries, and records a task for each
// (periodic; every run finds only what was not sent yet).
const TypeOutcomesScan = "reports:outcomes_scan"

// NewOutcomesScanTask asks for the scan.
func NewOutcomesScanTask() *asynq.Task { return asynq.NewTask(TypeOutcomesScan, nil) }

// TypeCheckIn asks both sides of a relationship how it goes, at a
// milestone (30 days, then every 60).
const TypeCheckIn = "feedback:check_in"

// CheckInPayload names the relationship, its start (a relationship
// started again is another) and the milestone in days.
type CheckInPayload struct {
	OrgID          uuid.UUID `json:"org_id"`
	RelationshipID uuid.UUID `json:"relationship_id"`
	Started        string    `json:"started"`
	Days           int       `json:"days"`
}

// NewCheckInTask asks for one check-in.
func NewCheckInTask(p CheckInPayload) Task {
	t := newTask(TypeCheckIn, QueueLow, p)
	t.OrgID = p.OrgID
	return t
}

// TypeReviewDue reminds both sides of a relationship of its review date.
const TypeReviewDue = "reports:review_due"

// ReviewDuePayload names the relationship and the review date it was
// recorded for (a changed date makes the task do nothing).
type ReviewDuePayload struct {
	OrgID          uuid.UUID `json:"org_id"`
	RelationshipID uuid.UUID `json:"relationship_id"`
	Date           string    `json:"date"`
}

// NewReviewDueTask asks for one reminder of a review.
func NewReviewDueTask(p ReviewDuePayload) Task {
	t := newTask(TypeReviewDue, QueueLow, p)
	t.OrgID = p.OrgID
	return t
}

// TypeMonthlySummary e-mails one participant the summary of their own
// relationship's month.
const TypeMonthlySummary = "reports:monthly_summary"

// MonthlySummaryPayload names the relationship, the person and the month
// (YYYY-MM, in the organisation's zone).
type MonthlySummaryPayload struct {
	OrgID          uuid.UUID `json:"org_id"`
	RelationshipID uuid.UUID `json:"relationship_id"`
	UserID         uuid.UUID `json:"user_id"`
	Month          string    `json:"month"`
}

// NewMonthlySummaryTask asks for one summary.
func NewMonthlySummaryTask(p MonthlySummaryPayload) Task {
	t := newTask(TypeMonthlySummary, QueueLow, p)
	t.OrgID = p.OrgID
	return t
}

// TypeRefreshCalendar reads one of a practitioner's own calendars and
// replaces its busy intervals (busy).
const TypeRefreshCalendar = "busy:refresh_calendar"

// RefreshCalendarPayload names the calendar; the handler replaces its
// intervals in one transaction, so a task delivered twice stores once.
type RefreshCalendarPayload struct {
	OrgID      uuid.UUID `json:"org_id"`
	CalendarID uuid.UUID `json:"calendar_id"`
}

// NewRefreshCalendarTask asks for a calendar to be read now. A failed
// read is recorded on the calendar, not retried: the schedule tries again.
func NewRefreshCalendarTask(orgID, calendarID uuid.UUID) Task {
	t := newTask(TypeRefreshCalendar, QueueDefault, RefreshCalendarPayload{OrgID: orgID, CalendarID: calendarID})
	t.OrgID = orgID
	t.MaxRetry = 2
	return t
}

// TypeCalendarsScan records a refresh task for every connected calendar
// not refreshed within the interval (periodic, TOOLBOX_CALENDARS_EVERY).
const TypeCalendarsScan = "busy:scan"

// NewCalendarsScanTask asks for the scan.
func NewCalendarsScanTask() *asynq.Task { return asynq.NewTask(TypeCalendarsScan, nil) }
