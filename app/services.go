package app

import (
	"log/slog"
	"strings"

	"github.com/leadershiptoolbox/toolbox/app/audit"
	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/calendar"
	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/config"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/health"
	"github.com/leadershiptoolbox/toolbox/app/mail"
	"github.com/leadershiptoolbox/toolbox/app/outbox"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
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
	// Calendar: availability, sessions, subscriptions and reminders.
	Calendar *calendar.Service
}

// NewServices wires the domain services together.
func NewServices(d Deps) *Services {
	https := strings.HasPrefix(d.Config.BaseURL, "https://")
	s := &Services{Deps: d}
	s.Auth = &auth.Service{
		DB: d.DB, Store: &auth.Store{DB: d.DB}, Sessions: auth.NewSessions(d.DB, https),
		Clock: d.Clock, Mail: d.Mail, Log: d.Log, BaseURL: d.Config.BaseURL,
	}
	s.Tenancy = &tenancy.Service{DB: d.DB, Store: &tenancy.Store{DB: d.DB}, Auth: s.Auth, Clock: d.Clock, Log: d.Log}
	s.Auth.Events = s.Tenancy
	s.Audit = &audit.Store{DB: d.DB}
	s.Calendar = &calendar.Service{
		DB: d.DB, Clock: d.Clock, Mail: d.Mail, Relationships: &relationships.Store{DB: d.DB},
		Tenancy: s.Tenancy.Store, Log: d.Log, BaseURL: d.Config.BaseURL,
	}
	return s
}
