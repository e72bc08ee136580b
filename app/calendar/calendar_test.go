package calendar_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/calendar"
	"github.com/leadershiptoolbox/toolbox/app/mail"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
	"github.com/leadershiptoolbox/toolbox/workers"
)

type fixture struct {
	org    *testkit.Org
	coach  *testkit.Person
	member *testkit.Person
	rel    *relationships.Relationship
}

// newFixture builds an organisation with a coach open on Tuesday and
// Thursday mornings (09:00–12:00 in zone) and a member in an active
// coaching relationship with them.
func newFixture(t testing.TB, env *testkit.Env, zone string) *fixture {
	t.Helper()
	fx := &fixture{org: env.NewOrg()}
	fx.coach = env.NewPerson(fx.org, tenancy.RolePractitioner, tenancy.KindCoach)
	fx.member = env.NewPerson(fx.org, tenancy.RoleMember)
	setZone(t, env, fx.coach.User, zone)
	fx.rel = env.NewRelationship(fx.org, relationships.Coaching, fx.coach, fx.member)
	for _, d := range []time.Weekday{time.Tuesday, time.Thursday} {
		if err := env.Services.Calendar.AddRule(env.Ctx(), fx.org.ID, fx.coach.ID, d, 9*60, 12*60); err != nil {
			t.Fatal(err)
		}
	}
	return fx
}

// openWindow sets the coach's booking window to days.
func (fx *fixture) openWindow(t testing.TB, env *testkit.Env, days int) {
	t.Helper()
	bs := calendar.DefaultBookingSettings(fx.org.ID, fx.coach.ID)
	bs.WindowDays = days
	if err := env.Services.Calendar.SaveSettings(env.Ctx(), bs); err != nil {
		t.Fatal(err)
	}
}

// takeForAnother books start with the coach for another member.
func (fx *fixture) takeForAnother(t testing.TB, env *testkit.Env, start time.Time) {
	t.Helper()
	other := env.NewPerson(fx.org, tenancy.RoleMember)
	otherRel := env.NewRelationship(fx.org, relationships.Coaching, fx.coach, other)
	if _, err := env.Services.Calendar.Book(env.Ctx(), fx.org.ID, calendar.BookInput{RelationshipID: otherRel.ID, ActorID: fx.coach.ID, Start: start, Direct: true}); err != nil {
		t.Fatal(err)
	}
}

