// Package app assembles the web application: New is the one place where
// every route and middleware is mounted, with the permission each route
// needs visible beside it.
package app

import (
	"html/template"
	"io/fs"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/leadershiptoolbox/toolbox/app/account"
	"github.com/leadershiptoolbox/toolbox/app/assessment"
	"github.com/leadershiptoolbox/toolbox/app/audit"
	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/billing"
	"github.com/leadershiptoolbox/toolbox/app/calendar"
	"github.com/leadershiptoolbox/toolbox/app/courses"
	"github.com/leadershiptoolbox/toolbox/app/health"
	"github.com/leadershiptoolbox/toolbox/app/mail"
	"github.com/leadershiptoolbox/toolbox/app/matching"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/web"
	"github.com/leadershiptoolbox/toolbox/static"
	"github.com/leadershiptoolbox/toolbox/templates"
)

// NewAssets hashes the embedded static files.
func NewAssets() (*web.Assets, error) {
	return web.NewAssets(static.FS)
}

// NewRenderer parses the embedded templates with the asset URL function.
func NewRenderer(assets *web.Assets) (*web.Renderer, error) {
	return NewRendererFS(templates.FS, assets)
}

// NewRendererFS is NewRenderer over another template tree (tests).
func NewRendererFS(fsys fs.FS, assets *web.Assets) (*web.Renderer, error) {
	return web.NewRenderer(fsys, template.FuncMap{"asset": assets.URL})
}

