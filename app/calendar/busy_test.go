package calendar_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/leadershiptoolbox/toolbox/app/busy"
	"github.com/leadershiptoolbox/toolbox/app/calendar"
	"github.com/leadershiptoolbox/toolbox/app/config"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
	"github.com/leadershiptoolbox/toolbox/workers"
)

// dentistICS is a coach's own calendar: the dentist on Tuesday 9 March
// 2027, 10:00–11:00 in New York.
const dentistICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//dentist//EN\r\nBEGIN:VEVENT\r\nUID:dentist@test\r\nDTSTAMP:20270201T000000Z\r\n" +
	"SUMMARY:Dentist\r\nDTSTART;TZID=America/New_York:20270309T100000\r\nDTEND;TZID=America/New_York:20270309T110000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

// TestOwnCalendarBlocksBookingUntilStale: the coach's dentist, read from
// their secret address, takes the 10:00 slot (and 09:30, whose hour
// overlaps it) off the booking page and refuses a member's booking of
// it, as a session would. Once the calendar has not been read for a day,
// it blocks nothing.
func TestOwnCalendarBlocksBookingUntilStale(t *testing.T) {
	for _, engine := range testkit.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			env := testkit.New(t, testkit.OnEngine(engine), testkit.WithConfig(func(c *config.Config) { c.CalendarsPrivate = "on" }))
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/calendar")
				_, _ = w.Write([]byte(dentistICS))
			}))
			t.Cleanup(srv.Close)
			fx := newFixture(t, env, "America/New_York")
			ny := mustZone(t, "America/New_York")
			c, err := env.Services.Busy.Connect(env.Ctx(), fx.org.ID, fx.coach.ID, busy.ConnectInput{Kind: busy.KindICS, Credentials: busy.Credentials{URL: srv.URL + "/basic.ics"}})
			if err != nil {
				t.Fatal(err)
			}
			if err := env.Services.Busy.HandleRefresh(env.Ctx(), workers.RefreshCalendarPayload{OrgID: fx.org.ID, CalendarID: c.ID}); err != nil {
				t.Fatal(err)
			}
			at := func(h, m int) time.Time { return time.Date(2027, 3, 9, h, m, 0, 0, ny) }
			offered := func() map[string]bool {
				v, err := env.Services.Calendar.BookingPage(env.Ctx(), fx.org.ID, fx.rel.ID, fx.member.ID, time.Date(2027, 3, 1, 0, 0, 0, 0, ny), ny)
				if err != nil {
					t.Fatal(err)
				}
				out := map[string]bool{}
				for _, s := range v.Slots {
					out[s.Start.In(ny).Format("2 Jan 15:04")] = true
				}
				return out
			}
			slots := offered()
			for _, clash := range []string{"9 Mar 09:30", "9 Mar 10:00", "9 Mar 10:30"} {
				if slots[clash] {
					t.Errorf("%s is offered though the coach is at the dentist", clash)
				}
			}
			for _, free := range []string{"9 Mar 09:00", "9 Mar 11:00", "11 Mar 10:00"} {
				if !slots[free] {
					t.Errorf("%s is not offered", free)
				}
			}
			_, err = env.Services.Calendar.Book(env.Ctx(), fx.org.ID, calendar.BookInput{RelationshipID: fx.rel.ID, ActorID: fx.member.ID, Start: at(10, 0)})
			if !errors.Is(err, calendar.ErrNotOffered) {
				t.Errorf("a member's booking at the dentist's hour: %v, want not offered", err)
			}
			// A day after the last good read, the calendar is stale.
			env.Clock.Advance(busy.DefaultStaleAfter)
			if !offered()["9 Mar 10:00"] {
				t.Error("a stale calendar still blocks 10:00")
			}
			if _, err := env.Services.Calendar.Book(env.Ctx(), fx.org.ID, calendar.BookInput{RelationshipID: fx.rel.ID, ActorID: fx.member.ID, Start: at(10, 0)}); err != nil {
				t.Errorf("booking once the calendar is stale: %v", err)
			}
		})
	}
}
