package calendar_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leadershiptoolbox/toolbox/app/calendar"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

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