// New builds the HTTP handler.
func New(s *Services) (*gin.Engine, error) {
	d := s.Deps
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.RedirectTrailingSlash = true
	r.ContextWithFallback = true

	site := web.Site{Name: "Leadership Toolbox", DevOutbox: d.Config.DevOutbox(), BaseURL: d.Config.BaseURL}
	for dst, name := range map[*string]string{
		&site.Assets.CSS: "css/app.css", &site.Assets.HTMX: "vendor/htmx/htmx.min.js", &site.Assets.JS: "js/app.js",
		&site.Assets.Logo: "img/logo.svg", &site.Assets.Favicon: "img/favicon.svg",
	} {
		u, err := d.Assets.URL(name)
		if err != nil {
			return nil, err
		}
		*dst = u
	}
	errs := &web.Errors{Log: d.Log}
	errs.Page = func(c *gin.Context, status int, message string) {
		page := web.NewPage(c, http.StatusText(status), gin.H{"Heading": headingFor(status), "Message": message})
		if err := d.Renderer.Render(c, status, "errors/status", page); err != nil {
			d.Log.Error("render error page", "err", err)
			c.String(status, message)
		}
	}
	pages := []string{"errors/status", "home/index", "dev/outbox", "dev/email"}
	pages = append(pages, auth.Pages...)
	pages = append(pages, tenancy.Pages...)
	pages = append(pages, assessment.Pages...)
	pages = append(pages, relationships.Pages...)
	pages = append(pages, matching.Pages...)
	pages = append(pages, tenancy.AdminPages...)
	pages = append(pages, account.Pages...)
	pages = append(pages, courses.Pages...)
	pages = append(pages, billing.Pages...)
	pages = append(pages, calendar.Pages...)
	if err := d.Renderer.MustHave(pages...); err != nil {
		return nil, err
	}

	if s.NoteKeysErr != nil {
		return nil, s.NoteKeysErr
	}

	https := strings.HasPrefix(d.Config.BaseURL, "https://")
	authHandlers := &auth.Handlers{Service: s.Auth, Renderer: d.Renderer}
	tenancyHandlers := &tenancy.Handlers{Service: s.Tenancy, Renderer: d.Renderer, Audit: s.Audit,
		AuditActions: append(slices.Clone(audit.Actions),
			calendar.ActionCancelOverride, calendar.ActionMoveOverride, calendar.ActionScheduledDirectly,
			courses.ActionEnrolmentGranted, courses.ActionCourseCreated, courses.ActionCourseUpdated)}
	accountHandlers := &account.Handlers{Service: s.Account, Sessions: s.Auth.Sessions, Renderer: d.Renderer, Refusal: tenancy.LastOwnerMessage}
	courseHandlers := &courses.Handlers{Service: s.Courses, Renderer: d.Renderer, PaymentsEnabled: s.Billing.Enabled()}
	billingHandlers := &billing.Handlers{Service: s.Billing, Renderer: d.Renderer}
	calendarHandlers := &calendar.Handlers{Service: s.Calendar, Renderer: d.Renderer}

	r.Use(
		web.AssignRequestID(),
		web.AccessLog(d.Log),
		web.Recover(errs),
		web.SecurityHeaders(https),
		web.WithSite(site),
		limitBody(8<<20),
	)
	r.NoRoute(func(c *gin.Context) { errs.Handle(c, web.Errorf(http.StatusNotFound, "We could not find that page.")) })
	r.NoMethod(func(c *gin.Context) {
		errs.Handle(c, web.Errorf(http.StatusMethodNotAllowed, "That action is not available here."))
	})

	// Machine routes: no session, no CSRF.
	health.Mount(r, health.Checks{"database": d.DB, "redis": d.Redis})
	r.GET("/static/*path", d.Assets.Serve)
	r.HEAD("/static/*path", d.Assets.Serve)
	// Stripe's webhook: authenticated by its signature, not a session.
	billingHandlers.MountWebhook(r)

	// Browser routes: CSRF on every state-changing request, and the
	// signed-in person (if any) loaded from the session.
	browser := r.Group("/", web.CSRF(d.Config.BaseURL, errs, "/webhooks/"), errs.H(authHandlers.LoadViewer))
	signedIn := browser.Group("/", errs.H(auth.RequireUser))
	// Everything of an organisation lives under /o/:slug, behind the
	// tenant wall; each route below names the roles it admits.
	org := signedIn.Group("/o/:slug", errs.H(tenancyHandlers.Tenant))
	anyone := org.Group("", errs.H(tenancy.Require(tenancy.Anyone...)))
	admins := org.Group("", errs.H(tenancy.Require(tenancy.Admins...)))
	practitioners := org.Group("", errs.H(tenancy.Require(tenancy.Practitioners...)))

	// Public pages.
	browser.GET("/", errs.H(func(c *gin.Context) error {
		return d.Renderer.Render(c, http.StatusOK, "home/index", web.NewPage(c, "", nil))
	}))
	authHandlers.Mount(browser, signedIn, errs)
	tenancyHandlers.Mount(browser, signedIn, errs)
	tenancyHandlers.MountInvitationLinks(browser, errs)
	accountHandlers.Mount(signedIn, errs)

	// Organisation pages.
	tenancyHandlers.MountTenant(anyone, errs)
	staff := org.Group("", errs.H(tenancy.Require(tenancy.Staff...)))
	// Needs assessment and signposting: members take it, staff review and
	// signpost, admins edit the questions.
	(&assessment.Handlers{Store: s.Assessment, Tenancy: s.Tenancy.Store, Clock: d.Clock, Renderer: d.Renderer}).
		Mount(anyone, staff, admins, errs)
	// Relationships: the routes under anyone admit participants (and staff,
	// read-only, to the page) after loading the relationship.
	relationshipHandlers := &relationships.Handlers{Store: s.Relationships, Keys: s.NoteKeys, Tenancy: s.Tenancy.Store, Clock: d.Clock, Renderer: d.Renderer, Sessions: s.Calendar}
	relationshipHandlers.Mount(anyone, practitioners, errs)
	relationshipHandlers.MountStaff(staff, errs) // groups: start one, members join and leave
	// Matching, the pipeline (staff) and everyone's own support page; the
	// routes under anyone admit the request's member or the proposal's
	// practitioner only.
	(&matching.Handlers{Service: s.Matching, Renderer: d.Renderer, Sessions: nextSessions{s.Calendar}, Courses: s.Courses.Store}).Mount(anyone, staff, errs)
	tenancyHandlers.MountAdmin(admins, errs) // transfer of ownership: tenancy.Owners
	courseHandlers.Mount(browser, anyone, admins, errs)
	billingHandlers.Mount(anyone, admins, errs)
	// The calendar subscription feed: a secret token in the URL is its key.
	calendarHandlers.MountPublic(browser, errs)

	// Calendar: views, booking and sessions for anyone (each session
	// checks the person takes part); availability and direct scheduling
	// for practitioners.
	calendarHandlers.MountTenant(anyone, practitioners, errs)
	calendarHandlers.MountAdmin(admins, errs) // session types

	// Development mail outbox: embedded mode without SMTP only.
	if d.Config.DevOutbox() {
		(&mail.Outbox{Mail: d.Mail, Renderer: d.Renderer}).Mount(browser, errs)
	}
	return r, nil
}

// limitBody caps request bodies (the largest legitimate one is a 1 MB CSV
// upload), before the CSRF check parses forms.
func limitBody(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Body != nil {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		}
		c.Next()
	}
}

func headingFor(status int) string {
	switch status {
	case http.StatusNotFound:
		return "Page not found"
	case http.StatusForbidden:
		return "Not allowed"
	case http.StatusConflict:
		return "Changed in the meantime"
	case http.StatusUnprocessableEntity:
		return "Please check what you entered"
	case http.StatusBadRequest:
		return "Bad request"
	case http.StatusMethodNotAllowed:
		return "Not available"
	default:
		return "Something went wrong"
	}
}
