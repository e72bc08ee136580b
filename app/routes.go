package app

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/account"
	"github.com/leadershiptoolbox/toolbox/app/assessment"
	"github.com/leadershiptoolbox/toolbox/app/audit"
	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/billing"
	"github.com/leadershiptoolbox/toolbox/app/busy"
	"github.com/leadershiptoolbox/toolbox/app/calendar"
	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/courses"
	"github.com/leadershiptoolbox/toolbox/app/dashboard"
	"github.com/leadershiptoolbox/toolbox/app/feedback"
	"github.com/leadershiptoolbox/toolbox/app/health"
	"github.com/leadershiptoolbox/toolbox/app/hours"
	"github.com/leadershiptoolbox/toolbox/app/identity"
	"github.com/leadershiptoolbox/toolbox/app/library"
	"github.com/leadershiptoolbox/toolbox/app/mail"
	"github.com/leadershiptoolbox/toolbox/app/matching"
	"github.com/leadershiptoolbox/toolbox/app/ops"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/reports"
	"github.com/leadershiptoolbox/toolbox/app/supervision"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/topics"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// handlers are the domains' web handlers, built once from the services.
type handlers struct {
	deps          *App
	auth          *auth.Handlers
	tenancy       *tenancy.Handlers
	account       *account.Handlers
	assessment    *assessment.Handlers
	relationships *relationships.Handlers
	matching      *matching.Handlers
	courses       *courses.Handlers
	dashboard     *dashboard.Handlers
	billing       *billing.Handlers
	calendar      *calendar.Handlers
	busy          *busy.Handlers
	reports       *reports.Handlers
	feedback      *feedback.Handlers
	library       *library.Handlers
	hours         *hours.Handlers
	supervision   *supervision.Handlers
	topics        *topics.Handlers
	outbox        *mail.Outbox
	ops           *ops.Handlers
	queues        *ops.Queues
	identity      *identity.Handlers
	// once makes every form post under /o/:slug happen once.
	once *web.Once
}

// shareReads lets a page's tenant reads share one connection and one
// transaction (db.WithRequestScope): a page that reads a dozen things
// pays for BEGIN and COMMIT once. Only safe methods: a form's post keeps
// its transactions as they are.
func (h *handlers) shareReads(c *gin.Context) {
	v := web.CurrentViewer(c)
	if (c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead) || v == nil || v.Org == nil {
		c.Next()
		return
	}
	ctx, release := h.deps.DB.WithRequestScope(c.Request.Context(), v.Org.ID)
	defer release()
	c.Request = c.Request.WithContext(ctx)
	c.Next()
}

// home is the public home page.
func (h *handlers) home(c *gin.Context) error {
	return h.deps.Renderer.Render(c, http.StatusOK, pageHome, web.NewPage(c, "", nil))
}