func setZone(t testing.TB, env *testkit.Env, u *auth.User, zone string) {
	t.Helper()
	u.TimeZone = zone
	if _, err := env.DB.NewUpdate().Model(u).Column("time_zone").WherePK().Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func (fx *fixture) book(t *testing.T, env *testkit.Env, start time.Time) calendar.Session {
	t.Helper()
	ss, err := env.Services.Calendar.Book(env.Ctx(), fx.org.ID, calendar.BookInput{RelationshipID: fx.rel.ID, ActorID: fx.coach.ID, Start: start, Direct: true})
	if err != nil {
		t.Fatalf("book %s: %v", start, err)
	}
	return ss[0]
}

func emailsWith(env *testkit.Env, to, subject string) []mail.Email {
	var out []mail.Email
	for _, e := range env.Emails(to) {
		if strings.Contains(e.Subject, subject) {
			out = append(out, e)
		}
	}
	return out
}

// TestFiftyBrowsersBookTheSameSlot: fifty members press "book" on the
// same slot at once; exactly one gets it, the others a 409 page with a
// clear message and fresh slots.
func TestFiftyBrowsersBookTheSameSlot(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		coach := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
		if err := env.Services.Calendar.AddRule(env.Ctx(), org.ID, coach.ID, time.Tuesday, 9*60, 12*60); err != nil {
			t.Fatal(err)
		}
		const n = 50
		browsers := make([]*testkit.Browser, n)
		paths := make([]string, n)
		for i := range n {
			m := env.NewPerson(org, tenancy.RoleMember)
			rel := env.NewRelationship(org, relationships.Coaching, coach, m)
			browsers[i] = env.SignIn(m.User)
			paths[i] = "/o/" + org.Slug + "/calendar/book/" + rel.ID.String()
			if p := browsers[i].Get(paths[i]); p.Status != http.StatusOK || !strings.Contains(p.Body, "2027-03-02T09:00:00Z") {
				t.Fatalf("booking page = %d, want the 09:00 slot offered", p.Status)
			}
		}
		pages := make([]*testkit.Page, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				pages[i] = browsers[i].Post(paths[i], map[string]string{"start": "2027-03-02T09:00:00Z"})
			}()
		}
		close(start)
		wg.Wait()
		booked, refused := 0, 0
		for _, p := range pages {
			switch {
			case p.Status == http.StatusOK && strings.Contains(p.URL, "/calendar/sessions/"):
				booked++
			case p.Status == http.StatusConflict && strings.Contains(p.Body, "that time has just been taken"):
				refused++
				if strings.Contains(p.Body, `value="2027-03-02T09:00:00Z"`) {
					t.Errorf("a refused booker is offered the taken slot again")
				}
				if !strings.Contains(p.Body, `value="2027-03-02T10:30:00Z"`) {
					t.Errorf("a refused booker is not offered fresh slots")
				}
			default:
				t.Errorf("unexpected answer %d at %s", p.Status, p.URL)
			}
		}
		if booked != 1 || refused != n-1 {
			t.Errorf("booked %d, refused %d; want 1 and %d", booked, refused, n-1)
		}
		if got := env.Count("calendar_sessions", "practitioner_id = ? AND status = 'scheduled'", coach.ID); got != 1 {
			t.Errorf("%d sessions stored, want 1", got)
		}
	})
}

// TestTheDatabaseRefusesOverlaps: even a write that skips the Go check
// cannot double-book (Postgres: the exclusion constraint).
func TestTheDatabaseRefusesOverlaps(t *testing.T) {
	env := testkit.New(t)
	fx := newFixture(t, env, "")
	s := fx.book(t, env, utc("2027-03-02T09:00:00Z"))
	_, err := env.OwnerDB.ExecContext(env.Ctx(), `INSERT INTO calendar_sessions (id, org_id, relationship_id, practitioner_id, kind, starts_at, ends_at, busy_from, busy_to, time_zone, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, 'coaching', ?, ?, ?, ?, 'UTC', 'scheduled', ?, ?)`,
		uuid.Must(uuid.NewV7()), fx.org.ID, fx.rel.ID, fx.coach.ID, s.StartsAt.Add(30*time.Minute), s.EndsAt.Add(30*time.Minute),
		s.StartsAt.Add(30*time.Minute), s.EndsAt.Add(30*time.Minute), env.Clock.Now(), env.Clock.Now())
	if err == nil || !strings.Contains(err.Error(), "calendar_sessions_no_overlap") {
		t.Fatalf("overlapping insert: %v, want the exclusion constraint to refuse", err)
	}
}

