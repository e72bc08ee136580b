package calendar_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/audit"
	"github.com/leadershiptoolbox/toolbox/app/calendar"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// nextSessionLinks lists the "Next sessions" of a My support page as
// "href text" lines.
func nextSessionLinks(p *testkit.Page) []string {
	var out []string
	p.Doc().Find("#next-sessions li a").Each(func(_ int, a *goquery.Selection) {
		href, _ := a.Attr("href")
		out = append(out, href+" "+strings.Join(strings.Fields(a.Text()), " "))
	})
	return out
}

// TestMySupportListsNextSessions: the member's and the practitioner's
// own support page list their next five scheduled sessions, soonest
// first, in their own zone, linked to each session; cancelled and past
// sessions, and other people's, are left out.
func TestMySupportListsNextSessions(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		fx := newFixture(t, env, "America/New_York")
		setZone(t, env, fx.member.User, "Asia/Tokyo")
		other := env.NewPerson(fx.org, tenancy.RoleMember)
		otherRel := env.NewRelationship(fx.org, relationships.Coaching, fx.coach, other)

		past := fx.book(t, env, env.Clock.Now().Add(2*time.Hour))
		var ss []calendar.Session
		for d := 1; d <= 7; d++ {
			ss = append(ss, fx.book(t, env, time.Date(2027, time.March, 1+d, 15, 0, 0, 0, time.UTC)))
		}
		if err := env.Services.Calendar.Cancel(env.Ctx(), fx.org.ID, calendar.ChangeInput{SessionID: ss[0].ID, ActorID: fx.coach.ID, Privileged: true, OverrideNotice: true, Reason: "Ill"}); err != nil {
			t.Fatal(err)
		}
		theirs, err := env.Services.Calendar.Book(env.Ctx(), fx.org.ID, calendar.BookInput{RelationshipID: otherRel.ID, ActorID: fx.coach.ID, Start: time.Date(2027, time.March, 3, 18, 0, 0, 0, time.UTC), Direct: true})
		if err != nil {
			t.Fatal(err)
		}
		env.Clock.Advance(4 * time.Hour) // the first session is over

		base := "/o/" + fx.org.Slug + "/calendar/sessions/"
		p := env.SignIn(fx.member.User).Get("/o/" + fx.org.Slug + "/my")
		if p.Status != http.StatusOK {
			t.Fatalf("my page = %d", p.Status)
		}
		got := nextSessionLinks(p)
		want := []string{
			base + ss[1].ID.String() + " Thu 4 Mar 2027, 00:00 JST – 01:00: Coaching with " + fx.coach.Name,
			base + ss[2].ID.String() + " Fri 5 Mar 2027, 00:00 JST – 01:00: Coaching with " + fx.coach.Name,
			base + ss[3].ID.String() + " Sat 6 Mar 2027, 00:00 JST – 01:00: Coaching with " + fx.coach.Name,
			base + ss[4].ID.String() + " Sun 7 Mar 2027, 00:00 JST – 01:00: Coaching with " + fx.coach.Name,
			base + ss[5].ID.String() + " Mon 8 Mar 2027, 00:00 JST – 01:00: Coaching with " + fx.coach.Name,
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("member's next sessions =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if strings.Contains(p.Body, past.ID.String()) || strings.Contains(p.Body, theirs[0].ID.String()) {
			t.Errorf("the member's page lists a past session or another member's")
		}
		// The coach leads them all: the next five they lead, whoever attends.
		coachPage := env.SignIn(fx.coach.User).Get("/o/" + fx.org.Slug + "/my")
		var coachGot []string
		for _, l := range nextSessionLinks(coachPage) {
			coachGot = append(coachGot, strings.Fields(l)[0])
		}
		coachWant := []string{base + ss[1].ID.String(), base + theirs[0].ID.String(), base + ss[2].ID.String(), base + ss[3].ID.String(), base + ss[4].ID.String()}
		if strings.Join(coachGot, "\n") != strings.Join(coachWant, "\n") {
			t.Errorf("coach's next sessions =\n%s\nwant\n%s", strings.Join(coachGot, "\n"), strings.Join(coachWant, "\n"))
		}
		if !strings.Contains(p.Text("#next-sessions"), "Times shown in Asia/Tokyo") {
			t.Errorf("the zone is not named: %q", p.Text("#next-sessions"))
		}

		p = env.SignIn(fx.coach.User).Get("/o/" + fx.org.Slug + "/my")
		got = nextSessionLinks(p)
		if len(got) != 5 || !strings.HasPrefix(got[0], base+ss[1].ID.String()+" Wed 3 Mar 2027, 10:00 EST") ||
			!strings.HasPrefix(got[1], base+theirs[0].ID.String()+" Wed 3 Mar 2027, 13:00 EST") {
			t.Errorf("coach's next sessions = %v, want five from 3 March 10:00 EST, the other member's second", got)
		}

		// Someone with no sessions sees the placeholder.
		p = env.SignIn(env.NewPerson(fx.org, tenancy.RoleMember).User).Get("/o/" + fx.org.Slug + "/my")
		if len(nextSessionLinks(p)) != 0 || !strings.Contains(p.Text("#next-sessions"), "will appear here") {
			t.Errorf("empty next sessions = %q", p.Text("#next-sessions"))
		}
	})
}

