package app_test

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/config"
	"github.com/leadershiptoolbox/toolbox/app/ops"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// access says who a route is for.
type access int

const (
	// public routes take anyone.
	public access = iota
	// machine routes are for probes, assets and signed webhooks.
	machine
	// signedIn routes take any signed-in person, outside organisations.
	signedIn
	// tenant routes live under /o/:slug and admit the listed roles.
	tenant
	// operator routes live under /ops and admit the platform's operators
	// only (routes_ops_test.go).
	operator
)

// routeRule is a route's entry in the matrix.
type routeRule struct {
	access access
	// roles admitted, for tenant routes.
	roles []tenancy.Role
	// params gives path parameters other than :slug: the ids of objects
	// that belong to organisation A, made fresh for each call.
	params func(env *testkit.Env, fx *wallFixture) map[string]string
}

// routeMatrix lists every mounted route. A route missing from it fails
// TestEveryRouteIsInTheMatrix: whoever adds a route says here who may use
// it, and the wall tests below then try it as everyone else.
var routeMatrix = map[string]routeRule{
	"GET /healthz":                 {access: machine},
	"GET /readyz":                  {access: machine},
	"GET /static/*path":            {access: machine},
	"HEAD /static/*path":           {access: machine},
	"GET /":                        {access: public},
	"GET /login":                   {access: public},
	"POST /login":                  {access: public},
	"POST /logout":                 {access: public},
	"GET /login/sso":               {access: public},
	"POST /login/sso":              {access: public},
	"GET /login/sso/lookup":        {access: public},
	"GET /login/sso/callback":      {access: public},
	"GET /login/sso/link":          {access: public},
	"POST /login/sso/link":         {access: public},
	"GET /verify/:token":           {access: public},
	"POST /verify/:token":          {access: public},
	"GET /password/forgot":         {access: public},
	"POST /password/forgot":        {access: public},
	"GET /password/reset/:token":   {access: public},
	"POST /password/reset/:token":  {access: public},
	"GET /signup":                  {access: public},
	"POST /signup":                 {access: public},
	"GET /signup/slug":             {access: public},
	"GET /account":                 {access: signedIn},
	"POST /account/profile":        {access: signedIn},
	"POST /account/password":       {access: signedIn},
	"POST /account/email":          {access: signedIn},
	"GET /account/email/:token":    {access: public},
	"POST /account/email/:token":   {access: public},
	"POST /account/sessions/end":   {access: signedIn},
	"POST /account/verify/resend":  {access: signedIn},
	"GET /home":                    {access: signedIn},
	"GET /dev/mail":                {access: public}, // loopback, embedded or switched on only; see TestDevOutboxServesOnlyTheEmbeddedModeOnThisMachine
	"GET /dev/clock":               {access: public}, // loopback, TOOLBOX_TIME_TRAVEL only; see TestTimeTravelMovesTheApplicationsClockOnlyWhereSwitchedOn
	"POST /dev/clock":              {access: public},
	"GET /dev/mail/:id":            {access: public},
	"GET /dev/mail/:id/invite.ics": {access: public},
	"GET /o/:slug":                 {access: tenant, roles: tenancy.Anyone},
	// Needs assessment and signposting.
	"GET /o/:slug/assessment":              {access: tenant, roles: tenancy.Anyone},
	"POST /o/:slug/assessment/answers":     {access: tenant, roles: tenancy.Anyone},
	"POST /o/:slug/assessment/submit":      {access: tenant, roles: tenancy.Anyone},
	"GET /o/:slug/assessments/new":         {access: tenant, roles: tenancy.Staff},
	"POST /o/:slug/assessments":            {access: tenant, roles: tenancy.Staff},
	"GET /o/:slug/assessments/:id":         {access: tenant, roles: tenancy.Staff, params: submittedAssessment},
	"POST /o/:slug/assessments/:id/decide": {access: tenant, roles: tenancy.Staff, params: submittedAssessment},
	"GET /o/:slug/questionnaire":           {access: tenant, roles: tenancy.Admins},
	"POST /o/:slug/questionnaire":          {access: tenant, roles: tenancy.Admins},
	// Practitioner profiles and relationships.
	"GET /o/:slug/profile":                                        {access: tenant, roles: tenancy.Practitioners},
	"POST /o/:slug/profile":                                       {access: tenant, roles: tenancy.Practitioners},
	"GET /o/:slug/relationships/:id":                              {access: tenant, roles: tenancy.Anyone, params: fixtureRelationship},
	"POST /o/:slug/relationships/:id/status":                      {access: tenant, roles: bothSides, params: fixtureRelationship},
	"POST /o/:slug/relationships/:id/agreement":                   {access: tenant, roles: bothSides, params: fixtureRelationship},
	"POST /o/:slug/relationships/:id/agreement/accept":            {access: tenant, roles: bothSides, params: fixtureRelationship},
	"POST /o/:slug/relationships/:id/mode":                        {access: tenant, roles: practitionerSide, params: fixtureRelationship},
	"POST /o/:slug/relationships/:id/goals":                       {access: tenant, roles: memberSide, params: fixtureRelationship},
	"POST /o/:slug/relationships/:id/notes":                       {access: tenant, roles: bothSides, params: fixtureRelationship},
	"POST /o/:slug/relationships/:id/rematch":                     {access: tenant, roles: memberSide, params: fixtureRelationship},
	"POST /o/:slug/relationships/:id/leave":                       {access: tenant, roles: memberSide, params: fixtureGroup},
	"GET /o/:slug/relationships/new":                              {access: tenant, roles: tenancy.Staff},
	"POST /o/:slug/relationships":                                 {access: tenant, roles: tenancy.Staff},
	"POST /o/:slug/relationships/:id/members":                     {access: tenant, roles: tenancy.Staff, params: fixtureGroup},
	"POST /o/:slug/relationships/:id/members/:userID/remove":      {access: tenant, roles: tenancy.Staff, params: fixtureGroupMember},
	"POST /o/:slug/goals/:id/progress":                            {access: tenant, roles: memberSide, params: fixtureGoal},
	"POST /o/:slug/goals/:id/edit":                                {access: tenant, roles: memberSide, params: fixtureGoal},
	"POST /o/:slug/goals/:id/delete":                              {access: tenant, roles: memberSide, params: fixtureGoal},
	"POST /o/:slug/notes/:id/edit":                                {access: tenant, roles: memberSide, params: fixtureNote},
	"POST /o/:slug/notes/:id/delete":                              {access: tenant, roles: memberSide, params: fixtureNote},
	"POST /o/:slug/goals/:id/milestones":                          {access: tenant, roles: memberSide, params: fixtureGoal},
	"POST /o/:slug/goals/:id/milestones/:milestone/done":          {access: tenant, roles: memberSide, params: fixtureMilestone},
	"POST /o/:slug/relationships/:id/members/:userID/share-notes": {access: tenant, roles: practitionerSide, params: fixtureGroupMember},
	// Matching, the pipeline and everyone's own support page.
	"GET /o/:slug/my":                      {access: tenant, roles: tenancy.Anyone},
	"GET /o/:slug/pipeline":                {access: tenant, roles: tenancy.Staff},
	"GET /o/:slug/requests/:id":            {access: tenant, roles: tenancy.Staff, params: fixtureRequest},
	"POST /o/:slug/requests/:id/proposals": {access: tenant, roles: tenancy.Staff, params: fixtureRequest},
	"POST /o/:slug/requests/:id/close":     {access: tenant, roles: tenancy.Staff, params: fixtureRequest},
	"GET /o/:slug/requests/:id/choose":     {access: tenant, roles: memberSide, params: selfSelectionRequest},
	"POST /o/:slug/requests/:id/choose":    {access: tenant, roles: memberSide, params: selfSelectionRequest},
	"GET /o/:slug/proposals/:id":           {access: tenant, roles: practitionerSide, params: fixtureProposal},
	"POST /o/:slug/proposals/:id/accept":   {access: tenant, roles: practitionerSide, params: fixtureProposal},
	"POST /o/:slug/proposals/:id/decline":  {access: tenant, roles: practitionerSide, params: fixtureProposal},
	"POST /o/:slug/proposals/:id/withdraw": {access: tenant, roles: tenancy.Staff, params: fixtureProposal},
	"POST /o/:slug/rematches/:id/close":    {access: tenant, roles: tenancy.Staff, params: fixtureRematch},
	"POST /o/:slug/rematches/:id/request":  {access: tenant, roles: tenancy.Staff, params: fixtureRematch},
	// Tenancy admin: people, invitations, settings, audit log.
	"GET /o/:slug/people":                     {access: tenant, roles: tenancy.Staff},
	"GET /o/:slug/people/:userID":             {access: tenant, roles: tenancy.Admins, params: freshMember},
	"POST /o/:slug/people/:userID/role":       {access: tenant, roles: tenancy.Admins, params: freshMember},
	"POST /o/:slug/people/:userID/manager":    {access: tenant, roles: tenancy.Admins, params: freshMember},
	"POST /o/:slug/people/:userID/deactivate": {access: tenant, roles: tenancy.Admins, params: freshMember},
	"POST /o/:slug/people/:userID/reactivate": {access: tenant, roles: tenancy.Admins, params: freshMember},
	"POST /o/:slug/people/:userID/transfer":   {access: tenant, roles: tenancy.Owners, params: freshMember},
	"GET /o/:slug/invitations":                {access: tenant, roles: tenancy.Admins},
	"POST /o/:slug/invitations":               {access: tenant, roles: tenancy.Admins},
	"POST /o/:slug/invitations/upload":        {access: tenant, roles: tenancy.Admins},
	"POST /o/:slug/invitations/:id/resend":    {access: tenant, roles: tenancy.Admins, params: freshInvitation},
	"GET /o/:slug/invitations/:id/revoke":     {access: tenant, roles: tenancy.Admins, params: freshInvitation},
	"POST /o/:slug/invitations/:id/revoke":    {access: tenant, roles: tenancy.Admins, params: freshInvitation},
	"GET /o/:slug/settings":                   {access: tenant, roles: tenancy.Admins},
	"POST /o/:slug/settings":                  {access: tenant, roles: tenancy.Admins},
	"GET /o/:slug/audit":                      {access: tenant, roles: tenancy.Admins},
	"GET /o/:slug/settings/sign-in":           {access: tenant, roles: tenancy.Admins},
	"POST /o/:slug/settings/sign-in":          {access: tenant, roles: tenancy.Admins},
	"GET /o/:slug/settings/topics":            {access: tenant, roles: tenancy.Admins},
	"POST /o/:slug/settings/topics":           {access: tenant, roles: tenancy.Admins},
	"GET /invitations/:token":                 {access: public},
	"POST /invitations/:token":                {access: public},
	// Personal data.
	"GET /account/export":  {access: signedIn},
	"GET /account/delete":  {access: signedIn},
	"POST /account/delete": {access: signedIn},
	// courses
	"GET /certificates/:code":                                  {access: public},
	"GET /o/:slug/courses":                                     {access: tenant, roles: tenancy.Anyone},
	"GET /o/:slug/courses/:id":                                 {access: tenant, roles: tenancy.Anyone, params: freeCourse},
	"POST /o/:slug/courses/:id/enrol":                          {access: tenant, roles: tenancy.Anyone, params: freeCourse},
	"GET /o/:slug/courses/:id/lessons/:lesson":                 {access: tenant, roles: tenancy.Anyone, params: freeCourse},
	"POST /o/:slug/courses/:id/lessons/:lesson/complete":       {access: tenant, roles: tenancy.Anyone, params: freeCourse},
	"GET /o/:slug/courses/:id/quizzes/:quiz":                   {access: tenant, roles: tenancy.Anyone, params: freeCourse},
	"POST /o/:slug/courses/:id/quizzes/:quiz":                  {access: tenant, roles: tenancy.Anyone, params: freeCourse},
	"GET /o/:slug/certificates/:code":                          {access: tenant, roles: tenancy.Anyone, params: certificateParams},
	"GET /o/:slug/courses/new":                                 {access: tenant, roles: tenancy.Admins},
	"POST /o/:slug/courses":                                    {access: tenant, roles: tenancy.Admins},
	"GET /o/:slug/courses/:id/edit":                            {access: tenant, roles: tenancy.Admins, params: freeCourse},
	"POST /o/:slug/courses/:id/edit":                           {access: tenant, roles: tenancy.Admins, params: freeCourse},
	"POST /o/:slug/courses/:id/modules":                        {access: tenant, roles: tenancy.Admins, params: freeCourse},
	"POST /o/:slug/courses/:id/modules/:module/lessons":        {access: tenant, roles: tenancy.Admins, params: freeCourse},
	"GET /o/:slug/courses/:id/lessons/:lesson/edit":            {access: tenant, roles: tenancy.Admins, params: freeCourse},
	"POST /o/:slug/courses/:id/lessons/:lesson/edit":           {access: tenant, roles: tenancy.Admins, params: freeCourse},
	"GET /o/:slug/courses/:id/modules/:module/quiz":            {access: tenant, roles: tenancy.Admins, params: freeCourse},
	"POST /o/:slug/courses/:id/modules/:module/quiz":           {access: tenant, roles: tenancy.Admins, params: freeCourse},
	"POST /o/:slug/courses/:id/modules/:module/quiz/questions": {access: tenant, roles: tenancy.Admins, params: freeCourse},
	"POST /o/:slug/courses/:id/questions/:question/delete":     {access: tenant, roles: tenancy.Admins, params: freeCourse},
	"POST /o/:slug/courses/:id/grant":                          {access: tenant, roles: tenancy.Admins, params: freeCourse},
	// billing
	"POST /webhooks/stripe":                            {access: machine}, // signed by Stripe; see app/billing tests
	"POST /o/:slug/courses/:id/checkout":               {access: tenant, roles: tenancy.Anyone, params: paidCourse},
	"GET /o/:slug/courses/:id/purchased":               {access: tenant, roles: tenancy.Anyone, params: paidCourse},
	"GET /o/:slug/courses/:id/access":                  {access: tenant, roles: tenancy.Anyone, params: paidCourse},
	"GET /o/:slug/courses/:id/checkout/cancelled":      {access: tenant, roles: tenancy.Anyone, params: paidCourse},
	"GET /o/:slug/billing":                             {access: tenant, roles: tenancy.Anyone},
	"POST /o/:slug/billing/portal":                     {access: tenant, roles: tenancy.Anyone},
	"GET /o/:slug/billing/events":                      {access: tenant, roles: tenancy.Admins},
	"GET /o/:slug/billing/seats":                       {access: tenant, roles: tenancy.Admins},
	"POST /o/:slug/billing/seats":                      {access: tenant, roles: tenancy.Admins},
	"POST /o/:slug/billing/seats/assign":               {access: tenant, roles: tenancy.Admins},
	"POST /o/:slug/billing/seats/:assignment/unassign": {access: tenant, roles: tenancy.Admins, params: assignmentParams},

	// Calendar
	"GET /calendar/feed/:file":                             {access: public},
	"GET /o/:slug/calendar":                                {access: tenant, roles: tenancy.Anyone},
	"GET /o/:slug/calendar/book/:rel":                      {access: tenant, roles: tenancy.Anyone, params: calendarRelationship},
	"POST /o/:slug/calendar/book/:rel":                     {access: tenant, roles: tenancy.Anyone, params: calendarRelationship},
	"GET /o/:slug/calendar/sessions/:id":                   {access: tenant, roles: tenancy.Anyone, params: calendarSession},
	"POST /o/:slug/calendar/sessions/:id/cancel":           {access: tenant, roles: groupSessionChangers, params: calendarSession},
	"POST /o/:slug/calendar/sessions/:id/reschedule":       {access: tenant, roles: groupSessionChangers, params: calendarSession},
	"POST /o/:slug/calendar/sessions/:id/join":             {access: tenant, roles: tenancy.Anyone, params: calendarSession},
	"POST /o/:slug/calendar/sessions/:id/leave":            {access: tenant, roles: tenancy.Anyone, params: calendarSession},
	"GET /o/:slug/calendar/subscription":                   {access: tenant, roles: tenancy.Anyone},
	"POST /o/:slug/calendar/subscription":                  {access: tenant, roles: tenancy.Anyone},
	"GET /o/:slug/calendar/meeting":                        {access: tenant, roles: tenancy.Practitioners},
	"POST /o/:slug/calendar/meeting":                       {access: tenant, roles: tenancy.Practitioners},
	"GET /o/:slug/calendar/availability":                   {access: tenant, roles: tenancy.Practitioners},
	"GET /o/:slug/calendar/availability/preview":           {access: tenant, roles: tenancy.Practitioners},
	"POST /o/:slug/calendar/availability/rules":            {access: tenant, roles: tenancy.Practitioners},
	"POST /o/:slug/calendar/availability/rules/delete":     {access: tenant, roles: tenancy.Practitioners},
	"POST /o/:slug/calendar/availability/overrides":        {access: tenant, roles: tenancy.Practitioners},
	"POST /o/:slug/calendar/availability/overrides/delete": {access: tenant, roles: tenancy.Practitioners},
	"POST /o/:slug/calendar/availability/settings":         {access: tenant, roles: tenancy.Practitioners},
	"GET /o/:slug/calendar/connected":                      {access: tenant, roles: tenancy.Practitioners},
	"POST /o/:slug/calendar/connected":                     {access: tenant, roles: tenancy.Practitioners},
	"POST /o/:slug/calendar/connected/:id/refresh":         {access: tenant, roles: practitionerSide, params: ownCalendar},
	"POST /o/:slug/calendar/connected/:id/delete":          {access: tenant, roles: practitionerSide, params: ownCalendar},
	"GET /o/:slug/calendar/new":                            {access: tenant, roles: tenancy.Practitioners},
	"POST /o/:slug/calendar/sessions":                      {access: tenant, roles: tenancy.Practitioners},
	"POST /o/:slug/calendar/sessions/:id/attendance":       {access: tenant, roles: tenancy.Practitioners, params: calendarSession},
	"POST /o/:slug/calendar/sessions/:id/mode":             {access: tenant, roles: tenancy.Practitioners, params: calendarSession},
	"GET /o/:slug/calendar/session-types":                  {access: tenant, roles: tenancy.Admins},
	"POST /o/:slug/calendar/session-types":                 {access: tenant, roles: tenancy.Admins},
	"POST /o/:slug/calendar/session-types/delete":          {access: tenant, roles: tenancy.Admins},
	// Programme report, a relationship's progress, feedback after sessions.
	"GET /o/:slug/reports/programme":                          {access: tenant, roles: tenancy.Staff},
	"POST /o/:slug/reports/programme":                         {access: tenant, roles: tenancy.Staff},
	"GET /o/:slug/reports/programme/runs/:id":                 {access: tenant, roles: tenancy.Staff, params: fixtureReportRun},
	"GET /o/:slug/reports/programme/runs/:id/progress":        {access: tenant, roles: tenancy.Staff, params: fixtureReportRun},
	"GET /o/:slug/reports/programme/snapshots/:id":            {access: tenant, roles: tenancy.Staff, params: fixtureSnapshot},
	"GET /o/:slug/reports/programme/snapshots/:id/csv/:table": {access: tenant, roles: tenancy.Staff, params: fixtureSnapshot},
	"GET /o/:slug/relationships/:id/progress":                 {access: tenant, roles: bothSides, params: fixtureRelationshipTable},
	"GET /o/:slug/relationships/:id/progress/csv/:table":      {access: tenant, roles: bothSides, params: fixtureRelationshipTable},
	"POST /o/:slug/relationships/:id/keep":                    {access: tenant, roles: bothSides, params: fixtureRelationship},
	"GET /o/:slug/email-preferences":                          {access: tenant, roles: tenancy.Anyone},
	"POST /o/:slug/email-preferences":                         {access: tenant, roles: tenancy.Anyone},
	"GET /o/:slug/feedback":                                   {access: tenant, roles: tenancy.Anyone},
	"GET /o/:slug/feedback/:id":                               {access: tenant, roles: memberSide, params: fixtureFeedback},
	"POST /o/:slug/feedback/:id":                              {access: tenant, roles: memberSide, params: fixtureFeedback},
	"GET /feedback/:org/:id/:sig":                             {access: public},
	"POST /feedback/:org/:id/:sig":                            {access: public},

	// Library (fixtures in routes_library_test.go)
	"GET /o/:slug/library":                                {access: tenant, roles: tenancy.Anyone},
	"GET /o/:slug/library/new":                            {access: tenant, roles: tenancy.Admins},
	"POST /o/:slug/library":                               {access: tenant, roles: tenancy.Admins},
	"GET /o/:slug/library/:id":                            {access: tenant, roles: tenancy.Anyone, params: libraryArticle},
	"POST /o/:slug/library/:id/vote":                      {access: tenant, roles: tenancy.Anyone, params: libraryArticle},
	"GET /o/:slug/library/:id/file":                       {access: tenant, roles: tenancy.Anyone, params: libraryArticleWithFile},
	"POST /o/:slug/library/:id/share":                     {access: tenant, roles: tenancy.Practitioners, params: libraryArticle},
	"GET /o/:slug/library/:id/edit":                       {access: tenant, roles: tenancy.Admins, params: libraryArticle},
	"POST /o/:slug/library/:id/edit":                      {access: tenant, roles: tenancy.Admins, params: libraryArticle},
	"POST /o/:slug/library/:id/status":                    {access: tenant, roles: tenancy.Admins, params: libraryArticle},
	"POST /o/:slug/library/shares/:id/remove":             {access: tenant, roles: practitionerSide, params: libraryShare},
	"GET /o/:slug/library/sessions/:id/agenda":            {access: tenant, roles: tenancy.Anyone, params: calendarSession},
	"POST /o/:slug/library/sessions/:id/agenda":           {access: tenant, roles: calendarPractitioners, params: calendarSession},
	"GET /o/:slug/library/relationships/:rel/goals/:key":  {access: tenant, roles: memberSide, params: libraryFramework},
	"POST /o/:slug/library/relationships/:rel/goals/:key": {access: tenant, roles: memberSide, params: libraryFramework},

	// Hours logs (fixtures in routes_hours_test.go): a person's own.
	"GET /o/:slug/hours":                     {access: tenant, roles: tenancy.Practitioners},
	"GET /o/:slug/hours/print":               {access: tenant, roles: tenancy.Practitioners},
	"GET /o/:slug/hours/coaching.csv":        {access: tenant, roles: tenancy.Practitioners},
	"GET /o/:slug/hours/mentoring.csv":       {access: tenant, roles: tenancy.Practitioners},
	"GET /o/:slug/hours/supervision.csv":     {access: tenant, roles: tenancy.Practitioners},
	"POST /o/:slug/hours/entries":            {access: tenant, roles: tenancy.Practitioners},
	"POST /o/:slug/hours/entries/:id/delete": {access: tenant, roles: practitionerSide, params: hoursEntry},
	"POST /o/:slug/hours/clients/:rel":       {access: tenant, roles: practitionerSide, params: hoursClient},
	"GET /o/:slug/hours/supervision":         {access: tenant, roles: tenancy.Practitioners},
	"POST /o/:slug/hours/supervision":        {access: tenant, roles: tenancy.Practitioners},
	"POST /o/:slug/hours/standard":           {access: tenant, roles: tenancy.Practitioners},
	"GET /o/:slug/hours/signoff":             {access: tenant, roles: tenancy.Practitioners},
	"POST /o/:slug/hours/signoff/:id":        {access: tenant, roles: practitionerSide, params: hoursRecord},
	"GET /o/:slug/hours/consent/:rel":        {access: tenant, roles: memberSide, params: hoursClient},
	"POST /o/:slug/hours/consent/:rel":       {access: tenant, roles: memberSide, params: hoursClient},
	// Supervision groups and their cases (fixtures in routes_supervision_test.go):
	// the group's people alone, admins and owners refused.
	"GET /o/:slug/supervision":                        {access: tenant, roles: tenancy.Anyone},
	"GET /o/:slug/supervision/:id":                    {access: tenant, roles: bothSides, params: fixtureSupervisionGroup},
	"POST /o/:slug/supervision/:id/roles":             {access: tenant, roles: practitionerSide, params: fixtureSupervisionGroup},
	"GET /o/:slug/supervision/:id/cases/new":          {access: tenant, roles: memberSide, params: fixtureSupervisionGroup},
	"POST /o/:slug/supervision/:id/cases":             {access: tenant, roles: memberSide, params: fixtureSupervisionGroup},
	"GET /o/:slug/supervision/cases/:id":              {access: tenant, roles: bothSides, params: fixtureSupervisionCase},
	"POST /o/:slug/supervision/cases/:id/reflections": {access: tenant, roles: bothSides, params: fixtureSupervisionCase},
	"POST /o/:slug/supervision/cases/:id/learning":    {access: tenant, roles: memberSide, params: fixtureSupervisionCase},
	"POST /o/:slug/pipeline/mentors/:userID/approve":  {access: tenant, roles: tenancy.Staff, params: provisionalMentor},

	// The platform operator's console (fixtures in routes_ops_test.go).
	"GET /ops":                       {access: operator},
	"GET /ops/orgs/:id":              {access: operator, params: opsOrg},
	"POST /ops/orgs/:id/suspend":     {access: operator, params: opsOrg},
	"POST /ops/orgs/:id/resume":      {access: operator, params: opsOrg},
	"POST /ops/orgs/:id/support":     {access: operator, params: opsOrg},
	"POST /ops/orgs/:id/support/end": {access: operator, params: opsOrg},
	"GET /ops/work":                  {access: operator},
	"POST /ops/work/tasks/:id/retry": {access: operator, params: opsFailedTask},
	"GET /ops/audit":                 {access: operator},
	"GET /ops/debug/pprof/*name":     {access: operator, params: opsProfile},
	"GET /ops/queues":                {access: operator},
	"GET /ops/queues/*path":          {access: operator, params: opsQueuesRead},
	"POST /ops/queues/*path":         {access: operator, params: opsQueuesChange},
	"DELETE /ops/queues/*path":       {access: operator, params: opsQueuesDelete},
}

