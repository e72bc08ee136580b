package app_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"

	"github.com/leadershiptoolbox/toolbox/app/config"
	"github.com/leadershiptoolbox/toolbox/app/ops"
	"github.com/leadershiptoolbox/toolbox/app/outbox"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
	"github.com/leadershiptoolbox/toolbox/workers"
)

// newOperator is a person with the platform role and no organisation.
func newOperator(env *testkit.Env) *testkit.Person {
	env.T.Helper()
	u := env.NewUser()
	if _, err := env.Services.Ops.Store.Grant(env.Ctx(), u.ID, u.Email, "test", env.Clock.Now()); err != nil {
		env.T.Fatalf("grant: %v", err)
	}
	return &testkit.Person{User: u}
}

func opsOrg(env *testkit.Env, fx *wallFixture) map[string]string {
	return map[string]string{"id": fx.A.ID.String()}
}

// opsFailedTask is an outbox row of organisation A whose task failed for good.
func opsFailedTask(env *testkit.Env, fx *wallFixture) map[string]string {
	env.T.Helper()
	id := uuid.Must(uuid.NewV7())
	now := env.Clock.Now()
	_, err := env.DB.NewInsert().Model(&outbox.Row{ID: id, OrgID: &fx.A.ID, TaskType: workers.TypeCourseCompleted, Payload: []byte(`{}`),
		Queue: workers.QueueDefault, RunAt: now, CreatedAt: now, EnqueuedAt: &now, DoneAt: &now, Attempts: 1, LastError: "boom"}).Exec(env.Ctx())
	if err != nil {
		env.T.Fatalf("failed task fixture: %v", err)
	}
	return map[string]string{"id": id.String()}
}

func opsProfile(*testkit.Env, *wallFixture) map[string]string {
	return map[string]string{"name": "cmdline"}
}
func opsQueuesRead(*testkit.Env, *wallFixture) map[string]string {
	return map[string]string{"path": "api/queues"}
}
func opsQueuesChange(*testkit.Env, *wallFixture) map[string]string {
	return map[string]string{"path": "api/queues/default:pause"}
}
func opsQueuesDelete(env *testkit.Env, _ *wallFixture) map[string]string {
	// A queue must exist for its tasks to be deleted.
	client := asynq.NewClient(env.QueueRedis)
	defer client.Close()
	if _, err := client.Enqueue(asynq.NewTask("test:nothing", nil), asynq.ProcessIn(time.Hour)); err != nil {
		env.T.Fatalf("enqueue: %v", err)
	}
	return map[string]string{"path": "api/queues/default/scheduled_tasks:delete_all"}
}

// TestSupportAccessIsRecordedAndVisibleToOwners: an operator reads
// nothing inside an organisation until they open support access, for a
// reason and a time; the organisation's owners see it in their audit
// log; the operator never sees private notes, and still cannot open the
// organisation's own pages.
func TestSupportAccessIsRecordedAndVisibleToOwners(t *testing.T) {
	env := testkit.New(t)
	fx := newWallFixture(env)
	op := newOperator(env)
	b := env.SignIn(op.User)
	member := fx.ByRole[tenancy.RoleMember]

	page := b.Get("/ops/orgs/" + fx.A.ID.String())
	if page.Status != http.StatusOK || !strings.Contains(page.Body, fx.A.Name) || !strings.Contains(page.Body, fx.A.Owner.Email) {
		t.Fatalf("org page = %d", page.Status)
	}
	if strings.Contains(page.Body, member.Email) || page.Doc().Find("#support-people").Length() != 0 {
		t.Fatal("the people list shows without support access")
	}
	b.Post("/ops/orgs/"+fx.A.ID.String()+"/support", map[string]string{"reason": "ticket 4711: invitations bounce", "hours": "2"})
	page = b.Get("/ops/orgs/" + fx.A.ID.String())
	if !strings.Contains(page.Text("#support-people"), member.Email) {
		t.Fatalf("under support access the people list lacks the member: %q", page.Text("#support-people"))
	}
	if p := b.NoRedirects().Get("/o/" + fx.A.Slug); p.Status != http.StatusNotFound {
		t.Errorf("support access opened the organisation's own pages: %d", p.Status)
	}

	owner := env.SignIn(fx.A.Owner.User)
	log := owner.Get("/o/" + fx.A.Slug + "/audit").Text("#audit-rows")
	for _, want := range []string{ops.OrgActionSupportStarted, "ticket 4711: invitations bounce", op.Email} {
		if !strings.Contains(log, want) {
			t.Errorf("the owner's audit log lacks %q:\n%s", want, log)
		}
	}
	if n := env.Count("platform_audit", "action = ? AND actor = ?", ops.ActionSupportStarted, op.Email); n != 1 {
		t.Errorf("platform audit has %d support.started, want 1", n)
	}

	// It ends by itself.
	env.Clock.Advance(2*time.Hour + time.Minute)
	b2 := env.SignIn(op.User)
	if strings.Contains(b2.Get("/ops/orgs/"+fx.A.ID.String()).Body, member.Email) {
		t.Error("support access outlived its time")
	}
	// A suspension needs a reason, and the owners read it.
	b2.Post("/ops/orgs/"+fx.A.ID.String()+"/suspend", map[string]string{"reason": "unpaid invoice 99"})
	b2.Post("/ops/orgs/"+fx.A.ID.String()+"/resume", nil)
	if log := env.SignIn(fx.A.Owner.User).Get("/o/" + fx.A.Slug + "/audit").Text("#audit-rows"); !strings.Contains(log, "unpaid invoice 99") || !strings.Contains(log, ops.OrgActionResumed) {
		t.Errorf("the owners' audit log lacks the suspension:\n%s", log)
	}
}

