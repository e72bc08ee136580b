package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/assessment"
	"github.com/leadershiptoolbox/toolbox/app/calendar"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// Issue 19, items 2, 3, 4, 7, 9 and 12: what a twelve-person walk found.

// groupOfTwo makes a coaching group led by two practitioners with two
// members.
func groupOfTwo(t *testing.T, env *testkit.Env, org *testkit.Org, first, second *testkit.Person, members ...*testkit.Person) *relationships.Relationship {
	t.Helper()
	now := env.Clock.Now()
	n := relationships.New{
		Kind: relationships.Coaching, Format: relationships.Group, Status: relationships.StatusActive, Title: "New managers' circle",
		Practitioners: []uuid.UUID{first.ID, second.ID},
		Agreement:     &relationships.Agreement{Purpose: "Grow", CadenceDays: 14, SessionMinutes: 60, Place: "Room 2", PractitionerAcceptedAt: &now, MemberAcceptedAt: &now},
	}
	for _, m := range members {
		n.Members = append(n.Members, m.ID)
	}
	var rel *relationships.Relationship
	err := env.DB.InTenant(context.Background(), org.ID, func(ctx context.Context, tx bun.Tx) error {
		var err error
		rel, err = relationships.Create(ctx, tx, org.ID, now, n)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return rel
}

// ddAfter is the text of the <dd> after the <dt> that reads term.
func ddAfter(p *testkit.Page, term string) string {
	out := ""
	p.Doc().Find("dt").Each(func(_ int, dt *goquery.Selection) {
		if strings.TrimSpace(dt.Text()) == term {
			out = strings.TrimSpace(dt.Next().Text())
		}
	})
	return out
}

// coachingPair makes an organisation with a coach and a member in a
// one-to-one coaching relationship.
func coachingPair(env *testkit.Env) (org *testkit.Org, coach, member *testkit.Person, rel *relationships.Relationship) {
	org = env.NewOrg()
	coach = env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
	member = env.NewPerson(org, tenancy.RoleMember)
	return org, coach, member, env.NewRelationship(org, relationships.Coaching, coach, member)
}

// subjects lists the subjects of the e-mails to an address.
func subjects(env *testkit.Env, to string) []string {
	var out []string
	for _, e := range env.Emails(to) {
		out = append(out, e.Subject)
	}
	return out
}

// TestGroupSessionBelongsToWhoSchedulesIt (item 2): the second
// practitioner of a group schedules a two-seat session: it is theirs (the
// session page names them, it is in their calendar, they get "Session
// booked"), the first hears nothing, every member is told with an
// invitation, and taking a seat sends the invitation for the seat.
func TestGroupSessionBelongsToWhoSchedulesIt(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		first := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
		second := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
		m1, m2 := env.NewPerson(org, tenancy.RoleMember), env.NewPerson(org, tenancy.RoleMember)
		rel := groupOfTwo(t, env, org, first, second, m1, m2)
		base := "/o/" + org.Slug + "/calendar"

		sb := env.SignIn(second.User)
		if p := sb.Get(base + "/new"); !strings.Contains(p.Body, "Who leads it") || !strings.Contains(p.Body, first.Name) {
			t.Errorf("the scheduling form offers no choice of who leads the group's session")
		}
		p := sb.Post(base+"/sessions", map[string]string{"relationship_id": rel.ID.String(), "date": "2027-03-03", "time": "10:00", "capacity": "2"})
		if p.Status != http.StatusOK || !strings.Contains(p.URL, "/calendar/sessions/") {
			t.Fatalf("schedule = %d at %s", p.Status, p.URL)
		}
		if got := ddAfter(p, "Practitioner"); got != second.Name {
			t.Errorf("the session page names %q as its practitioner, want %q (who scheduled it)", got, second.Name)
		}
		if n := env.Count("calendar_sessions", "relationship_id = ? AND practitioner_id = ?", rel.ID, second.ID); n != 1 {
			t.Errorf("%d sessions led by the scheduling practitioner, want 1", n)
		}
		if week := sb.Get(base + "?view=week&date=2027-03-03"); week.Doc().Find(".cal-event").Length() != 1 {
			t.Errorf("the scheduling practitioner's week shows %d sessions, want 1", week.Doc().Find(".cal-event").Length())
		}
		if got := strings.Join(subjects(env, second.Email), "|"); !strings.Contains(got, "Session booked") {
			t.Errorf("the scheduling practitioner got %q, want a \"Session booked\" e-mail", got)
		}
		if got := subjects(env, first.Email); len(got) != 0 {
			t.Errorf("the other practitioner got %q, want nothing", got)
		}
		for _, m := range []*testkit.Person{m1, m2} {
			es := env.Emails(m.Email)
			if len(es) != 1 || !strings.Contains(es[0].Subject, "New group session") || !strings.Contains(es[0].ICS, "BEGIN:VEVENT") ||
				!strings.Contains(es[0].TextBody, "Take a seat") {
				t.Fatalf("member %s was told %q, want one e-mail with an invitation", m.Name, subjects(env, m.Email))
			}
		}

		// Taking a seat sends the invitation for it.
		session := strings.TrimPrefix(p.URL, base+"/sessions/")
		mb := env.SignIn(m1.User)
		if p := mb.Post(base+"/sessions/"+session+"/join", nil); p.Status != http.StatusOK {
			t.Fatalf("take a seat = %d", p.Status)
		}
		es := env.Emails(m1.Email)
		if len(es) != 2 || !strings.Contains(es[1].Subject, "Session booked") || es[1].ICSMethod != "REQUEST" || !strings.Contains(es[1].ICS, m1.Email) {
			t.Fatalf("after taking a seat the member has %q, want a \"Session booked\" invitation naming them", subjects(env, m1.Email))
		}
		// The first practitioner may still be chosen to lead one.
		p = sb.Post(base+"/sessions", map[string]string{"relationship_id": rel.ID.String(), "practitioner_id": first.ID.String(), "date": "2027-03-04", "time": "10:00", "capacity": "2"})
		if p.Status != http.StatusOK || env.Count("calendar_sessions", "relationship_id = ? AND practitioner_id = ?", rel.ID, first.ID) != 1 {
			t.Fatalf("scheduling for the other practitioner = %d", p.Status)
		}
		if p := sb.Post(base+"/sessions", map[string]string{"relationship_id": rel.ID.String(), "practitioner_id": m1.ID.String(), "date": "2027-03-05", "time": "10:00"}); p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("a member chosen to lead = %d, want 422", p.Status)
		}
	})
}

