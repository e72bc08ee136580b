package app

import (
	"github.com/leadershiptoolbox/toolbox/app/account"
	"github.com/leadershiptoolbox/toolbox/app/assessment"
	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/billing"
	"github.com/leadershiptoolbox/toolbox/app/busy"
	"github.com/leadershiptoolbox/toolbox/app/calendar"
	"github.com/leadershiptoolbox/toolbox/app/courses"
	"github.com/leadershiptoolbox/toolbox/app/dashboard"
	"github.com/leadershiptoolbox/toolbox/app/feedback"
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

// The application's own pages.
const (
	pageHome        web.PageName = "home/index"
	pageErrorStatus web.PageName = "errors/status"
)

// pages lists every page constant of the application, checked with
// Renderer.MustHave when New builds the engine. TestEveryPageIsChecked
// fails when a constant of type web.PageName is missing here.
func pages() []web.PageName {
	var all []web.PageName
	all = append(all, pageHome, pageErrorStatus, mail.PageOutbox, mail.PageEmail)
	all = append(all, auth.PageLogin, auth.PageVerify, auth.PageForgot, auth.PageReset, auth.PageAccount, auth.PageLinkInvalid, auth.PageChangeEmail)
	all = append(all, tenancy.PageSignup, tenancy.PageHome, dashboard.PageDashboard, tenancy.PagePeople, tenancy.PagePerson,
		tenancy.PageInvitations, tenancy.PageInvitation, tenancy.PageSettings, tenancy.PageAudit, tenancy.PageRevokeInvitation)
	all = append(all, calendar.PageWeek, calendar.PageAvailability, calendar.PageBook, calendar.PageNewSession,
		calendar.PageSession, calendar.PageFeed, calendar.PageSessionTypes, calendar.PageMeeting, busy.PageCalendars)
	all = append(all, assessment.PageTake, assessment.PageReview, assessment.PageNew, assessment.PageQuestionnaire)
	all = append(all, relationships.PageRelationship, relationships.PageProfile, relationships.PageNewGroup)
	all = append(all, matching.PageRequest, matching.PageChoose, matching.PageProposal, matching.PagePipeline, matching.PageMy)
	all = append(all, account.PageDelete)
	all = append(all, courses.PageCatalogue, courses.PageCourse, courses.PageLesson, courses.PageQuiz, courses.PageCertificate,
		courses.PageVerify, courses.PageCourseForm, courses.PageLessonForm, courses.PageQuizForm)
	all = append(all, billing.PagePurchased, billing.PageHistory, billing.PageEvents, billing.PageSeats)
	all = append(all, reports.PageProgramme, reports.PageRun, reports.PageSnapshot, reports.PageProgress, reports.PagePreferences)
	all = append(all, feedback.PageAnswer, feedback.PageIndex)
	all = append(all, ops.PageOrgs, ops.PageOrg, ops.PageWork, ops.PageAudit, ops.PageDevClock)
	all = append(all, topics.PageSettings)
	all = append(all, identity.PageStart, identity.PageProblem, identity.PageLink, identity.PageSettings)
	all = append(all, hours.PageLogs, hours.PagePrint, hours.PageSupervision, hours.PageSignOff, hours.PageConsent)
	all = append(all, library.PageIndex, library.PageArticle, library.PageForm, library.PageAgenda, library.PageFramework)
	all = append(all, supervision.PageIndex, supervision.PageGroup, supervision.PageCaseForm, supervision.PageCase)
	return all
}