// sessionStart is when a calendar session starts.
func sessionStart(env *testkit.Env, id uuid.UUID) time.Time {
	env.T.Helper()
	var at time.Time
	if err := env.OwnerDB.NewSelect().Table("calendar_sessions").Column("starts_at").Where("id = ?", id).Scan(env.Ctx(), &at); err != nil {
		env.T.Fatalf("session start: %v", err)
	}
	return at
}

// TestSuspensionStopsSignInRemindersAndDigestsThenResumes suspends an
// organisation with a session ahead: its people cannot sign in and see a
// page saying it is suspended; its reminder, due meanwhile, does not go
// (whether still in the outbox or already with the queue); a digest due
// meanwhile is dropped; once resumed, sign-in works and the reminder goes.
func TestSuspensionStopsSignInRemindersAndDigestsThenResumes(t *testing.T) {
	env := testkit.New(t)
	fx := newWallFixture(env)
	member := fx.ByRole[tenancy.RoleMember]
	signedIn := env.SignIn(member.User).NoRedirects()
	sessionID := uuid.MustParse(calendarSession(env, fx)["id"])
	operator := newOperator(env)
	op := env.SignIn(operator.User)
	other := env.NewOrg()

	if p := op.Post("/ops/orgs/"+fx.A.ID.String()+"/suspend", map[string]string{"reason": "security review"}); p.Status != http.StatusOK {
		t.Fatalf("suspend = %d", p.Status)
	}
	if p := signedIn.Get("/o/" + fx.A.Slug); p.Status != http.StatusLocked || !strings.Contains(p.Body, "suspended") {
		t.Errorf("a member's page of a suspended organisation = %d", p.Status)
	}
	b := env.Browser()
	b.Get("/login")
	if p := b.Post("/login", map[string]string{"email": member.Email, "password": testkit.Password}); p.Status != http.StatusForbidden || !strings.Contains(p.Body, "suspended") {
		t.Errorf("sign-in to a suspended organisation = %d", p.Status)
	}
	if p := env.SignIn(other.Owner.User).Get("/o/" + other.Slug); p.Status != http.StatusOK {
		t.Errorf("another organisation is affected: %d", p.Status)
	}

	// Both reminders fall due: they wait in the outbox.
	env.Clock.Set(sessionStart(env, sessionID).Add(-30 * time.Minute))
	reminders := func() int {
		return env.Count("reminder_deliveries", "org_id = ? AND session_id = ?", fx.A.ID, sessionID)
	}
	env.RunDueTasks()
	if n := reminders(); n != 0 {
		t.Fatalf("%d reminders went out while suspended", n)
	}
	// A reminder already with the queue when the organisation was
	// suspended reaches the worker: it is held, recorded again for later.
	held := workers.SessionReminderPayload{OrgID: fx.A.ID, SessionID: sessionID, Version: 1, OffsetMinutes: 24 * 60}
	body, _ := json.Marshal(held)
	before := env.Count("outbox", "org_id = ? AND enqueued_at IS NULL", fx.A.ID)
	if err := env.Mux.ProcessTask(env.Ctx(), asynq.NewTask(workers.TypeSessionReminder, body)); err != nil {
		t.Fatal(err)
	}
	if n := reminders(); n != 0 {
		t.Fatalf("a queued reminder went out while suspended")
	}
	if after := env.Count("outbox", "org_id = ? AND enqueued_at IS NULL", fx.A.ID); after != before+1 {
		t.Errorf("the held reminder was not kept for later: %d waiting rows, were %d", after, before)
	}
	// A weekly digest for the suspended organisation is dropped, not kept.
	digest, _ := json.Marshal(workers.WeeklyDigestPayload{OrgID: fx.A.ID, UserID: fx.A.Owner.ID, Week: "2027-W11"})
	waiting := env.Count("outbox", "enqueued_at IS NULL")
	if err := env.Mux.ProcessTask(env.Ctx(), asynq.NewTask(workers.TypeWeeklyDigest, digest)); err != nil {
		t.Errorf("the suspended organisation's digest ran: %v", err)
	}
	if env.Count("outbox", "enqueued_at IS NULL") != waiting {
		t.Error("a digest was kept for after the suspension")
	}
	if lag, err := outbox.ReadLag(env.Ctx(), env.DB, env.Clock.Now()); err != nil || lag.Held == 0 {
		t.Errorf("the outbox's lag shows no held rows: %+v %v", lag, err)
	}

	// Ten days on, the operator signs in again (the console wants a recent sign-in).
	if p := env.SignIn(operator.User).Post("/ops/orgs/"+fx.A.ID.String()+"/resume", nil); p.Status != http.StatusOK {
		t.Fatalf("resume = %d", p.Status)
	}
	env.RunDueTasks()
	people := env.Count("session_attendees", "session_id = ?", sessionID) + 1
	if n := reminders(); n != 2*people {
		t.Errorf("after resuming, %d reminders went out, want two for each of %d people", n, people)
	}
	if p := signedIn.Get("/o/" + fx.A.Slug); p.Status != http.StatusOK {
		t.Errorf("a member's page after resuming = %d", p.Status)
	}
	env.SignIn(member.User)
}

