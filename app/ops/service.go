package ops

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/audit"
	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/billing"
	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/mail"
	"github.com/leadershiptoolbox/toolbox/app/outbox"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
)

// RecentSignIn is how long ago an operator may have given their password
// and still use the console; older sessions are asked to sign in again.
const RecentSignIn = 12 * time.Hour

// MaxSupportAccess bounds one support access.
const MaxSupportAccess = 8 * time.Hour

// Service is the operator's side of the service.
type Service struct {
	DB      *db.DB
	Store   *Store
	Tenancy *tenancy.Store
	Mail    *mail.Service
	Billing *billing.Store
	Clock   clock.Clock
	Log     *slog.Logger
}

// Actor names an operator acting, for the audit logs.
type Actor struct {
	UserID uuid.UUID
	Email  string
	IP     string
}

// GrantByEmail gives the platform role to the account with that address
// (the command line's `toolbox operator grant`).
func (s *Service) GrantByEmail(ctx context.Context, email, by string) (bool, error) {
	u, err := auth.UserByEmail(ctx, s.DB, email)
	if errors.Is(err, db.ErrNotFound) {
		return false, fmt.Errorf("%w %s: sign up (or be invited) first", errNoAccount, email)
	}
	if err != nil {
		return false, err
	}
	return s.Store.Grant(ctx, u.ID, u.Email, by, s.Clock.Now())
}

// RevokeByEmail takes the platform role away.
func (s *Service) RevokeByEmail(ctx context.Context, email, by string) (bool, error) {
	u, err := auth.UserByEmail(ctx, s.DB, email)
	if errors.Is(err, db.ErrNotFound) {
		return false, fmt.Errorf("%w %s", errNoAccount, email)
	}
	if err != nil {
		return false, err
	}
	return s.Store.Revoke(ctx, u.ID, u.Email, by, s.Clock.Now())
}

// Suspend suspends an organisation: its people see a page saying so,
// sign-in is refused, its tasks wait (outbox.Hold) and Stripe's events
// for it are answered "later". Recorded in both audit logs.
func (s *Service) Suspend(ctx context.Context, a Actor, orgID uuid.UUID, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return errors.New("ops: a suspension needs a reason")
	}
	now := s.Clock.Now().UTC()
	changed, err := s.Tenancy.SetSuspended(ctx, orgID, &now, reason)
	if err != nil || !changed {
		return err
	}
	return s.recordOrgChange(ctx, a, orgID, ActionSuspended, OrgActionSuspended, "suspended by the platform's operators", reason, now)
}

// Resume ends a suspension: held tasks are handed to the queue again by
// the relay, and Stripe's retried events are applied.
func (s *Service) Resume(ctx context.Context, a Actor, orgID uuid.UUID) error {
	now := s.Clock.Now().UTC()
	changed, err := s.Tenancy.SetSuspended(ctx, orgID, nil, "")
	if err != nil || !changed {
		return err
	}
	return s.recordOrgChange(ctx, a, orgID, ActionResumed, OrgActionResumed, "resumed by the platform's operators", "", now)
}

func (s *Service) recordOrgChange(ctx context.Context, a Actor, orgID uuid.UUID, action, orgAction, target, detail string, now time.Time) error {
	if err := s.Store.Record(ctx, Event{ActorID: &a.UserID, Actor: a.Email, Action: action, OrgID: &orgID, Target: orgID.String(), Detail: detail, IP: a.IP, At: now}); err != nil {
		return err
	}
	return s.Store.OrgAudit(ctx, audit.Event{OrgID: orgID, Actor: "Platform operators", Action: orgAction, Target: target, Detail: detail, At: now})
}

// StartSupport opens support access for hours, for a reason.
func (s *Service) StartSupport(ctx context.Context, a Actor, orgID uuid.UUID, reason string, hours int) (*SupportAccess, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, errors.New("ops: support access needs a reason")
	}
	d := time.Duration(hours) * time.Hour
	if d <= 0 || d > MaxSupportAccess {
		return nil, fmt.Errorf("ops: support access lasts 1 to %d hours", int(MaxSupportAccess.Hours()))
	}
	now := s.Clock.Now().UTC()
	acc := &SupportAccess{ID: uuid.Must(uuid.NewV7()), OrgID: orgID, OperatorID: a.UserID, Operator: a.Email, Reason: reason, StartsAt: now, Until: now.Add(d)}
	if err := s.Store.StartSupport(ctx, acc, a.IP); err != nil {
		return nil, err
	}
	err := s.Store.Record(ctx, Event{ActorID: &a.UserID, Actor: a.Email, Action: ActionSupportStarted, OrgID: &orgID, Target: orgID.String(),
		Detail: reason + " (until " + acc.Until.Format("2006-01-02 15:04 UTC") + ")", IP: a.IP, At: now})
	return acc, err
}

// EndSupport closes the operator's support access to an organisation.
func (s *Service) EndSupport(ctx context.Context, a Actor, orgID uuid.UUID) error {
	now := s.Clock.Now().UTC()
	ended, err := s.Store.EndSupport(ctx, orgID, a.UserID, a.Email, a.IP, now)
	if err != nil || !ended {
		return err
	}
	return s.Store.Record(ctx, Event{ActorID: &a.UserID, Actor: a.Email, Action: ActionSupportEnded, OrgID: &orgID, Target: orgID.String(), IP: a.IP, At: now})
}

// RetryTask records a failed outbox task again.
func (s *Service) RetryTask(ctx context.Context, a Actor, id uuid.UUID) (uuid.UUID, error) {
	now := s.Clock.Now().UTC()
	newID, err := outbox.Retry(ctx, s.DB, now, id)
	if err != nil {
		return uuid.Nil, err
	}
	return newID, s.Store.Record(ctx, Event{ActorID: &a.UserID, Actor: a.Email, Action: ActionOutboxRetried, Target: id.String(), Detail: "as " + newID.String(), IP: a.IP, At: now})
}