// TestModeSwitchDuringASession: the practitioner records on the session
// page that the session switched from coaching to mentoring, and why;
// the switch is linked to that session (through the relationships
// package) and shown there. A switch cannot be linked to a session of
// another relationship.
func TestModeSwitchDuringASession(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		fx := newFixture(t, env, "")
		s := fx.book(t, env, env.Clock.Now().Add(48*time.Hour))
		path := "/o/" + fx.org.Slug + "/calendar/sessions/" + s.ID.String()
		coach := env.SignIn(fx.coach.User)
		if p := coach.Get(path); p.Doc().Find(`form[action="`+path+`/mode"]`).Length() != 1 {
			t.Fatalf("the coach sees no mode switch form: %s", p.Text("main"))
		}
		for _, bad := range []map[string]string{
			{"to_kind": "astrology", "why": "Stars"},
			{"to_kind": "mentoring", "why": ""},
			{"to_kind": "coaching", "why": "Already coaching"},
		} {
			if p := coach.Post(path+"/mode", bad); p.Status != http.StatusUnprocessableEntity || p.Doc().Find("#mode .field-error").Length() == 0 {
				t.Errorf("mode switch %v = %d, want 422 with a message beside the field", bad, p.Status)
			}
		}
		if n := env.Count("mode_switches", "relationship_id = ?", fx.rel.ID); n != 0 {
			t.Fatalf("%d switches recorded from bad input", n)
		}
		p := coach.Post(path+"/mode", map[string]string{"to_kind": "mentoring", "why": "She asked how I handled a board"})
		if p.Status != http.StatusOK || !strings.Contains(p.Text("#mode"), "coaching → mentoring — She asked how I handled a board") {
			t.Fatalf("mode switch = %d, page: %q", p.Status, p.Text("#mode"))
		}
		if n := env.Count("mode_switches", "relationship_id = ? AND session_id = ? AND from_kind = 'coaching' AND to_kind = 'mentoring' AND switched_by = ?", fx.rel.ID, s.ID, fx.coach.ID); n != 1 {
			t.Fatalf("%d switches linked to the session, want 1", n)
		}
		if p := coach.Post(path+"/mode", map[string]string{"to_kind": "mentoring", "why": "again"}); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Text("#mode"), "already works in that mode") {
			t.Errorf("switching to the current mode = %d, want 422", p.Status)
		}

		// The member sees the switch, and no form; the relationship's page
		// shows it too.
		member := env.SignIn(fx.member.User)
		p = member.Get(path)
		if !strings.Contains(p.Text("#mode"), "coaching → mentoring") || p.Doc().Find(`form[action="`+path+`/mode"]`).Length() != 0 {
			t.Errorf("member's view of the session's mode: %q", p.Text("#mode"))
		}
		if p := member.Post(path+"/mode", map[string]string{"to_kind": "coaching", "why": "x"}); p.Status != http.StatusForbidden {
			t.Errorf("member recording a switch = %d, want 403", p.Status)
		}
		if p := member.Get("/o/" + fx.org.Slug + "/relationships/" + fx.rel.ID.String()); !strings.Contains(p.Text("#mode"), "coaching → mentoring") {
			t.Errorf("relationship page does not show the switch: %q", p.Text("#mode"))
		}

		// Another coach cannot reach the session; through the relationship
		// route, a session of another relationship cannot be linked.
		other := env.NewPerson(fx.org, tenancy.RolePractitioner, tenancy.KindCoach)
		otherMember := env.NewPerson(fx.org, tenancy.RoleMember)
		otherRel := env.NewRelationship(fx.org, relationships.Coaching, other, otherMember)
		otherCoach := env.SignIn(other.User)
		if p := otherCoach.Post(path+"/mode", map[string]string{"to_kind": "coaching", "why": "x"}); p.Status != http.StatusNotFound {
			t.Errorf("another coach on this session = %d, want 404", p.Status)
		}
		relPath := "/o/" + fx.org.Slug + "/relationships/" + otherRel.ID.String() + "/mode"
		for _, sid := range []string{s.ID.String(), "not-a-uuid", "0190f0f0-0000-7000-8000-000000000000"} {
			if p := otherCoach.Post(relPath, map[string]string{"to_kind": "mentoring", "why": "x", "session_id": sid}); p.Status != http.StatusUnprocessableEntity {
				t.Errorf("linking session %s of another relationship = %d, want 422", sid, p.Status)
			}
		}
		if n := env.Count("mode_switches", "relationship_id = ?", otherRel.ID); n != 0 {
			t.Errorf("%d switches linked to a foreign session", n)
		}
		own := fx.book(t, env, env.Clock.Now().Add(72*time.Hour))
		relPath = "/o/" + fx.org.Slug + "/relationships/" + fx.rel.ID.String() + "/mode"
		if p := coach.Post(relPath, map[string]string{"to_kind": "coaching", "why": "Back to coaching", "session_id": own.ID.String()}); p.Status != http.StatusOK {
			t.Errorf("linking the relationship's own session = %d", p.Status)
		}
		if n := env.Count("mode_switches", "relationship_id = ? AND session_id = ?", fx.rel.ID, own.ID); n != 1 {
			t.Errorf("switch not linked to the relationship's own session")
		}
	})
}

