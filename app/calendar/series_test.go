package calendar_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/leadershiptoolbox/toolbox/app/calendar"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// TestFortnightlySeriesAcrossDaylightSaving: a member in London books six
// fortnightly sessions with a coach in New York; the third clashes, is
// reported and skipped; the rest keep 09:00 in New York, which moves in
// London as the two countries change their clocks on different dates.
func TestFortnightlySeriesAcrossDaylightSaving(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		fx := newFixture(t, env, "America/New_York")
		// Ten weeks of sessions: the coach opens a 90-day booking window
		// (the window holds for every occurrence).
		fx.openWindow(t, env, 90)
		// The third occurrence (30 March, 09:00 New York) is taken.
		fx.takeForAnother(t, env, utc("2027-03-30T13:00:00Z"))
		b := env.SignIn(fx.member.User)
		path := "/o/" + fx.org.Slug + "/calendar/book/" + fx.rel.ID.String()
		form := map[string]string{"start": "2027-03-02T14:00:00Z", "repeat_days": "14", "count": "6"}
		p := b.Post(path, form)
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Session 3: Tue 30 Mar 2027, 14:00 BST") {
			t.Fatalf("series with a clash = %d, want 422 naming session 3 (14:00 BST): %s", p.Status, p.Text(".card"))
		}
		if n := env.Count("calendar_sessions", "relationship_id = ?", fx.rel.ID); n != 0 {
			t.Fatalf("%d sessions created despite the clash", n)
		}
		form["skip"] = "2"
		p = b.Post(path, form)
		if p.Status != http.StatusOK {
			t.Fatalf("series skipping the clash = %d: %s", p.Status, p.Text(".flash"))
		}
		var ss []calendar.Session
		if err := env.OwnerDB.NewSelect().Model(&ss).Where("relationship_id = ?", fx.rel.ID).OrderExpr("starts_at").Scan(env.Ctx()); err != nil {
			t.Fatal(err)
		}
		london := mustZone(t, "Europe/London")
		var got []string
		for _, s := range ss {
			got = append(got, s.StartsAt.In(london).Format("2 Jan 15:04 MST"))
		}
		want := []string{"2 Mar 14:00 GMT", "16 Mar 13:00 GMT", "13 Apr 14:00 BST", "27 Apr 14:00 BST", "11 May 14:00 BST"}
		if strings.Join(got, ", ") != strings.Join(want, ", ") {
			t.Errorf("sessions in London = %v, want %v", got, want)
		}
		mails := emailsWith(env, fx.member.Email, "sessions booked")
		if len(mails) != 1 || !strings.Contains(mails[0].TextBody, "Tue 16 Mar 2027, 13:00 GMT") {
			t.Fatalf("booking e-mail to the member: %d, want one listing 13:00 GMT on 16 March", len(mails))
		}
		cal, err := ics.ParseCalendar(strings.NewReader(mails[0].ICS))
		if err != nil {
			t.Fatalf("parse ICS: %v", err)
		}
		if len(cal.Events()) != 5 {
			t.Errorf("ICS has %d events, want 5", len(cal.Events()))
		}

		// Move the fourth and following one day later: the others stay.
		err = env.Services.Calendar.Reschedule(env.Ctx(), fx.org.ID, calendar.ChangeInput{
			SessionID: ss[3].ID, ActorID: fx.coach.ID, Privileged: true, Following: true, NewStart: ss[3].StartsAt.AddDate(0, 0, 2),
		})
		if err != nil {
			t.Fatalf("move this and following: %v", err)
		}
		var moved []calendar.Session
		if err := env.OwnerDB.NewSelect().Model(&moved).Where("relationship_id = ?", fx.rel.ID).OrderExpr("series_index").Scan(env.Ctx()); err != nil {
			t.Fatal(err)
		}
		for i, s := range moved {
			shift := time.Duration(0)
			if i >= 3 {
				shift = 48 * time.Hour
			}
			if !s.StartsAt.Equal(ss[i].StartsAt.Add(shift)) {
				t.Errorf("session %d at %s, want %s", i, s.StartsAt, ss[i].StartsAt.Add(shift))
			}
		}
		// Cancel just the second: the others stay scheduled.
		err = env.Services.Calendar.Cancel(env.Ctx(), fx.org.ID, calendar.ChangeInput{SessionID: ss[1].ID, ActorID: fx.coach.ID, Privileged: true, Reason: "Training day"})
		if err != nil {
			t.Fatal(err)
		}
		if n := env.Count("calendar_sessions", "relationship_id = ? AND status = 'scheduled'", fx.rel.ID); n != 4 {
			t.Errorf("%d scheduled after cancelling one, want 4", n)
		}
		// Cancel this and following from the fourth.
		err = env.Services.Calendar.Cancel(env.Ctx(), fx.org.ID, calendar.ChangeInput{SessionID: ss[3].ID, ActorID: fx.coach.ID, Privileged: true, Following: true, Reason: "Coach leaves"})
		if err != nil {
			t.Fatal(err)
		}
		if n := env.Count("calendar_sessions", "relationship_id = ? AND status = 'scheduled'", fx.rel.ID); n != 2 {
			t.Errorf("%d scheduled after cancelling the rest, want 2", n)
		}
	})
}