func TestBuffersHoldAndSlotsShowInTheViewersZone(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		fx := newFixture(t, env, "America/New_York")
		err := env.Services.Calendar.SaveSettings(env.Ctx(), calendar.BookingSettings{OrgID: fx.org.ID, PractitionerID: fx.coach.ID, BufferBeforeMin: 15, BufferAfterMin: 15, MinNoticeMin: 60, WindowDays: 60})
		if err != nil {
			t.Fatal(err)
		}
		// Tuesday 2 March, 09:00 New York = 14:00 UTC = 14:00 in London;
		// with its buffers the coach is busy 13:45–15:15.
		fx.book(t, env, utc("2027-03-02T14:00:00Z"))
		b := env.SignIn(fx.member.User)
		p := b.Get("/o/" + fx.org.Slug + "/calendar/book/" + fx.rel.ID.String())
		if p.Status != http.StatusOK {
			t.Fatalf("booking page = %d", p.Status)
		}
		if !strings.Contains(p.Text(".tz-note"), "Europe/London") {
			t.Errorf("zone note = %q, want Europe/London", p.Text(".tz-note"))
		}
		for _, taken := range []string{"2027-03-02T14:00:00Z", "2027-03-02T14:30:00Z", "2027-03-02T15:00:00Z"} {
			if strings.Contains(p.Body, `value="`+taken+`"`) {
				t.Errorf("slot %s is offered though the session and its buffers cover it", taken)
			}
		}
		if !strings.Contains(p.Body, `value="2027-03-02T15:30:00Z"`) || !strings.Contains(p.Body, "15:30 GMT") {
			t.Errorf("slot 15:30 GMT (10:30 in New York) missing")
		}
		// Booking a taken time through a forged form is refused, not a 500.
		if p := b.Post("/o/"+fx.org.Slug+"/calendar/book/"+fx.rel.ID.String(), map[string]string{"start": "2027-03-02T15:00:00Z"}); p.Status != http.StatusConflict {
			t.Errorf("booking a buffered time = %d, want 409", p.Status)
		}
		if p := b.Post("/o/"+fx.org.Slug+"/calendar/book/"+fx.rel.ID.String(), map[string]string{"start": "2027-03-03T15:30:00Z"}); p.Status != http.StatusUnprocessableEntity {
			t.Errorf("booking outside the open hours = %d, want 422", p.Status)
		}
		if p := b.Post("/o/"+fx.org.Slug+"/calendar/book/"+fx.rel.ID.String(), map[string]string{"start": "nonsense"}); p.Status != http.StatusUnprocessableEntity {
			t.Errorf("booking nonsense = %d, want 422", p.Status)
		}
	})
}

func reminderTasks(t *testing.T, env *testkit.Env, sessionID uuid.UUID) []workers.SessionReminderPayload {
	t.Helper()
	var rows []struct {
		Payload []byte `bun:"payload"`
	}
	if err := env.DB.NewSelect().Table("outbox").Column("payload").Where("task_type = ?", workers.TypeSessionReminder).OrderExpr("run_at").Scan(env.Ctx(), &rows); err != nil {
		t.Fatal(err)
	}
	var out []workers.SessionReminderPayload
	for _, r := range rows {
		var p workers.SessionReminderPayload
		if err := jsonUnmarshal(r.Payload, &p); err != nil {
			t.Fatal(err)
		}
		if p.SessionID == sessionID {
			out = append(out, p)
		}
	}
	return out
}

