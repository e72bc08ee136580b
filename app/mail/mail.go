// Package mail records every e-mail the product sends and delivers it
// through the worker: by SMTP in production, or kept for the development
// outbox page in the embedded mode.
package mail

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"
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
	// ClaimToken names the run that holds a message being sent.
	ClaimToken string     `bun:"claim_token"`
	CreatedAt  time.Time  `bun:"created_at"`
	SentAt     *time.Time `bun:"sent_at"`
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
	// SendFailed, when set, counts each failed delivery attempt (the
	// metrics).
	SendFailed func()
	// inflight counts deliveries under way (Wait).
	inflight sync.WaitGroup
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

// A message being sent is claimed by one run of its task. The claim is
// short and renewed while the SMTP server has the message, so it does not
// outlive the worker that made it: a worker that dies stops renewing, and
// the claim lapses within claimTTL.
const (
	claimTTL   = 15 * time.Second
	claimRenew = claimTTL / 3
	// finishTimeout bounds the final update of a row, which runs even when
	// the task's context was cancelled (the worker is stopping): a message
	// the server accepted must be recorded as sent.
	finishTimeout = 10 * time.Second
	// stuckAfter is when the sweeper gives a message up for lost by its
	// task: its claim lapsed this long ago and no run took it over.
	stuckAfter = 2 * time.Minute
)

// HandleSendEmail delivers one e-mail, at least once and, barring a
// worker dying between the server's acceptance and the update that
// records it, once: the row is claimed first, a run that finds it being
// sent by a live worker waits for that one, and a run whose claim lapsed
// (its worker died) is taken over. The Message-ID is the row's id, so a
// receiving server can drop the rare duplicate.
func (s *Service) HandleSendEmail(ctx context.Context, p workers.SendEmailPayload) error {
	s.inflight.Add(1)
	defer s.inflight.Done()
	token := uuid.NewString()
	claimed, err := s.claim(ctx, p.EmailID, token)
	if err != nil || !claimed {
		return err
	}
	e := new(Email)
	if err := s.DB.NewSelect().Model(e).Where("id = ?", p.EmailID).Scan(ctx); err != nil {
		s.release(ctx, p.EmailID, token, err)
		return db.Wrap(err, "mail", "load %s", p.EmailID)
	}
	status := StatusKept
	if s.Sender != nil {
		status = StatusSent
		stopRenewing := s.renewClaim(ctx, e.ID, token)
		err := s.Sender.Send(ctx, e)
		stopRenewing()
		if err != nil {
			s.release(ctx, e.ID, token, err)
			return fmt.Errorf("mail: send %s to %s: %w", e.ID, e.To, err)
		}
	}
	fin, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer cancel()
	// Delivered is delivered, whoever holds the claim now.
	if _, err := s.DB.NewUpdate().Model((*Email)(nil)).Set("status = ?", status).Set("sent_at = ?", s.Clock.Now()).
		Set("last_error = ''").Set("claim_token = ''").Where("id = ?", e.ID).Exec(fin); err != nil {
		return fmt.Errorf("mail: mark %s sent: %w", e.ID, err)
	}
	return nil
}

// claim takes the row for this run (token). It reports false when there
// is nothing to do (sent, kept, or gone). A row another run is sending is
// waited for, until it is sent or that run's claim lapses; if neither
// happens in time the task is retried later.
func (s *Service) claim(ctx context.Context, id uuid.UUID, token string) (bool, error) {
	giveUp := time.Now().Add(claimTTL + claimRenew)
	for {
		now := s.Clock.Now()
		res, err := s.DB.NewUpdate().Model((*Email)(nil)).
			Set("status = ?", StatusSending).Set("claimed_at = ?", now).Set("claim_token = ?", token).
			Set("attempts = attempts + 1").
			Where("id = ?", id).
			Where("status = ? OR status = ? OR (status = ? AND claimed_at < ?)", StatusQueued, StatusFailed, StatusSending, now.Add(-claimTTL)).
			Exec(ctx)
		if err != nil {
			return false, fmt.Errorf("mail: claim %s: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return true, nil
		}
		var status string
		err = s.DB.NewSelect().Model((*Email)(nil)).Column("status").Where("id = ?", id).Scan(ctx, &status)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("mail: look at %s: %w", id, err)
		}
		if status != StatusSending {
			return false, nil
		}
		if time.Now().After(giveUp) {
			return false, fmt.Errorf("mail: %s is still being sent by another worker; will look again", id)
		}
		select {
		case <-ctx.Done():
			return false, fmt.Errorf("mail: waiting for %s to be sent by another worker: %w", id, ctx.Err())
		case <-time.After(time.Second):
		}
	}
}