// boostedPost posts a form as htmx does for a boosted form on the page at
// from, and returns the response and the address the browser then shows:
// the posting address, unless the answer says to keep the page's own.
func boostedPost(b *testkit.Browser, from, path string, fields map[string]string) (*testkit.Page, string) {
	b.Get(from)
	b.SetHeader("HX-Boosted", "true").SetHeader("HX-Current-URL", from)
	defer b.SetHeader("HX-Boosted", "").SetHeader("HX-Current-URL", "")
	p := b.HTMX(http.MethodPost, path, fields)
	shown := path
	if p.Header.Get("HX-Push-Url") == "false" {
		shown = from
	}
	return p, shown
}

// TestRefusedFormsShowWhyAndReloadSafely (items 3 and 12): a refused form
// (agreement, notes, mode, sessions, availability) comes back with its
// errors visible (the agreement's collapsed section open), to htmx as a
// 200 that the browser does not log as an error, and the address left in
// the address bar answers a reload with the page, not 405.
func TestRefusedFormsShowWhyAndReloadSafely(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org, coach, _, rel := coachingPair(env)
		relPath := "/o/" + org.Slug + "/relationships/" + rel.ID.String()
		cal := "/o/" + org.Slug + "/calendar"
		cb := env.SignIn(coach.User)

		cases := []struct {
			name, from, path string
			fields           map[string]string
		}{
			{"agreement", relPath, relPath + "/agreement", map[string]string{"purpose": "Grow", "cadence_days": "0", "session_minutes": "60"}},
			{"notes", relPath, relPath + "/notes", map[string]string{"body": "", "visibility": "private"}},
			{"mode", relPath, relPath + "/mode", map[string]string{"to_kind": "", "why": ""}},
			{"sessions", cal + "/new", cal + "/sessions", map[string]string{"relationship_id": rel.ID.String(), "date": "not a date", "time": "10:00"}},
			{"availability rules", cal + "/availability", cal + "/availability/rules", map[string]string{"weekday": "2", "start": "12:00", "end": "09:00"}},
		}
		for _, tc := range cases {
			p, shown := boostedPost(cb, tc.from, tc.path, tc.fields)
			if p.Status != http.StatusOK || p.Header.Get(web.RefusedHeader) != "422" || p.Doc().Find(".field-error").Length() == 0 {
				t.Errorf("%s: refused form = %d (%s %q), %d errors shown; want 200 saying 422, errors shown",
					tc.name, p.Status, web.RefusedHeader, p.Header.Get(web.RefusedHeader), p.Doc().Find(".field-error").Length())
			}
			if reload := cb.Get(shown); reload.Status != http.StatusOK {
				t.Errorf("%s: reloading %s after the refused post = %d, want 200", tc.name, shown, reload.Status)
			}
		}
		// The agreement's section is open, with the error in it.
		p, _ := boostedPost(cb, relPath, relPath+"/agreement", map[string]string{"purpose": "Grow", "cadence_days": "0", "session_minutes": "60"})
		if open := p.Doc().Find("details[open]").FilterFunction(func(_ int, s *goquery.Selection) bool {
			return strings.Contains(s.Find("summary").Text(), "Change the agreement") && s.Find(`[aria-invalid="true"]`).Length() > 0
		}); open.Length() != 1 {
			t.Errorf("the refused agreement form is not in an open section with its field marked")
		}
		// Without htmx the status stays what it is.
		if p := cb.Post(relPath+"/agreement", map[string]string{"purpose": "Grow", "cadence_days": "0", "session_minutes": "60"}); p.Status != http.StatusUnprocessableEntity {
			t.Errorf("plain refused post = %d, want 422", p.Status)
		}
		// Without JavaScript the posting address stays in the address
		// bar: opened as a page, it leads to the page the form lives on.
		for _, tc := range cases {
			want := tc.from
			if tc.name == "sessions" {
				want = cal // the scheduling form's own page is /calendar/new
			}
			p := cb.NoRedirects().Get(tc.path)
			if p.Status != http.StatusSeeOther || p.Header.Get("Location") != want {
				t.Errorf("%s: GET %s = %d (Location %q), want a redirect to %s", tc.name, tc.path, p.Status, p.Header.Get("Location"), want)
			}
		}
		if p := cb.NoRedirects().Get("//evil.example/agreement"); p.Status == http.StatusSeeOther && strings.HasPrefix(p.Header.Get("Location"), "//") {
			t.Errorf("a path of two slashes is redirected to another site: %q", p.Header.Get("Location"))
		}
	})
}