func TestRemindersNeverMisfire(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		fx := newFixture(t, env, "")
		cal := env.Services.Calendar
		start := utc("2027-03-04T10:00:00Z")
		s := fx.book(t, env, start)
		if got := len(reminderTasks(t, env, s.ID)); got != 2 {
			t.Fatalf("%d reminder tasks, want 2 (24 h and 1 h)", got)
		}

		t.Run("never early", func(t *testing.T) {
			due := start.Add(-24 * time.Hour)
			env.Clock.Set(due.Add(-time.Second))
			p := workers.SessionReminderPayload{OrgID: fx.org.ID, SessionID: s.ID, Version: 1, OffsetMinutes: 24 * 60}
			if err := cal.HandleSessionReminder(env.Ctx(), p); err != nil {
				t.Fatal(err)
			}
			if n := len(emailsWith(env, fx.member.Email, "Reminder")); n != 0 {
				t.Fatalf("%d reminders sent a second early", n)
			}
			if n := env.Count("outbox", "task_type = ? AND run_at = ?", workers.TypeSessionReminder, due); n != 2 {
				t.Fatalf("early run did not record itself again for its time (%d tasks due then)", n)
			}
		})
		t.Run("once per session, offset and person, however often it runs", func(t *testing.T) {
			env.Clock.Set(start.Add(-24 * time.Hour))
			env.RunDueTasks()
			p := workers.SessionReminderPayload{OrgID: fx.org.ID, SessionID: s.ID, Version: 1, OffsetMinutes: 24 * 60}
			for range 2 {
				if err := cal.HandleSessionReminder(env.Ctx(), p); err != nil {
					t.Fatal(err)
				}
			}
			for _, to := range []string{fx.member.Email, fx.coach.Email} {
				rs := emailsWith(env, to, "Reminder")
				if len(rs) != 1 {
					t.Fatalf("%s got %d reminders, want 1", to, len(rs))
				}
				if rs[0].ICSMethod != "REQUEST" || !strings.Contains(rs[0].ICS, calendar.SessionUID(&s)) {
					t.Errorf("reminder carries no invitation for the session")
				}
			}
		})
		t.Run("reschedule: the old task does nothing, the new one sends at the new time", func(t *testing.T) {
			env.Clock.Set(start.Add(-30 * time.Hour))
			s2 := fx.book(t, env, utc("2027-03-09T10:00:00Z"))
			newStart := utc("2027-03-11T10:00:00Z")
			if err := cal.Reschedule(env.Ctx(), fx.org.ID, calendar.ChangeInput{SessionID: s2.ID, ActorID: fx.coach.ID, Privileged: true, NewStart: newStart}); err != nil {
				t.Fatal(err)
			}
			env.Clock.Set(utc("2027-03-09T09:00:00Z")) // the old 1 h reminder time
			env.RunDueTasks()
			if n := env.Count("reminder_deliveries", "session_id = ?", s2.ID); n != 0 {
				t.Fatalf("%d reminders for the old time", n)
			}
			env.Clock.Set(newStart.Add(-time.Hour))
			env.RunDueTasks()
			if n := env.Count("reminder_deliveries", "session_id = ? AND offset_minutes = 60 AND session_version = 2", s2.ID); n != 2 {
				t.Fatalf("%d reminders at the new time, want 2 (coach and member)", n)
			}
		})
		t.Run("cancelled: none", func(t *testing.T) {
			env.Clock.Set(utc("2027-03-12T09:00:00Z"))
			s3 := fx.book(t, env, utc("2027-03-16T10:00:00Z"))
			if err := cal.Cancel(env.Ctx(), fx.org.ID, calendar.ChangeInput{SessionID: s3.ID, ActorID: fx.coach.ID, Privileged: true, Reason: "Ill"}); err != nil {
				t.Fatal(err)
			}
			env.Clock.Set(utc("2027-03-16T09:30:00Z"))
			env.RunDueTasks()
			if n := env.Count("reminder_deliveries", "session_id = ?", s3.ID); n != 0 {
				t.Fatalf("%d reminders for a cancelled session", n)
			}
		})
		t.Run("an offset already past at booking is not scheduled", func(t *testing.T) {
			env.Clock.Set(utc("2027-03-18T08:00:00Z"))
			s4 := fx.book(t, env, utc("2027-03-18T10:00:00Z"))
			ps := reminderTasks(t, env, s4.ID)
			if len(ps) != 1 || ps[0].OffsetMinutes != 60 {
				t.Fatalf("reminders for a session booked 2 h ahead = %+v, want the 1 h one only", ps)
			}
		})
	})
}

