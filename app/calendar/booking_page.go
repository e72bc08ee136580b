package calendar

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// The booking page: what it loads (BookingPage, one month of open
// slots) and how it lays it out (newBookingPage, pure functions of what
// was loaded and the page's state in its URL).

// BookingView is what a booking page shows: the open slots of one span
// (a month), not of the whole booking window, so that the page costs
// what it shows whatever the practitioner's hours and window.
type BookingView struct {
	Relationship *relationships.Relationship
	Agreement    *relationships.Agreement // nil without one
	Practitioner *auth.User
	Zone         *time.Location // the practitioner's
	Length       time.Duration
	Place        string
	// Month is the first instant of the month shown (in the viewer's
	// zone); Slots are the open slots starting in it.
	Month time.Time
	Slots []Slot
	// First is the first open slot from now on; nil when none is open.
	First *Slot
	// WindowEnd: no slot starts at or after it (the booking window).
	WindowEnd time.Time
	// Due is when the next session is due by the agreed rhythm, counted
	// from the last session booked or held; Rhythm is the open slot for
	// it (the same wall-clock time in the week from Due, else the first
	// open one then). Both nil without a cadence.
	Due    *time.Time
	Rhythm *Slot
	// Upcoming are the relationship's sessions that have not ended.
	Upcoming []Session
}

// slotSearchStep is how much of the window one search for the first
// open slot computes at a time.
const slotSearchStep = 14 * 24 * time.Hour

// BookingPage loads what a participant's booking page shows: the open
// slots of the relationship's practitioner in one month of loc (the
// month of month; with a zero month, the month of the first open slot,
// else this month), the first open slot, and the slot at the agreed
// rhythm.
func (s *Service) BookingPage(ctx context.Context, orgID, relationshipID, viewerID uuid.UUID, month time.Time, loc *time.Location) (*BookingView, error) {
	org, err := s.Tenancy.OrgByID(ctx, orgID)
	if err != nil {
		return nil, err
	}
	v := new(BookingView)
	now := s.Clock.Now()
	err = s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		store := s.Store.WithTx(tx)
		info, err := s.readRelationship(ctx, tx, org, relationshipID, false)
		if err != nil {
			return err
		}
		if info.Side(viewerID) == "" || info.PractitionerID() == uuid.Nil {
			return fmt.Errorf("calendar: %s takes no part in %s: %w", viewerID, relationshipID, db.ErrNotFound)
		}
		v.Relationship, v.Agreement = info.Rel, info.Agreement
		if v.Length, v.Place, err = s.sessionLength(ctx, tx, info); err != nil {
			return err
		}
		if v.Practitioner, err = auth.UserByID(ctx, tx, info.PractitionerID()); err != nil {
			return err
		}
		q, err := s.slotQuery(ctx, tx, org, info.PractitionerID(), v.Length, now, now.AddDate(0, 0, maxWindowDays))
		if err != nil {
			return err
		}
		v.Zone = q.Zone
		v.Month = monthOf(month, now, loc)
		v.WindowEnd = now.AddDate(0, 0, maxWindowDays)
		if q.WindowDays > 0 {
			v.WindowEnd = now.Add(time.Duration(q.WindowDays) * 24 * time.Hour)
		}
		if v.Upcoming, err = store.RelationshipSessions(ctx, orgID, relationshipID, now); err != nil {
			return err
		}
		if info.Rel.Status != relationships.StatusActive {
			return nil
		}
		v.First = firstSlot(q, now, v.WindowEnd, nil)
		if month.IsZero() && v.First != nil {
			month = v.First.Start
		}
		v.Month = monthOf(month, now, loc)
		v.Slots = slotsIn(q, v.Month, v.Month.AddDate(0, 1, 0))
		last, err := store.LastSessionStart(ctx, orgID, relationshipID)
		if err != nil {
			return err
		}
		var anchor *time.Time
		if !last.IsZero() {
			anchor = &last
		}
		if v.Due = relationships.NextSessionDue(info.Rel, info.Agreement, anchor); v.Due != nil {
			v.Rhythm = rhythmSlot(q, *v.Due, anchor, now, v.WindowEnd)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// slotsIn computes q's open slots starting in [from, to).
func slotsIn(q SlotQuery, from, to time.Time) []Slot {
	q.From, q.To = from, to
	return Slots(q)
}

// firstSlot is the first open slot in [from, to) that want accepts (nil
// accepts any), computed a fortnight at a time.
func firstSlot(q SlotQuery, from, to time.Time, want func(Slot) bool) *Slot {
	for f := from; f.Before(to); f = f.Add(slotSearchStep) {
		for _, sl := range slotsIn(q, f, earlier(to, f.Add(slotSearchStep))) {
			if want == nil || want(sl) {
				return &sl
			}
		}
	}
	return nil
}

// monthOf is the first instant in loc of t's month (of now's, for a
// zero t).
func monthOf(t, now time.Time, loc *time.Location) time.Time {
	if t.IsZero() {
		t = now
	}
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, loc)
}

func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// rhythmSlot is the open slot for a session due at due: in the week
// from due's local date (or from now, when due has passed), the first at
// the wall-clock time of the last session, else the first open one.
func rhythmSlot(q SlotQuery, due time.Time, anchor *time.Time, now, windowEnd time.Time) *Slot {
	d := due.In(q.Zone)
	from := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, q.Zone)
	if from.Before(now) {
		from = now
	}
	to := earlier(from.AddDate(0, 0, 7), windowEnd)
	if anchor != nil {
		a := anchor.In(q.Zone)
		if sl := firstSlot(q, from, to, func(s Slot) bool {
			l := s.Start.In(q.Zone)
			return l.Hour() == a.Hour() && l.Minute() == a.Minute()
		}); sl != nil {
			return sl
		}
	}
	return firstSlot(q, from, to, nil)
}

