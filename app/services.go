package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/leadershiptoolbox/toolbox/app/account"
	"github.com/leadershiptoolbox/toolbox/app/assessment"
	"github.com/leadershiptoolbox/toolbox/app/audit"
	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/billing"
	"github.com/leadershiptoolbox/toolbox/app/busy"
	"github.com/leadershiptoolbox/toolbox/app/calendar"
	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/config"
	"github.com/leadershiptoolbox/toolbox/app/courses"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/feedback"
	"github.com/leadershiptoolbox/toolbox/app/health"
	"github.com/leadershiptoolbox/toolbox/app/hours"
	"github.com/leadershiptoolbox/toolbox/app/identity"
	"github.com/leadershiptoolbox/toolbox/app/library"
	"github.com/leadershiptoolbox/toolbox/app/mail"
	"github.com/leadershiptoolbox/toolbox/app/matching"
	"github.com/leadershiptoolbox/toolbox/app/metrics"
	"github.com/leadershiptoolbox/toolbox/app/ops"
	"github.com/leadershiptoolbox/toolbox/app/outbox"
	"github.com/leadershiptoolbox/toolbox/app/pagecache"
	"github.com/leadershiptoolbox/toolbox/app/personaldata"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/reports"
	"github.com/leadershiptoolbox/toolbox/app/supervision"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/topics"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// App is the whole application, built once by Build: the infrastructure
// it runs on, the domain services (shared by the web handlers and the
// worker's task handlers), the HTTP handler and the task mux.
type App struct {
	Config   config.Config
	DB       *db.DB
	Clock    clock.Clock
	Log      *slog.Logger
	Mail     *mail.Service
	Relay    *outbox.Relay
	Renderer *web.Renderer
	Assets   *web.Assets
	// Pages keeps rendered pages until their organisation changes (nil:
	// off, or no change feed to keep it honest).
	Pages *pagecache.Cache
	// stopPages ends the page cache's subscription to the change feed.
	stopPages func()
	// Ready are the checks /readyz makes (Redis only when there is one).
	Ready health.Checks
	// Metrics counts what Prometheus scrapes (cmd/toolbox serves them on
	// their own address).
	Metrics *metrics.Metrics
	// Queues is the queue console (asynqmon) at /ops/queues, on the task
	// queue's own Redis client (in the embedded mode, the in-process
	// server); without Redis it says there is no queue.
	Queues *ops.Queues

	Auth          *auth.Service
	Tenancy       *tenancy.Service
	Audit         *audit.Store
	Assessment    *assessment.Store
	Relationships *relationships.Store
	// NoteKeys seal private notes.
	NoteKeys *relationships.Keyring
	Matching *matching.Service
	Account  *account.Service
	Courses  *courses.Service
	Billing  *billing.Service
	// Calendar: availability, sessions, subscriptions and reminders.
	Calendar *calendar.Service
	// Busy: the busy times of practitioners' own calendars.
	Busy *busy.Service
	// Reports: the programme report, compiled by workers.
	Reports *reports.Service
	// Feedback after sessions.
	Feedback *feedback.Service
	// Topics: each organisation's vocabulary of topics.
	Topics *topics.Store
	// Library: articles, tools, agendas, recommendations, sharing.
	Library *library.Service
	// Hours: a practitioner's coaching, mentoring and supervision logs.
	Hours *hours.Service
	// Ops: the platform operator's console, suspension, support access.
	Ops *ops.Service
	// Identity: sign-in through organisations' identity providers.
	Identity *identity.Service
	// Supervision: supervision groups, roles in rotation, de-identified cases.
	Supervision *supervision.Service

	// Handler serves HTTP: the route table of routes.go.
	Handler *gin.Engine
	// Tasks runs background tasks: the task table of tasks.go.
	Tasks *asynq.ServeMux
}