// TestASeriesThatEndsBeforeItStartsIsRefused: "every 14 days, until" a
// date before the first session books nothing; the form comes back with
// the reason beside the date, from the booking page and from "Schedule a
// session" alike.
func TestASeriesThatEndsBeforeItStartsIsRefused(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		fx := newFixture(t, env, "")
		member := env.SignIn(fx.member.User)
		p := member.Post("/o/"+fx.org.Slug+"/calendar/book/"+fx.rel.ID.String(),
			map[string]string{"start": "2027-03-02T09:00:00Z", "repeat_days": "14", "until": "2027-02-01"})
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Text("#e-until"), "before its first session") {
			t.Fatalf("booking a series ending before it starts = %d, until error %q; want 422 with the reason beside the date", p.Status, p.Text("#e-until"))
		}
		coach := env.SignIn(fx.coach.User)
		p = coach.Post("/o/"+fx.org.Slug+"/calendar/sessions", map[string]string{
			"relationship_id": fx.rel.ID.String(), "date": "2027-03-02", "time": "09:00", "capacity": "1",
			"repeat_days": "14", "until": "2027-03-01",
		})
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Text("#e-until"), "before its first session") {
			t.Fatalf("scheduling a series ending before it starts = %d, until error %q; want 422 with the reason beside the date", p.Status, p.Text("#e-until"))
		}
		if n := env.Count("calendar_sessions", "relationship_id = ?", fx.rel.ID); n != 0 {
			t.Errorf("%d sessions stored, want none", n)
		}
		// Leaving out every occurrence books nothing either.
		_, err := env.Services.Calendar.Book(env.Ctx(), fx.org.ID, calendar.BookInput{
			RelationshipID: fx.rel.ID, ActorID: fx.coach.ID, Start: utc("2027-03-02T09:00:00Z"), Direct: true,
			IntervalDays: 7, Count: 2, Skip: []int{0, 1},
		})
		if !errors.Is(err, calendar.ErrEmptySeries) {
			t.Errorf("a series with every occurrence left out: %v, want ErrEmptySeries", err)
		}
	})
}

