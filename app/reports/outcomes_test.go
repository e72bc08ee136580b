package reports_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/outbox"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/reports"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
	"github.com/leadershiptoolbox/toolbox/workers"
)

// scanTwice runs the periodic scan twice, every task it recorded, and
// then every one of those tasks a second time (a task delivered twice).
func scanTwice(t *testing.T, env *testkit.Env) {
	t.Helper()
	var before []outbox.Row
	if err := env.DB.NewSelect().Model(&before).Column("id").Scan(env.Ctx()); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range before {
		seen[r.ID.String()] = true
	}
	for range 2 {
		if err := env.Services.Reports.ScanOutcomes(env.Ctx(), workers.Periodic{}); err != nil {
			t.Fatal(err)
		}
	}
	env.RunDueTasks()
	var rows []outbox.Row
	if err := env.DB.NewSelect().Model(&rows).Where("run_at <= ?", env.Clock.Now()).OrderExpr("id").Scan(env.Ctx()); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if seen[r.ID.String()] || r.TaskType == "mail:send" {
			continue
		}
		if err := env.Mux.ProcessTask(env.Ctx(), asynq.NewTask(r.TaskType, r.Payload)); err != nil {
			t.Fatalf("%s again: %v", r.TaskType, err)
		}
	}
	env.RunDueTasks()
}

func optOut(t *testing.T, env *testkit.Env, org *testkit.Org, p *testkit.Person, topics ...string) {
	t.Helper()
	if err := env.Services.Reports.Store.SetOptOuts(env.Ctx(), org.ID, p.ID, topics, env.Clock.Now()); err != nil {
		t.Fatal(err)
	}
}

