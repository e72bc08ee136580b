package app

import (
	"net/http"
	"slices"

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
)

// handlers are the domains' web handlers, built once from the services.
type handlers struct {
	deps          Deps
	auth          *auth.Handlers
	tenancy       *tenancy.Handlers
	account       *account.Handlers
	assessment    *assessment.Handlers
	relationships *relationships.Handlers
	matching      *matching.Handlers
	courses       *courses.Handlers
	billing       *billing.Handlers
	calendar      *calendar.Handlers
	outbox        *mail.Outbox
}

func newHandlers(s *Services) *handlers {
	d := s.Deps
	return &handlers{
		deps: d,
		auth: &auth.Handlers{Service: s.Auth, Renderer: d.Renderer},
		tenancy: &tenancy.Handlers{Service: s.Tenancy, Renderer: d.Renderer, Audit: s.Audit,
			AuditActions: append(slices.Clone(audit.Actions),
				calendar.ActionCancelOverride, calendar.ActionMoveOverride, calendar.ActionScheduledDirectly,
				courses.ActionEnrolmentGranted, courses.ActionCourseCreated, courses.ActionCourseUpdated)},
		account:    &account.Handlers{Service: s.Account, Sessions: s.Auth.Sessions, Renderer: d.Renderer, Refusal: tenancy.LastOwnerMessage},
		assessment: &assessment.Handlers{Store: s.Assessment, Tenancy: s.Tenancy.Store, Clock: d.Clock, Renderer: d.Renderer},
		relationships: &relationships.Handlers{Store: s.Relationships, Keys: s.NoteKeys, Tenancy: s.Tenancy.Store, Clock: d.Clock,
			Renderer: d.Renderer, Sessions: s.Calendar},
		matching: &matching.Handlers{Service: s.Matching, Renderer: d.Renderer, Sessions: nextSessions{s.Calendar}, Courses: s.Courses.Store},
		courses:  &courses.Handlers{Service: s.Courses, Renderer: d.Renderer, PaymentsEnabled: s.Billing.Enabled()},
		billing:  &billing.Handlers{Service: s.Billing, Renderer: d.Renderer},
		calendar: &calendar.Handlers{Service: s.Calendar, Renderer: d.Renderer},
		outbox:   &mail.Outbox{Mail: d.Mail, Renderer: d.Renderer},
	}
}