// renewClaim keeps this run's claim fresh until the returned function is
// called. It renews through a stopping worker's shutdown too: the send is
// still under way and its outcome will be recorded.
func (s *Service) renewClaim(ctx context.Context, id uuid.UUID, token string) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	ctx = context.WithoutCancel(ctx)
	go func() {
		defer close(finished)
		tick := time.NewTicker(claimRenew)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			_, err := s.DB.NewUpdate().Model((*Email)(nil)).Set("claimed_at = ?", s.Clock.Now()).
				Where("id = ? AND status = ? AND claim_token = ?", id, StatusSending, token).Exec(ctx)
			if err != nil {
				s.Log.WarnContext(ctx, "mail: renew claim", "email", id, "err", err)
			}
		}
	}()
	return func() { close(done); <-finished }
}

// release gives up this run's claim after a failure, so that the retry
// (or another worker) need not wait for it to lapse.
func (s *Service) release(ctx context.Context, id uuid.UUID, token string, cause error) {
	if s.SendFailed != nil {
		s.SendFailed()
	}
	fin, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer cancel()
	_, err := s.DB.NewUpdate().Model((*Email)(nil)).Set("status = ?", StatusFailed).Set("last_error = ?", cause.Error()).
		Set("claim_token = ''").Where("id = ? AND status = ? AND claim_token = ?", id, StatusSending, token).Exec(fin)
	if err != nil {
		s.Log.ErrorContext(ctx, "mail: record failure", "email", id, "err", err)
	}
}

// Wait waits up to timeout for deliveries under way to finish and record
// their outcome; a stopping worker calls it after Asynq has given up on
// its running tasks, so that a message the server accepted is not sent
// again by the next worker. It reports whether all finished.
func (s *Service) Wait(timeout time.Duration) bool {
	done := make(chan struct{})
	go func() { s.inflight.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(timeout):
		return false
	}
}

// Sweep gives new tasks to messages left "sending" by a worker that died
// and whose task did not take them over (it had run out of retries, or
// Redis lost it): their claim lapsed more than stuckAfter ago. It returns
// how many it re-queued.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	n := 0
	err := s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		now := s.Clock.Now()
		var stuck []Email
		q := tx.NewSelect().Model(&stuck).Column("id", "org_id").
			Where("status = ? AND claimed_at < ?", StatusSending, now.Add(-claimTTL-stuckAfter)).OrderExpr("claimed_at").Limit(500)
		if err := db.ForUpdateSkipLocked(q).Scan(ctx); err != nil {
			return fmt.Errorf("mail: find stuck messages: %w", err)
		}
		for _, e := range stuck {
			if _, err := tx.NewUpdate().Model((*Email)(nil)).Set("status = ?", StatusQueued).Set("claim_token = ''").
				Where("id = ?", e.ID).Exec(ctx); err != nil {
				return fmt.Errorf("mail: re-queue %s: %w", e.ID, err)
			}
			org := uuid.Nil
			if e.OrgID != nil {
				org = *e.OrgID
			}
			if err := outbox.Add(ctx, tx, now, workers.NewSendEmailTask(org, e.ID)); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if n > 0 && err == nil {
		s.Log.WarnContext(ctx, "mail: re-queued messages left sending by a worker that died", "count", n)
	}
	return n, err
}

// HandleSweep runs Sweep (periodic).
func (s *Service) HandleSweep(ctx context.Context, _ workers.Periodic) error {
	_, err := s.Sweep(ctx)
	return err
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
		return nil, db.Wrap(err, "mail", "load %s", id)
	}
	return e, nil
}

// Failed lists the messages whose last delivery attempt failed, newest
// first, for the operator (the reason is last_error).
func (s *Service) Failed(ctx context.Context, limit int) ([]Email, error) {
	var out []Email
	err := s.DB.NewSelect().Model(&out).Column("id", "org_id", "to_addr", "subject", "template", "status", "attempts", "last_error", "created_at").
		Where("status = ?", StatusFailed).OrderExpr("created_at DESC, id DESC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("mail: list failed messages: %w", err)
	}
	return out, nil
}