// freshMember is a new member of organisation A.
func freshMember(env *testkit.Env, fx *wallFixture) map[string]string {
	return map[string]string{"userID": env.NewPerson(fx.A, tenancy.RoleMember).ID.String()}
}

// freshInvitation is a new open invitation of organisation A.
func freshInvitation(env *testkit.Env, fx *wallFixture) map[string]string {
	inv, err := env.Services.Tenancy.Invite(env.Ctx(), fx.A.ID, tenancy.Actor{UserID: fx.A.Owner.ID, Role: tenancy.RoleOwner},
		tenancy.InviteRow{Email: "invitee-" + uuid.NewString() + "@example.test", Role: tenancy.RoleMember})
	if err != nil {
		env.T.Fatalf("invite: %v", err)
	}
	return map[string]string{"id": inv.ID.String()}
}

// wallFixture is organisation A with one person of each role, and
// organisation B with its own admin: the attacker.
type wallFixture struct {
	A, B   *testkit.Org
	ByRole map[tenancy.Role]*testkit.Person
	BAdmin *testkit.Person
}

func newWallFixture(env *testkit.Env) *wallFixture {
	fx := &wallFixture{A: env.NewOrg(), B: env.NewOrg(), ByRole: map[tenancy.Role]*testkit.Person{}}
	fx.ByRole[tenancy.RoleOwner] = fx.A.Owner
	fx.ByRole[tenancy.RoleAdmin] = env.NewPerson(fx.A, tenancy.RoleAdmin)
	fx.ByRole[tenancy.RoleCoordinator] = env.NewPerson(fx.A, tenancy.RoleCoordinator)
	fx.ByRole[tenancy.RolePractitioner] = env.NewPerson(fx.A, tenancy.RolePractitioner, tenancy.KindCoach, tenancy.KindMentor)
	fx.ByRole[tenancy.RoleMember] = env.NewPerson(fx.A, tenancy.RoleMember)
	fx.BAdmin = env.NewPerson(fx.B, tenancy.RoleAdmin)
	return fx
}