// TestSessionsAndRelationshipsHaveNames (item 4): relationships and
// sessions are named by the other people in them wherever they show
// (scheduling, the relationship page, calendar blocks, session page,
// e-mails, invitations, feeds, the pipeline), and codes show as words.
func TestSessionsAndRelationshipsHaveNames(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org, coach, member, rel := coachingPair(env)
		cal := "/o/" + org.Slug + "/calendar"
		forCoach, forMember := "Coaching with "+member.Name, "Coaching with "+coach.Name

		cb := env.SignIn(coach.User)
		if p := cb.Get(cal + "/new"); !strings.Contains(p.Text("#f-relationship_id"), "Coaching, one to one, with "+member.Name) || strings.Contains(p.Body, "one_to_one") {
			t.Errorf("the scheduling form offers %q", p.Text("#f-relationship_id"))
		}
		if p := cb.Get("/o/" + org.Slug + "/relationships/" + rel.ID.String()); p.Text("h1") != forCoach {
			t.Errorf("relationship page heading = %q, want %q", p.Text("h1"), forCoach)
		}
		p := cb.Post(cal+"/sessions", map[string]string{"relationship_id": rel.ID.String(), "date": "2027-03-03", "time": "10:00"})
		if p.Status != http.StatusOK || p.Text("h1") != forCoach {
			t.Fatalf("session page = %d, heading %q, want %q", p.Status, p.Text("h1"), forCoach)
		}
		if got := cb.Get(cal + "?view=week&date=2027-03-03").Text(".cal-event"); !strings.Contains(got, forCoach) {
			t.Errorf("the coach's calendar block reads %q", got)
		}
		mb := env.SignIn(member.User)
		if got := mb.Get(cal + "?view=week&date=2027-03-03").Text(".cal-event"); !strings.Contains(got, forMember) {
			t.Errorf("the member's calendar block reads %q", got)
		}
		es := env.Emails(member.Email)
		if len(es) != 1 || !strings.Contains(es[0].Subject, forMember) || !strings.Contains(es[0].ICS, "SUMMARY:"+forMember) {
			t.Fatalf("the member's e-mail %q does not name the session %q", subjects(env, member.Email), forMember)
		}
		if es := env.Emails(coach.Email); len(es) != 1 || !strings.Contains(es[0].ICS, "SUMMARY:"+forCoach) {
			t.Errorf("the coach's invitation does not name the session %q", forCoach)
		}
		// A reminder names it too.
		env.Clock.Advance(26 * time.Hour) // past the day-before reminder
		env.RunDueTasks()
		reminded := false
		for _, e := range env.Emails(member.Email) {
			reminded = reminded || (e.Template == "session_reminder" && strings.Contains(e.TextBody, forMember))
		}
		if !reminded {
			t.Errorf("no reminder to the member names the session: %q", subjects(env, member.Email))
		}
		// The pipeline names the relationship by the person it supports.
		if p := env.SignIn(org.Owner.User).Get("/o/" + org.Slug + "/pipeline"); !strings.Contains(p.Body, forCoach) || strings.Contains(p.Body, ">one_to_one<") {
			t.Errorf("the pipeline's row does not read %q", forCoach)
		}
	})
}

