package app

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"log/slog"
	"strings"

	"github.com/leadershiptoolbox/toolbox/app/account"
	"github.com/leadershiptoolbox/toolbox/app/assessment"
	"github.com/leadershiptoolbox/toolbox/app/audit"
	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/billing"
	"github.com/leadershiptoolbox/toolbox/app/calendar"
	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/config"
	"github.com/leadershiptoolbox/toolbox/app/courses"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/feedback"
	"github.com/leadershiptoolbox/toolbox/app/health"
	"github.com/leadershiptoolbox/toolbox/app/library"
	"github.com/leadershiptoolbox/toolbox/app/mail"
	"github.com/leadershiptoolbox/toolbox/app/matching"
	"github.com/leadershiptoolbox/toolbox/app/outbox"
	"github.com/leadershiptoolbox/toolbox/app/personaldata"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/reports"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// Deps are the infrastructure the application is built on; cmd/toolbox
// and the tests construct them.
type Deps struct {
	Config   config.Config
	DB       *db.DB
	Redis    health.Pinger
	Clock    clock.Clock
	Log      *slog.Logger
	Mail     *mail.Service
	Relay    *outbox.Relay
	Renderer *web.Renderer
	Assets   *web.Assets
}

// Services are the domain services, built once and shared by the web
// handlers and the worker's task handlers.
type Services struct {
	Deps
	Auth    *auth.Service
	Tenancy *tenancy.Service
	Audit   *audit.Store

	Assessment    *assessment.Store
	Relationships *relationships.Store
	Matching      *matching.Service
	// NoteKeys seal private notes; NoteKeysErr says why they could not be
	// read from the configuration (app.New refuses to start then).
	NoteKeys    *relationships.Keyring
	NoteKeysErr error
	Account     *account.Service
	Courses     *courses.Service
	Billing     *billing.Service
	// Calendar: availability, sessions, subscriptions and reminders.
	Calendar *calendar.Service
	// Reports: the programme report, compiled by workers.
	Reports *reports.Service
	// Feedback after sessions.
	Feedback *feedback.Service
	// Library: articles, tools, agendas, recommendations, sharing.
	Library *library.Service
	// LibraryErr says why the library's starter content could not be
	// read (app.New refuses to start then).
	LibraryErr error
}

// NewServices wires the domain services together.
func NewServices(d Deps) *Services {
	https := strings.HasPrefix(d.Config.BaseURL, "https://")
	s := &Services{Deps: d}
	s.Auth = &auth.Service{
		DB: d.DB, Store: &auth.Store{DB: d.DB}, Sessions: auth.NewSessions(d.DB, https),
		Clock: d.Clock, Mail: d.Mail, Log: d.Log, BaseURL: d.Config.BaseURL,
	}
	s.Tenancy = &tenancy.Service{DB: d.DB, Store: tenancy.NewStore(d.DB), Auth: s.Auth, Clock: d.Clock, Log: d.Log,
		Invitations: tenancy.InvitationLimits{PerDay: d.Config.InvitationsPerDay, NewOrgPerDay: d.Config.NewOrgInvitationsPerDay, NewFor: 7 * 24 * time.Hour}}
	s.Auth.Events = s.Tenancy
	s.Auth.Access = s.Tenancy
	s.Audit = &audit.Store{DB: d.DB}
	s.Assessment = &assessment.Store{DB: d.DB}
	s.Relationships = &relationships.Store{DB: d.DB}
	s.NoteKeys, s.NoteKeysErr = relationships.NewKeyring(d.Config.NotesKeys, d.Config.SecretKey)
	s.Matching = &matching.Service{
		DB: d.DB, Assess: s.Assessment, Rels: s.Relationships, Tenancy: s.Tenancy.Store, Mail: d.Mail,
		Clock: d.Clock, Log: d.Log, BaseURL: d.Config.BaseURL,
	}
	// Personal data: each domain adds its part of the export, and its
	// eraser for account deletion. Tenancy's eraser removes the
	// memberships, so it stays last.
	s.Account = &account.Service{
		DB: d.DB, Clock: d.Clock, Audit: s.Tenancy,
		Domains: PersonalDataDomains(s),
		Orgs: func(ctx context.Context, userID uuid.UUID) ([]uuid.UUID, error) {
			ms, err := s.Tenancy.Store.Memberships(ctx, userID)
			out := make([]uuid.UUID, 0, len(ms))
			for _, m := range ms {
				out = append(out, m.OrgID)
			}
			return out, err
		},
		Erasers: []account.Eraser{s.Tenancy},
	}
	courseStore := &courses.Store{DB: d.DB}
	s.Courses = &courses.Service{
		DB: d.DB, Store: courseStore, Clock: d.Clock, Mail: d.Mail, Tenancy: s.Tenancy.Store, Log: d.Log,
		BaseURL: d.Config.BaseURL,
		// A completed mentor training is recorded with the course and on
		// the practitioner profile, which matching reads.
		Mentors: trainedMentors{courseStore},
	}
	s.Billing = &billing.Service{
		DB: d.DB, Store: &billing.Store{DB: d.DB}, Courses: courseStore, Tenancy: s.Tenancy.Store, Mail: d.Mail,
		Clock: d.Clock, Log: d.Log, Stripe: billing.NewStripe(d.Config), WebhookSecret: d.Config.StripeWebhookSecret,
		BaseURL: d.Config.BaseURL,
	}
	s.Calendar = &calendar.Service{
		DB: d.DB, Clock: d.Clock, Mail: d.Mail, Relationships: &relationships.Store{DB: d.DB},
		Tenancy: s.Tenancy.Store, Log: d.Log, BaseURL: d.Config.BaseURL,
	}
	s.Reports = &reports.Service{
		DB: d.DB, Store: &reports.Store{DB: d.DB}, Orgs: s.Tenancy.Store, Rels: s.Relationships, Answers: &feedback.Store{DB: d.DB},
		Clock: d.Clock, Log: d.Log, Mail: d.Mail, BaseURL: d.Config.BaseURL,
	}
	s.Feedback = &feedback.Service{
		DB: d.DB, Store: &feedback.Store{DB: d.DB}, Orgs: s.Tenancy.Store, Mail: d.Mail, Rematch: rematches{s.Matching},
		Clock: d.Clock, Log: d.Log, BaseURL: d.Config.BaseURL, Secret: []byte(d.Config.SecretKey),
	}
	s.Library, s.LibraryErr = library.NewService(library.Service{
		Store: &library.Store{DB: d.DB}, Clock: d.Clock, Log: d.Log,
		Relationships: libraryRelationships{rels: s.Relationships, tenancy: s.Tenancy.Store},
		Needs:         libraryNeeds{assess: s.Assessment, rels: s.Relationships},
		Sessions:      librarySessions{calendar: s.Calendar},
		Goals:         libraryGoals{rels: s.Relationships, clock: d.Clock},
	})
	if s.LibraryErr == nil {
		// A new organisation starts with the library's starter content.
		s.Tenancy.OnCreate = append(s.Tenancy.OnCreate, s.Library)
	}
	s.Auth.Feeds = s.Calendar
	return s
}