// path fills a route pattern for organisation slug and the given params.
func fillPath(pattern, slug string, params map[string]string) string {
	parts := strings.Split(pattern, "/")
	for i, p := range parts {
		switch {
		case p == ":slug":
			parts[i] = url.PathEscape(slug)
		case strings.HasPrefix(p, ":") || strings.HasPrefix(p, "*"):
			v, ok := params[p[1:]]
			if !ok {
				v = "00000000-0000-7000-8000-000000000000"
			}
			parts[i] = url.PathEscape(v)
		}
	}
	return strings.Join(parts, "/")
}

func TestEveryRouteIsInTheMatrix(t *testing.T) {
	// The development outbox and time travel are mounted only where switched on.
	env := testkit.New(t, testkit.WithConfig(func(c *config.Config) { c.DevMail, c.TimeTravel = true, true }))
	mounted := map[string]bool{}
	for _, r := range env.Handler.Routes() {
		key := r.Method + " " + r.Path
		mounted[key] = true
		if _, ok := routeMatrix[key]; !ok {
			t.Errorf("route %s is not in routeMatrix (app/routes_test.go): say who may use it", key)
		}
		if strings.HasPrefix(r.Path, "/o/:slug") && routeMatrix[key].access != tenant {
			t.Errorf("route %s lives under /o/:slug but is not marked tenant", key)
		}
	}
	for key := range routeMatrix {
		if !mounted[key] {
			t.Errorf("routeMatrix lists %s, which is not mounted", key)
		}
	}
}

