package calendar

import (
	"sort"
	"time"
)

// WeeklyRule is a window of a weekday, in wall-clock minutes of a zone.
type WeeklyRule struct {
	Weekday     time.Weekday
	StartMinute int
	EndMinute   int
	// Zone is the rule's own zone; nil means the query's zone.
	Zone *time.Location
}

// DateOverride changes one local date: a day off drops the weekly hours
// of that date; a window adds hours (a day off plus a window gives
// different hours).
type DateOverride struct {
	Day         string // YYYY-MM-DD in the query's zone
	DayOff      bool
	StartMinute int
	EndMinute   int
}

// Interval is a half-open span of time [From, To).
type Interval struct {
	From, To time.Time
}

func (i Interval) overlaps(o Interval) bool { return i.From.Before(o.To) && o.From.Before(i.To) }

// SlotQuery is everything slot computation needs; it touches no database.
type SlotQuery struct {
	// Zone is the practitioner's zone: weekly rules without a zone,
	// overrides and the per-day and per-week limits are in it.
	Zone      *time.Location
	Rules     []WeeklyRule
	Overrides []DateOverride
	// Busy are the practitioner's scheduled sessions with their buffers.
	Busy []Interval
	// Elsewhere are the practitioner's busy times from their own
	// calendars (app/busy), without buffers: each blocks as a session at
	// that time would, buffers around it, while Now is before its
	// FreshUntil (a calendar not refreshed for a day stops blocking).
	Elsewhere []BusyElsewhere
	// Starts are the starts of the practitioner's scheduled sessions, for
	// the daily and weekly limits.
	Starts []time.Time

	Length       time.Duration
	Step         time.Duration // distance between candidate starts; default 30 min
	BufferBefore time.Duration
	BufferAfter  time.Duration
	MinNotice    time.Duration
	// WindowDays is how far ahead one may book; 0 means no limit.
	WindowDays int
	MaxPerDay  int // 0: no limit
	MaxPerWeek int // 0: no limit

	Now      time.Time
	From, To time.Time // the span asked for
}

// BusyElsewhere is a busy interval of one of the practitioner's own
// calendars, blocking until FreshUntil.
type BusyElsewhere struct {
	Interval
	FreshUntil time.Time
}

// elsewhere is the intervals of q.Elsewhere that still block, as
// sessions would with the buffers around them.
func (q SlotQuery) elsewhere() []Interval {
	var out []Interval
	for _, e := range q.Elsewhere {
		if q.Now.Before(e.FreshUntil) {
			out = append(out, Interval{From: e.From.Add(-q.BufferBefore), To: e.To.Add(q.BufferAfter)})
		}
	}
	return out
}

// Slot is one bookable start, in UTC.
type Slot struct {
	Start, End time.Time
}

