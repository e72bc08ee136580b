package busy

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/teambition/rrule-go"
)

// ParseICS decodes an iCalendar file (go-ical's decoder).
func ParseICS(body []byte) (*ical.Calendar, error) {
	cal, err := ical.NewDecoder(bytes.NewReader(body)).Decode()
	if err != nil {
		return nil, &FetchError{Kind: FailContent, Detail: err.Error()}
	}
	return cal, nil
}

// maxSpans bounds what one calendar may yield over the window; past it
// the rest is dropped (a calendar that busy is blocked anyway).
const maxSpans = 20000

// Expand returns the busy spans of the events of cals that overlap
// [from, to), merged. Recurring events are expanded with go-ical's
// RecurrenceSet (rrule-go), EXDATE and RDATE included, in the zone of
// their start (TZID), so that a weekly 10:00 stays at 10:00 across a
// daylight-saving change; an instance replaced by an override (the same
// UID with a RECURRENCE-ID) gives way to it. Floating times and all-day
// dates are in loc, the practitioner's zone. Transparent (free) and
// cancelled events are not busy. Nothing but the times is read.
func Expand(cals []*ical.Calendar, loc *time.Location, from, to time.Time) ([]Span, error) {
	if loc == nil {
		loc = time.UTC
	}
	var masters, overrides []*ical.Component
	replaced := map[string]map[int64]bool{}
	for _, cal := range cals {
		zones := calendarZones(cal)
		for _, ev := range cal.Events() {
			c := normalise(ev.Component, zones)
			if rid := c.Props.Get(ical.PropRecurrenceID); rid != nil {
				t, err := rid.DateTime(loc)
				if err != nil {
					continue
				}
				uid := uidOf(c)
				if replaced[uid] == nil {
					replaced[uid] = map[int64]bool{}
				}
				replaced[uid][t.Unix()] = true
				overrides = append(overrides, c)
				continue
			}
			masters = append(masters, c)
		}
	}
	var spans []Span
	add := func(s Span) {
		if len(spans) < maxSpans && s.To.After(s.From) && s.From.Before(to) && s.To.After(from) {
			spans = append(spans, Span{From: s.From.UTC(), To: s.To.UTC()})
		}
	}
	for _, c := range masters {
		if !isBusy(c) {
			continue
		}
		start, length, err := startAndLength(c, loc)
		if err != nil {
			continue // an event we cannot read blocks nothing rather than failing the calendar
		}
		starts, err := instances(c, loc, start, length, from, to)
		if err != nil {
			continue
		}
		skip := replaced[uidOf(c)]
		for _, st := range starts {
			if skip[st.Unix()] {
				continue
			}
			add(Span{From: st, To: length.after(st)})
		}
	}
	for _, c := range overrides {
		if !isBusy(c) {
			continue
		}
		start, length, err := startAndLength(c, loc)
		if err != nil {
			continue
		}
		add(Span{From: start, To: length.after(start)})
	}
	return Merge(spans), nil
}

// length is how long an event lasts: whole days for all-day events
// (counted on the calendar, so that a day is 23 or 25 hours across a
// daylight-saving change), else a duration.
type length struct {
	days int
	dur  time.Duration
}

func (l length) after(t time.Time) time.Time {
	if l.days > 0 {
		return t.AddDate(0, 0, l.days)
	}
	return t.Add(l.dur)
}

// longest is an upper bound of the length, to look back for instances
// that started before the window and still run in it.
func (l length) longest() time.Duration {
	if l.days > 0 {
		return time.Duration(l.days)*24*time.Hour + 2*time.Hour
	}
	return l.dur
}

