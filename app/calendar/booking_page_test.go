package calendar_test

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/leadershiptoolbox/toolbox/app/calendar"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// maxBookingResponse is the most one response of the booking page may
// weigh, whatever the practitioner's hours and booking window.
const maxBookingResponse = 50 << 10

// TestBookingPageIsPagedByMonthAndDay: a coach open every hour of every
// day in three zones (21 weekly windows, slots on the quarter hours) with
// a 365-day window; the member, in a fourth zone, walks the months by
// their "next" links and every free day of each. No response (page or
// htmx fragment) passes 50 KB, and every open slot of the window is
// offered on exactly one day's page, in the member's local date, none
// past the window.
func TestBookingPageIsPagedByMonthAndDay(t *testing.T) {
	env := testkit.New(t)
	fx := newFixture(t, env, "America/New_York")
	zones := []string{"America/New_York", "Asia/Kathmandu", "Europe/London"}
	var rules []calendar.WeeklyRule
	for _, z := range zones {
		setZone(t, env, fx.coach.User, z)
		for d := time.Sunday; d <= time.Saturday; d++ {
			// Overlapping windows are refused: around the fixture's
			// Tuesday and Thursday mornings in New York, the day is
			// opened in two windows that leave them out.
			spans := [][2]int{{0, 24 * 60}}
			if z == "America/New_York" && (d == time.Tuesday || d == time.Thursday) {
				spans = [][2]int{{0, 9 * 60}, {12 * 60, 24 * 60}}
			}
			for _, sp := range spans {
				if err := env.Services.Calendar.AddRule(env.Ctx(), fx.org.ID, fx.coach.ID, d, sp[0], sp[1]); err != nil {
					t.Fatal(err)
				}
				rules = append(rules, calendar.WeeklyRule{Weekday: d, StartMinute: sp[0], EndMinute: sp[1], Zone: mustZone(t, z)})
			}
		}
	}
	setZone(t, env, fx.coach.User, "America/New_York")
	fx.openWindow(t, env, 365)
	setZone(t, env, fx.member.User, "Australia/Adelaide")
	// The fixture's Tuesday and Thursday mornings (New York) as well.
	for _, d := range []time.Weekday{time.Tuesday, time.Thursday} {
		rules = append(rules, calendar.WeeklyRule{Weekday: d, StartMinute: 9 * 60, EndMinute: 12 * 60})
	}
	now := env.Clock.Now()
	want := calendar.Slots(calendar.SlotQuery{
		Zone: mustZone(t, "America/New_York"), Rules: rules, Length: time.Hour, MinNotice: time.Hour, WindowDays: 365,
		Now: now, From: now, To: now.AddDate(0, 0, 400),
	})
	if len(want) < 365*90 {
		t.Fatalf("the fixture offers %d slots; want a dense calendar", len(want))
	}

	adelaide := mustZone(t, "Australia/Adelaide")
	member := env.SignIn(fx.member.User)
	path := "/o/" + fx.org.Slug + "/calendar/book/" + fx.rel.ID.String()
	seen := map[string]int{}
	biggest, months, days := 0, 0, 0
	check := func(p *testkit.Page, what string) {
		t.Helper()
		if p.Status != http.StatusOK {
			t.Fatalf("%s = %d", what, p.Status)
		}
		if len(p.Body) > maxBookingResponse {
			t.Fatalf("%s weighs %d bytes, more than %d", what, len(p.Body), maxBookingResponse)
		}
		biggest = max(biggest, len(p.Body))
	}
	next := path + "?month=" + now.In(adelaide).Format("2006-01")
	for next != "" {
		page := member.Get(next)
		check(page, next)
		check(member.HTMXGet(next, "booking"), next+" (htmx)")
		months++
		if months > 14 {
			t.Fatalf("more than 14 months offered for a 365-day window")
		}
		var dayLinks []string
		page.Doc().Find(".booking-grid td.free a").Each(func(_ int, a *goquery.Selection) {
			dayLinks = append(dayLinks, a.AttrOr("href", ""))
		})
		for _, dl := range dayLinks {
			u, err := url.Parse(dl)
			if err != nil {
				t.Fatal(err)
			}
			day := u.Query().Get("day")
			p := member.HTMXGet(dl, "booking")
			check(p, dl)
			days++
			p.Doc().Find(`button[name="start"]`).Each(func(_ int, b *goquery.Selection) {
				v := b.AttrOr("value", "")
				seen[v]++
				at, err := time.Parse(time.RFC3339, v)
				if err != nil {
					t.Fatalf("slot value %q: %v", v, err)
				}
				if got := at.In(adelaide).Format(time.DateOnly); got != day {
					t.Errorf("slot %s offered on %s's page, but it falls on %s in Adelaide", v, day, got)
				}
			})
		}
		next = page.Doc().Find(".booking-month-links a").FilterFunction(func(_ int, a *goquery.Selection) bool {
			return strings.HasSuffix(a.Text(), "→")
		}).AttrOr("href", "")
	}

	var missing []string
	for _, s := range want {
		v := s.Start.UTC().Format(time.RFC3339)
		if seen[v] != 1 {
			missing = append(missing, v)
		}
		delete(seen, v)
	}
	if len(missing) > 0 {
		t.Errorf("%d of %d open slots are not offered exactly once, first %v", len(missing), len(want), missing[:min(5, len(missing))])
	}
	if len(seen) > 0 {
		var extra []string
		for v := range seen {
			extra = append(extra, v)
		}
		sort.Strings(extra)
		t.Errorf("%d slots offered that are not open (past the window?), first %v", len(extra), extra[:min(5, len(extra))])
	}
	t.Logf("%d slots over %d months and %d days; the largest response %d bytes", len(want), months, days, biggest)
}