// TestSessionTypesEditor: admins set each kind's default length and
// place; bad input is refused with 422 and changes nothing; a session of
// a relationship whose agreement gives no length or place takes the
// kind's defaults, while an agreement's own length and place win.
func TestSessionTypesEditor(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		fx := newFixture(t, env, "")
		admin := env.SignIn(fx.org.Owner.User)
		path := "/o/" + fx.org.Slug + "/calendar/session-types"
		if p := admin.Get(path); p.Status != http.StatusOK || p.Doc().Find("#session-types tbody tr").Length() != 3 {
			t.Fatalf("session types page = %d with %d rows, want 3 kinds", p.Status, p.Doc().Find("#session-types tbody tr").Length())
		}
		for _, bad := range []map[string]string{
			{"kind": "coaching", "minutes": "abc"},
			{"kind": "coaching", "minutes": "4"},
			{"kind": "coaching", "minutes": "601"},
			{"kind": "coaching", "minutes": ""},
			{"kind": "astrology", "minutes": "60"},
			{"kind": "coaching", "minutes": "60", "place": strings.Repeat("x", 201)},
		} {
			p := admin.Post(path, bad)
			if p.Status != http.StatusUnprocessableEntity || p.Doc().Find(".field-error").Length() == 0 {
				t.Errorf("session type %v = %d, want 422 with a message beside the field", bad, p.Status)
			}
		}
		if n := env.Count("session_types", "org_id = ?", fx.org.ID); n != 0 {
			t.Fatalf("%d session types saved from bad input", n)
		}
		if p := admin.Post(path, map[string]string{"kind": "coaching", "minutes": "90", "place": "Room 4"}); p.Status != http.StatusOK {
			t.Fatalf("save = %d", p.Status)
		}
		p := admin.Post(path, map[string]string{"kind": "coaching", "minutes": "45", "place": "Room 5"})
		if p.Status != http.StatusOK || !strings.Contains(p.Text("#session-types"), "45 minutes") {
			t.Fatalf("second save = %d: %q", p.Status, p.Text("#session-types"))
		}
		if n := env.Count("session_types", "org_id = ? AND kind = 'coaching' AND minutes = 45 AND place = 'Room 5'", fx.org.ID); n != 1 {
			t.Fatalf("coaching defaults not saved once: %d", n)
		}

		// A relationship without an agreement takes the defaults; the
		// fixture's relationship (agreement: 60 minutes, video call) keeps
		// its own.
		other := env.NewPerson(fx.org, tenancy.RoleMember)
		var bare *relationships.Relationship
		err := env.DB.InTenant(env.Ctx(), fx.org.ID, func(ctx context.Context, tx bun.Tx) error {
			var err error
			bare, err = relationships.Create(ctx, tx, fx.org.ID, env.Clock.Now(), relationships.New{
				Kind: relationships.Coaching, Format: relationships.OneToOne, Status: relationships.StatusActive,
				Practitioners: []uuid.UUID{fx.coach.ID}, Members: []uuid.UUID{other.ID},
			})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		ss, err := env.Services.Calendar.Book(env.Ctx(), fx.org.ID, calendar.BookInput{RelationshipID: bare.ID, ActorID: fx.coach.ID, Start: utc("2027-03-04T10:00:00Z"), Direct: true})
		if err != nil {
			t.Fatal(err)
		}
		if ss[0].Minutes() != 45 || ss[0].Place != "Room 5" {
			t.Errorf("session without an agreement: %d minutes at %q, want 45 at Room 5", ss[0].Minutes(), ss[0].Place)
		}
		if s := fx.book(t, env, utc("2027-03-04T12:00:00Z")); s.Minutes() != 60 || s.Place != "Video call" {
			t.Errorf("session with an agreement: %d minutes at %q, want the agreement's 60 at Video call", s.Minutes(), s.Place)
		}
		if p := env.SignIn(other.User).Get("/o/" + fx.org.Slug + "/calendar/book/" + bare.ID.String()); !strings.Contains(p.Body, "45 minutes · Room 5") {
			t.Errorf("booking page does not offer 45-minute sessions")
		}

		if p := admin.Post(path+"/delete", map[string]string{"kind": "coaching"}); p.Status != http.StatusOK {
			t.Fatalf("delete = %d", p.Status)
		}
		if p := admin.Post(path+"/delete", map[string]string{"kind": "astrology"}); p.Status != http.StatusUnprocessableEntity {
			t.Errorf("delete of an unknown kind = %d, want 422", p.Status)
		}
		if n := env.Count("session_types", "org_id = ?", fx.org.ID); n != 0 {
			t.Errorf("%d session types after removing", n)
		}
	})
}