func newHandlers(s *App) *handlers {
	d := s
	return &handlers{
		deps: d,
		auth: &auth.Handlers{Service: s.Auth, Renderer: d.Renderer},
		tenancy: &tenancy.Handlers{Service: s.Tenancy, Renderer: d.Renderer, Audit: s.Audit,
			AuditActions: append(slices.Clone(audit.Actions),
				calendar.ActionCancelOverride, calendar.ActionMoveOverride, calendar.ActionScheduledDirectly,
				courses.ActionEnrolmentGranted, courses.ActionCourseCreated, matching.ActionMentorApproved, courses.ActionCourseUpdated, ops.OrgActionSupportStarted,
				ops.OrgActionSupportEnded, ops.OrgActionSuspended, ops.OrgActionResumed,
				identity.ActionConfigured, identity.ActionSignedIn, identity.ActionJoined, identity.ActionLinked, identity.ActionRefused),
			Courses: courseChoices(s.Courses.Store)},
		account:    &account.Handlers{Service: s.Account, Sessions: s.Auth.Sessions, Renderer: d.Renderer, Refusal: tenancy.LastOwnerMessage},
		assessment: &assessment.Handlers{Store: s.Assessment, Tenancy: s.Tenancy.Store, Clock: d.Clock, Renderer: d.Renderer, Topics: s.Topics},
		relationships: &relationships.Handlers{Store: s.Relationships, Keys: s.NoteKeys, Tenancy: s.Tenancy.Store, Clock: d.Clock,
			Renderer: d.Renderer, Sessions: s.Calendar, Library: s.Library, Topics: s.Topics, Timeline: s.Calendar, Asks: s.Feedback.Store},
		matching: &matching.Handlers{Service: s.Matching, Renderer: d.Renderer, Sessions: s.Calendar, Courses: s.Courses.Store,
			Library: s.Library, Feedback: s.Feedback.Store},
		dashboard: &dashboard.Handlers{Store: &dashboard.Store{DB: d.DB}, Tenancy: s.Tenancy.Store, Calendar: s.Calendar,
			Feedback: s.Feedback.Store, Reports: s.Reports.Store, Clock: d.Clock, Renderer: d.Renderer},
		courses:     &courses.Handlers{Service: s.Courses, Renderer: d.Renderer, PaymentsEnabled: s.Billing.Enabled()},
		calendar:    &calendar.Handlers{Service: s.Calendar, Renderer: d.Renderer},
		busy:        &busy.Handlers{Service: s.Busy, Renderer: d.Renderer},
		reports:     &reports.Handlers{Service: s.Reports, Renderer: d.Renderer},
		feedback:    &feedback.Handlers{Service: s.Feedback, Renderer: d.Renderer},
		library:     &library.Handlers{Service: s.Library, Renderer: d.Renderer},
		supervision: &supervision.Handlers{Service: s.Supervision, Renderer: d.Renderer},
		hours:       &hours.Handlers{Service: s.Hours, Renderer: d.Renderer},
		topics:      &topics.Handlers{Store: s.Topics, Clock: d.Clock, Renderer: d.Renderer, OnSaved: s.Assessment.OfferTopics},
		outbox:      &mail.Outbox{Mail: d.Mail, Renderer: d.Renderer},
		ops:         &ops.Handlers{Service: s.Ops, Sessions: s.Auth.Sessions, Renderer: d.Renderer},
		queues:      s.Queues,
		identity: &identity.Handlers{Service: s.Identity, Sessions: s.Auth.Sessions, Renderer: d.Renderer,
			Secure: strings.HasPrefix(d.Config.BaseURL, "https://")},
		billing: &billing.Handlers{Service: s.Billing, Renderer: d.Renderer, WebhookOutcome: d.Metrics.Webhook},
		once:    &web.Once{DB: d.DB, Now: d.Clock.Now, Wait: 10 * time.Second},
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
//	operators      under /ops, the platform's operators (app/ops) with a recent
//	               sign-in; anyone else, organisation owners included, gets 404
//
// owners (tenancy.Owners) is a check added on a line of its own.
func mountRoutes(r *gin.Engine, h *handlers, errs *web.Errors) {
	d, e := h.deps, errs.H
	machine := r.Group("/")
	// The queue console's own script sends no CSRF token; ops.Queues.Serve
	// checks the origin of its changes instead.
	public := r.Group("/", web.CSRF(d.Config.BaseURL, errs, "/webhooks/", ops.QueuesPath+"/"), e(h.auth.LoadViewer))
	signedIn := public.Group("/", e(auth.RequireUser))
	org := signedIn.Group("/o/:slug", e(h.tenancy.Tenant), d.Pages.Serve, h.shareReads, e(h.once.Guard)) // the tenant wall: another organisation's slug is 404; a page seen again unchanged comes from the page cache; a page's reads share a connection; a form's post happens once
	anyone := org.Group("", e(tenancy.Require(tenancy.Anyone...)))
	staff := org.Group("", e(tenancy.Require(tenancy.Staff...)))
	practitioners := org.Group("", e(tenancy.Require(tenancy.Practitioners...)))
	admins := org.Group("", e(tenancy.Require(tenancy.Admins...)))
	owners := e(tenancy.Require(tenancy.Owners...))
	operators := signedIn.Group("/ops", e(h.ops.RequireOperator))

	// Machine routes.
	machine.GET("/healthz", health.Live)
	machine.GET("/readyz", health.Ready(d.Ready))
	machine.GET("/static/*path", d.Assets.Serve)
	machine.HEAD("/static/*path", d.Assets.Serve)
	machine.POST("/webhooks/stripe", h.billing.ReceiveWebhook) // authenticated by Stripe's signature

	// Public pages.
	public.GET("/", e(h.home))
	// Signing in and out, and the e-mailed links whose token is the credential.
	public.GET("/login", e(h.auth.ShowLoginPage))
	public.POST("/login", e(h.auth.SignIn))
	public.POST("/logout", e(h.auth.SignOut))
	// Signing in through the organisation's identity provider (app/identity):
	// the flow's sealed cookie, state, nonce and PKCE are its keys.
	public.GET("/login/sso", e(h.identity.ShowStartPage))
	public.POST("/login/sso", e(h.identity.Start))
	public.GET("/login/sso/lookup", e(h.identity.Lookup))
	public.GET("/login/sso/callback", e(h.identity.Callback))
	public.GET("/login/sso/link", e(h.identity.ShowLinkPage))
	public.POST("/login/sso/link", e(h.identity.ConfirmLink))
	public.GET("/verify/:token", e(h.auth.ShowVerifyPage))
	public.POST("/verify/:token", e(h.auth.Verify))
	public.GET("/account/email/:token", e(h.auth.ShowChangeEmailPage))
	public.POST("/account/email/:token", e(h.auth.ConfirmChangeEmail))
	public.GET("/password/forgot", e(h.auth.ShowForgotPage))
	public.POST("/password/forgot", e(h.auth.RequestReset))
	public.GET("/password/reset/:token", e(h.auth.ShowResetPage))
	public.POST("/password/reset/:token", e(h.auth.ResetPassword))
	public.GET("/signup", e(h.tenancy.ShowSignupPage))
	public.POST("/signup", e(h.tenancy.SignUp))
	public.GET("/signup/slug", e(h.tenancy.CheckSlug))
	public.GET("/invitations/:token", e(h.tenancy.ShowInvitationPage))
	public.POST("/invitations/:token", e(h.tenancy.AcceptInvitation))
	// A certificate's code is checked by whoever it is shown to.
	public.GET("/certificates/:code", e(h.courses.ShowVerifyPage))
	// The subscription's unguessable token is the feed's only key.
	public.GET("/calendar/feed/:file", e(h.calendar.ServeFeed))
	// Feedback after a session by its e-mailed link: the signature is the key.
	public.GET("/feedback/:org/:id/:sig", e(h.feedback.ShowLinkForm))
	public.POST("/feedback/:org/:id/:sig", e(h.feedback.AnswerByLink))

	// Signed-in pages outside organisations: the organisation list and
	// /account (the person's own account and personal data).
	signedIn.GET("/home", e(h.tenancy.ShowHomePage))
	signedIn.GET("/account", e(h.auth.ShowAccountPage))
	signedIn.POST("/account/profile", e(h.auth.UpdateProfile))
	signedIn.POST("/account/password", e(h.auth.ChangePassword))
	signedIn.POST("/account/email", e(h.auth.ChangeEmail))
	signedIn.POST("/account/sessions/end", e(h.auth.SignOutEverywhere))
	signedIn.POST("/account/verify/resend", e(h.auth.ResendVerification))
	signedIn.GET("/account/export", e(h.account.ExportData))
	signedIn.GET("/account/delete", e(h.account.ShowDeletePage))
	signedIn.POST("/account/delete", e(h.account.DeleteAccount))

	// /o/:slug: the organisation's dashboard.
	anyone.GET("", e(h.dashboard.ShowDashboardPage))

	// /o/:slug/assessment(s), /questionnaire: the needs assessment members
	// take, staff review and signpost, admins edit.
	anyone.GET("/assessment", e(h.assessment.ShowAssessmentPage))
	anyone.POST("/assessment/answers", e(h.assessment.SaveAnswer))
	anyone.POST("/assessment/submit", e(h.assessment.Submit))
	staff.GET("/assessments/new", e(h.assessment.ShowNewPage))
	staff.POST("/assessments", e(h.assessment.RecordFaceToFace))
	staff.GET("/assessments/:id", e(h.assessment.ShowReviewPage))
	staff.POST("/assessments/:id/decide", e(h.assessment.Decide))
	admins.GET("/questionnaire", e(h.assessment.ShowQuestionnairePage))
	admins.POST("/questionnaire", e(h.assessment.SaveQuestionnaire))

	// /o/:slug/my, /pipeline, /requests, /proposals, /rematches: matching.
	// Under anyone, the request's member or the proposal's practitioner only.
	anyone.GET("/my", e(h.matching.ShowMyPage))
	staff.GET("/pipeline", e(h.matching.ShowPipelinePage))
	staff.POST("/pipeline/mentors/:userID/approve", e(h.matching.ApproveMentor)) // a trained mentor, with one click
	staff.GET("/requests/:id", e(h.matching.ShowRequestPage))
	staff.POST("/requests/:id/proposals", e(h.matching.ProposeByCoordinator))
	staff.POST("/requests/:id/close", e(h.matching.CloseRequest))
	anyone.GET("/requests/:id/choose", e(h.matching.ShowChoosePage))
	anyone.POST("/requests/:id/choose", e(h.matching.Choose))
	anyone.GET("/proposals/:id", e(h.matching.ShowProposalPage))
	anyone.POST("/proposals/:id/accept", e(h.matching.Accept))
	anyone.POST("/proposals/:id/decline", e(h.matching.Decline))
	staff.POST("/proposals/:id/withdraw", e(h.matching.Withdraw))
	staff.POST("/rematches/:id/close", e(h.matching.CloseRematch))
	staff.POST("/rematches/:id/request", e(h.matching.RequestFromRematch))

	// /o/:slug/profile, /relationships, /goals. Under anyone, the
	// relationship's participants (staff may read its page).
	staff.GET("/relationships/new", e(h.relationships.ShowNewGroupPage))
	staff.POST("/relationships", e(h.relationships.CreateGroup))
	staff.POST("/relationships/:id/members", e(h.relationships.AddMember))
	staff.POST("/relationships/:id/members/:userID/remove", e(h.relationships.RemoveMember))
	practitioners.GET("/profile", e(h.relationships.ShowProfilePage))
	practitioners.POST("/profile", e(h.relationships.SaveProfile))
	anyone.GET("/relationships/:id", e(h.relationships.ShowRelationshipPage))
	anyone.POST("/relationships/:id/status", e(h.relationships.ChangeStatus))
	anyone.POST("/relationships/:id/agreement", e(h.relationships.EditAgreement))
	anyone.POST("/relationships/:id/agreement/accept", e(h.relationships.AcceptAgreement))
	anyone.POST("/relationships/:id/mode", e(h.relationships.SwitchMode))
	anyone.POST("/relationships/:id/goals", e(h.relationships.AddGoal))
	anyone.POST("/relationships/:id/notes", e(h.relationships.AddNote))
	anyone.POST("/relationships/:id/leave", e(h.relationships.LeaveGroup))
	anyone.POST("/relationships/:id/members/:userID/share-notes", e(h.relationships.ShareEarlierNotes)) // the group's practitioners
	anyone.POST("/goals/:id/progress", e(h.relationships.RecordProgress))
	anyone.POST("/goals/:id/edit", e(h.relationships.EditGoal))     // its owner only
	anyone.POST("/goals/:id/delete", e(h.relationships.DeleteGoal)) // its owner only
	anyone.POST("/notes/:id/edit", e(h.relationships.EditNote))     // its author only
	anyone.POST("/notes/:id/delete", e(h.relationships.DeleteNote)) // its author only
	anyone.POST("/goals/:id/milestones", e(h.relationships.AddMilestone))
	anyone.POST("/goals/:id/milestones/:milestone/done", e(h.relationships.CompleteMilestone))
	anyone.POST("/relationships/:id/rematch", e(h.matching.Rematch))
	anyone.GET("/relationships/:id/progress", e(h.reports.ShowProgress))
	anyone.GET("/relationships/:id/progress/csv/:table", e(h.reports.ProgressCSV))
	anyone.POST("/relationships/:id/keep", e(h.reports.KeepGoing))

	// /o/:slug/supervision: supervision groups as a community of practice
	// (app/supervision). Under anyone, the group's current members and
	// supervisor only: admins and owners who take no part are refused.
	anyone.GET("/supervision", e(h.supervision.ShowIndexPage))
	anyone.GET("/supervision/:id", e(h.supervision.ShowGroupPage))
	anyone.POST("/supervision/:id/roles", e(h.supervision.SwapRoles))       // its supervisor only
	anyone.GET("/supervision/:id/cases/new", e(h.supervision.ShowCaseForm)) // its cohort only
	anyone.POST("/supervision/:id/cases", e(h.supervision.BringCase))       // its cohort only
	anyone.GET("/supervision/cases/:id", e(h.supervision.ShowCasePage))
	anyone.POST("/supervision/cases/:id/reflections", e(h.supervision.Reflect))
	anyone.POST("/supervision/cases/:id/learning", e(h.supervision.RecordLearning)) // its presenter only

	// /o/:slug/people, /invitations, /settings, /audit: the organisation's admin.
	staff.GET("/people", e(h.tenancy.ShowPeoplePage)) // coordinators read the list; admins manage each person
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
	admins.GET("/invitations/:id/revoke", e(h.tenancy.ShowRevokePage))
	admins.POST("/invitations/:id/revoke", e(h.tenancy.InvitationAction(false)))
	admins.GET("/settings", e(h.tenancy.ShowSettingsPage))
	admins.POST("/settings", e(h.tenancy.UpdateSettings))
	admins.GET("/settings/sign-in", e(h.identity.ShowSettingsPage))
	admins.POST("/settings/sign-in", e(h.identity.SaveSettings))
	admins.GET("/settings/topics", e(h.topics.ShowSettingsPage))
	admins.POST("/settings/topics", e(h.topics.SaveSettings))
	admins.GET("/audit", e(h.tenancy.ShowAuditPage))

	// /o/:slug/courses, /certificates: the learner's pages and the course
	// admin; buying a place is billing's.
	anyone.GET("/courses", e(h.courses.ShowCataloguePage))
	anyone.GET("/courses/:id", e(h.courses.ShowCoursePage))
	anyone.POST("/courses/:id/enrol", e(h.courses.Enrol))
	anyone.GET("/courses/:id/lessons/:lesson", e(h.courses.ShowLessonPage))
	anyone.POST("/courses/:id/lessons/:lesson/complete", e(h.courses.CompleteLesson))
	anyone.GET("/courses/:id/quizzes/:quiz", e(h.courses.ShowQuizPage))
	anyone.POST("/courses/:id/quizzes/:quiz", e(h.courses.SubmitQuiz))
	anyone.GET("/certificates/:code", e(h.courses.ShowCertificatePage))
	admins.GET("/courses/new", e(h.courses.ShowNewCoursePage))
	admins.POST("/courses", e(h.courses.CreateCourse))
	admins.GET("/courses/:id/edit", e(h.courses.ShowEditCoursePage))
	admins.POST("/courses/:id/edit", e(h.courses.UpdateCourse))
	admins.POST("/courses/:id/modules", e(h.courses.AddModule))
	admins.POST("/courses/:id/modules/:module/lessons", e(h.courses.AddLesson))
	admins.GET("/courses/:id/lessons/:lesson/edit", e(h.courses.ShowEditLessonPage))
	admins.POST("/courses/:id/lessons/:lesson/edit", e(h.courses.UpdateLesson))
	admins.GET("/courses/:id/modules/:module/quiz", e(h.courses.ShowQuizFormPage))
	admins.POST("/courses/:id/modules/:module/quiz", e(h.courses.SetPassMark))
	admins.POST("/courses/:id/modules/:module/quiz/questions", e(h.courses.AddQuestion))
	admins.POST("/courses/:id/questions/:question/delete", e(h.courses.DeleteQuestion))
	admins.POST("/courses/:id/grant", e(h.courses.Grant))
	anyone.POST("/courses/:id/checkout", e(h.billing.CheckoutCourse))
	anyone.GET("/courses/:id/purchased", e(h.billing.ShowPurchasedPage))
	anyone.GET("/courses/:id/checkout/cancelled", e(h.billing.CancelCheckout))
	anyone.GET("/courses/:id/access", e(h.billing.ShowAccessStatus))

	// /o/:slug/billing: everyone's purchases, the admins' events and seats.
	anyone.GET("/billing", e(h.billing.ShowHistoryPage))
	anyone.POST("/billing/portal", e(h.billing.OpenPortal))
	admins.GET("/billing/events", e(h.billing.ShowEventsPage))
	admins.GET("/billing/seats", e(h.billing.ShowSeatsPage))
	admins.POST("/billing/seats", e(h.billing.BuySeats))
	admins.POST("/billing/seats/assign", e(h.billing.AssignSeat))
	admins.POST("/billing/seats/:assignment/unassign", e(h.billing.UnassignSeat))

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
	practitioners.GET("/calendar/meeting", e(h.calendar.ShowMeetingPage))
	practitioners.POST("/calendar/meeting", e(h.calendar.SaveMeeting))
	// A practitioner's own calendars, whose busy times block slots; each
	// calendar admits only the practitioner who connected it.
	practitioners.GET("/calendar/connected", e(h.busy.ShowCalendarsPage))
	practitioners.POST("/calendar/connected", e(h.busy.Connect))
	practitioners.POST("/calendar/connected/:id/refresh", e(h.busy.Refresh))
	practitioners.POST("/calendar/connected/:id/delete", e(h.busy.Disconnect))
	practitioners.GET("/calendar/new", e(h.calendar.ShowNewSessionPage))
	practitioners.POST("/calendar/sessions", e(h.calendar.Schedule))
	practitioners.POST("/calendar/sessions/:id/attendance", e(h.calendar.MarkAttendance))
	practitioners.POST("/calendar/sessions/:id/mode", e(h.calendar.SwitchMode))
	admins.GET("/calendar/session-types", e(h.calendar.ShowSessionTypesPage))
	admins.POST("/calendar/session-types", e(h.calendar.SaveSessionType))
	admins.POST("/calendar/session-types/delete", e(h.calendar.DeleteSessionType))

	// /o/:slug/reports: the programme report, compiled by a worker (the
	// post asks for it; the run page polls its progress).
	staff.GET("/reports/programme", e(h.reports.ShowProgramme))
	staff.POST("/reports/programme", e(h.reports.RequestProgramme))
	staff.GET("/reports/programme/runs/:id", e(h.reports.ShowRun))
	staff.GET("/reports/programme/runs/:id/progress", e(h.reports.RunProgress))
	staff.GET("/reports/programme/snapshots/:id", e(h.reports.ShowSnapshot))
	staff.GET("/reports/programme/snapshots/:id/csv/:table", e(h.reports.DownloadCSV))

	// /o/:slug/feedback: each role sees what it may (the author their own
	// answers, staff individual answers only where allowed, practitioners
	// averages over five); a request is answered by its author alone.
	anyone.GET("/feedback", e(h.feedback.ShowIndex))
	// Which of the organisation's e-mails (digest, summaries, nudges) a person gets.
	anyone.GET("/email-preferences", e(h.reports.ShowPreferences))
	anyone.POST("/email-preferences", e(h.reports.SavePreferences))
	anyone.GET("/feedback/:id", e(h.feedback.ShowForm))
	anyone.POST("/feedback/:id", e(h.feedback.AnswerSignedIn))
	// /o/:slug/library: everyone reads, votes and downloads; admins write,
	// publish and hide. Under practitioners, sharing checks the sharer
	// supports the relationship, and attaching an agenda that they lead the
	// session; under anyone, an agenda admits the session's people and a
	// goal framework the relationship's member.
	anyone.GET("/library", e(h.library.ShowLibrary))
	admins.GET("/library/new", e(h.library.ShowNewArticle))
	admins.POST("/library", e(h.library.CreateArticle))
	anyone.GET("/library/:id", e(h.library.ShowArticle))
	anyone.POST("/library/:id/vote", e(h.library.Vote))
	anyone.GET("/library/:id/file", e(h.library.DownloadFile))
	practitioners.POST("/library/:id/share", e(h.library.Share))
	admins.GET("/library/:id/edit", e(h.library.ShowEditArticle))
	admins.POST("/library/:id/edit", e(h.library.UpdateArticle))
	admins.POST("/library/:id/status", e(h.library.SetStatus))
	practitioners.POST("/library/shares/:id/remove", e(h.library.Unshare))
	anyone.GET("/library/sessions/:id/agenda", e(h.library.ShowAgenda))
	practitioners.POST("/library/sessions/:id/agenda", e(h.library.AttachAgenda))
	anyone.GET("/library/relationships/:rel/goals/:key", e(h.library.ShowGoalFramework))
	anyone.POST("/library/relationships/:rel/goals/:key", e(h.library.CreateFrameworkGoal))

	// /o/:slug/hours: a practitioner's own coaching, mentoring and
	// supervision logs. Every handler reads the signed-in person's rows
	// only (no route names another person): admins read their own logs,
	// never a colleague's. A client's consent admits the relationship's
	// member; a client setting its practitioner; a sign-off the supervisor
	// the record names.
	practitioners.GET("/hours", e(h.hours.ShowLogs))
	practitioners.GET("/hours/print", e(h.hours.ShowPrint))
	practitioners.GET("/hours/coaching.csv", e(h.hours.DownloadCSV(hours.LogCoaching)))
	practitioners.GET("/hours/mentoring.csv", e(h.hours.DownloadCSV(hours.LogMentoring)))
	practitioners.GET("/hours/supervision.csv", e(h.hours.DownloadCSV("supervision")))
	practitioners.POST("/hours/entries", e(h.hours.AddEntry))
	practitioners.POST("/hours/entries/:id/delete", e(h.hours.DeleteEntry)) // its author only
	practitioners.POST("/hours/clients/:rel", e(h.hours.SetClient))         // the relationship's practitioner
	practitioners.GET("/hours/supervision", e(h.hours.ShowSupervision))
	practitioners.POST("/hours/supervision", e(h.hours.RecordSupervision))
	practitioners.POST("/hours/standard", e(h.hours.SaveStandard))
	practitioners.GET("/hours/signoff", e(h.hours.ShowSignOff))
	practitioners.POST("/hours/signoff/:id", e(h.hours.SignOff)) // the named supervisor, once
	anyone.GET("/hours/consent/:rel", e(h.hours.ShowConsent))    // the relationship's member
	anyone.POST("/hours/consent/:rel", e(h.hours.SaveConsent))   // the relationship's member

	// /ops: the platform operator's console: organisations, suspension,
	// support access, background work, the platform audit log; the queue
	// console (asynqmon) and Go's profiler.
	operators.GET("", e(h.ops.ShowOrgsPage))
	operators.GET("/orgs/:id", e(h.ops.ShowOrgPage))
	operators.POST("/orgs/:id/suspend", e(h.ops.Suspend))
	operators.POST("/orgs/:id/resume", e(h.ops.Resume))
	operators.POST("/orgs/:id/support", e(h.ops.StartSupport))
	operators.POST("/orgs/:id/support/end", e(h.ops.EndSupport))
	operators.GET("/work", e(h.ops.ShowWorkPage))
	operators.POST("/work/tasks/:id/retry", e(h.ops.RetryTask))
	operators.GET("/audit", e(h.ops.ShowAuditPage))
	operators.GET("/debug/pprof/*name", h.ops.Profile)
	operators.GET("/queues", func(c *gin.Context) { web.Redirect(c, ops.QueuesPath+"/") })
	operators.GET("/queues/*path", h.queues.Serve)
	operators.POST("/queues/*path", h.queues.Serve)   // asynqmon's changes; the origin is checked
	operators.DELETE("/queues/*path", h.queues.Serve) // asynqmon's deletions; the origin is checked

	// /dev/mail: the development outbox (config.DevOutbox), answering only
	// requests whose TCP peer is this machine.
	if d.Config.DevOutbox() {
		loopback := public.Group("", web.LoopbackOnly(errs))
		loopback.GET("/dev/mail", e(h.outbox.ShowOutboxPage))
		loopback.GET("/dev/mail/:id", e(h.outbox.ShowEmailPage))
		loopback.GET("/dev/mail/:id/invite.ics", e(h.outbox.DownloadICS))
	}
	// /dev/clock: time travel (config.TimeTravel), for trials and browser
	// tests in the embedded mode, to this machine only.
	if travel, ok := d.Clock.(*clock.Shifted); ok && d.Config.TimeTravel {
		t := &ops.TimeTravel{Clock: travel, Renderer: d.Renderer}
		loopback := public.Group("", web.LoopbackOnly(errs))
		loopback.GET("/dev/clock", e(t.ShowClockPage))
		loopback.POST("/dev/clock", e(t.Advance))
	}
}

// courseChoices lists an organisation's published courses for the
// settings' coaching-approach signpost.
func courseChoices(store *courses.Store) func(ctx context.Context, orgID uuid.UUID) ([]tenancy.CourseChoice, error) {
	return func(ctx context.Context, orgID uuid.UUID) ([]tenancy.CourseChoice, error) {
		cs, err := store.Courses(ctx, orgID, false)
		out := make([]tenancy.CourseChoice, 0, len(cs))
		for _, c := range cs {
			out = append(out, tenancy.CourseChoice{ID: c.ID.String(), Title: c.Title})
		}
		return out, err
	}
}
