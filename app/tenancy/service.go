package tenancy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/audit"
	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/db"
)

// Service holds the tenancy rules that span tables or domains.
type Service struct {
	DB    *db.DB
	Store *Store
	Auth  *auth.Service
	Clock clock.Clock
	Log   *slog.Logger
	// Invitations bounds the invitations an organisation sends a day.
	Invitations InvitationLimits
	// OnCreate are told about a new organisation inside the transaction
	// that creates it (the library seeds its starter content).
	OnCreate []OrgCreated
}

// OrgCreated is a domain that sets up something for every new
// organisation, in the creating transaction (scoped to the organisation).
type OrgCreated interface {
	OrganisationCreated(ctx context.Context, tx bun.IDB, orgID uuid.UUID, now time.Time) error
}

// SignupInput is what the sign-up form collects. For a person already
// signed in, UserID is set and the person fields are ignored.
type SignupInput struct {
	OrgName  string
	Slug     string
	TimeZone string
	UserID   uuid.UUID
	Name     string
	Email    string
	Password string
	IP       string
}

// Errors sign-up reports against a field.
var (
	ErrSlugTaken  = errors.New("tenancy: slug taken")
	ErrEmailTaken = errors.New("tenancy: e-mail taken")
)

// SignUp creates an organisation and its owner in one transaction, and
// queues the e-mail verification for a new account.
func (s *Service) SignUp(ctx context.Context, in SignupInput) (*Organisation, *auth.User, error) {
	now := s.Clock.Now()
	org := &Organisation{
		ID: uuid.Must(uuid.NewV7()), Slug: in.Slug, Name: strings.TrimSpace(in.OrgName), TimeZone: in.TimeZone,
		Settings: DefaultSettings(), CreatedAt: now,
	}
	var user *auth.User
	err := s.DB.InTenant(ctx, org.ID, func(ctx context.Context, tx bun.Tx) error {
		if err := s.Store.WithTx(tx).insertOrg(ctx, org); err != nil {
			if errors.Is(err, db.ErrConflict) {
				return ErrSlugTaken
			}
			return err
		}
		var err error
		if in.UserID != uuid.Nil {
			user, err = auth.UserByID(ctx, tx, in.UserID)
		} else {
			user, err = auth.CreateUser(ctx, tx, now, auth.NewUser{Email: in.Email, Name: in.Name, Password: in.Password, TimeZone: ""})
			if errors.Is(err, db.ErrConflict) {
				return ErrEmailTaken
			}
		}
		if err != nil {
			return err
		}
		m := &Membership{ID: uuid.Must(uuid.NewV7()), OrgID: org.ID, UserID: user.ID, Role: RoleOwner, Status: StatusActive, CreatedAt: now, UpdatedAt: now}
		if err := s.Store.WithTx(tx).insertMembership(ctx, m); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{
			OrgID: org.ID, ActorID: &user.ID, Actor: actorName(user.Name, user.Email), Action: audit.ActionOrgCreated,
			Target: org.Slug, IP: in.IP, At: now,
		}); err != nil {
			return err
		}
		for _, h := range s.OnCreate {
			if err := h.OrganisationCreated(ctx, tx, org.ID, now); err != nil {
				return err
			}
		}
		if !user.Verified() {
			return s.Auth.SendVerification(ctx, tx, user)
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("tenancy: sign up %q: %w", in.Slug, err)
	}
	return org, user, nil
}

// Audit records an event in the organisation's log in its own transaction.
func (s *Service) Audit(ctx context.Context, e audit.Event) error {
	if e.At.IsZero() {
		e.At = s.Clock.Now()
	}
	return s.DB.InTenant(ctx, e.OrgID, func(ctx context.Context, tx bun.Tx) error { return audit.Record(ctx, tx, e) })
}

// SignedIn records a sign-in in each of the person's organisations.
func (s *Service) SignedIn(ctx context.Context, userID uuid.UUID, ip string) {
	s.auditEverywhere(ctx, userID, audit.ActionSignIn, ip)
}

// SignInFailed records a failed sign-in in each of the person's
// organisations.
func (s *Service) SignInFailed(ctx context.Context, userID uuid.UUID, ip string) {
	s.auditEverywhere(ctx, userID, audit.ActionSignInFailed, ip)
}

func (s *Service) auditEverywhere(ctx context.Context, userID uuid.UUID, action, ip string) {
	ms, err := s.Store.Memberships(ctx, userID)
	if err != nil {
		s.Log.ErrorContext(ctx, "audit: list memberships", "err", err)
		return
	}
	u, err := auth.UserByID(ctx, s.DB, userID)
	if err != nil {
		s.Log.ErrorContext(ctx, "audit: load user", "err", err)
		return
	}
	for _, m := range ms {
		if err := s.Audit(ctx, audit.Event{OrgID: m.OrgID, ActorID: &userID, Actor: actorName(u.Name, u.Email), Action: action, Target: u.Email, IP: ip}); err != nil {
			s.Log.ErrorContext(ctx, "audit: record", "action", action, "err", err)
		}
	}
}

func actorName(name, email string) string { return name + " <" + email + ">" }