// rematches opens a rematch request through matching's flow (feedback:
// "not a good fit").
type rematches struct{ matching *matching.Service }

func (r rematches) OpenRematch(ctx context.Context, orgID, memberID, relationshipID uuid.UUID, reason string) error {
	_, err := r.matching.RequestRematch(ctx, orgID, memberID, &relationshipID, reason)
	return err
}

// trainedMentors records a completed mentor training in both places that
// need it, in the completing transaction: the courses' own record (which
// course qualified the person) and the practitioner profile (matching).
type trainedMentors struct{ courses *courses.Store }

func (t trainedMentors) MarkTrainedMentor(ctx context.Context, tx bun.IDB, orgID, userID uuid.UUID, at time.Time) error {
	if err := t.courses.MarkTrainedMentor(ctx, tx, orgID, userID, at); err != nil {
		return err
	}
	return relationships.MarkTrainedMentor(ctx, tx, orgID, userID, at)
}

// nextSessions gives the My support page (matching) the viewer's next
// sessions from the calendar, which owns them.
type nextSessions struct{ calendar *calendar.Service }

func (n nextSessions) NextSessions(ctx context.Context, orgID, userID uuid.UUID, limit int) ([]matching.NextSession, error) {
	ss, err := n.calendar.Upcoming(ctx, orgID, userID, limit)
	if err != nil {
		return nil, err
	}
	out := make([]matching.NextSession, 0, len(ss))
	for _, s := range ss {
		out = append(out, matching.NextSession{ID: s.ID, Title: s.Title, Kind: s.Kind, Status: s.Status, StartsAt: s.StartsAt, EndsAt: s.EndsAt, Place: s.Place})
	}
	return out, nil
}

// PersonalDataDomains is every domain's part of personal data, in the
// order the export lists them and erasure runs them (tenancy's own eraser,
// which removes the memberships, runs after all of them).
func PersonalDataDomains(s *Services) []personaldata.Domain {
	keys := s.NoteKeys
	return []personaldata.Domain{
		personalSpec(auth.PersonalData), s.Tenancy,
		personalSpec(assessment.PersonalData), personalSpec(matching.PersonalData),
		personalSpec(func() personaldata.Spec { return relationships.PersonalData(keys) }),
		personalSpec(calendar.PersonalData), personalSpec(courses.PersonalData), personalSpec(billing.PersonalData),
		personalSpec(feedback.PersonalData), personalSpec(reports.PersonalData), personalSpec(library.PersonalData),
		personalSpec(mail.PersonalData),
	}
}

// personalSpec makes a domain's PersonalData function a personaldata.Domain.
type personalSpec func() personaldata.Spec

func (f personalSpec) PersonalData() personaldata.Spec { return f() }
