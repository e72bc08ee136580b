package calendar_test

import (
	"slices"
	"testing"
	"time"

	"github.com/leadershiptoolbox/toolbox/app/calendar"
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

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func hm(h, m int) int { return h*60 + m }

// labels shows slots as wall-clock times of a zone, with the zone's
// abbreviation, so that a test reads the way a person would.
func labels(slots []calendar.Slot, loc *time.Location) []string {
	var out []string
	for _, s := range slots {
		out = append(out, s.Start.In(loc).Format("Mon 2 Jan 15:04 MST"))
	}
	return out
}

func starts(slots []calendar.Slot) []string {
	var out []string
	for _, s := range slots {
		out = append(out, s.Start.UTC().Format(time.RFC3339))
	}
	return out
}

func TestSlots(t *testing.T) {
	london := mustZone(t, "Europe/London")
	newYork := mustZone(t, "America/New_York")
	epoch := testkit.Epoch // Monday 1 March 2027, 09:00 UTC
	week := epoch.Add(7 * 24 * time.Hour)
	weekdays := func(start, end int) []calendar.WeeklyRule {
		var rs []calendar.WeeklyRule
		for d := time.Monday; d <= time.Friday; d++ {
			rs = append(rs, calendar.WeeklyRule{Weekday: d, StartMinute: start, EndMinute: end})
		}
		return rs
	}
	tuesday := []calendar.WeeklyRule{{Weekday: time.Tuesday, StartMinute: hm(9, 0), EndMinute: hm(12, 0)}}
	cases := []struct {
		name string
		q    calendar.SlotQuery
		// want are UTC starts (RFC 3339), or wantLabels are wall-clock
		// labels in labelZone.
		want       []string
		wantLabels []string
		labelZone  *time.Location
	}{
		{
			name: "weekly rule, every half hour",
			q:    calendar.SlotQuery{Zone: london, Rules: tuesday, Length: time.Hour, Now: epoch, From: epoch, To: week},
			want: []string{"2027-03-02T09:00:00Z", "2027-03-02T09:30:00Z", "2027-03-02T10:00:00Z", "2027-03-02T10:30:00Z", "2027-03-02T11:00:00Z"},
		},
		{
			name: "a session and both buffers block; the edge of a buffer does not",
			q: calendar.SlotQuery{
				Zone: london, Rules: []calendar.WeeklyRule{{Weekday: time.Tuesday, StartMinute: hm(9, 0), EndMinute: hm(13, 0)}},
				Length: time.Hour, BufferBefore: 15 * time.Minute, BufferAfter: 15 * time.Minute,
				Busy: []calendar.Interval{{From: utc("2027-03-02T09:45:00Z"), To: utc("2027-03-02T11:15:00Z")}},
				Now:  epoch, From: epoch, To: week,
			},
			// 11:30 needs [11:15, 12:45): free, since the busy range ends at 11:15.
			want: []string{"2027-03-02T11:30:00Z", "2027-03-02T12:00:00Z"},
		},
		{
			name: "a busy time of the practitioner's own calendar blocks as a session would, with both buffers",
			q: calendar.SlotQuery{
				Zone: london, Rules: []calendar.WeeklyRule{{Weekday: time.Tuesday, StartMinute: hm(9, 0), EndMinute: hm(13, 0)}},
				Length: time.Hour, BufferBefore: 15 * time.Minute, BufferAfter: 15 * time.Minute,
				// The dentist, 10:00–11:00: as a session there, busy 09:45–11:15.
				Elsewhere: []calendar.BusyElsewhere{{Interval: calendar.Interval{From: utc("2027-03-02T10:00:00Z"), To: utc("2027-03-02T11:00:00Z")}, FreshUntil: epoch.Add(24 * time.Hour)}},
				Now:       epoch, From: epoch, To: week,
			},
			want: []string{"2027-03-02T11:30:00Z", "2027-03-02T12:00:00Z"},
		},
		{
			name: "a busy time of a calendar not refreshed for a day (stale) blocks nothing",
			q: calendar.SlotQuery{
				Zone: london, Rules: []calendar.WeeklyRule{{Weekday: time.Tuesday, StartMinute: hm(9, 0), EndMinute: hm(11, 0)}},
				Length: time.Hour, BufferBefore: 15 * time.Minute, BufferAfter: 15 * time.Minute,
				Elsewhere: []calendar.BusyElsewhere{{Interval: calendar.Interval{From: utc("2027-03-02T10:00:00Z"), To: utc("2027-03-02T11:00:00Z")}, FreshUntil: epoch}},
				Now:       epoch, From: epoch, To: week,
			},
			want: []string{"2027-03-02T09:00:00Z", "2027-03-02T09:30:00Z", "2027-03-02T10:00:00Z"},
		},
		{
			name: "minimum notice",
			q: calendar.SlotQuery{Zone: london, Rules: tuesday, Length: time.Hour, MinNotice: 2 * time.Hour,
				Now: utc("2027-03-02T08:00:00Z"), From: utc("2027-03-02T08:00:00Z"), To: week},
			want: []string{"2027-03-02T10:00:00Z", "2027-03-02T10:30:00Z", "2027-03-02T11:00:00Z"},
		},
		{
			name: "booking window",
			q:    calendar.SlotQuery{Zone: london, Rules: weekdays(hm(9, 0), hm(10, 0)), Length: time.Hour, WindowDays: 2, Now: epoch, From: epoch, To: week},
			want: []string{"2027-03-01T09:00:00Z", "2027-03-02T09:00:00Z"},
		},
		{
			name: "daily limit counts sessions outside the open hours too",
			q: calendar.SlotQuery{Zone: london, Rules: weekdays(hm(9, 0), hm(10, 0)), Length: time.Hour, MaxPerDay: 1,
				Starts: []time.Time{utc("2027-03-02T15:00:00Z")}, Busy: []calendar.Interval{{From: utc("2027-03-02T15:00:00Z"), To: utc("2027-03-02T16:00:00Z")}},
				Now: epoch, From: epoch, To: epoch.Add(3 * 24 * time.Hour)},
			want: []string{"2027-03-01T09:00:00Z", "2027-03-03T09:00:00Z"},
		},
		{
			name: "weekly limit",
			q: calendar.SlotQuery{Zone: london, Rules: weekdays(hm(9, 0), hm(10, 0)), Length: time.Hour, MaxPerWeek: 2,
				Starts: []time.Time{utc("2027-03-01T12:00:00Z"), utc("2027-03-02T12:00:00Z")},
				Now:    epoch, From: epoch, To: epoch.Add(9 * 24 * time.Hour)},
			// The week of 1 March is full; the next week opens on Monday 8 March.
			want: []string{"2027-03-08T09:00:00Z", "2027-03-09T09:00:00Z"},
		},
		{
			name: "day off and extra hours",
			q: calendar.SlotQuery{Zone: london, Rules: weekdays(hm(9, 0), hm(10, 0)), Length: time.Hour,
				Overrides: []calendar.DateOverride{
					{Day: "2027-03-02", DayOff: true},
					{Day: "2027-03-03", StartMinute: hm(14, 0), EndMinute: hm(15, 0)},
					{Day: "2027-03-06", StartMinute: hm(10, 0), EndMinute: hm(11, 0)}, // a Saturday
				},
				Now: epoch, From: epoch, To: week},
			want: []string{"2027-03-01T09:00:00Z", "2027-03-03T09:00:00Z", "2027-03-03T14:00:00Z", "2027-03-04T09:00:00Z", "2027-03-05T09:00:00Z", "2027-03-06T10:00:00Z"},
		},
		{
			name: "London spring forward: 01:00 and 01:30 do not exist on 28 March",
			q: calendar.SlotQuery{Zone: london, Rules: []calendar.WeeklyRule{{Weekday: time.Sunday, StartMinute: hm(0, 30), EndMinute: hm(3, 0)}},
				Length: 30 * time.Minute, Now: epoch, From: utc("2027-03-27T12:00:00Z"), To: utc("2027-03-28T12:00:00Z")},
			want:       []string{"2027-03-28T00:30:00Z", "2027-03-28T01:00:00Z", "2027-03-28T01:30:00Z"},
			wantLabels: []string{"Sun 28 Mar 00:30 GMT", "Sun 28 Mar 02:00 BST", "Sun 28 Mar 02:30 BST"},
			labelZone:  london,
		},
		{
			name: "London fall back: 01:00 and 01:30 exist twice on 31 October",
			q: calendar.SlotQuery{Zone: london, Rules: []calendar.WeeklyRule{{Weekday: time.Sunday, StartMinute: hm(0, 30), EndMinute: hm(2, 0)}},
				Length: 30 * time.Minute, Now: epoch, From: utc("2027-10-30T12:00:00Z"), To: utc("2027-10-31T12:00:00Z")},
			want:       []string{"2027-10-30T23:30:00Z", "2027-10-31T00:00:00Z", "2027-10-31T00:30:00Z", "2027-10-31T01:00:00Z", "2027-10-31T01:30:00Z"},
			wantLabels: []string{"Sun 31 Oct 00:30 BST", "Sun 31 Oct 01:00 BST", "Sun 31 Oct 01:30 BST", "Sun 31 Oct 01:00 GMT", "Sun 31 Oct 01:30 GMT"},
			labelZone:  london,
		},
		{
			name: "New York spring forward: 02:00 does not exist on 14 March; 01:00 lasts until 03:00",
			q: calendar.SlotQuery{Zone: newYork, Rules: []calendar.WeeklyRule{{Weekday: time.Sunday, StartMinute: hm(1, 0), EndMinute: hm(4, 0)}},
				Length: time.Hour, Step: time.Hour, Now: epoch, From: utc("2027-03-13T12:00:00Z"), To: utc("2027-03-15T00:00:00Z")},
			want:       []string{"2027-03-14T06:00:00Z", "2027-03-14T07:00:00Z"},
			wantLabels: []string{"Sun 14 Mar 01:00 EST", "Sun 14 Mar 03:00 EDT"},
			labelZone:  newYork,
		},
		{
			name: "New York fall back: 01:00 and 01:30 exist twice on 7 November",
			q: calendar.SlotQuery{Zone: newYork, Rules: []calendar.WeeklyRule{{Weekday: time.Sunday, StartMinute: hm(1, 0), EndMinute: hm(2, 0)}},
				Length: 30 * time.Minute, Now: epoch, From: utc("2027-11-06T12:00:00Z"), To: utc("2027-11-08T00:00:00Z")},
			want:       []string{"2027-11-07T05:00:00Z", "2027-11-07T05:30:00Z", "2027-11-07T06:00:00Z", "2027-11-07T06:30:00Z"},
			wantLabels: []string{"Sun 7 Nov 01:00 EDT", "Sun 7 Nov 01:30 EDT", "Sun 7 Nov 01:00 EST", "Sun 7 Nov 01:30 EST"},
			labelZone:  newYork,
		},
		{
			name: "a New York coach seen from London across the weeks the changes differ",
			q: calendar.SlotQuery{Zone: newYork, Rules: []calendar.WeeklyRule{{Weekday: time.Tuesday, StartMinute: hm(9, 0), EndMinute: hm(10, 0)}},
				Length: time.Hour, Now: epoch, From: utc("2027-03-08T00:00:00Z"), To: utc("2027-04-01T00:00:00Z")},
			want: []string{"2027-03-09T14:00:00Z", "2027-03-16T13:00:00Z", "2027-03-23T13:00:00Z", "2027-03-30T13:00:00Z"},
			// Before either change 14:00 in London; New York changed first
			// (13:00 GMT); then London too (14:00 BST).
			wantLabels: []string{"Tue 9 Mar 14:00 GMT", "Tue 16 Mar 13:00 GMT", "Tue 23 Mar 13:00 GMT", "Tue 30 Mar 14:00 BST"},
			labelZone:  london,
		},
		{
			name: "a rule in its own zone",
			q: calendar.SlotQuery{Zone: london, Rules: []calendar.WeeklyRule{{Weekday: time.Tuesday, StartMinute: hm(9, 0), EndMinute: hm(10, 0), Zone: newYork}},
				Length: time.Hour, Now: epoch, From: epoch, To: week},
			want: []string{"2027-03-02T14:00:00Z"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := calendar.Slots(tc.q)
			if !slices.Equal(starts(got), tc.want) {
				t.Errorf("slots =\n  %v\nwant\n  %v", starts(got), tc.want)
			}
			if tc.wantLabels != nil && !slices.Equal(labels(got, tc.labelZone), tc.wantLabels) {
				t.Errorf("labels =\n  %v\nwant\n  %v", labels(got, tc.labelZone), tc.wantLabels)
			}
			for _, s := range got {
				if s.End.Sub(s.Start) != tc.q.Length {
					t.Errorf("slot %s lasts %s, want %s", s.Start, s.End.Sub(s.Start), tc.q.Length)
				}
			}
		})
	}
}

// BenchmarkSlotsYearOfSessions computes two weeks of slots for a
// practitioner with a year of sessions (five a week) behind and ahead.
func BenchmarkSlotsYearOfSessions(b *testing.B) {
	london := mustZone(b, "Europe/London")
	epoch := testkit.Epoch
	var busy []calendar.Interval
	var startsAt []time.Time
	for d := -365; d < 365; d++ {
		day := epoch.AddDate(0, 0, d)
		if day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
			continue
		}
		s := time.Date(day.Year(), day.Month(), day.Day(), 10, 0, 0, 0, london)
		busy = append(busy, calendar.Interval{From: s.Add(-15 * time.Minute), To: s.Add(75 * time.Minute)})
		startsAt = append(startsAt, s)
	}
	var rules []calendar.WeeklyRule
	for d := time.Monday; d <= time.Friday; d++ {
		rules = append(rules, calendar.WeeklyRule{Weekday: d, StartMinute: hm(8, 0), EndMinute: hm(18, 0)})
	}
	q := calendar.SlotQuery{
		Zone: london, Rules: rules, Busy: busy, Starts: startsAt, Length: time.Hour,
		BufferBefore: 15 * time.Minute, BufferAfter: 15 * time.Minute, MinNotice: time.Hour,
		WindowDays: 60, MaxPerDay: 6, MaxPerWeek: 20, Now: epoch, From: epoch, To: epoch.AddDate(0, 0, 14),
	}
	b.ReportAllocs()
	for b.Loop() {
		if len(calendar.Slots(q)) == 0 {
			b.Fatal("no slots")
		}
	}
}
