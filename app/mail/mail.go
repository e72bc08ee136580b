// Package mail records every e-mail the product sends and delivers it
// through the worker: by SMTP in production, or kept for the development
// outbox page in the embedded mode.
package mail

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/outbox"
	"github.com/leadershiptoolbox/toolbox/workers"
)

// Email is one recorded message.
type Email struct {
	bun.BaseModel `bun:"table:emails"`

	ID        uuid.UUID  `bun:"id,pk,type:uuid"`
	OrgID     *uuid.UUID `bun:"org_id,type:uuid"`
	To        string     `bun:"to_addr"`
	Subject   string     `bun:"subject"`
	TextBody  string     `bun:"text_body"`
	HTMLBody  string     `bun:"html_body"`
	ICS       string     `bun:"ics"`
	ICSMethod string     `bun:"ics_method"`
	Template  string     `bun:"template"`
	DedupeKey *string    `bun:"dedupe_key"`
	Status    string     `bun:"status"`
	Attempts  int        `bun:"attempts"`
	LastError string     `bun:"last_error"`
	ClaimedAt *time.Time `bun:"claimed_at"`
	CreatedAt time.Time  `bun:"created_at"`
	SentAt    *time.Time `bun:"sent_at"`
}

// Delivery states.
const (
	StatusQueued  = "queued"
	StatusSending = "sending"
	StatusSent    = "sent"
	// StatusKept means delivered to the development outbox only.
	StatusKept   = "kept"
	StatusFailed = "failed"
)

// Message is what domain code asks to send.
type Message struct {
	OrgID uuid.UUID
	To    string
	// Template names templates/emails/<Template>.{txt,html}; it defines
	// "subject", "text" and optionally "html".
	Template string
	Data     any
	// ICS is an iCalendar attachment; ICSMethod its METHOD (REQUEST, CANCEL).
	ICS       string
	ICSMethod string
	// DedupeKey, when set, makes the message go out at most once ever.
	DedupeKey string
}

// Renderer renders e-mail templates.
type Renderer interface {
	RenderEmail(name string, data any) (subject, text, html string, err error)
}

// Sender delivers a message outside the process.
type Sender interface {
	Send(ctx context.Context, e *Email) error
}

// Service queues and delivers e-mail.
type Service struct {
	DB       *db.DB
	Renderer Renderer
	Clock    clock.Clock
	// Sender is nil in development: messages are kept for the outbox page.
	Sender Sender
	Log    *slog.Logger
}

// Queue renders m and records it with its delivery task in idb, which is
// normally the transaction of the change the message is about: if that
// change rolls back, no mail goes out. It reports whether the message was
// new (false when its DedupeKey was queued before).
func (s *Service) Queue(ctx context.Context, idb bun.IDB, m Message) (bool, error) {
	subject, text, html, err := s.Renderer.RenderEmail(m.Template, m.Data)
	if err != nil {
		return false, fmt.Errorf("mail: render %s: %w", m.Template, err)
	}
	now := s.Clock.Now()
	e := &Email{
		ID: uuid.Must(uuid.NewV7()), To: m.To, Subject: subject, TextBody: text, HTMLBody: html,
		ICS: m.ICS, ICSMethod: m.ICSMethod, Template: m.Template, Status: StatusQueued, CreatedAt: now,
	}
	if m.OrgID != uuid.Nil {
		org := m.OrgID
		e.OrgID = &org
	}
	if m.DedupeKey != "" {
		key := m.DedupeKey
		e.DedupeKey = &key
	}
	res, err := idb.NewInsert().Model(e).On("CONFLICT (dedupe_key) DO NOTHING").Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("mail: record %s to %s: %w", m.Template, m.To, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return false, nil
	}
	if err := outbox.Add(ctx, idb, now, workers.NewSendEmailTask(m.OrgID, e.ID)); err != nil {
		return false, err
	}
	return true, nil
}

// claimTimeout is how long a "sending" claim holds before another worker
// may take the message over (the first one died mid-way).
const claimTimeout = 5 * time.Minute

// HandleSendEmail delivers one e-mail. A delivery runs once: the row is
// claimed first, so a task delivered twice finds it taken or sent.
func (s *Service) HandleSendEmail(ctx context.Context, t *asynq.Task) error {
	p, err := workers.Decode[workers.SendEmailPayload](t)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	res, err := s.DB.NewUpdate().Model((*Email)(nil)).
		Set("status = ?", StatusSending).Set("claimed_at = ?", now).Set("attempts = attempts + 1").
		Where("id = ?", p.EmailID).
		Where("status = ? OR status = ? OR (status = ? AND claimed_at < ?)", StatusQueued, StatusFailed, StatusSending, now.Add(-claimTimeout)).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("mail: claim %s: %w", p.EmailID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil // sent, being sent, or gone
	}
	e := new(Email)
	if err := s.DB.NewSelect().Model(e).Where("id = ?", p.EmailID).Scan(ctx); err != nil {
		return fmt.Errorf("mail: load %s: %w", p.EmailID, db.Classify(err))
	}
	status := StatusKept
	if s.Sender != nil {
		status = StatusSent
		if err := s.Sender.Send(ctx, e); err != nil {
			_, uerr := s.DB.NewUpdate().Model(e).Set("status = ?", StatusFailed).Set("last_error = ?", err.Error()).WherePK().Exec(ctx)
			if uerr != nil {
				s.Log.Error("mail: record failure", "email", e.ID, "err", uerr)
			}
			return fmt.Errorf("mail: send %s to %s: %w", e.ID, e.To, err)
		}
	}
	sent := s.Clock.Now()
	if _, err := s.DB.NewUpdate().Model(e).Set("status = ?", status).Set("sent_at = ?", sent).Set("last_error = ''").WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("mail: mark %s sent: %w", e.ID, err)
	}
	return nil
}

// Recent lists the newest messages, for the development outbox.
func (s *Service) Recent(ctx context.Context, limit int) ([]Email, error) {
	var out []Email
	err := s.DB.NewSelect().Model(&out).
		Column("id", "to_addr", "subject", "status", "created_at", "sent_at", "ics_method", "template").
		OrderExpr("created_at DESC, id DESC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("mail: list recent: %w", err)
	}
	return out, nil
}

// Get loads one message, for the development outbox.
func (s *Service) Get(ctx context.Context, id uuid.UUID) (*Email, error) {
	e := new(Email)
	if err := s.DB.NewSelect().Model(e).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, fmt.Errorf("mail: load %s: %w", id, db.Classify(err))
	}
	return e, nil
}