func tenantRoutes() []string {
	var keys []string
	for k, r := range routeMatrix {
		if r.access == tenant {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// request sends method to path as b, with an empty form for posts.
func request(b *testkit.Browser, method, path string) *testkit.Page {
	if method == http.MethodGet {
		return b.Get(path)
	}
	return b.Post(path, nil)
}

// TestTenantWall tries every tenant route as the wrong people: anonymous,
// a member of the organisation whose role is too small, and an admin of
// another organisation using the first one's slug and object ids, and
// also their own slug with the first one's object ids.
func TestTenantWall(t *testing.T) {
	for _, engine := range testkit.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			env := testkit.New(t, testkit.OnEngine(engine))
			fx := newWallFixture(env)
			anonymous := env.Browser().NoRedirects()
			attacker := env.SignIn(fx.BAdmin.User).NoRedirects()
			insiders := map[tenancy.Role]*testkit.Browser{}
			for role, p := range fx.ByRole {
				insiders[role] = env.SignIn(p.User).NoRedirects()
			}
			for _, key := range tenantRoutes() {
				rule := routeMatrix[key]
				method, pattern, _ := strings.Cut(key, " ")
				t.Run(key, func(t *testing.T) {
					params := map[string]string{}
					if rule.params != nil {
						params = rule.params(env, fx)
					}
					pathA := fillPath(pattern, fx.A.Slug, params)

					if p := request(anonymous, method, pathA); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Header.Get("Location"), "/login") {
						t.Errorf("anonymous %s %s = %d (Location %q), want a redirect to sign in", method, pathA, p.Status, p.Header.Get("Location"))
					}
					for _, path := range []string{pathA, fillPath(pattern, fx.B.Slug, params)} {
						p := request(attacker, method, path)
						if p.Status != http.StatusNotFound && (path == pathA || rule.params != nil) {
							t.Errorf("other organisation's admin %s %s = %d, want 404", method, path, p.Status)
						}
						if strings.Contains(p.Body, fx.A.Name) || strings.Contains(p.Body, fx.A.Owner.Email) {
							t.Errorf("other organisation's admin saw organisation A's data at %s %s", method, path)
						}
					}
					for _, role := range tenancy.Roles {
						p := request(insiders[role], method, fillPath(pattern, fx.A.Slug, rule.params0(env, fx)))
						allowed := slices.Contains(rule.roles, role)
						switch {
						case !allowed && p.Status != http.StatusForbidden:
							t.Errorf("%s (not admitted) %s = %d, want 403", role, key, p.Status)
						case allowed && (p.Status == http.StatusForbidden || p.Status == http.StatusNotFound || p.Status >= 500):
							t.Errorf("%s (admitted) %s = %d", role, key, p.Status)
						}
					}
				})
			}
		})
	}
}