// bookingPage is what pages/calendar/book.html shows: a month of days
// with the free ones marked and the chosen day's times beside it; once a
// time is chosen, the repeat offered for it; then the confirmation step.
type bookingPage struct {
	View                   *BookingView
	Base, Action           string // Action is the page's own path
	Zone, PractitionerZone string
	Minutes                int
	State                  bookingState
	Month                  bookingMonth
	Day                    string // the chosen day, YYYY-MM-DD, or ""
	DayLabel               string
	Times                  []slotView // the chosen day's open times
	Chosen                 *chosenTime
	Confirm                *bookingConfirm
	Clashes                []clashView
	Next                   *upcomingView // the member's next session
	MoreUpcoming           int           // sessions booked after it
	Rhythm                 *rhythmView
	FirstOpen              string // a link to the first open day, when the month has none
	FirstOpenLabel         string
	// Focus is the part an htmx swap moves focus to: "month" after moving
	// between months, else the chosen day, time or step.
	Focus string
}

type slotView struct {
	Value, Label string
}

// chosenTime is a time chosen, in both parties' zones, with the repeat
// options offered for it.
type chosenTime struct {
	Value, Day    string
	Yours, Theirs string // "" when both keep the same zone
	Repeats       []repeatOption
	Back          string // the day's times again
}

type repeatOption struct {
	Value, Label string
	Selected     bool
}

// bookingConfirm is the confirmation step: what will be booked, and the
// clash report in place of the dates that cannot be.
type bookingConfirm struct {
	Yours, Theirs string
	Repeat        string // "Every 2 weeks, 6 times", or ""
	Dates         []string
	Skip          []int // every occurrence to leave out: asked for and clashing
	Change        string
	PlaceLink     bool // the place is a meeting link
	AgreementEnds string
}

type upcomingView struct {
	Href, Label string
}

type rhythmView struct {
	Href, Label, Cadence string
}

