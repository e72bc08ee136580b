package calendar

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// The calendar page (day, week and month views): the handler loads the
// sessions of the span, calendarSpan and calendarGrid lay them out.

// calEvent is a session as a calendar cell shows it.
type calEvent struct {
	Href, Time, Title, Kind, Status string
}

type calHour struct {
	Label  string
	Events []calEvent
}

type calDay struct {
	Date   time.Time
	Label  string
	Today  bool
	Other  bool
	Events []calEvent
	Hours  []calHour
}

// calendarSpan is the stretch of days a view shows, and its neighbours.
type calendarSpan struct {
	View string // day, agenda, week or month
	// Auto: no view was asked for; the page shows the week on a wide
	// screen and the week's agenda on a narrow one (CSS decides).
	Auto                 bool
	Title                string
	Date, Today          time.Time
	From, To, Prev, Next time.Time
}

// spanOf is the span of the view ("day", "agenda" (a week as a list),
// "week" — the default — or "month") around the date (YYYY-MM-DD, default today) in loc.
func spanOf(now time.Time, view, date string, loc *time.Location) calendarSpan {
	now = now.In(loc)
	sp := calendarSpan{View: view, Auto: view == "", Today: time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)}
	sp.Date = sp.Today
	if d, err := time.ParseInLocation(time.DateOnly, date, loc); err == nil {
		sp.Date = d
	}
	d := sp.Date
	switch view {
	case "day":
		sp.From, sp.To = d, d.AddDate(0, 0, 1)
		sp.Prev, sp.Next = d.AddDate(0, 0, -1), d.AddDate(0, 0, 1)
		sp.Title = d.Format("Monday 2 January 2006")
	case "month":
		first := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, loc)
		sp.From = first.AddDate(0, 0, -((int(first.Weekday()) + 6) % 7))
		last := first.AddDate(0, 1, -1)
		sp.To = last.AddDate(0, 0, 7-((int(last.Weekday())+6)%7))
		sp.Prev, sp.Next = first.AddDate(0, -1, 0), first.AddDate(0, 1, 0)
		sp.Title = first.Format("January 2006")
	default:
		if view != "agenda" {
			sp.View = "week"
		}
		sp.From = d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
		sp.To = sp.From.AddDate(0, 0, 7)
		sp.Prev, sp.Next = sp.From.AddDate(0, 0, -7), sp.From.AddDate(0, 0, 7)
		sp.Title = "Week of " + sp.From.Format("2 January 2006")
	}
	return sp
}

// calendarGrid lays sessions out by day and hour: the hours run from
// 08:00 to 18:00, widened to show every session (its start, its end, and
// to midnight for one that runs into the next day); prefix is the
// sessions' URL prefix, names the sessions' names as the viewer sees them.
func calendarGrid(sp calendarSpan, sessions []Session, names map[uuid.UUID]string, loc *time.Location, prefix string) (days []calDay, hours []string) {
	firstHour, lastHour := 8, 18
	for _, s := range sessions {
		start, end := s.StartsAt.In(loc), s.EndsAt.In(loc)
		if start.Before(sp.From) || !start.Before(sp.To) {
			continue
		}
		endHour := end.Hour()
		if end.YearDay() != start.YearDay() || end.Year() != start.Year() {
			endHour = 23
		}
		firstHour = min(firstHour, start.Hour())
		lastHour = max(lastHour, start.Hour(), endHour)
	}
	for hr := firstHour; hr <= lastHour; hr++ {
		hours = append(hours, fmt.Sprintf("%02d:00", hr))
	}
	for d := sp.From; d.Before(sp.To); d = d.AddDate(0, 0, 1) {
		day := calDay{Date: d, Label: d.Format("Mon 2"), Today: d.Equal(sp.Today), Other: sp.View == "month" && d.Month() != sp.Date.Month()}
		for _, label := range hours {
			day.Hours = append(day.Hours, calHour{Label: label})
		}
		for _, s := range sessions {
			l := s.StartsAt.In(loc)
			if l.Year() != d.Year() || l.YearDay() != d.YearDay() {
				continue
			}
			ev := calEvent{Href: prefix + s.ID.String(), Time: l.Format("15:04"), Title: nameOr(names, s), Kind: s.Kind, Status: s.Status}
			day.Events = append(day.Events, ev)
			if i := l.Hour() - firstHour; i >= 0 && i < len(day.Hours) {
				day.Hours[i].Events = append(day.Hours[i].Events, ev)
			}
		}
		days = append(days, day)
	}
	return days, hours
}