// params0 makes fresh objects for one request (a post may consume them).
func (r routeRule) params0(env *testkit.Env, fx *wallFixture) map[string]string {
	if r.params == nil {
		return nil
	}
	return r.params(env, fx)
}

// TestEveryStateChangingRouteRequiresCSRF posts to every route that is
// not a GET without a token, as a signed-in owner: 403, every time.
func TestEveryStateChangingRouteRequiresCSRF(t *testing.T) {
	env := testkit.New(t, testkit.WithConfig(func(c *config.Config) { c.TimeTravel = true }))
	fx := newWallFixture(env)
	b := env.SignIn(fx.A.Owner.User).NoRedirects()
	for key, rule := range routeMatrix {
		method, pattern, _ := strings.Cut(key, " ")
		// Webhooks are signed; the queue console's changes are checked for
		// their origin instead (TestQueueConsoleAnswersOperatorsOnly).
		if method == http.MethodGet || method == http.MethodHead || strings.HasPrefix(pattern, "/webhooks/") || strings.HasPrefix(pattern, ops.QueuesPath+"/") {
			continue
		}
		path := fillPath(pattern, fx.A.Slug, rule.params0(env, fx))
		if p := b.PostWithoutToken(path, map[string]string{"x": "y"}); p.Status != http.StatusForbidden {
			t.Errorf("%s without a CSRF token = %d, want 403", key, p.Status)
		}
	}
}