// Slots computes the open slots of a practitioner: weekly rules in their
// zone, plus and minus date overrides, minus existing sessions and the
// busy times of their own calendars, with buffers, with minimum notice, booking window and limits applied. Wall
// times that do not exist on a daylight-saving change day are skipped;
// wall times that exist twice give one slot per real instant.
func Slots(q SlotQuery) []Slot {
	if q.Zone == nil {
		q.Zone = time.UTC
	}
	if q.Length <= 0 {
		return nil
	}
	step := q.Step
	if step <= 0 {
		step = 30 * time.Minute
	}
	stepMin := int(step / time.Minute)
	lenMin := int((q.Length + time.Minute - 1) / time.Minute)
	earliest := q.Now.Add(q.MinNotice)
	from := q.From
	if from.Before(earliest) {
		from = earliest
	}
	to := q.To
	if q.WindowDays > 0 {
		if limit := q.Now.Add(time.Duration(q.WindowDays) * 24 * time.Hour); limit.Before(to) {
			to = limit
		}
	}
	if !from.Before(to) {
		return nil
	}
	busy := append(append([]Interval(nil), q.Busy...), q.elsewhere()...)
	sort.Slice(busy, func(i, j int) bool { return busy[i].From.Before(busy[j].From) })
	// maxLen is the longest busy interval: a search window for overlaps.
	var maxLen time.Duration
	for _, b := range busy {
		if d := b.To.Sub(b.From); d > maxLen {
			maxLen = d
		}
	}
	perDay, perWeek := map[string]int{}, map[string]int{}
	if q.MaxPerDay > 0 || q.MaxPerWeek > 0 {
		for _, s := range q.Starts {
			l := s.In(q.Zone)
			perDay[l.Format(time.DateOnly)]++
			perWeek[weekKey(l)]++
		}
	}
	overrides := map[string][]DateOverride{}
	for _, o := range q.Overrides {
		overrides[o.Day] = append(overrides[o.Day], o)
	}

	seen := map[int64]bool{}
	var out []Slot
	consider := func(start time.Time) {
		end := start.Add(q.Length)
		if start.Before(from) || !start.Before(to) || seen[start.Unix()] {
			return
		}
		want := Interval{From: start.Add(-q.BufferBefore), To: end.Add(q.BufferAfter)}
		if overlapsAny(busy, maxLen, want) {
			return
		}
		local := start.In(q.Zone)
		if q.MaxPerDay > 0 && perDay[local.Format(time.DateOnly)] >= q.MaxPerDay {
			return
		}
		if q.MaxPerWeek > 0 && perWeek[weekKey(local)] >= q.MaxPerWeek {
			return
		}
		seen[start.Unix()] = true
		out = append(out, Slot{Start: start.UTC(), End: end.UTC()})
	}
	window := func(loc *time.Location, day time.Time, startMin, endMin int) {
		for m := startMin; m+lenMin <= endMin; m += stepMin {
			for _, inst := range wallInstants(loc, day.Year(), day.Month(), day.Day(), m) {
				consider(inst)
			}
		}
	}
	// Walk the local dates of each zone that the span touches (a day
	// either side, for zones far from UTC).
	zones := map[*time.Location]bool{q.Zone: true}
	for _, r := range q.Rules {
		if r.Zone != nil {
			zones[r.Zone] = true
		}
	}
	for loc := range zones {
		first := from.In(loc).AddDate(0, 0, -1)
		last := to.In(loc).AddDate(0, 0, 1)
		for d := time.Date(first.Year(), first.Month(), first.Day(), 12, 0, 0, 0, time.UTC); !d.After(time.Date(last.Year(), last.Month(), last.Day(), 12, 0, 0, 0, time.UTC)); d = d.AddDate(0, 0, 1) {
			key := d.Format(time.DateOnly)
			dayOff := false
			if loc == q.Zone {
				for _, o := range overrides[key] {
					if o.DayOff {
						dayOff = true
					} else {
						window(loc, d, o.StartMinute, o.EndMinute)
					}
				}
			} else {
				// A rule in another zone still yields to a day off of
				// the practitioner's own calendar date.
				for _, o := range overrides[key] {
					dayOff = dayOff || o.DayOff
				}
			}
			if dayOff {
				continue
			}
			for _, r := range q.Rules {
				rz := r.Zone
				if rz == nil {
					rz = q.Zone
				}
				if rz != loc || r.Weekday != d.Weekday() {
					continue
				}
				window(loc, d, r.StartMinute, r.EndMinute)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

// wallInstants returns the real instants at which the wall clock of loc
// shows the given date and minute of the day: none in a spring-forward
// gap, two in a fall-back overlap, one otherwise.
func wallInstants(loc *time.Location, y int, mo time.Month, d, minute int) []time.Time {
	wall := time.Date(y, mo, d, minute/60, minute%60, 0, 0, time.UTC)
	var out []time.Time
	offsets := make([]int, 0, 3)
	for _, probe := range []time.Time{wall.Add(-26 * time.Hour), wall, wall.Add(26 * time.Hour)} {
		_, off := probe.In(loc).Zone()
		dup := false
		for _, o := range offsets {
			dup = dup || o == off
		}
		if !dup {
			offsets = append(offsets, off)
		}
	}
	for _, off := range offsets {
		inst := wall.Add(-time.Duration(off) * time.Second)
		l := inst.In(loc)
		if l.Year() == y && l.Month() == mo && l.Day() == d && l.Hour()*60+l.Minute() == minute {
			out = append(out, inst)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}

// overlapsAny reports whether want overlaps one of the sorted busy
// intervals, none longer than maxLen.
func overlapsAny(busy []Interval, maxLen time.Duration, want Interval) bool {
	// The first interval that could overlap starts after want.From-maxLen.
	i := sort.Search(len(busy), func(i int) bool {
		return busy[i].From.After(want.From.Add(-maxLen)) || busy[i].From.Equal(want.From.Add(-maxLen))
	})
	for ; i < len(busy) && busy[i].From.Before(want.To); i++ {
		if busy[i].overlaps(want) {
			return true
		}
	}
	return false
}

// weekKey names the ISO week of a local time (weeks start on Monday).
func weekKey(t time.Time) string {
	y, w := t.ISOWeek()
	return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006") + "-W" + string(rune('0'+w/10)) + string(rune('0'+w%10))
}