// TestMetricsAfterARequestATaskAndAWebhook scrapes the metrics after a
// request, a reminder task, a failed e-mail and a webhook: every named
// metric is there.
func TestMetricsAfterARequestATaskAndAWebhook(t *testing.T) {
	env := testkit.New(t, testkit.WithConfig(func(c *config.Config) { c.StripeWebhookSecret = "whsec_test" }))
	fx := newWallFixture(env)
	id := uuid.MustParse(calendarSession(env, fx)["id"])
	env.SignIn(fx.A.Owner.User).Get("/o/" + fx.A.Slug)
	env.Clock.Set(sessionStart(env, id).Add(-24*time.Hour + 5*time.Second))
	env.RunDueTasks()
	b := env.Browser()
	if p := b.PostRaw("/webhooks/stripe", "application/json", strings.NewReader(`{"id":"evt_1"}`)); p.Status != http.StatusBadRequest {
		t.Errorf("unsigned webhook = %d", p.Status)
	}
	env.Services.Mail.SendFailed()
	if err := env.Mux.ProcessTask(env.Ctx(), asynq.NewTask(workers.TypeSessionReminder, []byte("{"))); err == nil {
		t.Error("an undecodable task succeeded")
	}

	rec := httptest.NewRecorder()
	env.Metrics.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	text := rec.Body.String()
	for _, want := range []string{
		`toolbox_http_requests_total{method="GET",route="/o/:slug",status="200"}`,
		`toolbox_http_request_duration_seconds_bucket{method="GET",route="/o/:slug",status="200"`,
		`go_sql_max_open_connections{db_name="main"}`,
		`go_sql_in_use_connections{db_name="tenant"}`,
		`toolbox_outbox_waiting `,
		`toolbox_outbox_lag_seconds `,
		`toolbox_tasks_processed_total{type="calendar:session_reminder"}`,
		`toolbox_tasks_failed_total{type="calendar:session_reminder"} 1`,
		`toolbox_reminder_lateness_seconds_bucket{le="5"} 1`,
		`toolbox_email_send_failures_total 1`,
		`toolbox_webhook_events_total{outcome="invalid",provider="stripe"} 1`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	// The Grafana dashboard shows only series the application exports.
	dashboard, err := os.ReadFile("../deploy/grafana/dashboards/toolbox.json")
	if err != nil {
		t.Fatal(err)
	}
	var board struct {
		Panels []struct {
			Targets []struct{ Expr string } `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(dashboard, &board); err != nil {
		t.Fatalf("the dashboard is not JSON: %v", err)
	}
	for _, p := range board.Panels {
		for _, target := range p.Targets {
			for _, name := range seriesName.FindAllString(target.Expr, -1) {
				if !strings.Contains(text, "\n"+name) {
					t.Errorf("the dashboard queries %s, which the metrics lack", name)
				}
			}
		}
	}
}

// seriesName finds the application's and the database pools' series in a
// PromQL expression.
var seriesName = regexp.MustCompile(`\b(?:toolbox|go_sql)_[a-z_]+`)

// TestQueueConsoleAnswersOperatorsOnly opens asynqmon at /ops/queues as
// an operator (its page, with a policy of its own, and its API showing a
// queued reminder), and as anyone else.
func TestQueueConsoleAnswersOperatorsOnly(t *testing.T) {
	env := testkit.New(t)
	fx := newWallFixture(env)
	client := asynq.NewClient(env.QueueRedis)
	defer client.Close()
	if _, err := client.Enqueue(asynq.NewTask(workers.TypeSessionReminder, []byte(`{}`)), asynq.Queue(workers.QueueDefault), asynq.ProcessIn(time.Hour)); err != nil {
		t.Fatal(err)
	}
	op := env.SignIn(newOperator(env).User).NoRedirects()
	page := op.Get("/ops/queues/")
	csp := page.Header.Get("Content-Security-Policy")
	if page.Status != http.StatusOK || !strings.Contains(page.Body, "FLAG_ROOT_PATH") || !strings.Contains(csp, "'sha256-") || strings.Contains(csp, "unsafe-eval") {
		t.Fatalf("queue console = %d, CSP %q", page.Status, csp)
	}
	if strings.Contains(page.Body, "https://") {
		t.Error("the queue console's page loads something from another site")
	}
	api := op.Get("/ops/queues/api/queues")
	if api.Status != http.StatusOK || !strings.Contains(api.Body, `"queue":"default"`) || !strings.Contains(api.Body, `"scheduled":1`) {
		t.Fatalf("queue API = %d %s", api.Status, api.Body)
	}
	if p := op.Get("/o/" + fx.A.Slug); p.Status != http.StatusNotFound {
		t.Errorf("the console opened an organisation's page: %d", p.Status)
	}
	// A change must come from the console's own page.
	req, _ := http.NewRequest(http.MethodPost, env.Server.URL+"/ops/queues/api/queues/default:pause", nil)
	req.Header.Set("Origin", "https://evil.example")
	for _, c := range op.Cookies() {
		req.AddCookie(c)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a cross-site change to the queues = %d, want 403", resp.StatusCode)
	}

	for who, b := range map[string]*testkit.Browser{"owner": env.SignIn(fx.A.Owner.User).NoRedirects(), "admin": env.SignIn(fx.ByRole[tenancy.RoleAdmin].User).NoRedirects()} {
		for _, path := range []string{"/ops/queues/", "/ops/queues/api/queues"} {
			if p := b.Get(path); p.Status != http.StatusNotFound || strings.Contains(p.Body, "default") {
				t.Errorf("%s %s = %d, want 404", who, path, p.Status)
			}
		}
	}
	if p := env.Browser().NoRedirects().Get("/ops/queues/api/queues"); !sentToSignIn(p) {
		t.Errorf("anonymous queue API = %d", p.Status)
	}
}

// TestOperatorFindsAnOrganisation searches, sorts and reads the console's
// organisation list on both engines: the totals come from a function on
// PostgreSQL (past row-level security) and a plain query on SQLite.
func TestOperatorFindsAnOrganisation(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		fx := newWallFixture(env)
		calendarSession(env, fx)
		op := env.SignIn(newOperator(env).User)
		page := op.Get("/ops?q=" + strings.ToUpper(fx.A.Slug[:len(fx.A.Slug)-1]) + "&sort=people")
		rows := page.Doc().Find("#orgs tbody tr")
		if page.Status != http.StatusOK || rows.Length() != 1 || !strings.Contains(rows.Text(), fx.A.Name) {
			t.Fatalf("search = %d, %d rows: %s", page.Status, rows.Length(), rows.Text())
		}
		cells := rows.First().Find("td")
		// Five people, one active relationship, one session this month
		// (the fixture's session is ten days ahead, in March 2027).
		got := []string{cells.Eq(1).Text(), cells.Eq(3).Text(), cells.Eq(4).Text(), cells.Eq(5).Text()}
		want := []string{fx.A.Owner.Email, "5", "1", "1"}
		for i := range want {
			if strings.TrimSpace(got[i]) != want[i] {
				t.Errorf("column %d = %q, want %q", i, got[i], want[i])
			}
		}
		counts := op.Get("/ops?sort=people").Doc().Find("#orgs tbody tr td:nth-child(4)")
		if counts.Length() < 2 {
			t.Fatalf("%d organisations listed", counts.Length())
		}
		prev := 1 << 30
		for i := range counts.Length() {
			n, _ := strconv.Atoi(strings.TrimSpace(counts.Eq(i).Text()))
			if n > prev {
				t.Errorf("sorted by people, row %d has %d after %d", i, n, prev)
			}
			prev = n
		}
		if n := op.Get("/ops?q=no-such-organisation-anywhere").Doc().Find("#orgs tbody tr").Length(); n != 0 {
			t.Errorf("a search for nothing found %d", n)
		}
	})
}

// signStripe signs a webhook body as Stripe does (t=…,v1=HMAC-SHA256).
func signStripe(body []byte, secret string, at time.Time) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%d.%s", at.Unix(), body)
	return fmt.Sprintf("t=%d,v1=%s", at.Unix(), hex.EncodeToString(mac.Sum(nil)))
}

// TestStripeEventsForASuspendedOrganisationComeBackLater: while an
// organisation is suspended, Stripe's events for it are answered 503
// (Stripe sends them again) and nothing is recorded; once it is resumed
// the same event is taken.
func TestStripeEventsForASuspendedOrganisationComeBackLater(t *testing.T) {
	const secret = "whsec_suspended"
	env := testkit.New(t, testkit.WithConfig(func(c *config.Config) { c.StripeWebhookSecret = secret }))
	org := env.NewOrg()
	body := []byte(fmt.Sprintf(`{"id":"evt_susp_%s","object":"event","type":"checkout.session.completed","data":{"object":`+
		`{"id":"cs_susp","object":"checkout.session","payment_status":"paid","metadata":{"org_id":"%s","payment_id":"%s"}}}}`,
		org.ID.String()[:8], org.ID, uuid.Must(uuid.NewV7())))
	deliver := func() int {
		req, _ := http.NewRequest(http.MethodPost, env.Server.URL+"/webhooks/stripe", bytes.NewReader(body))
		req.Header.Set("Stripe-Signature", signStripe(body, secret, time.Now()))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	op := newOperator(env)
	a := ops.Actor{UserID: op.ID, Email: op.Email}
	if err := env.Services.Ops.Suspend(env.Ctx(), a, org.ID, "test"); err != nil {
		t.Fatal(err)
	}
	if s := deliver(); s != http.StatusServiceUnavailable {
		t.Errorf("an event for a suspended organisation = %d, want 503", s)
	}
	if n := env.Count("stripe_events", "org_id = ?", org.ID); n != 0 {
		t.Errorf("%d events recorded while suspended", n)
	}
	if err := env.Services.Ops.Resume(env.Ctx(), a, org.ID); err != nil {
		t.Fatal(err)
	}
	if s := deliver(); s != http.StatusOK {
		t.Errorf("the event sent again after resuming = %d, want 200", s)
	}
	if n := env.Count("stripe_events", "org_id = ?", org.ID); n != 1 {
		t.Errorf("%d events recorded after resuming, want 1", n)
	}
}