// TestBookingFlowFromTheMonthView: a member opens the booking page, sees
// the first free day chosen, chooses a time, asks for it every two weeks
// six times, gets the clash report in place (the third is taken), and
// confirms in the step that shows both zones, the place and the length;
// five sessions are booked. The shortcut then offers the next one at the
// agreed rhythm, two weeks after the last.
func TestBookingFlowFromTheMonthView(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		fx := newFixture(t, env, "America/New_York")
		fx.openWindow(t, env, 120)
		// The third fortnight (30 March, 09:00 New York) is taken by
		// another member.
		fx.takeForAnother(t, env, utc("2027-03-30T13:00:00Z"))
		member := env.SignIn(fx.member.User)
		path := "/o/" + fx.org.Slug + "/calendar/book/" + fx.rel.ID.String()

		p := member.Get(path)
		if got := p.Text("#booking-month-title"); got != "March 2027" {
			t.Fatalf("month shown = %q, want March 2027", got)
		}
		if got := strings.TrimSpace(p.Text(".booking-day.selected")); got != "2" {
			t.Errorf("chosen day = %q, want the first free day, 2", got)
		}
		if n := p.Doc().Find(".booking-grid td.free").Length(); n != 9 {
			t.Errorf("%d free days marked in March, want 9 (Tuesdays and Thursdays from the 2nd)", n)
		}
		// Choose Tuesday 2 March, 14:00 in London (09:00 in New York).
		p = member.HTMXGet(path+"?"+url.Values{"start": {"2027-03-02T14:00:00Z"}}.Encode(), "booking")
		if !strings.Contains(p.Text(".booking-side h2"), "Tuesday 2 March 2027, 14:00–15:00 GMT") || !strings.Contains(p.Text(".booking-side"), "09:00–10:00 EST (America/New_York)") {
			t.Fatalf("chosen time panel = %q", p.Text(".booking-side"))
		}
		if p.Doc().Find(`select[name="repeat_days"] option[value="14"]`).Text() != "Every 2 weeks (as agreed)" {
			t.Errorf("the agreed rhythm is not offered as the repeat")
		}
		// Every 2 weeks, 6 times: the clash report in place.
		p = member.HTMXGet(path+"?"+url.Values{"start": {"2027-03-02T14:00:00Z"}, "repeat_days": {"14"}, "count": {"6"}, "step": {"confirm"}}.Encode(), "booking")
		if got := p.Text(".booking-clashes li"); got != "Session 3: Tue 30 Mar 2027, 14:00 BST — clashes with another session" {
			t.Errorf("clash report = %q", got)
		}
		summary := strings.Join(strings.Fields(p.Text(".booking-summary")), " ")
		for _, want := range []string{"Tuesday 2 March 2027, 14:00–15:00 GMT", "For " + fx.coach.User.Name + ": Tuesday 2 March, 09:00–10:00 EST", "Every 2 weeks, 6 times", "Video call", "60 minutes, as agreed"} {
			if !strings.Contains(summary, want) {
				t.Errorf("confirmation %q lacks %q", summary, want)
			}
		}
		if n := p.Doc().Find(".booking-dates li").Length(); n != 5 {
			t.Errorf("%d dates to book listed, want 5", n)
		}
		form := p.Doc().Find(`.booking-side form[method="post"]`)
		values := url.Values{}
		form.Find("input").Each(func(_ int, in *goquery.Selection) {
			if n := in.AttrOr("name", ""); n != "csrf_token" {
				values.Add(n, in.AttrOr("value", ""))
			}
		})
		if strings.Join(values["skip"], ",") != "2" {
			t.Fatalf("the confirmation leaves out %v, want [2]", values["skip"])
		}
		p = member.PostValues(path, values)
		if p.Status != http.StatusOK || !strings.Contains(p.URL, "/calendar/sessions/") {
			t.Fatalf("confirm = %d at %s: %s", p.Status, p.URL, p.Text("main"))
		}
		if n := env.Count("calendar_sessions", "relationship_id = ? AND status = 'scheduled'", fx.rel.ID); n != 5 {
			t.Fatalf("%d sessions booked, want 5", n)
		}
		// The same confirmation sent again (a double click) books nothing
		// more and shows the same page.
		if again := member.PostValues(path, values); again.Status != http.StatusOK || again.URL != p.URL {
			t.Errorf("the confirmation sent again = %d at %s, want the first answer's %s", again.Status, again.URL, p.URL)
		}
		if n := env.Count("calendar_sessions", "relationship_id = ?", fx.rel.ID); n != 5 {
			t.Fatalf("%d sessions after sending the confirmation twice, want 5", n)
		}

		// The page now leads with the next session and offers the one
		// after the last (11 May) at the agreed rhythm: 25 May, 14:00 BST.
		p = member.Get(path)
		if got := p.Text(".booking-next a[href*='/sessions/']"); got != "Tuesday 2 March 2027, 14:00 GMT" {
			t.Errorf("next session = %q", got)
		}
		shortcut := p.Doc().Find(".booking-next a.btn")
		if !strings.Contains(shortcut.Text(), "every 2 weeks") || !strings.Contains(shortcut.Text(), "Tuesday 25 May, 14:00 BST") {
			t.Fatalf("rhythm shortcut = %q", shortcut.Text())
		}
		p = member.Get(shortcut.AttrOr("href", ""))
		if !strings.Contains(p.Text(".booking-summary"), "Tuesday 25 May 2027, 14:00–15:00 BST") || p.Doc().Find(`.booking-side form[method="post"] button[type="submit"]`).Text() != "Confirm booking" {
			t.Errorf("the shortcut's confirmation = %q", p.Text(".booking-side"))
		}
	})
}