// bookingQuery is the booking page's state, all of it in the URL (or the
// posted form), so that every step works as a plain link without
// JavaScript: the month shown, the day and time chosen, and the step.
type bookingQuery struct {
	Month, Day, Start time.Time
	Confirm           bool
	// Browsing: a month alone was asked for (the person moves between
	// months), so focus goes to the month.
	Browsing bool
}

func parseBookingQuery(q url.Values, loc *time.Location) bookingQuery {
	var bq bookingQuery
	if t, err := time.ParseInLocation("2006-01", q.Get("month"), loc); err == nil {
		bq.Month = t
	}
	if t, err := time.ParseInLocation(time.DateOnly, q.Get("day"), loc); err == nil {
		bq.Day, bq.Month = t, t
	}
	if t, err := time.Parse(time.RFC3339, q.Get("start")); err == nil {
		l := t.In(loc)
		bq.Start, bq.Day = t, time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
		bq.Month = bq.Day
	}
	bq.Confirm = q.Get("step") == "confirm" && !bq.Start.IsZero()
	bq.Browsing = q.Get("month") != "" && bq.Day.IsZero()
	return bq
}

// link is the booking page's URL with the query kv (name, value, …).
func link(action string, kv ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			q.Add(kv[i], kv[i+1])
		}
	}
	if len(q) == 0 {
		return action
	}
	return action + "?" + q.Encode()
}

// newBookingPage lays out bv for the state in bq (a GET's query, or the
// form of a refused post, whose state is st) at action, the page's own
// path: the month with the chosen day's times, the member's next session
// and the time at the agreed rhythm, and the time chosen with its
// repeats. The confirmation step is filled after it (confirm), from the
// booking planned.
func newBookingPage(bv *BookingView, bq bookingQuery, st bookingState, action, base string, now time.Time, loc *time.Location) bookingPage {
	d := bookingPage{
		View: bv, Base: base, Action: action, Zone: loc.String(), PractitionerZone: bv.Zone.String(),
		Minutes: int(bv.Length / time.Minute), State: st, Clashes: clashViews(st.Clash, loc),
	}
	d.Month = newBookingMonth(bv, action, now, loc)
	if bq.Browsing {
		d.Focus = "month"
	}
	day := bq.Day
	if day.IsZero() || !sameMonth(day, bv.Month) {
		day = firstFreeDay(bv.Slots, loc)
	}
	if !day.IsZero() {
		d.Month.choose(day)
		d.Day, d.DayLabel = day.Format(time.DateOnly), day.Format("Monday 2 January")
		d.Times = timesOf(bv.Slots, day, loc)
	} else if bv.First != nil {
		f := bv.First.Start.In(loc)
		d.FirstOpen, d.FirstOpenLabel = link(action, "day", f.Format(time.DateOnly)), f.Format("Monday 2 January")
	}
	d.upcoming(bv, action, loc)
	if !bq.Start.IsZero() && (st.Message == "" || st.Clash != nil) {
		d.Chosen = newChosenTime(bq.Start, bv, action, loc, st.Form)
	}
	return d
}

// confirming says whether the page shows the confirmation step: a time
// is chosen and confirmed, or a post was refused with a clash report.
func (d *bookingPage) confirming(bq bookingQuery) bool {
	return d.Chosen != nil && (bq.Confirm || d.State.Clash != nil)
}