func setStatus(t *testing.T, env *testkit.Env, org *testkit.Org, rel *relationships.Relationship, status string) {
	t.Helper()
	err := env.DB.InTenant(env.Ctx(), org.ID, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewUpdate().Model((*relationships.Relationship)(nil)).Set("status = ?", status).Where("org_id = ? AND id = ?", org.ID, rel.ID).Exec(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestQuietRelationshipIsProposedThenConcluded: after the quiet weeks both
// sides hear, after twice as long the coordinator, after the conclusion
// weeks all of them are told it concludes a week later; a week early
// nothing happens, and then it concludes (scan and tasks twice, one
// e-mail each). A participant who keeps another relationship going stops
// its conclusion; one who opted out of nudges hears nothing.
func TestQuietRelationshipIsProposedThenConcluded(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		coordinator := env.NewPerson(org, tenancy.RoleCoordinator)
		coach := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
		member, kept, quiet := env.NewPerson(org, tenancy.RoleMember), env.NewPerson(org, tenancy.RoleMember), env.NewPerson(org, tenancy.RoleMember)
		start := env.Clock.Now()
		rel := env.NewRelationship(org, relationships.Coaching, coach, member)
		other := env.NewRelationship(org, relationships.Coaching, coach, kept)
		silent := env.NewRelationship(org, relationships.Coaching, coach, quiet)
		optOut(t, env, org, quiet, reports.TopicNudges)
		// quiet weeks 2, conclude after 6.
		s := tenancy.DefaultSettings()
		s.QuietWeeks, s.ConcludeAfterWeeks = 2, 6
		if err := env.Services.Tenancy.UpdateOrganisation(env.Ctx(), org.ID, tenancy.Actor{UserID: org.Owner.ID}, org.Name, "Europe/London", s); err != nil {
			t.Fatal(err)
		}
		day := func(n int) { env.Clock.Set(start.AddDate(0, 0, n)); scanTwice(t, env) }

		day(15)
		if mails(env, member, "quiet_nudge") != 1 || mails(env, coach, "quiet_nudge") != 3 || mails(env, coordinator, "quiet_coordinators") != 0 {
			t.Fatalf("after 2 weeks: member %d, coach %d, coordinator %d", mails(env, member, "quiet_nudge"), mails(env, coach, "quiet_nudge"), mails(env, coordinator, "quiet_coordinators"))
		}
		if mails(env, quiet, "quiet_nudge") != 0 {
			t.Fatal("a member who opted out of nudges was nudged")
		}
		day(29)
		if mails(env, coordinator, "quiet_coordinators") != 3 { // one per quiet relationship
			t.Fatalf("after 4 weeks the coordinator got %d nudges, want 3", mails(env, coordinator, "quiet_coordinators"))
		}
		if env.Count("conclusion_proposals", "org_id = ?", org.ID) != 0 {
			t.Fatal("proposed for concluding early")
		}
		day(43)
		if n := mails(env, member, "conclusion_proposed"); n != 1 {
			t.Fatalf("%d proposals to the member, want 1", n)
		}
		if n := mails(env, coordinator, "conclusion_proposed"); n != 3 {
			t.Fatalf("%d proposals to the coordinator, want 3", n)
		}
		// The member of the other relationship keeps it going, from its
		// progress page.
		b := env.SignIn(kept.User)
		page := b.Get("/o/" + org.Slug + "/relationships/" + other.ID.String() + "/progress")
		form := page.Doc().Find("#conclusion-proposal form")
		action, ok := form.Attr("action")
		if !ok {
			t.Fatalf("no Keep it going on the progress page:\n%s", page.Body)
		}
		if p := b.Post(action, nil); p.Status != 200 || !strings.Contains(p.Body, "stays active") {
			t.Fatalf("keep it going: %d", p.Status)
		}
		day(49) // six days after the proposal: not yet
		if status(t, env, org, rel) != relationships.StatusActive {
			t.Fatal("concluded before the week's notice was up")
		}
		day(51)
		if got := status(t, env, org, rel); got != relationships.StatusCompleted {
			t.Fatalf("after the notice: %s, want completed", got)
		}
		if got := status(t, env, org, silent); got != relationships.StatusCompleted {
			t.Fatalf("the silent relationship: %s, want completed", got)
		}
		if got := status(t, env, org, other); got != relationships.StatusActive {
			t.Fatalf("the relationship kept going: %s", got)
		}
		if mails(env, member, "relationship_concluded") != 1 || mails(env, quiet, "relationship_concluded") != 0 || mails(env, quiet, "conclusion_proposed") != 0 {
			t.Fatal("the conclusion was not told once, or was told to someone who opted out")
		}
		// Concluded: nothing more for it, however long the silence.
		// (Monthly summaries of the months it was under way still go.)
		before := env.Count("emails", "to_addr = ? AND template NOT IN ('monthly_summary')", member.Email)
		day(200)
		if after := env.Count("emails", "to_addr = ? AND template NOT IN ('monthly_summary')", member.Email); after != before {
			t.Fatalf("%d e-mails after the relationship concluded", after-before)
		}
	})
}

func status(t *testing.T, env *testkit.Env, org *testkit.Org, rel *relationships.Relationship) relationships.Status {
	t.Helper()
	r, err := env.Services.Relationships.Get(env.Ctx(), org.ID, rel.ID)
	if err != nil {
		t.Fatal(err)
	}
	return r.Status
}

// TestCheckInsAtThirtyThenEverySixtyDays: both sides are asked at 30
// days, 90 days and 150 days, once each, never before, never after the
// relationship ended, never to someone who opted out.
func TestCheckInsAtThirtyThenEverySixtyDays(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		coach := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
		member, silent := env.NewPerson(org, tenancy.RoleMember), env.NewPerson(org, tenancy.RoleMember)
		start := env.Clock.Now()
		rel := env.NewRelationship(org, relationships.Coaching, coach, member)
		env.NewRelationship(org, relationships.Coaching, coach, silent)
		optOut(t, env, org, silent, reports.TopicNudges)
		// Quiet relationships are not the point here.
		s := tenancy.DefaultSettings()
		s.QuietWeeks, s.ConcludeAfterWeeks = 26, 104
		if err := env.Services.Tenancy.UpdateOrganisation(env.Ctx(), org.ID, tenancy.Actor{UserID: org.Owner.ID}, org.Name, "Europe/London", s); err != nil {
			t.Fatal(err)
		}
		checkIns := func(p *testkit.Person) int { return mails(env, p, "check_in") }
		for _, tc := range []struct{ day, member, coach int }{{29, 0, 0}, {30, 1, 2}, {89, 1, 2}, {91, 2, 4}, {150, 3, 6}} {
			env.Clock.Set(start.AddDate(0, 0, tc.day))
			scanTwice(t, env)
			if checkIns(member) != tc.member || checkIns(coach) != tc.coach {
				t.Fatalf("day %d: member %d, coach %d check-ins; want %d, %d", tc.day, checkIns(member), checkIns(coach), tc.member, tc.coach)
			}
		}
		if n := env.Count("feedback", "org_id = ? AND relationship_id = ? AND check_in = '90d'", org.ID, rel.ID); n != 2 {
			t.Fatalf("%d requests at 90 days, want both sides", n)
		}
		if checkIns(silent) != 0 {
			t.Fatal("a member who opted out was checked in on")
		}
		setStatus(t, env, org, rel, "ended")
		env.Clock.Set(start.AddDate(0, 0, 211))
		scanTwice(t, env)
		if checkIns(member) != 3 {
			t.Fatal("checked in after the relationship ended")
		}
	})
}