// calendarPage is what pages/calendar/index.html shows.
type calendarPage struct {
	View, Title, Zone, Base string
	// Auto: the default view, the week or (on a phone) its agenda;
	// ViewParam is what the page's links keep ("" while Auto).
	Auto                    bool
	ViewParam               string
	Date, Prev, Next, Today string // YYYY-MM-DD
	Days                    []calDay
	Hours                   []string
	Bookable                []relationships.Relationship
	BookableNames           map[uuid.UUID]string
	Sessions                []Session
	Loc                     *time.Location
	IsPractitioner, IsAdmin bool
	Views, DOW              []string
}

// newCalendarPage builds the calendar page of a span.
func newCalendarPage(sp calendarSpan, sessions []Session, names map[uuid.UUID]string, bookable []relationships.Relationship, loc *time.Location, base string) calendarPage {
	days, hours := calendarGrid(sp, sessions, names, loc, base+"/sessions/")
	p := calendarPage{
		View: sp.View, Auto: sp.Auto, ViewParam: sp.View, Title: sp.Title, Zone: loc.String(), Base: base,
		Date: sp.Date.Format(time.DateOnly), Prev: sp.Prev.Format(time.DateOnly), Next: sp.Next.Format(time.DateOnly),
		Today: sp.Today.Format(time.DateOnly), Days: days, Hours: hours, Bookable: bookable, Sessions: sessions, Loc: loc,
		Views: []string{"day", "agenda", "week", "month"}, DOW: []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"},
	}
	if p.Auto {
		p.ViewParam = ""
	}
	return p
}

func (h *Handlers) ShowCalendarPage(c *gin.Context) error {
	v := web.CurrentViewer(c)
	loc := viewerZone(v)
	sp := spanOf(h.Service.Clock.Now(), c.Query("view"), c.Query("date"), loc)
	sessions, err := h.Service.SessionsOf(c.Request.Context(), v.Org.ID, v.UserID, sp.From, sp.To)
	if err != nil {
		return err
	}
	rels, err := h.bookable(c, v)
	if err != nil {
		return err
	}
	names, err := h.Service.SessionNames(c.Request.Context(), v.Org.ID, v.UserID, sessions)
	if err != nil {
		return err
	}
	data := newCalendarPage(sp, sessions, names, rels, loc, base(v))
	if data.BookableNames, err = h.Service.Relationships.NamesFor(c.Request.Context(), v.Org.ID, v.UserID, relIDs(rels)); err != nil {
		return err
	}
	data.IsPractitioner, data.IsAdmin = tenancy.Has(v, tenancy.Practitioners...), tenancy.Has(v, tenancy.Admins...)
	page := web.NewPage(c, "Calendar", data)
	page.Nav = "calendar"
	return h.Renderer.Render(c, http.StatusOK, PageWeek, page)
}

// bookable lists the viewer's active relationships.
func (h *Handlers) bookable(c *gin.Context, v *web.Viewer) ([]relationships.Relationship, error) {
	rels, err := h.Service.Relationships.ForUser(c.Request.Context(), v.Org.ID, v.UserID)
	if err != nil {
		return nil, err
	}
	var out []relationships.Relationship
	for _, r := range rels {
		if r.Status == relationships.StatusActive {
			out = append(out, r)
		}
	}
	return out, nil
}

// slotDay groups slots by the viewer's local date (the availability
// editor's preview).
type slotDay struct {
	Label string
	Slots []slotView
}

func groupSlots(slots []Slot, loc *time.Location) []slotDay {
	var out []slotDay
	for _, s := range slots {
		l := s.Start.In(loc)
		label := l.Format("Monday 2 January")
		if len(out) == 0 || out[len(out)-1].Label != label {
			out = append(out, slotDay{Label: label})
		}
		out[len(out)-1].Slots = append(out[len(out)-1].Slots, slotView{Value: s.Start.UTC().Format(time.RFC3339), Label: l.Format("15:04 MST")})
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