func TestInvitationsAndFeed(t *testing.T) {
	env := testkit.New(t)
	fx := newFixture(t, env, "")
	s := fx.book(t, env, utc("2027-03-04T10:00:00Z"))
	parse := func(raw string) *ics.VEvent {
		t.Helper()
		c, err := ics.ParseCalendar(strings.NewReader(raw))
		if err != nil {
			t.Fatalf("parse ICS: %v\n%s", err, raw)
		}
		if len(c.Events()) != 1 {
			t.Fatalf("%d events, want 1", len(c.Events()))
		}
		return c.Events()[0]
	}
	check := func(subject, method, seq string) {
		t.Helper()
		ms := emailsWith(env, fx.member.Email, subject)
		if len(ms) != 1 {
			t.Fatalf("%d e-mails %q, want 1", len(ms), subject)
		}
		if ms[0].ICSMethod != method || !strings.Contains(ms[0].ICS, "METHOD:"+method) {
			t.Errorf("%q: method %q, want %s", subject, ms[0].ICSMethod, method)
		}
		ev := parse(ms[0].ICS)
		if ev.Id() != calendar.SessionUID(&s) {
			t.Errorf("%q: UID %q, want %q", subject, ev.Id(), calendar.SessionUID(&s))
		}
		if got := ev.GetProperty(ics.ComponentPropertySequence).Value; got != seq {
			t.Errorf("%q: SEQUENCE %s, want %s", subject, got, seq)
		}
	}
	check("Session booked", "REQUEST", "1")
	cal := env.Services.Calendar
	if err := cal.Reschedule(env.Ctx(), fx.org.ID, calendar.ChangeInput{SessionID: s.ID, ActorID: fx.coach.ID, Privileged: true, NewStart: utc("2027-03-04T11:00:00Z")}); err != nil {
		t.Fatal(err)
	}
	check("Moved", "REQUEST", "2")

	b := env.SignIn(fx.member.User)
	p := b.Post("/o/"+fx.org.Slug+"/calendar/subscription", nil)
	url, _ := p.Doc().Find("#feed-url").Attr("value")
	path := strings.TrimPrefix(url, env.Config.BaseURL)
	if !strings.HasPrefix(path, "/calendar/feed/") {
		t.Fatalf("feed URL %q", url)
	}
	feed := env.Browser().Get(path)
	if feed.Status != http.StatusOK || !strings.HasPrefix(feed.Header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("feed = %d %s", feed.Status, feed.Header.Get("Content-Type"))
	}
	ev := parse(feed.Body)
	if start, err := ev.GetStartAt(); err != nil || !start.Equal(utc("2027-03-04T11:00:00Z")) {
		t.Errorf("feed event starts %s (%v), want 11:00Z", start, err)
	}
	b.Post("/o/"+fx.org.Slug+"/calendar/subscription", nil)
	if p := env.Browser().Get(path); p.Status != http.StatusNotFound {
		t.Errorf("old feed URL after regenerating = %d, want 404", p.Status)
	}

	if err := cal.Cancel(env.Ctx(), fx.org.ID, calendar.ChangeInput{SessionID: s.ID, ActorID: fx.coach.ID, Privileged: true, Reason: "Ill", OverrideNotice: true}); err != nil {
		t.Fatal(err)
	}
	check("Cancelled", "CANCEL", "3")
}

func TestCancelNoticeAndAttendance(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		fx := newFixture(t, env, "")
		s := fx.book(t, env, env.Clock.Now().Add(5*time.Hour))
		member := env.SignIn(fx.member.User)
		path := "/o/" + fx.org.Slug + "/calendar/sessions/" + s.ID.String()
		if p := member.Post(path+"/cancel", map[string]string{"reason": "Busy"}); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "minimum notice") {
			t.Fatalf("member cancelling 5 h ahead = %d, want 422 about the notice", p.Status)
		}
		coach := env.SignIn(fx.coach.User)
		if p := coach.Post(path+"/cancel", map[string]string{"reason": ""}); p.Status != http.StatusUnprocessableEntity {
			t.Errorf("cancel without a reason = %d, want 422", p.Status)
		}
		if p := coach.Post(path+"/cancel", map[string]string{"reason": "Ill", "override_notice": "on"}); p.Status != http.StatusOK {
			t.Fatalf("coach overriding = %d", p.Status)
		}
		if n := env.Count("calendar_sessions", "id = ? AND status = 'cancelled' AND override_notice AND cancel_reason = 'Ill' AND cancelled_by = ?", s.ID, fx.coach.ID); n != 1 {
			t.Errorf("cancellation, reason and override not recorded")
		}
		if n := len(emailsWith(env, fx.member.Email, "Cancelled")); n != 1 {
			t.Errorf("member told %d times, want 1", n)
		}

		s2 := fx.book(t, env, env.Clock.Now().Add(48*time.Hour))
		path2 := "/o/" + fx.org.Slug + "/calendar/sessions/" + s2.ID.String()
		if p := coach.Post(path2+"/attendance", map[string]string{"outcome": "completed"}); p.Status != http.StatusUnprocessableEntity {
			t.Errorf("attendance before the session = %d, want 422", p.Status)
		}
		if p := member.Post(path2+"/attendance", map[string]string{"outcome": "completed"}); p.Status != http.StatusForbidden {
			t.Errorf("member marking attendance = %d, want 403", p.Status)
		}
		env.Clock.Advance(49 * time.Hour)
		if p := coach.Post(path2+"/attendance", map[string]string{"outcome": "no_show"}); p.Status != http.StatusOK {
			t.Fatalf("attendance = %d", p.Status)
		}
		if n := env.Count("calendar_sessions", "id = ? AND status = 'no_show'", s2.ID); n != 1 {
			t.Errorf("outcome not recorded")
		}
		if n := env.Count("session_attendees", "session_id = ? AND user_id = ? AND status = 'no_show'", s2.ID, fx.member.ID); n != 1 {
			t.Errorf("member's attendance not recorded")
		}
	})
}