// TestTheConfirmationSaysWhatTheAgreementRefuses: while an edited
// agreement waits for both sides, the confirmation step says so in place
// (no 500, no button to book), and the chosen time and its repeat stay
// on offer.
func TestTheConfirmationSaysWhatTheAgreementRefuses(t *testing.T) {
	env := testkit.New(t)
	fx := newFixture(t, env, "Europe/London")
	if _, err := env.Services.Relationships.EditAgreement(env.Ctx(), fx.org.ID, fx.rel.ID, env.Clock.Now(), relationships.Agreement{Purpose: "Grow", CadenceDays: 14, SessionMinutes: 60}); err != nil {
		t.Fatal(err)
	}
	path := "/o/" + fx.org.Slug + "/calendar/book/" + fx.rel.ID.String()
	p := env.SignIn(fx.member.User).Get(path + "?" + url.Values{"start": {"2027-03-02T09:00:00Z"}, "step": {"confirm"}}.Encode())
	if p.Status != http.StatusOK || !strings.Contains(p.Text("#booking .flash"), "waiting for both sides") {
		t.Fatalf("confirmation while the agreement waits = %d, message %q", p.Status, p.Text("#booking .flash"))
	}
	if p.Doc().Find(`.booking-side form[method="post"]`).Length() != 0 || p.Doc().Find(`select[name="repeat_days"]`).Length() != 1 {
		t.Errorf("the step offers to book, or no longer offers the repeat: %q", p.Text(".booking-side"))
	}
}
