package calendar

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestSpanOf(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2027, time.March, 3, 23, 30, 0, 0, time.UTC) // Thursday 00:30 in Paris
	for _, tc := range []struct {
		view, date               string
		wantView, from, to, prev string
		title                    string
	}{
		{"", "", "week", "2027-03-01", "2027-03-08", "2027-02-22", "Week of 1 March 2027"},
		{"bogus", "not a date", "week", "2027-03-01", "2027-03-08", "2027-02-22", "Week of 1 March 2027"},
		{"day", "2027-03-10", "day", "2027-03-10", "2027-03-11", "2027-03-09", "Wednesday 10 March 2027"},
		{"month", "2027-03-17", "month", "2027-03-01", "2027-04-05", "2027-02-01", "March 2027"},
		{"month", "2027-05-02", "month", "2027-04-26", "2027-06-07", "2027-04-01", "May 2027"},
	} {
		sp := spanOf(now, tc.view, tc.date, paris)
		got := []string{sp.View, sp.From.Format(time.DateOnly), sp.To.Format(time.DateOnly), sp.Prev.Format(time.DateOnly), sp.Title}
		want := []string{tc.wantView, tc.from, tc.to, tc.prev, tc.title}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("spanOf(%q, %q) = %v, want %v", tc.view, tc.date, got, want)
		}
		if sp.Today.Format(time.DateOnly) != "2027-03-04" {
			t.Errorf("today in Paris = %s, want 2027-03-04", sp.Today.Format(time.DateOnly))
		}
	}
}

func TestCalendarGrid(t *testing.T) {
	loc := time.UTC
	sp := spanOf(time.Date(2027, time.March, 3, 12, 0, 0, 0, loc), "week", "", loc)
	early := Session{ID: uuid.Must(uuid.NewV7()), Title: "Early", Kind: "coaching", Status: StatusScheduled,
		StartsAt: time.Date(2027, time.March, 2, 6, 30, 0, 0, loc), EndsAt: time.Date(2027, time.March, 2, 7, 30, 0, 0, loc)}
	late := Session{ID: uuid.Must(uuid.NewV7()), Title: "Late", Kind: "mentoring", Status: StatusScheduled,
		StartsAt: time.Date(2027, time.March, 5, 19, 0, 0, 0, loc), EndsAt: time.Date(2027, time.March, 5, 20, 0, 0, 0, loc)}
	days, hours := calendarGrid(sp, []Session{early, late}, nil, loc, "/o/x/calendar/sessions/")
	if len(days) != 7 || days[0].Label != "Mon 1" || !days[2].Today {
		t.Fatalf("days = %d, first %q, Wednesday today %v; want 7 from Mon 1 with Wed 3 today", len(days), days[0].Label, days[2].Today)
	}
	if hours[0] != "06:00" || hours[len(hours)-1] != "20:00" {
		t.Errorf("hours %s–%s, want 06:00–20:00 to show both sessions", hours[0], hours[len(hours)-1])
	}
	tue := days[1]
	if len(tue.Events) != 1 || tue.Events[0].Time != "06:30" || tue.Events[0].Href != "/o/x/calendar/sessions/"+early.ID.String() {
		t.Fatalf("Tuesday's events = %+v", tue.Events)
	}
	if len(tue.Hours[0].Events) != 1 || tue.Hours[0].Label != "06:00" {
		t.Errorf("the 06:30 session is not in the 06:00 row: %+v", tue.Hours[0])
	}
	fri := days[4]
	if len(fri.Hours[13].Events) != 1 || fri.Hours[13].Events[0].Title != "Late" {
		t.Errorf("the 19:00 session is not in the 19:00 row of Friday: %+v", fri.Hours[13])
	}
	month := spanOf(time.Date(2027, time.March, 3, 12, 0, 0, 0, loc), "month", "2027-05-02", loc)
	mdays, _ := calendarGrid(month, nil, nil, loc, "")
	if len(mdays) != 42 || !mdays[0].Other || mdays[5].Other || mdays[5].Date.Day() != 1 {
		t.Errorf("May's grid: %d days, 26 April other month %v, 1 May other month %v; want 42, true, false", len(mdays), mdays[0].Other, mdays[5].Other)
	}
}