// confirm fills the confirmation step for the booking in, planned as
// occ: the dates to book, those left out, and the repeat in words.
func (d *bookingPage) confirm(in BookInput, occ []Occurrence, loc *time.Location) {
	f := d.State.Form
	cf := &bookingConfirm{Skip: slices.Clone(in.Skip), Change: link(d.Action, "start", d.Chosen.Value, "repeat_days", f.Get("repeat_days"), "count", f.Get("count"), "until", f.Get("until"))}
	cf.Yours, cf.Theirs = d.Chosen.Yours, d.Chosen.Theirs
	for _, o := range occ {
		if o.Problem != "" {
			cf.Skip = append(cf.Skip, o.Index)
			continue
		}
		cf.Dates = append(cf.Dates, o.Start.In(loc).Format("Mon 2 Jan 2006, 15:04 MST"))
	}
	if in.IntervalDays > 0 {
		cf.Repeat = repeatLabel(in.IntervalDays)
		if in.Count > 0 {
			cf.Repeat += fmt.Sprintf(", %d times", in.Count)
		}
		if in.Until != "" {
			cf.Repeat += ", until " + in.Until
		}
	}
	cf.PlaceLink = strings.HasPrefix(d.View.Place, "https://") || strings.HasPrefix(d.View.Place, "http://")
	if a := d.View.Agreement; a != nil && a.EndDate != "" {
		cf.AgreementEnds = a.EndDate
	}
	d.Confirm = cf
}

// upcoming fills the member's next session and the shortcut that books
// the next one at the agreed rhythm.
func (d *bookingPage) upcoming(bv *BookingView, action string, loc *time.Location) {
	for _, s := range bv.Upcoming {
		if s.Status != StatusScheduled {
			continue
		}
		if d.Next == nil {
			d.Next = &upcomingView{Href: d.Base + "/sessions/" + s.ID.String(), Label: s.StartsAt.In(loc).Format("Monday 2 January 2006, 15:04 MST")}
		} else {
			d.MoreUpcoming++
		}
	}
	if bv.Rhythm != nil && bv.Agreement != nil {
		d.Rhythm = &rhythmView{
			Href:    link(action, "start", bv.Rhythm.Start.UTC().Format(time.RFC3339), "step", "confirm"),
			Label:   bv.Rhythm.Start.In(loc).Format("Monday 2 January, 15:04 MST"),
			Cadence: strings.ToLower(repeatLabel(bv.Agreement.CadenceDays)),
		}
	}
}

// repeatLabel says an interval in days as people do.
func repeatLabel(days int) string {
	switch {
	case days == 7:
		return "Every week"
	case days%7 == 0:
		return fmt.Sprintf("Every %d weeks", days/7)
	case days == 1:
		return "Every day"
	}
	return fmt.Sprintf("Every %d days", days)
}

func newChosenTime(start time.Time, bv *BookingView, action string, loc *time.Location, f *web.Form) *chosenTime {
	l := start.In(loc)
	ct := &chosenTime{
		Value: start.UTC().Format(time.RFC3339), Day: l.Format(time.DateOnly),
		Yours: l.Format("Monday 2 January 2006, 15:04") + "–" + start.Add(bv.Length).In(loc).Format("15:04 MST"),
		Back:  link(action, "day", l.Format(time.DateOnly)),
	}
	if bv.Zone.String() != loc.String() {
		p := start.In(bv.Zone)
		ct.Theirs = p.Format("Monday 2 January, 15:04") + "–" + start.Add(bv.Length).In(bv.Zone).Format("15:04 MST") + " (" + bv.Zone.String() + ")"
	}
	cur := f.Get("repeat_days")
	values := []int{7, 14, 21, 28}
	if a := bv.Agreement; a != nil && a.CadenceDays > 0 && !slices.Contains(values, a.CadenceDays) {
		values = append(values, a.CadenceDays)
	}
	ct.Repeats = append(ct.Repeats, repeatOption{Value: "", Label: "Does not repeat", Selected: cur == ""})
	for _, n := range values {
		label := repeatLabel(n)
		if a := bv.Agreement; a != nil && a.CadenceDays == n {
			label += " (as agreed)"
		}
		ct.Repeats = append(ct.Repeats, repeatOption{Value: strconv.Itoa(n), Label: label, Selected: cur == strconv.Itoa(n)})
	}
	return ct
}

type clashView struct {
	Index   int
	Number  int
	Label   string
	Problem string
}

func clashViews(e *ClashError, loc *time.Location) []clashView {
	if e == nil {
		return nil
	}
	var out []clashView
	for _, o := range e.Clashes() {
		out = append(out, clashView{Index: o.Index, Number: o.Index + 1, Label: o.Start.In(loc).Format("Mon 2 Jan 2006, 15:04 MST"), Problem: o.Problem})
	}
	return out
}