// TestReviewDatePromptsBothSidesOnce: the review date reminds both sides
// on the day (not the day before), once; a review date moved after the
// task was recorded makes it do nothing.
func TestReviewDatePromptsBothSidesOnce(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		coach := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
		member := env.NewPerson(org, tenancy.RoleMember)
		start := env.Clock.Now()
		rel := env.NewRelationship(org, relationships.Coaching, coach, member)
		rels := env.Services.Relationships
		a, err := rels.EditAgreement(env.Ctx(), org.ID, rel.ID, start, relationships.Agreement{Purpose: "Grow", CadenceDays: 14, SessionMinutes: 60, ReviewDate: "2027-03-10"})
		if err != nil || a.ReviewDate != "2027-03-10" {
			t.Fatalf("agreement: %+v %v", a, err)
		}
		env.Clock.Set(time.Date(2027, 3, 9, 12, 0, 0, 0, time.UTC))
		scanTwice(t, env)
		if mails(env, member, "review_due") != 0 {
			t.Fatal("reminded the day before")
		}
		env.Clock.Set(time.Date(2027, 3, 10, 8, 0, 0, 0, time.UTC))
		scanTwice(t, env)
		if mails(env, member, "review_due") != 1 || mails(env, coach, "review_due") != 1 {
			t.Fatalf("member %d, coach %d reminders; want 1 each", mails(env, member, "review_due"), mails(env, coach, "review_due"))
		}
		// A date moved after its task was recorded: the task does nothing.
		edit := func(date string) {
			t.Helper()
			if _, err := rels.EditAgreement(env.Ctx(), org.ID, rel.ID, env.Clock.Now(), relationships.Agreement{Purpose: "Grow", CadenceDays: 14, SessionMinutes: 60, ReviewDate: date}); err != nil {
				t.Fatal(err)
			}
		}
		edit("2027-03-20")
		env.Clock.Set(time.Date(2027, 3, 20, 8, 0, 0, 0, time.UTC))
		if err := env.Services.Reports.ScanOutcomes(env.Ctx(), workers.Periodic{}); err != nil {
			t.Fatal(err)
		}
		edit("2027-03-25")
		env.RunDueTasks()
		if mails(env, member, "review_due") != 1 {
			t.Fatal("a review date moved away was reminded")
		}
		env.Clock.Set(time.Date(2027, 3, 25, 8, 0, 0, 0, time.UTC))
		scanTwice(t, env)
		if mails(env, member, "review_due") != 2 {
			t.Fatal("the new review date was not reminded")
		}
	})
}