// TestBookingWindowHoldsForEveryOccurrence: a member's weekly series
// that runs past the practitioner's 60-day booking window is refused
// with the occurrences beyond it listed like clashes, nothing booked;
// leaving them out books the rest. A wider window books it all.
func TestBookingWindowHoldsForEveryOccurrence(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		fx := newFixture(t, env, "Europe/London")
		member := env.SignIn(fx.member.User)
		path := "/o/" + fx.org.Slug + "/calendar/book/" + fx.rel.ID.String()
		// Tuesdays 10:00 London from 2 March; now is 1 March 09:00 UTC, so
		// the window ends on 30 April 09:00 UTC: 4, 11 and 18 May lie past it.
		form := map[string]string{"start": "2027-03-02T10:00:00Z", "repeat_days": "7", "count": "12"}
		p := member.Post(path, form)
		if p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("series past the window = %d, want 422: %s", p.Status, p.Text("main"))
		}
		var listed []string
		p.Doc().Find("main li").Each(func(_ int, li *goquery.Selection) {
			if txt := strings.Join(strings.Fields(li.Text()), " "); strings.HasPrefix(txt, "Session ") {
				listed = append(listed, txt)
			}
		})
		want := []string{
			"Session 10: Tue 4 May 2027, 10:00 BST — beyond the booking window (60 days ahead)",
			"Session 11: Tue 11 May 2027, 10:00 BST — beyond the booking window (60 days ahead)",
			"Session 12: Tue 18 May 2027, 10:00 BST — beyond the booking window (60 days ahead)",
		}
		if strings.Join(listed, "\n") != strings.Join(want, "\n") {
			t.Fatalf("reported occurrences =\n%s\nwant\n%s", strings.Join(listed, "\n"), strings.Join(want, "\n"))
		}
		if n := env.Count("calendar_sessions", "relationship_id = ?", fx.rel.ID); n != 0 {
			t.Fatalf("%d sessions booked despite the window", n)
		}
		// The page offers to leave them out: the same form with skips.
		if n := p.Doc().Find(`input[name="skip"]`).Length(); n != 3 {
			t.Errorf("%d skip fields offered, want 3", n)
		}
		p = member.PostValues(path, url.Values{"start": {form["start"]}, "repeat_days": {"7"}, "count": {"12"}, "skip": {"9", "10", "11"}})
		if p.Status != http.StatusOK {
			t.Fatalf("series leaving out the late ones = %d: %s", p.Status, p.Text("main"))
		}
		if n := env.Count("calendar_sessions", "relationship_id = ? AND status = 'scheduled'", fx.rel.ID); n != 9 {
			t.Fatalf("%d sessions booked, want 9", n)
		}
		if n := env.Count("calendar_sessions", "relationship_id = ? AND starts_at >= ?", fx.rel.ID, utc("2027-04-30T09:00:00Z")); n != 0 {
			t.Errorf("%d sessions past the window", n)
		}

		// With a 90-day window another member's twelve Thursdays fit.
		bs := calendar.DefaultBookingSettings(fx.org.ID, fx.coach.ID)
		bs.WindowDays = 90
		if err := env.Services.Calendar.SaveSettings(env.Ctx(), bs); err != nil {
			t.Fatal(err)
		}
		other := env.NewPerson(fx.org, tenancy.RoleMember)
		otherRel := env.NewRelationship(fx.org, relationships.Coaching, fx.coach, other)
		p = env.SignIn(other.User).Post("/o/"+fx.org.Slug+"/calendar/book/"+otherRel.ID.String(),
			map[string]string{"start": "2027-03-04T10:00:00Z", "repeat_days": "7", "count": "12"})
		if p.Status != http.StatusOK {
			t.Fatalf("twelve weeks inside a 90-day window = %d: %s", p.Status, p.Text("main"))
		}
		if n := env.Count("calendar_sessions", "relationship_id = ?", otherRel.ID); n != 12 {
			t.Errorf("%d sessions booked, want 12", n)
		}
	})
}