// TestASeriesThatLosesARaceSaysWhichOccurrence: another booking takes the
// second occurrence after the series passed its checks; the database
// refuses it, and the member is told which occurrence was taken (as the
// checks would have said), not only that "a time" was.
func TestASeriesThatLosesARaceSaysWhichOccurrence(t *testing.T) {
	env := testkit.New(t) // the race is lost at the exclusion constraint (PostgreSQL)
	fx := newFixture(t, env, "")
	other := env.NewPerson(fx.org, tenancy.RoleMember)
	otherRel := env.NewRelationship(fx.org, relationships.Coaching, fx.coach, other)
	cal := env.Services.Calendar
	var fired atomic.Bool
	calendar.SetBeforeWrite(cal, func(ctx context.Context) {
		if !fired.CompareAndSwap(false, true) {
			return // the rival's own booking, or a later one
		}
		// Committed by another transaction while the series is between its
		// checks and its writes.
		if _, err := cal.Book(ctx, fx.org.ID, calendar.BookInput{RelationshipID: otherRel.ID, ActorID: fx.coach.ID, Start: utc("2027-03-09T09:00:00Z"), Direct: true}); err != nil {
			t.Errorf("the rival booking: %v", err)
		}
	})
	t.Cleanup(func() { calendar.SetBeforeWrite(cal, nil) })

	p := env.SignIn(fx.member.User).Post("/o/"+fx.org.Slug+"/calendar/book/"+fx.rel.ID.String(),
		map[string]string{"start": "2027-03-02T09:00:00Z", "repeat_days": "7", "count": "3"})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Session 2: Tue 9 Mar 2027") || !strings.Contains(p.Body, "clashes with another session") {
		t.Fatalf("series that lost a race = %d, want 422 naming session 2 as taken: %s", p.Status, p.Text(".card"))
	}
	if strings.Contains(p.Body, "Session 1:") || strings.Contains(p.Body, "Session 3:") {
		t.Errorf("occurrences 1 and 3 are free but listed as clashing: %s", p.Text(".card"))
	}
	if n := env.Count("calendar_sessions", "relationship_id = ?", fx.rel.ID); n != 0 {
		t.Errorf("%d sessions of the series stored, want none (the booking is refused whole)", n)
	}
	// The series is offered again without the taken occurrence.
	p = env.SignIn(fx.member.User).Post("/o/"+fx.org.Slug+"/calendar/book/"+fx.rel.ID.String(),
		map[string]string{"start": "2027-03-02T09:00:00Z", "repeat_days": "7", "count": "3", "skip": "1"})
	if p.Status != http.StatusOK {
		t.Fatalf("the series without the taken occurrence = %d", p.Status)
	}
	if n := env.Count("calendar_sessions", "relationship_id = ?", fx.rel.ID); n != 2 {
		t.Errorf("%d sessions stored, want 2", n)
	}
}

// FuzzSeriesInputs books series of any count, interval and end date
// through the booking service: none panics, and a booking either books
// between one and 52 sessions, none after its end date, or says why not.
func FuzzSeriesInputs(f *testing.F) {
	env := testkit.New(f)
	fx := newFixture(f, env, "Europe/Paris")
	start := utc("2027-03-02T09:00:00Z")
	for _, seed := range []struct {
		count, interval int
		until           string
	}{
		{0, 14, "2027-02-01"}, {0, 14, "2027-03-01"}, {0, 14, "2027-03-02"}, {3, 7, ""}, {0, 7, "2027-04-30"},
		{0, 0, ""}, {-1, -1, ""}, {100, 1, ""}, {52, 365, ""}, {0, 14, "not a date"}, {0, 1, ""}, {1 << 40, 1 << 40, "9999-12-31"},
	} {
		f.Add(seed.count, seed.interval, seed.until)
	}
	f.Fuzz(func(t *testing.T, count, interval int, until string) {
		ss, err := env.Services.Calendar.Book(env.Ctx(), fx.org.ID, calendar.BookInput{
			RelationshipID: fx.rel.ID, ActorID: fx.coach.ID, Start: start, Direct: true,
			IntervalDays: interval, Count: count, Until: until,
		})
		if err != nil {
			return
		}
		if len(ss) == 0 || len(ss) > 52 {
			t.Fatalf("count %d, every %d days, until %q: booked %d sessions", count, interval, until, len(ss))
		}
		if end, perr := time.ParseInLocation(time.DateOnly, until, mustZone(t, "Europe/Paris")); perr == nil && interval > 0 {
			for _, s := range ss {
				if !s.StartsAt.Before(end.AddDate(0, 0, 1)) {
					t.Fatalf("count %d, every %d days, until %q: a session at %s", count, interval, until, s.StartsAt)
				}
			}
		}
		// Free the times again, so that every input is booked afresh.
		if _, err := env.OwnerDB.NewUpdate().Model((*calendar.Session)(nil)).Set("status = ?", calendar.StatusCancelled).
			Where("relationship_id = ?", fx.rel.ID).Exec(env.Ctx()); err != nil {
			t.Fatal(err)
		}
	})
}