// Build is the one constructor of the application, used by cmd/toolbox,
// the test kit and the worker processes of tests. rdb is the task
// queue's Redis; without one (tests that run the outbox's tasks
// themselves through Tasks) nothing is handed to a queue and /readyz does
// not ask Redis. A configuration value that was read but cannot be used
// (a notes key, the SMTP settings, a proxy address) is a config.Invalid.
func Build(cfg config.Config, d *db.DB, rdb redis.UniversalClient, clk clock.Clock, log *slog.Logger) (*App, error) {
	assets, err := NewAssets()
	if err != nil {
		return nil, err
	}
	renderer, err := NewRenderer(assets)
	if err != nil {
		return nil, err
	}
	if cfg.TimeTravel {
		// Every part reads this one clock, so that /dev/clock moves the
		// requests, the relay and the scheduled work together.
		clk = clock.NewShifted(clk)
		log.Warn("time travel is on: /dev/clock moves the application's clock forward (TOOLBOX_TIME_TRAVEL, for trials and tests only)")
	}
	mailer := &mail.Service{DB: d, Renderer: renderer, Clock: clk, Log: log}
	if cfg.SMTPEnabled() {
		sender, err := mail.NewSMTPSender(mail.SMTPConfig{
			Host: cfg.SMTPHost, Port: cfg.SMTPPort, Username: cfg.SMTPUsername, Password: cfg.SMTPPassword,
			TLS: cfg.SMTPTLS, From: cfg.MailFrom,
		})
		if err != nil {
			return nil, config.Invalid{Err: fmt.Errorf("TOOLBOX_SMTP_HOST: %w", err)}
		}
		mailer.Sender = sender
	}
	var queue outbox.Enqueuer
	ready := health.Checks{"database": d}
	if rdb != nil {
		queue = asynq.NewClientFromRedisClient(rdb)
		ready["redis"] = health.PingFunc(func(ctx context.Context) error { return rdb.Ping(ctx).Err() })
	}
	relay := outbox.NewRelay(d, queue, clk, log)
	relay.RecheckAfter = cfg.OutboxRecheckAfter
	keys, err := relationships.NewKeyring(cfg.NotesKeys, cfg.SecretKey)
	if err != nil {
		return nil, config.Invalid{Err: fmt.Errorf("TOOLBOX_NOTES_KEYS: %w", err)}
	}

	a := &App{Config: cfg, DB: d, Clock: clk, Log: log, Mail: mailer, Relay: relay, Renderer: renderer, Assets: assets,
		Ready: ready, NoteKeys: keys, Metrics: metrics.New()}
	a.Metrics.WatchDB(d)
	a.Metrics.WatchOutbox(d, clk, log)
	a.stopPages = func() {}
	if d.Invalidator != nil {
		if a.Pages = pagecache.New(clk, &d.Invalidator.Enabled, cfg.PageCacheMB<<20); a.Pages != nil {
			a.stopPages = d.Invalidator.OnChange(a.Pages.Changed)
			a.Metrics.WatchPageCache(a.Pages.Stats)
		}
	}
	if err := a.buildServices(); err != nil {
		return nil, err
	}
	a.Queues = ops.NewQueues(rdb, cfg.BaseURL, a.Ops.Store, clk)
	if a.Handler, err = newEngine(a); err != nil {
		return nil, err
	}
	a.Tasks = newTaskMux(a)
	return a, nil
}

// Close lets go of what Build subscribed to on the database (the page
// cache's feed), for an application built again on the same database.
func (a *App) Close() {
	a.stopPages()
}