// auditEvents lists an organisation's audit events of an action.
func auditEvents(t *testing.T, env *testkit.Env, orgID uuid.UUID, action string) []audit.Event {
	t.Helper()
	var out []audit.Event
	if err := env.OwnerDB.NewSelect().Model(&out).Where("org_id = ? AND action = ?", orgID, action).OrderExpr("at, id").Scan(env.Ctx()); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestAuditOfOverridesAndDirectScheduling: cancelling or moving a
// session inside the minimum notice (an override) and scheduling
// directly are recorded in the audit log, by whom, with the reason; a
// cancellation with notice and a member's own booking are not.
func TestAuditOfOverridesAndDirectScheduling(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		fx := newFixture(t, env, "Europe/London")
		coach := env.SignIn(fx.coach.User)
		p := coach.Post("/o/"+fx.org.Slug+"/calendar/sessions", map[string]string{
			"relationship_id": fx.rel.ID.String(), "date": "2027-03-01", "time": "15:00", "capacity": "1",
		})
		if p.Status != http.StatusOK {
			t.Fatalf("direct scheduling = %d: %s", p.Status, p.Text("main"))
		}
		ev := auditEvents(t, env, fx.org.ID, calendar.ActionScheduledDirectly)
		if len(ev) != 1 || ev[0].ActorID == nil || *ev[0].ActorID != fx.coach.ID || !strings.Contains(ev[0].Actor, fx.coach.Email) ||
			!strings.Contains(ev[0].Target, "2027-03-01 15:00 UTC") || ev[0].IP == "" {
			t.Fatalf("direct scheduling audit events = %+v", ev)
		}
		var s calendar.Session
		if err := env.OwnerDB.NewSelect().Model(&s).Where("relationship_id = ?", fx.rel.ID).Scan(env.Ctx()); err != nil {
			t.Fatal(err)
		}
		path := "/o/" + fx.org.Slug + "/calendar/sessions/" + s.ID.String()

		// A refused override leaves no trace; the override does.
		if p := coach.Post(path+"/reschedule", map[string]string{"date": "2027-03-01", "time": "16:00"}); p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("move inside the notice without override = %d, want 422", p.Status)
		}
		if n := len(auditEvents(t, env, fx.org.ID, calendar.ActionMoveOverride)); n != 0 {
			t.Fatalf("%d move events for a refused move", n)
		}
		if p := coach.Post(path+"/reschedule", map[string]string{"date": "2027-03-01", "time": "16:00", "override_notice": "on", "reason": "Train late"}); p.Status != http.StatusOK {
			t.Fatalf("move with override = %d: %s", p.Status, p.Text("main"))
		}
		ev = auditEvents(t, env, fx.org.ID, calendar.ActionMoveOverride)
		if len(ev) != 1 || !strings.Contains(ev[0].Target, "2027-03-01 15:00 UTC") || !strings.Contains(ev[0].Detail, "moved to 2027-03-01 16:00 UTC") || !strings.Contains(ev[0].Detail, "Train late") {
			t.Fatalf("move audit events = %+v", ev)
		}
		if p := coach.Post(path+"/cancel", map[string]string{"reason": "Ill", "override_notice": "on"}); p.Status != http.StatusOK {
			t.Fatalf("cancel with override = %d", p.Status)
		}
		ev = auditEvents(t, env, fx.org.ID, calendar.ActionCancelOverride)
		if len(ev) != 1 || *ev[0].ActorID != fx.coach.ID || !strings.Contains(ev[0].Detail, "reason: Ill") || !strings.Contains(ev[0].Target, s.ID.String()) {
			t.Fatalf("cancel audit events = %+v", ev)
		}
		// The owner reads it on the audit page.
		if p := env.SignIn(fx.org.Owner.User).Get("/o/" + fx.org.Slug + "/audit"); !strings.Contains(p.Body, calendar.ActionCancelOverride) {
			t.Errorf("the audit page does not show the override")
		}

		// A member's booking, and a cancellation with notice, are not
		// overrides.
		later := fx.book(t, env, utc("2027-03-09T10:00:00Z"))
		if err := env.Services.Calendar.Cancel(env.Ctx(), fx.org.ID, calendar.ChangeInput{SessionID: later.ID, ActorID: fx.coach.ID, Privileged: true, OverrideNotice: true, Reason: "Holiday"}); err != nil {
			t.Fatal(err)
		}
		if p := env.SignIn(fx.member.User).Post("/o/"+fx.org.Slug+"/calendar/book/"+fx.rel.ID.String(), map[string]string{"start": "2027-03-11T10:00:00Z"}); p.Status != http.StatusOK {
			t.Fatalf("member booking = %d: %s", p.Status, p.Text("main"))
		}
		if n := len(auditEvents(t, env, fx.org.ID, calendar.ActionCancelOverride)); n != 1 {
			t.Errorf("%d cancel override events, want still 1", n)
		}
		if n := len(auditEvents(t, env, fx.org.ID, calendar.ActionScheduledDirectly)); n != 2 {
			t.Errorf("%d direct scheduling events, want 2 (the form and fx.book), not the member's booking", n)
		}
	})
}
