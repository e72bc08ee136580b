package busy_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/leadershiptoolbox/toolbox/app/busy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func readCalendar(t *testing.T, name string) *ical.Calendar {
	t.Helper()
	body, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := busy.ParseICS(body)
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

func spanStrings(spans []busy.Span) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.From.UTC().Format("2006-01-02T15:04Z")+"/"+s.To.UTC().Format("2006-01-02T15:04Z"))
	}
	return out
}

// TestExpandCoachCalendar reads testdata/coach.ics for a coach in New
// York over March and early April 2027: a weekly supervision in London
// time (EXDATE of two dates in one line, one instance moved by a
// RECURRENCE-ID override, one cancelled by another) crossing the UK's
// change to summer time on 28 March, so that it stays at 10:00 London
// (10:00Z, then 09:00Z); an all-day dentist in the coach's own zone; a
// call in Tokyo's zone; a meeting in Outlook's Windows zone name; a
// floating gym hour in the coach's zone; a free (transparent) and a
// cancelled event that are not busy; one long past, outside the window.
func TestExpandCoachCalendar(t *testing.T) {
	newYork := mustZone(t, "America/New_York")
	from := testkit.Epoch.Add(-24 * time.Hour)
	to := testkit.Epoch.AddDate(0, 0, 60)
	spans, err := busy.Expand([]*ical.Calendar{readCalendar(t, "coach.ics")}, newYork, from, to)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"2027-03-02T10:00Z/2027-03-02T11:00Z", // weekly, London winter time
		"2027-03-04T05:00Z/2027-03-05T05:00Z", // all day in New York (EST)
		"2027-03-05T09:00Z/2027-03-05T10:00Z", // 18:00 in Tokyo
		"2027-03-08T11:00Z/2027-03-08T12:00Z", // 12:00 W. Europe (CET)
		"2027-03-09T15:00Z/2027-03-09T16:00Z", // the 9 March instance, moved to 15:00
		"2027-03-10T12:00Z/2027-03-10T13:30Z", // floating 07:00 in New York (EST until 14 March)
		// 16 March excluded; 23 March cancelled by its override.
		"2027-03-30T09:00Z/2027-03-30T10:00Z", // 10:00 London summer time
		// 6 April excluded.
	}
	got := spanStrings(spans)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("busy spans:\n got %v\nwant %v", got, want)
	}
}

// TestExpandAllDayAcrossDaylightSaving: a weekly all-day event in the
// practitioner's zone covers the whole local day, 23 hours on the day
// the clocks go forward.
func TestExpandAllDayAcrossDaylightSaving(t *testing.T) {
	london := mustZone(t, "Europe/London")
	cal, err := busy.ParseICS([]byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:sundays@test\r\n" +
		"DTSTART;VALUE=DATE:20270321\r\nDTEND;VALUE=DATE:20270322\r\nRRULE:FREQ=WEEKLY;COUNT=2\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	spans, err := busy.Expand([]*ical.Calendar{cal}, london, testkit.Epoch, testkit.Epoch.AddDate(0, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	want := "2027-03-21T00:00Z/2027-03-22T00:00Z 2027-03-28T00:00Z/2027-03-28T23:00Z"
	if got := strings.Join(spanStrings(spans), " "); got != want {
		t.Errorf("all-day Sundays = %s, want %s", got, want)
	}
}

// TestMergeJoinsOverlappingSpans: overlapping and touching spans are one.
func TestMergeJoinsOverlappingSpans(t *testing.T) {
	at := func(h int) time.Time { return testkit.Epoch.Add(time.Duration(h) * time.Hour) }
	got := busy.Merge([]busy.Span{{From: at(3), To: at(4)}, {From: at(0), To: at(2)}, {From: at(1), To: at(3)}, {From: at(6), To: at(7)}})
	if len(got) != 2 || !got[0].From.Equal(at(0)) || !got[0].To.Equal(at(4)) || !got[1].From.Equal(at(6)) {
		t.Errorf("merged = %v", spanStrings(got))
	}
}