// buildServices wires the domain services together, each in one literal.
// Auth and tenancy need each other (sign-in asks tenancy who may enter;
// tenancy signs people up through auth), so both are allocated first.
func (a *App) buildServices() error {
	d, cfg := a.DB, a.Config
	https := strings.HasPrefix(cfg.BaseURL, "https://")
	tenancyStore := tenancy.NewStore(d)
	a.Audit = &audit.Store{DB: d}
	a.Assessment = &assessment.Store{DB: d}
	a.Relationships = &relationships.Store{DB: d}
	a.Topics = &topics.Store{DB: d}
	a.Auth, a.Tenancy = &auth.Service{}, &tenancy.Service{}
	a.Busy = &busy.Service{
		DB: d, Store: &busy.Store{DB: d}, Keys: a.NoteKeys, Clock: a.Clock, Log: a.Log,
		Fetcher: &busy.Fetcher{AllowPrivate: cfg.CalendarsAllowPrivate()},
		Every:   cfg.CalendarsEvery, StaleAfter: cfg.CalendarsStaleAfter,
	}
	a.Calendar = &calendar.Service{
		DB: d, Store: &calendar.Store{DB: d}, Clock: a.Clock, Mail: a.Mail, Relationships: a.Relationships,
		Tenancy: tenancyStore, Busy: a.Busy, Log: a.Log, BaseURL: cfg.BaseURL,
	}
	// Calendars are read in the practitioner's zone, over their booking window.
	a.Busy.Zone, a.Busy.WindowDays = a.Calendar.PractitionerZone, a.Calendar.BookingWindowDays
	// A deactivated practitioner's calendars are no longer read.
	a.Busy.Active = func(ctx context.Context, orgID, userID uuid.UUID) (bool, error) {
		p, err := tenancyStore.Member(ctx, orgID, userID)
		if errors.Is(err, db.ErrNotFound) {
			return false, nil
		}
		return err == nil && p.Status == tenancy.StatusActive, err
	}
	var err error
	a.Library, err = library.NewService(library.Service{
		Store: &library.Store{DB: d}, Clock: a.Clock, Log: a.Log,
		Relationships: libraryRelationships{rels: a.Relationships, tenancy: tenancyStore},
		Needs:         libraryNeeds{assess: a.Assessment, rels: a.Relationships},
		Sessions:      librarySessions{calendar: a.Calendar},
		Goals:         libraryGoals{rels: a.Relationships, clock: a.Clock},
	})
	if err != nil {
		return fmt.Errorf("library: starter content: %w", err)
	}
	*a.Auth = auth.Service{
		DB: d, Store: &auth.Store{DB: d}, Sessions: auth.NewSessions(d, https),
		Clock: a.Clock, Mail: a.Mail, Log: a.Log, BaseURL: cfg.BaseURL,
		Events: a.Tenancy, Access: a.Tenancy, Feeds: a.Calendar, SignupsPerAddress: cfg.SignupsPerHour,
	}
	*a.Tenancy = tenancy.Service{
		DB: d, Store: tenancyStore, Auth: a.Auth, Clock: a.Clock, Log: a.Log,
		Invitations: tenancy.InvitationLimits{PerDay: cfg.InvitationsPerDay, NewOrgPerDay: cfg.NewOrgInvitationsPerDay, NewFor: 7 * 24 * time.Hour},
		// A new organisation starts with the library's starter content
		// and the default topics.
		OnCreate: []tenancy.OrgCreated{a.Library, a.Topics},
	}
	a.Matching = &matching.Service{
		DB: d, Assess: a.Assessment, Rels: a.Relationships, Tenancy: tenancyStore, Topics: a.Topics, Mail: a.Mail,
		Clock: a.Clock, Log: a.Log, BaseURL: cfg.BaseURL,
	}
	// Personal data: each domain describes its part of the export and of
	// account deletion (PersonalDataDomains); tenancy's eraser, which
	// removes the memberships, runs after them.
	a.Account = &account.Service{
		DB: d, Clock: a.Clock, Audit: a.Tenancy,
		Domains: PersonalDataDomains(a),
		Orgs: func(ctx context.Context, userID uuid.UUID) ([]uuid.UUID, error) {
			ms, err := tenancyStore.Memberships(ctx, userID)
			out := make([]uuid.UUID, 0, len(ms))
			for _, m := range ms {
				out = append(out, m.OrgID)
			}
			return out, err
		},
		Erasers: []account.Eraser{a.Tenancy},
	}
	courseStore := &courses.Store{DB: d}
	a.Courses = &courses.Service{
		DB: d, Store: courseStore, Clock: a.Clock, Mail: a.Mail, Tenancy: tenancyStore, Log: a.Log,
		BaseURL: cfg.BaseURL,
		// A completed mentor training is stamped on the practitioner
		// profile too, which matching reads.
		Mentors: a.Relationships,
	}
	a.Billing = &billing.Service{
		DB: d, Store: &billing.Store{DB: d}, Courses: courseStore, Tenancy: tenancyStore, Mail: a.Mail,
		Clock: a.Clock, Log: a.Log, Stripe: billing.NewStripe(cfg), WebhookSecret: cfg.StripeWebhookSecret,
		BaseURL: cfg.BaseURL,
	}
	a.Reports = &reports.Service{
		DB: d, Store: &reports.Store{DB: d}, Orgs: tenancyStore, Rels: a.Relationships, Answers: &feedback.Store{DB: d},
		Clock: a.Clock, Log: a.Log, Mail: a.Mail, BaseURL: cfg.BaseURL,
	}
	a.Feedback = &feedback.Service{
		DB: d, Store: &feedback.Store{DB: d}, Orgs: tenancyStore, Mail: a.Mail, Rematch: a.Matching,
		Clock: a.Clock, Log: a.Log, BaseURL: cfg.BaseURL, Secret: []byte(cfg.SecretKey),
	}
	a.Identity = &identity.Service{DB: d, Store: &identity.Store{DB: d}, Keys: a.NoteKeys, Clock: a.Clock, Log: a.Log,
		BaseURL: cfg.BaseURL, Auth: a.Auth, Orgs: tenancyStore}
	// An organisation's provider may switch password sign-in off for its domains.
	a.Auth.Passwords = a.Identity
	a.Hours = &hours.Service{Store: &hours.Store{DB: d, Keys: a.NoteKeys}, Rels: a.Relationships, Clock: a.Clock}
	a.Ops = &ops.Service{DB: d, Store: &ops.Store{DB: d}, Tenancy: tenancyStore, Mail: a.Mail, Billing: a.Billing.Store,
		Clock: a.Clock, Log: a.Log}
	a.Supervision = &supervision.Service{
		DB: d, Store: &supervision.Store{DB: d}, Rels: a.Relationships, Keys: a.NoteKeys, Sessions: a.Calendar,
		People: tenancyStore, Clock: a.Clock,
	}
	// The operator's console asks for a recent sign-in, stamped by this clock.
	a.Auth.Sessions.Clock = a.Clock
	// The metrics hear of reminders sent and e-mail that failed.
	a.Calendar.ReminderLateness = a.Metrics.ReminderSent
	a.Mail.SendFailed = a.Metrics.EmailFailed
	return nil
}