func startAndLength(c *ical.Component, loc *time.Location) (time.Time, length, error) {
	startProp := c.Props.Get(ical.PropDateTimeStart)
	if startProp == nil {
		return time.Time{}, length{}, fmt.Errorf("busy: event without a start")
	}
	start, err := startProp.DateTime(loc)
	if err != nil {
		return time.Time{}, length{}, err
	}
	allDay := startProp.ValueType() == ical.ValueDate || (startProp.ValueType() == ical.ValueDefault && len(startProp.Value) == len("20060102"))
	ev := ical.Event{Component: c}
	if endProp := c.Props.Get(ical.PropDateTimeEnd); endProp != nil || c.Props.Get(ical.PropDuration) != nil || allDay {
		end, err := ev.DateTimeEnd(loc)
		if err != nil {
			return time.Time{}, length{}, err
		}
		if allDay {
			days := int(end.Sub(start).Round(24*time.Hour) / (24 * time.Hour))
			return start, length{days: max(days, 1)}, nil
		}
		return start, length{dur: end.Sub(start)}, nil
	}
	// A timed event with neither an end nor a duration takes no time.
	return start, length{}, nil
}

// instances are the starts of c's occurrences that may overlap
// [from, to): its recurrence set if it has one, else its start and any
// RDATEs.
func instances(c *ical.Component, loc *time.Location, start time.Time, l length, from, to time.Time) ([]time.Time, error) {
	opt, err := c.Props.RecurrenceRule()
	if err != nil {
		return nil, err
	}
	if opt == nil || opt.Freq == rrule.SECONDLY || opt.Freq == rrule.MINUTELY {
		// No rule (or one no person's calendar has): the start and the
		// extra dates.
		out := []time.Time{start}
		for _, p := range c.Props.Values(ical.PropRecurrenceDates) {
			if t, err := p.DateTime(loc); err == nil {
				out = append(out, t)
			}
		}
		return out, nil
	}
	set, err := c.RecurrenceSet(loc)
	if err != nil {
		return nil, err
	}
	// go-ical reads EXDATE into the set; RDATE is added here.
	for _, p := range c.Props.Values(ical.PropRecurrenceDates) {
		if t, err := p.DateTime(loc); err == nil {
			set.RDate(t)
		}
	}
	return set.Between(from.Add(-l.longest()), to, true), nil
}

// isBusy says whether an event blocks time: not transparent (free), not
// cancelled, not marked free by Outlook.
func isBusy(c *ical.Component) bool {
	if p := c.Props.Get(ical.PropTransparency); p != nil && strings.EqualFold(strings.TrimSpace(p.Value), "TRANSPARENT") {
		return false
	}
	if p := c.Props.Get(ical.PropStatus); p != nil && strings.EqualFold(strings.TrimSpace(p.Value), string(ical.EventCancelled)) {
		return false
	}
	if p := c.Props.Get("X-MICROSOFT-CDO-BUSYSTATUS"); p != nil && strings.EqualFold(strings.TrimSpace(p.Value), "FREE") {
		return false
	}
	return true
}

func uidOf(c *ical.Component) string {
	if p := c.Props.Get(ical.PropUID); p != nil {
		return p.Value
	}
	return ""
}

// normalise returns a copy of an event's time properties fit for
// go-ical: multi-valued EXDATE and RDATE lines split into one value
// each, and each TZID replaced by a zone Go knows (or dropped, making the
// time the practitioner's, when none fits).
func normalise(c *ical.Component, zones map[string]string) *ical.Component {
	out := &ical.Component{Name: c.Name, Props: ical.Props{}}
	for _, name := range []string{ical.PropUID, ical.PropDateTimeStart, ical.PropDateTimeEnd, ical.PropDuration,
		ical.PropRecurrenceRule, ical.PropExceptionDates, ical.PropRecurrenceDates, ical.PropRecurrenceID,
		ical.PropStatus, ical.PropTransparency, "X-MICROSOFT-CDO-BUSYSTATUS"} {
		for _, p := range c.Props[name] {
			values := []string{p.Value}
			if name == ical.PropExceptionDates || name == ical.PropRecurrenceDates {
				values = strings.Split(p.Value, ",")
			}
			for _, v := range values {
				np := ical.Prop{Name: p.Name, Value: strings.TrimSpace(v), Params: ical.Params{}}
				for k, vs := range p.Params {
					np.Params[k] = append([]string(nil), vs...)
				}
				if tzid := np.Params.Get(ical.PropTimezoneID); tzid != "" {
					if z, ok := zones[tzid]; ok && z != "" {
						np.Params.Set(ical.PropTimezoneID, z)
					} else if z := ZoneName(tzid); z != "" {
						np.Params.Set(ical.PropTimezoneID, z)
					} else {
						np.Params.Del(ical.PropTimezoneID)
					}
				}
				if strings.EqualFold(np.Params.Get("VALUE"), "PERIOD") {
					continue // RDATE periods are rare; not read
				}
				out.Props[name] = append(out.Props[name], np)
			}
		}
	}
	return out
}