// TestDigestAndSummariesGoOnceToThoseWhoWantThem: the weekly digest goes
// to the staff once a week (scan and tasks twice), never to members, to
// someone who opted out on the preferences page, or before the week is
// over; the monthly summary goes to each participant of a relationship
// once, after the month, unless they opted out.
func TestDigestAndSummariesGoOnceToThoseWhoWantThem(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		coordinator := env.NewPerson(org, tenancy.RoleCoordinator)
		coach := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
		member, other := env.NewPerson(org, tenancy.RoleMember), env.NewPerson(org, tenancy.RoleMember)
		rel := env.NewRelationship(org, relationships.Coaching, coach, member)
		env.NewRelationship(org, relationships.Coaching, coach, other)
		// The coordinator stops the digest, the other member the
		// summaries, on the preferences page.
		b := env.SignIn(coordinator.User)
		page := b.Get("/o/" + org.Slug + "/email-preferences")
		if page.Doc().Find(`input[name="digest"][checked]`).Length() != 1 {
			t.Fatal("the digest is not offered, on, to a coordinator")
		}
		b.Post("/o/"+org.Slug+"/email-preferences", map[string]string{"summary": "on", "nudges": "on"})
		b = env.SignIn(other.User)
		if b.Get("/o/"+org.Slug+"/email-preferences").Doc().Find(`input[name="digest"]`).Length() != 0 {
			t.Fatal("a member is offered the staff's digest")
		}
		b.Post("/o/"+org.Slug+"/email-preferences", map[string]string{"nudges": "on"})

		env.Clock.Set(time.Date(2027, 4, 2, 7, 0, 0, 0, time.UTC)) // a Friday
		scanTwice(t, env)
		if n := mails(env, org.Owner, "weekly_digest"); n != 1 {
			t.Fatalf("%d digests to the owner, want 1", n)
		}
		digest := env.Emails(org.Owner.Email)
		body := ""
		for _, m := range digest {
			if m.Template == "weekly_digest" {
				body = m.TextBody
			}
		}
		if !strings.Contains(body, "22 Mar – 28 Mar 2027") || !strings.Contains(body, "/email-preferences") || !strings.Contains(body, "Active relationships now: fewer than 5") {
			t.Fatalf("digest:\n%s", body)
		}
		for _, p := range []*testkit.Person{coordinator, member, coach} {
			if mails(env, p, "weekly_digest") != 0 {
				t.Fatalf("%s got the digest", p.Email)
			}
		}
		// Too early for this week's digest and this month's summary.
		if err := env.Services.Reports.HandleWeeklyDigest(env.Ctx(), digestPayload(org, org.Owner, "2027-W13")); err != nil {
			t.Fatal(err)
		}
		if err := env.Services.Reports.HandleMonthlySummary(env.Ctx(), workers.MonthlySummaryPayload{OrgID: org.ID, UserID: member.ID, Month: "2027-04", RelationshipID: rel.ID}); err != nil {
			t.Fatal(err)
		}
		if mails(env, org.Owner, "weekly_digest") != 1 || mails(env, member, "monthly_summary") != 1 {
			t.Fatalf("sent early: %d digests, %d summaries", mails(env, org.Owner, "weekly_digest"), mails(env, member, "monthly_summary"))
		}
		if mails(env, coach, "monthly_summary") != 2 || mails(env, other, "monthly_summary") != 0 {
			t.Fatalf("summaries: coach %d (want 2), other %d (want 0)", mails(env, coach, "monthly_summary"), mails(env, other, "monthly_summary"))
		}
		// A week later, the next digest.
		env.Clock.Set(time.Date(2027, 4, 6, 7, 0, 0, 0, time.UTC))
		scanTwice(t, env)
		if n := mails(env, org.Owner, "weekly_digest"); n != 2 {
			t.Fatalf("%d digests after two weeks, want 2", n)
		}
	})
}

func digestPayload(org *testkit.Org, p *testkit.Person, week string) workers.WeeklyDigestPayload {
	return workers.WeeklyDigestPayload{OrgID: org.ID, UserID: p.ID, Week: week}
}