func TestGroupSeatsAndWaitlist(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		coach := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
		ms := []*testkit.Person{env.NewPerson(org, tenancy.RoleMember), env.NewPerson(org, tenancy.RoleMember), env.NewPerson(org, tenancy.RoleMember)}
		rel := env.NewRelationship(org, relationships.Coaching, coach, ms...)
		ss, err := env.Services.Calendar.Book(env.Ctx(), org.ID, calendar.BookInput{RelationshipID: rel.ID, ActorID: coach.ID, Start: utc("2027-03-05T10:00:00Z"), Direct: true, Capacity: 2})
		if err != nil {
			t.Fatal(err)
		}
		path := "/o/" + org.Slug + "/calendar/sessions/" + ss[0].ID.String()
		var bs []*testkit.Browser
		for _, m := range ms {
			b := env.SignIn(m.User)
			if p := b.Post(path+"/join", nil); p.Status != http.StatusOK {
				t.Fatalf("join = %d", p.Status)
			}
			bs = append(bs, b)
		}
		if n := env.Count("session_attendees", "session_id = ? AND status = 'waitlisted' AND user_id = ?", ss[0].ID, ms[2].ID); n != 1 {
			t.Fatalf("the third person is not waitlisted")
		}
		bs[0].Post(path+"/leave", nil)
		if n := env.Count("session_attendees", "session_id = ? AND status = 'booked' AND user_id = ?", ss[0].ID, ms[2].ID); n != 1 {
			t.Fatalf("the waitlisted person was not promoted")
		}
		if n := len(emailsWith(env, ms[2].Email, "A seat is yours")); n != 1 {
			t.Errorf("promoted person told %d times, want 1", n)
		}
		p := env.SignIn(coach.User).Get(path)
		if !strings.Contains(p.Body, "2 of 2 taken") {
			t.Errorf("seat count missing on the session page")
		}
	})
}

