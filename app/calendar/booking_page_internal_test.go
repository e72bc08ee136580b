package calendar

import (
	"net/url"
	"testing"
	"time"

	"github.com/leadershiptoolbox/toolbox/app/web"
)

// TestNewBookingPage lays out a month with two open days, from what was
// loaded alone: the first open day is chosen when none is asked for, a
// chosen time offers its repeats in both zones, and a refused post with a
// message (no clash) shows no chosen time.
func TestNewBookingPage(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	now := utc("2027-03-01T08:00:00Z")
	slot := func(s string) Slot { return Slot{Start: utc(s), End: utc(s).Add(time.Hour)} }
	bv := &BookingView{
		Zone: paris, Length: time.Hour, Month: monthOf(now, now, time.UTC), WindowEnd: now.AddDate(0, 2, 0),
		Slots: []Slot{slot("2027-03-02T09:00:00Z"), slot("2027-03-02T10:00:00Z"), slot("2027-03-04T09:00:00Z")},
	}
	const action = "/o/x/calendar/book/r"
	page := func(q url.Values, st bookingState) bookingPage {
		if st.Form == nil {
			st.Form = web.NewForm(q)
		}
		return newBookingPage(bv, parseBookingQuery(q, time.UTC), st, action, "/o/x/calendar", now, time.UTC)
	}

	d := page(url.Values{}, bookingState{})
	if d.Day != "2027-03-02" || len(d.Times) != 2 || d.Times[0].Value != "2027-03-02T09:00:00Z" || d.Chosen != nil || d.Focus != "" {
		t.Fatalf("no day asked: day %q, %d times, chosen %v, focus %q; want the first open day's 2 times, none chosen", d.Day, len(d.Times), d.Chosen, d.Focus)
	}
	if d.Month.Title != "March 2027" || d.Month.Next == "" || d.Month.Prev != "" {
		t.Errorf("month %q, next %q, prev %q; want March 2027 linking to April alone", d.Month.Title, d.Month.Next, d.Month.Prev)
	}
	if d.Zone != "UTC" || d.PractitionerZone != "Europe/Paris" || d.Minutes != 60 {
		t.Errorf("zones %q/%q, %d minutes", d.Zone, d.PractitionerZone, d.Minutes)
	}

	if d := page(url.Values{"month": {"2027-03"}}, bookingState{}); d.Focus != "month" {
		t.Errorf("moving to a month: focus %q, want month", d.Focus)
	}

	q := url.Values{"start": {"2027-03-04T09:00:00Z"}, "repeat_days": {"14"}}
	d = page(q, bookingState{})
	if d.Day != "2027-03-04" || d.Chosen == nil || d.Chosen.Theirs == "" || d.confirming(parseBookingQuery(q, time.UTC)) {
		t.Fatalf("a time chosen: day %q, chosen %+v; want 4 March chosen, shown in Paris too, not yet confirming", d.Day, d.Chosen)
	}
	var selected string
	for _, r := range d.Chosen.Repeats {
		if r.Selected {
			selected = r.Label
		}
	}
	if selected != "Every 2 weeks" {
		t.Errorf("repeat selected %q, want Every 2 weeks", selected)
	}

	q.Set("step", "confirm")
	d = page(q, bookingState{})
	if !d.confirming(parseBookingQuery(q, time.UTC)) {
		t.Fatal("the confirmation step is not shown for a confirmed time")
	}
	in := BookInput{Start: utc("2027-03-04T09:00:00Z"), IntervalDays: 14, Count: 2}
	d.confirm(in, []Occurrence{{Index: 0, Start: in.Start}, {Index: 1, Start: in.Start.AddDate(0, 0, 14), Problem: problemBusy}}, time.UTC)
	if cf := d.Confirm; cf == nil || len(cf.Dates) != 1 || len(cf.Skip) != 1 || cf.Skip[0] != 1 || cf.Repeat != "Every 2 weeks, 2 times" {
		t.Errorf("confirmation %+v; want one date, the clashing one left out, every 2 weeks twice", d.Confirm)
	}

	if d := page(q, bookingState{Message: "Sorry, that time has just been taken."}); d.Chosen != nil {
		t.Errorf("a refused post with a message still shows the chosen time")
	}
}