// PersonalDataDomains is every domain's part of personal data, in the
// order the export lists them and erasure runs them (tenancy's own eraser,
// which removes the memberships, runs after all of them).
func PersonalDataDomains(a *App) []personaldata.Domain {
	keys, engine := a.NoteKeys, a.DB.Engine
	return []personaldata.Domain{
		personalSpec(auth.PersonalData), a.Tenancy,
		personalSpec(assessment.PersonalData), personalSpec(matching.PersonalData),
		personalSpec(func() personaldata.Spec { return relationships.PersonalData(keys) }),
		personalSpec(calendar.PersonalData), personalSpec(busy.PersonalData), personalSpec(courses.PersonalData), personalSpec(billing.PersonalData),
		personalSpec(feedback.PersonalData), personalSpec(func() personaldata.Spec { return reports.PersonalData(engine) }),
		personalSpec(library.PersonalData), personalSpec(mail.PersonalData), personalSpec(ops.PersonalData),
		personalSpec(identity.PersonalData),
		personalSpec(func() personaldata.Spec { return hours.PersonalData(keys) }),
		personalSpec(supervision.PersonalData),
	}
}

// personalSpec makes a domain's PersonalData function a personaldata.Domain.
type personalSpec func() personaldata.Spec

func (f personalSpec) PersonalData() personaldata.Spec { return f() }