// calendarZones maps the TZIDs a calendar defines in its VTIMEZONEs to a
// zone Go knows, where the definition names one (X-LIC-LOCATION).
func calendarZones(cal *ical.Calendar) map[string]string {
	out := map[string]string{}
	for _, c := range cal.Children {
		if c.Name != ical.CompTimezone {
			continue
		}
		id := c.Props.Get(ical.PropTimezoneID)
		if id == nil {
			continue
		}
		if z := ZoneName(id.Value); z != "" {
			out[id.Value] = z
		} else if p := c.Props.Get("X-LIC-LOCATION"); p != nil {
			out[id.Value] = ZoneName(p.Value)
		}
	}
	return out
}

// ZoneName is the IANA name Go loads for a TZID: the TZID itself, the
// zone at the end of a prefixed one ("/mozilla.org/20050126_1/Europe/
// London"), or the IANA zone of a common Windows name ("W. Europe
// Standard Time", as Outlook writes); "" when none fits.
func ZoneName(tzid string) string {
	tzid = strings.Trim(strings.TrimSpace(tzid), "\"")
	if tzid == "" {
		return ""
	}
	if z, ok := windowsZones[tzid]; ok {
		return z
	}
	if _, err := time.LoadLocation(tzid); err == nil && tzid != "Local" {
		return tzid
	}
	parts := strings.Split(strings.Trim(tzid, "/"), "/")
	for i := 1; i < len(parts); i++ {
		name := strings.Join(parts[i:], "/")
		if _, err := time.LoadLocation(name); err == nil && name != "Local" {
			return name
		}
	}
	return ""
}

var windowsZones = map[string]string{
	"GMT Standard Time": "Europe/London", "Greenwich Standard Time": "Atlantic/Reykjavik",
	"W. Europe Standard Time": "Europe/Berlin", "Romance Standard Time": "Europe/Paris",
	"Central Europe Standard Time": "Europe/Budapest", "Central European Standard Time": "Europe/Warsaw",
	"E. Europe Standard Time": "Europe/Chisinau", "FLE Standard Time": "Europe/Kiev", "GTB Standard Time": "Europe/Bucharest",
	"Russian Standard Time": "Europe/Moscow", "Turkey Standard Time": "Europe/Istanbul", "Israel Standard Time": "Asia/Jerusalem",
	"Eastern Standard Time": "America/New_York", "Central Standard Time": "America/Chicago",
	"Mountain Standard Time": "America/Denver", "US Mountain Standard Time": "America/Phoenix",
	"Pacific Standard Time": "America/Los_Angeles", "Atlantic Standard Time": "America/Halifax",
	"E. South America Standard Time": "America/Sao_Paulo", "South Africa Standard Time": "Africa/Johannesburg",
	"Arabian Standard Time": "Asia/Dubai", "India Standard Time": "Asia/Kolkata", "China Standard Time": "Asia/Shanghai",
	"Singapore Standard Time": "Asia/Singapore", "Tokyo Standard Time": "Asia/Tokyo",
	"AUS Eastern Standard Time": "Australia/Sydney", "W. Australia Standard Time": "Australia/Perth",
	"New Zealand Standard Time": "Pacific/Auckland", "UTC": "UTC",
}

// Merge sorts spans and joins those that overlap or touch.
func Merge(spans []Span) []Span {
	sort.Slice(spans, func(i, j int) bool { return spans[i].From.Before(spans[j].From) })
	var out []Span
	for _, s := range spans {
		if n := len(out); n > 0 && !s.From.After(out[n-1].To) {
			if s.To.After(out[n-1].To) {
				out[n-1].To = s.To
			}
			continue
		}
		out = append(out, s)
	}
	return out
}