// TestNothingSilentlyDroppedOrAccepted (item 7): refusals say why beside
// the field, saves confirm, a very long session is asked about, and the
// week view shows a session that starts late at night.
func TestNothingSilentlyDroppedOrAccepted(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org, coach, member, rel := coachingPair(env)
		cal := "/o/" + org.Slug + "/calendar"
		cb := env.SignIn(coach.User)
		cb.Get(cal + "/availability")

		// A date override in the past.
		p := cb.Post(cal+"/availability/overrides", map[string]string{"day": "2027-02-20", "kind": "off"})
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Text(".field-error"), "in the past") {
			t.Errorf("an override in the past = %d, %q", p.Status, p.Text(".field-error"))
		}
		if n := env.Count("availability_overrides", "practitioner_id = ?", coach.ID); n != 0 {
			t.Errorf("%d overrides stored, want none", n)
		}
		// Overlapping weekly hours.
		if p := cb.Post(cal+"/availability/rules", map[string]string{"weekday": "2", "start": "09:00", "end": "12:00"}); p.Status != http.StatusOK {
			t.Fatalf("first hours = %d", p.Status)
		}
		p = cb.Post(cal+"/availability/rules", map[string]string{"weekday": "2", "start": "11:00", "end": "13:00"})
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Text(".field-error"), "overlaps") {
			t.Errorf("overlapping hours = %d, %q", p.Status, p.Text(".field-error"))
		}
		// Saving booking rules from the editor (htmx) says so.
		cb.Get(cal + "/availability")
		p = cb.HTMX(http.MethodPost, cal+"/availability/settings", map[string]string{
			"buffer_before": "0", "buffer_after": "0", "min_notice": "60", "window_days": "30", "max_per_day": "0", "max_per_week": "0"})
		if p.Status != http.StatusOK || !strings.Contains(p.Text(".flash-success"), "Booking rules saved") {
			t.Errorf("saving booking rules = %d, says %q", p.Status, p.Text(".flash-success"))
		}
		// A goal target in the past.
		mb := env.SignIn(member.User)
		relPath := "/o/" + org.Slug + "/relationships/" + rel.ID.String()
		mb.Get(relPath)
		p = mb.Post(relPath+"/goals", map[string]string{"description": "Lead a meeting", "target_date": "2027-01-01"})
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Text(".field-error"), "in the past") {
			t.Errorf("a goal due in the past = %d, %q", p.Status, p.Text(".field-error"))
		}
		// A 600-minute session from 23:30 is asked about, then scheduled.
		cb.Get(cal + "/new")
		long := map[string]string{"relationship_id": rel.ID.String(), "date": "2027-03-03", "time": "23:30", "minutes": "600"}
		p = cb.Post(cal+"/sessions", long)
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Text(".field-error"), "longer than the usual") ||
			p.Doc().Find(`input[name="confirm_long"]`).Length() != 1 || p.Doc().Find(`input[name="minutes"][value="600"]`).Length() != 1 {
			t.Fatalf("a 600-minute session = %d, %q, confirmation box %d", p.Status, p.Text(".field-error"), p.Doc().Find(`input[name="confirm_long"]`).Length())
		}
		if n := env.Count("calendar_sessions", "relationship_id = ?", rel.ID); n != 0 {
			t.Fatalf("%d sessions scheduled before the confirmation", n)
		}
		long["confirm_long"] = "1"
		if p := cb.Post(cal+"/sessions", long); p.Status != http.StatusOK || !strings.Contains(p.URL, "/calendar/sessions/") {
			t.Fatalf("confirmed long session = %d", p.Status)
		}
		// The usual maximum is the organisation's to set.
		ob := env.SignIn(org.Owner.User)
		ob.Get("/o/" + org.Slug + "/settings")
		if p := ob.Post("/o/"+org.Slug+"/settings", map[string]string{"name": org.Name, "time_zone": "Europe/London",
			"min_cancel_notice_hours": "24", "proposal_days": "5", "reminder_offsets": "24h, 1h", "long_session_minutes": "720"}); p.Status != http.StatusOK {
			t.Fatalf("settings = %d", p.Status)
		}
		cb.Get(cal + "/new")
		if p := cb.Post(cal+"/sessions", map[string]string{"relationship_id": rel.ID.String(), "date": "2027-03-08", "time": "08:00", "minutes": "600"}); p.Status != http.StatusOK {
			t.Errorf("600 minutes under a 720-minute maximum = %d, want scheduled without a question", p.Status)
		}
		week := cb.Get(cal + "?view=week&date=2027-03-03")
		if week.Doc().Find(".cal-event").Length() != 1 || !strings.Contains(week.Text(".cal-week"), "23:00") {
			t.Errorf("the week view shows %d sessions and hours %q; want the 23:30 session in its 23:00 row",
				week.Doc().Find(".cal-event").Length(), week.Text(".cal-week .cal-day-col:first-child"))
		}
	})
}