func TestCalendarViews(t *testing.T) {
	env := testkit.New(t)
	fx := newFixture(t, env, "America/New_York")
	fx.book(t, env, utc("2027-03-02T15:00:00Z"))
	setZone(t, env, fx.member.User, "Europe/London")
	b := env.SignIn(fx.coach.User)
	base := "/o/" + fx.org.Slug + "/calendar"
	p := b.Get(base + "?date=2027-03-02")
	if p.Doc().Find(".cal-week > .cal-day-col").Length() != 8 {
		t.Errorf("week view has %d columns, want 8", p.Doc().Find(".cal-week > .cal-day-col").Length())
	}
	if ev := p.Text(".cal-week .cal-event.kind-coaching time"); ev != "10:00" {
		t.Errorf("coach sees the session at %q, want 10:00 (New York)", ev)
	}
	if !strings.Contains(p.Text(".tz-note"), "America/New_York") {
		t.Errorf("zone note %q", p.Text(".tz-note"))
	}
	// With no view asked for, the page carries the week's agenda too (shown
	// instead of the grid on a phone), and its links keep asking for none.
	if next, _ := p.Doc().Find(".cal-toolbar a").Eq(2).Attr("href"); next != base+"?date=2027-03-08" {
		t.Errorf("next link %q", next)
	}
	if n := p.Doc().Find(".cal-agenda.cal-auto-narrow .cal-agenda-day").Length(); n != 7 || p.Doc().Find(".cal-week.cal-auto-wide").Length() != 1 {
		t.Errorf("the default view has %d agenda days beside the week", n)
	}
	if w := b.Get(base + "?view=week&date=2027-03-02"); w.Doc().Find(".cal-agenda").Length() != 0 || w.Doc().Find(".cal-week:not(.cal-auto-wide)").Length() != 1 {
		t.Error("the week asked for is not the grid alone")
	}
	m := b.HTMX(http.MethodGet, base+"?view=month&date=2027-03-02", nil)
	if m.Doc().Find(".cal-month .cal-day").Length() != 35 || m.Doc().Find("#calendar").Length() != 1 {
		t.Errorf("month fragment: %d days", m.Doc().Find(".cal-month .cal-day").Length())
	}
	d := env.SignIn(fx.member.User).Get(base + "?view=day&date=2027-03-02")
	if ev := d.Text(".cal-event time"); ev != "15:00" {
		t.Errorf("member in London sees %q, want 15:00", ev)
	}
}

func TestAvailabilityEditor(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		fx := newFixture(t, env, "")
		b := env.SignIn(fx.coach.User)
		base := "/o/" + fx.org.Slug + "/calendar/availability"
		p := b.Get(base)
		if n := p.Doc().Find("#preview .cal-slot").Length(); n == 0 {
			t.Fatalf("no preview slots")
		}
		before := p.Doc().Find("#preview .cal-slot").Length()
		if p := b.Post(base+"/rules", map[string]string{"weekday": "3", "start": "12:00", "end": "09:00"}); p.Status != http.StatusUnprocessableEntity || p.Text(".field-error") == "" {
			t.Errorf("end before start = %d, want 422 with a message", p.Status)
		}
		h := b.HTMX(http.MethodPost, base+"/rules", map[string]string{"weekday": "3", "start": "14:00", "end": "16:00"})
		if h.Status != http.StatusOK || h.Doc().Find("#preview .cal-slot").Length() <= before {
			t.Errorf("adding Wednesday afternoons did not widen the preview (%d)", h.Status)
		}
		b.Post(base+"/overrides", map[string]string{"day": "2027-03-02", "kind": "off"})
		if n := env.Count("availability_overrides", "practitioner_id = ? AND day_off", fx.coach.ID); n != 1 {
			t.Errorf("day off not stored")
		}
		live := b.HTMX(http.MethodGet, base+"/preview", map[string]string{"buffer_before": "0", "buffer_after": "0", "min_notice": "0", "window_days": "1", "max_per_day": "0", "max_per_week": "0"})
		if live.Status != http.StatusOK || live.Doc().Find(".cal-slot").Length() != 0 {
			t.Errorf("live preview with a one-day window = %d, %d slots, want none (Tuesday is off)", live.Status, live.Doc().Find(".cal-slot").Length())
		}
		if p := b.Post(base+"/settings", map[string]string{"window_days": "0"}); p.Status != http.StatusUnprocessableEntity {
			t.Errorf("bad settings = %d, want 422", p.Status)
		}
		if p := b.Post(base+"/settings", map[string]string{"buffer_before": "15", "buffer_after": "15", "min_notice": "60", "window_days": "30", "max_per_day": "3", "max_per_week": "8"}); p.Status != http.StatusOK {
			t.Errorf("save settings = %d", p.Status)
		}
		if n := env.Count("booking_settings", "practitioner_id = ? AND buffer_before_min = 15 AND max_per_week = 8", fx.coach.ID); n != 1 {
			t.Errorf("settings not stored")
		}
	})
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