// The booking page's month: weeks from Monday, each day of the month
// marked with its number of open times and linked when it has any.

type bookingMonth struct {
	Title      string
	Prev, Next string // links to the neighbouring months, "" past the ends
	PrevLabel  string
	NextLabel  string
	Weeks      [][]monthDay
	DOW        []string
}

type monthDay struct {
	Number            int
	Date              string // YYYY-MM-DD; "" for the days of other months
	Href, Label       string // Href "" when the day has no open time
	Free              int
	Today, Selected   bool
	Past, OutOfWindow bool
}

// newBookingMonth lays out bv's month in loc: a day with open times
// links to its times; the neighbouring months link while they hold
// bookable days (from this month to the end of the booking window).
func newBookingMonth(bv *BookingView, action string, now time.Time, loc *time.Location) bookingMonth {
	first := bv.Month
	m := bookingMonth{Title: first.Format("January 2006"), DOW: []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}}
	free := map[int]int{}
	for _, s := range bv.Slots {
		l := s.Start.In(loc)
		if l.Year() == first.Year() && l.Month() == first.Month() {
			free[l.Day()]++
		}
	}
	n := now.In(loc)
	today := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, loc)
	if prev := first.AddDate(0, -1, 0); !first.Add(-time.Nanosecond).Before(monthOf(now, now, loc)) {
		m.Prev, m.PrevLabel = link(action, "month", prev.Format("2006-01")), prev.Format("January 2006")
	}
	if next := first.AddDate(0, 1, 0); next.Before(bv.WindowEnd) {
		m.Next, m.NextLabel = link(action, "month", next.Format("2006-01")), next.Format("January 2006")
	}
	week := make([]monthDay, (int(first.Weekday())+6)%7)
	for d := first; d.Month() == first.Month(); d = d.AddDate(0, 0, 1) {
		md := monthDay{Number: d.Day(), Date: d.Format(time.DateOnly), Free: free[d.Day()], Today: d.Equal(today), Past: d.Before(today), OutOfWindow: !d.Before(bv.WindowEnd)}
		md.Label = d.Format("Monday 2 January") + ": no open times"
		if md.Free > 0 {
			md.Href = link(action, "day", md.Date)
			md.Label = fmt.Sprintf("%s: %d open %s", d.Format("Monday 2 January"), md.Free, plural(md.Free, "time", "times"))
		}
		week = append(week, md)
		if len(week) == 7 {
			m.Weeks, week = append(m.Weeks, week), nil
		}
	}
	if len(week) > 0 {
		week = append(week, make([]monthDay, 7-len(week))...)
		m.Weeks = append(m.Weeks, week)
	}
	return m
}

// choose marks day as the chosen one.
func (m *bookingMonth) choose(day time.Time) {
	for i := range m.Weeks {
		for j := range m.Weeks[i] {
			if m.Weeks[i][j].Date == day.Format(time.DateOnly) {
				m.Weeks[i][j].Selected = true
			}
		}
	}
}

func sameMonth(a, b time.Time) bool { return a.Year() == b.Year() && a.Month() == b.Month() }

// firstFreeDay is the local date of the first slot; zero without slots.
func firstFreeDay(slots []Slot, loc *time.Location) time.Time {
	if len(slots) == 0 {
		return time.Time{}
	}
	l := slots[0].Start.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
}

// timesOf lists the slots that start on day (a local date of loc).
func timesOf(slots []Slot, day time.Time, loc *time.Location) []slotView {
	var out []slotView
	for _, s := range slots {
		l := s.Start.In(loc)
		if l.Year() == day.Year() && l.YearDay() == day.YearDay() {
			out = append(out, slotView{Value: s.Start.UTC().Format(time.RFC3339), Label: l.Format("15:04 MST")})
		}
	}
	return out
}