// mountRoutes is the route table: every route of the application on one
// line, grouped by URL prefix. The group a line starts with says who it
// admits:
//
//	machine        probes, static files and Stripe's signed webhook: no session, no CSRF
//	public         anyone; CSRF on state changes, the signed-in person loaded if any
//	signedIn       any signed-in person
//	anyone         under /o/:slug, any active member of the organisation (some
//	               handlers then admit only the people an object concerns)
//	staff, practitioners, admins   under /o/:slug, those roles (tenancy.Staff …)
//
// owners (tenancy.Owners) is a check added on a line of its own.
func mountRoutes(r *gin.Engine, h *handlers, errs *web.Errors) {
	d, e := h.deps, errs.H
	machine := r.Group("/")
	public := r.Group("/", web.CSRF(d.Config.BaseURL, errs, "/webhooks/"), e(h.auth.LoadViewer))
	signedIn := public.Group("/", e(auth.RequireUser))
	org := signedIn.Group("/o/:slug", e(h.tenancy.Tenant)) // the tenant wall: another organisation's slug is 404
	anyone := org.Group("", e(tenancy.Require(tenancy.Anyone...)))
	staff := org.Group("", e(tenancy.Require(tenancy.Staff...)))
	practitioners := org.Group("", e(tenancy.Require(tenancy.Practitioners...)))
	admins := org.Group("", e(tenancy.Require(tenancy.Admins...)))
	owners := e(tenancy.Require(tenancy.Owners...))

	// Machine routes.
	health.Mount(machine, health.Checks{"database": d.DB, "redis": d.Redis})
	machine.GET("/static/*path", d.Assets.Serve)
	machine.HEAD("/static/*path", d.Assets.Serve)
	h.billing.MountWebhook(machine)

	// Public pages: home, signing in, e-mailed links, sign-up.
	public.GET("/", e(func(c *gin.Context) error {
		return d.Renderer.Render(c, http.StatusOK, pageHome, web.NewPage(c, "", nil))
	}))
	h.auth.Mount(public, signedIn, errs)
	public.GET("/signup", e(h.tenancy.ShowSignupPage))
	public.POST("/signup", e(h.tenancy.SignUp))
	public.GET("/signup/slug", e(h.tenancy.CheckSlug))
	// /invitations/:token: the e-mailed token is the credential.
	public.GET("/invitations/:token", e(h.tenancy.ShowInvitationPage))
	public.POST("/invitations/:token", e(h.tenancy.AcceptInvitation))
	// /calendar/feed: the subscription's unguessable token is its only key.
	public.GET("/calendar/feed/:file", e(h.calendar.ServeFeed))

	// Signed-in pages outside organisations.
	signedIn.GET("/home", e(h.tenancy.ShowHomePage))
	h.account.Mount(signedIn, errs)

	// /o/:slug
	anyone.GET("", e(h.tenancy.ShowDashboardPage))

	h.assessment.Mount(anyone, staff, admins, errs)
	h.relationships.Mount(anyone, practitioners, errs)
	h.relationships.MountStaff(staff, errs)
	h.matching.Mount(anyone, staff, errs)

	// /o/:slug/people, /invitations, /settings, /audit: the organisation's admin.
	admins.GET("/people", e(h.tenancy.ShowPeoplePage))
	admins.GET("/people/:userID", e(h.tenancy.ShowPersonPage))
	admins.POST("/people/:userID/role", e(h.tenancy.ChangeRole))
	admins.POST("/people/:userID/manager", e(h.tenancy.SetLineManager))
	admins.POST("/people/:userID/deactivate", e(h.tenancy.SetStatus(false)))
	admins.POST("/people/:userID/reactivate", e(h.tenancy.SetStatus(true)))
	// The person is looked up before the owners' check, so that another organisation's ids are 404 whoever asks.
	admins.POST("/people/:userID/transfer", e(h.tenancy.RequireTarget), owners, e(h.tenancy.TransferOwnership))
	admins.GET("/invitations", e(h.tenancy.ShowInvitationsPage))
	admins.POST("/invitations", e(h.tenancy.Invite))
	admins.POST("/invitations/upload", e(h.tenancy.UploadInvitations))
	admins.POST("/invitations/:id/resend", e(h.tenancy.InvitationAction(true)))
	admins.POST("/invitations/:id/revoke", e(h.tenancy.InvitationAction(false)))
	admins.GET("/settings", e(h.tenancy.ShowSettingsPage))
	admins.POST("/settings", e(h.tenancy.UpdateSettings))
	admins.GET("/audit", e(h.tenancy.ShowAuditPage))

	h.courses.Mount(public, anyone, admins, errs)
	h.billing.Mount(anyone, admins, errs)

	// /o/:slug/calendar: anyone's views, booking and sessions (each session
	// admits the people taking part), practitioners' availability and direct
	// scheduling, admins' session types.
	anyone.GET("/calendar", e(h.calendar.ShowCalendarPage))
	anyone.GET("/calendar/book/:rel", e(h.calendar.ShowBookingPage))
	anyone.POST("/calendar/book/:rel", e(h.calendar.Book))
	anyone.GET("/calendar/sessions/:id", e(h.calendar.ShowSessionPage))
	anyone.POST("/calendar/sessions/:id/cancel", e(h.calendar.Cancel))
	anyone.POST("/calendar/sessions/:id/reschedule", e(h.calendar.Reschedule))
	anyone.POST("/calendar/sessions/:id/join", e(h.calendar.Join))
	anyone.POST("/calendar/sessions/:id/leave", e(h.calendar.Leave))
	anyone.GET("/calendar/subscription", e(h.calendar.ShowFeedPage))
	anyone.POST("/calendar/subscription", e(h.calendar.RegenerateFeed))
	practitioners.GET("/calendar/availability", e(h.calendar.ShowAvailabilityPage))
	practitioners.GET("/calendar/availability/preview", e(h.calendar.PreviewAvailability))
	practitioners.POST("/calendar/availability/rules", e(h.calendar.AddRule))
	practitioners.POST("/calendar/availability/rules/delete", e(h.calendar.DeleteRule))
	practitioners.POST("/calendar/availability/overrides", e(h.calendar.AddOverride))
	practitioners.POST("/calendar/availability/overrides/delete", e(h.calendar.DeleteOverride))
	practitioners.POST("/calendar/availability/settings", e(h.calendar.SaveSettings))
	practitioners.GET("/calendar/new", e(h.calendar.ShowNewSessionPage))
	practitioners.POST("/calendar/sessions", e(h.calendar.Schedule))
	practitioners.POST("/calendar/sessions/:id/attendance", e(h.calendar.MarkAttendance))
	practitioners.POST("/calendar/sessions/:id/mode", e(h.calendar.SwitchMode))
	admins.GET("/calendar/session-types", e(h.calendar.ShowSessionTypesPage))
	admins.POST("/calendar/session-types", e(h.calendar.SaveSessionType))
	admins.POST("/calendar/session-types/delete", e(h.calendar.DeleteSessionType))

	// /dev/mail: the development outbox, in embedded mode without SMTP only.
	if d.Config.DevOutbox() {
		h.outbox.Mount(public, errs)
	}
}