// TestMessagesSayWhatHappens (item 9): a decline with no candidate left
// says so and tells the coordinators; a time taken on the scheduling
// form lists the times still open (or says none is); the notice message
// quotes the checkbox's real label.
func TestMessagesSayWhatHappens(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		coordinator := env.NewPerson(org, tenancy.RoleCoordinator)
		coach := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
		prof := relationships.NewProfile(org.ID, coach.ID, []string{"coach"})
		prof.Capacity = 3
		if err := env.Services.Relationships.SaveProfile(env.Ctx(), org.ID, env.Clock.Now(), prof); err != nil {
			t.Fatal(err)
		}
		member := env.NewPerson(org, tenancy.RoleMember)
		req, err := env.Services.Assessment.RecordFaceToFace(env.Ctx(), org.ID, member.ID, org.Owner.ID, env.Clock.Now(),
			assessment.Decision{Kind: "coaching", Format: "one_to_one", Duration: "ongoing", Reason: "Agreed in person"})
		if err != nil {
			t.Fatal(err)
		}
		proposal, err := env.Services.Matching.Propose(env.Ctx(), org.ID, req.ID, coach.ID, org.Owner.ID)
		if err != nil {
			t.Fatal(err)
		}
		cb := env.SignIn(coach.User)
		if p := cb.Get("/o/" + org.Slug + "/my"); !strings.Contains(p.Body, "Coaching with "+member.Name) || strings.Contains(p.Body, ">A proposal<") {
			t.Errorf("the pending offer does not name the person")
		}
		cb.Get("/o/" + org.Slug + "/proposals/" + proposal.ID.String())
		p := cb.Post("/o/"+org.Slug+"/proposals/"+proposal.ID.String()+"/decline", map[string]string{"reason": "No room this term"})
		if flash := p.Text(".flash-success"); strings.Contains(flash, "ask the next practitioner") || !strings.Contains(flash, "coordinators") {
			t.Errorf("declining with nobody left says %q", flash)
		}
		if got := strings.Join(subjects(env, coordinator.Email), "|"); !strings.Contains(got, "No practitioner left for "+member.Name) {
			t.Errorf("the coordinator was told %q", got)
		}

		// A time already taken, on the direct scheduling form.
		rel := env.NewRelationship(org, relationships.Coaching, coach, member)
		if err := env.Services.Calendar.AddRule(env.Ctx(), org.ID, coach.ID, time.Wednesday, 9*60, 12*60); err != nil {
			t.Fatal(err)
		}
		cal := "/o/" + org.Slug + "/calendar"
		at := map[string]string{"relationship_id": rel.ID.String(), "date": "2027-03-03", "time": "10:00"}
		cb.Get(cal + "/new")
		if p := cb.Post(cal+"/sessions", at); p.Status != http.StatusOK {
			t.Fatalf("first booking = %d", p.Status)
		}
		cb.Get(cal + "/new")
		p = cb.Post(cal+"/sessions", at)
		msg := p.Text(".flash-error")
		if p.Status != http.StatusConflict || !strings.Contains(msg, "09:00") || !strings.Contains(msg, "11:00") || strings.Contains(msg, "10:00,") {
			t.Errorf("a taken time = %d, says %q; want the open times (09:00, 11:00) listed", p.Status, msg)
		}
		at["date"], at["time"] = "2027-03-04", "10:00"
		if p := cb.Post(cal+"/sessions", at); p.Status != http.StatusOK {
			t.Fatalf("Thursday booking = %d", p.Status)
		}
		cb.Get(cal + "/new")
		p = cb.Post(cal+"/sessions", at)
		if msg := p.Text(".flash-error"); !strings.Contains(msg, "no open time is left") {
			t.Errorf("a taken time on a day with no open hours says %q", msg)
		}

		// The notice message quotes the checkbox it asks for.
		ss, err := env.Services.Calendar.Book(env.Ctx(), org.ID, calendar.BookInput{RelationshipID: rel.ID, ActorID: coach.ID, Start: env.Clock.Now().Add(3 * time.Hour), Direct: true})
		if err != nil {
			t.Fatal(err)
		}
		sp := cal + "/sessions/" + ss[0].ID.String()
		page := cb.Get(sp)
		p = cb.Post(sp+"/cancel", map[string]string{"reason": "Ill"})
		label := strings.TrimSpace(page.Doc().Find(`input[name="override_notice"]`).First().Parent().Text())
		if label == "" || !strings.Contains(p.Doc().Text(), `Tick "`+label+`"`) {
			t.Errorf("the notice message does not quote the checkbox %q", label)
		}
	})
}
