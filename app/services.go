package app

import (
	"log/slog"
	"strings"

	"github.com/leadershiptoolbox/toolbox/app/audit"
	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/billing"
	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/config"
	"github.com/leadershiptoolbox/toolbox/app/courses"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/health"
	"github.com/leadershiptoolbox/toolbox/app/mail"
	"github.com/leadershiptoolbox/toolbox/app/outbox"
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
	Courses *courses.Service
	Billing *billing.Service
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
	courseStore := &courses.Store{DB: d.DB}
	s.Courses = &courses.Service{
		DB: d.DB, Store: courseStore, Clock: d.Clock, Mail: d.Mail, Tenancy: s.Tenancy.Store, Log: d.Log,
		BaseURL: d.Config.BaseURL,
		// Until practitioner profiles take it over, the courses package
		// records trained mentors in its own table.
		Mentors: courseStore,
	}
	s.Billing = &billing.Service{
		DB: d.DB, Store: &billing.Store{DB: d.DB}, Courses: courseStore, Tenancy: s.Tenancy.Store, Mail: d.Mail,
		Clock: d.Clock, Log: d.Log, Stripe: billing.NewStripe(d.Config), WebhookSecret: d.Config.StripeWebhookSecret,
		BaseURL: d.Config.BaseURL,
	}
	return s
}
