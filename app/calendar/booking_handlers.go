package calendar

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/web"
)

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

// renderBooking shows the booking page for the state in q (the query of a
// GET, or the posted form when a booking was refused). An htmx request
// aimed at the picker gets the picker alone.
func (h *Handlers) renderBooking(c *gin.Context, status int, st bookingState, q url.Values) error {
	v := web.CurrentViewer(c)
	relID, err := web.IDParam(c, "rel")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	loc := viewerZone(v)
	bq := parseBookingQuery(q, loc)
	bv, err := h.Service.BookingPage(ctx, v.Org.ID, relID, v.UserID, bq.Month, loc)
	if err != nil {
		return err
	}
	if st.Form == nil {
		st.Form = web.NewForm(q)
	}
	now := h.Service.Clock.Now()
	action := c.Request.URL.Path
	d := bookingPage{
		View: bv, Base: base(v), Action: action, Zone: loc.String(), PractitionerZone: bv.Zone.String(),
		Minutes: int(bv.Length / time.Minute), State: st, Clashes: clashViews(st.Clash, loc),
	}
	d.Month = newBookingMonth(bv, action, now, loc)
	if q.Get("month") != "" && bq.Day.IsZero() {
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
		if bq.Confirm || st.Clash != nil {
			if err := h.confirmStep(c, &d, relID, bq, st.Form); err != nil {
				return err
			}
		}
	}
	page := web.NewPage(c, "Book a session", d)
	page.Nav = "calendar"
	return h.Renderer.Render(c, status, PageBook, page, web.Fragment{Target: "booking", Block: "booking", Data: page})
}

// confirmStep fills the confirmation step: the booking planned (or, after
// a refused post, as refused), with the clash report in place. Repeat
// fields that do not parse keep the person on the chosen time, with the
// messages beside the fields.
func (h *Handlers) confirmStep(c *gin.Context, d *bookingPage, relID uuid.UUID, bq bookingQuery, f *web.Form) error {
	v := web.CurrentViewer(c)
	loc := viewerZone(v)
	in := BookInput{RelationshipID: relID, ActorID: v.UserID, Start: bq.Start}
	repeatFields(f, &in)
	if !f.Valid() {
		return nil
	}
	occ := []Occurrence(nil)
	if d.State.Clash != nil {
		for _, o := range d.State.Clash.Occurrences {
			if !slices.Contains(in.Skip, o.Index) {
				occ = append(occ, o)
			}
		}
	} else {
		var err error
		var refused *AgreementError
		occ, err = h.Service.PlanBooking(c.Request.Context(), v.Org.ID, in)
		switch {
		case errors.Is(err, ErrEmptySeries):
			f.Add("until", "The series ends before its first session: choose a later date, or a number of times.")
			return nil
		case errors.Is(err, ErrInactive):
			d.State.Message = "This relationship is not active, so sessions cannot be booked."
			d.Chosen = nil
			return nil
		case errors.As(err, &refused):
			// The repeat stays on offer: fewer times may fit.
			d.State.Message = refused.Message
			return nil
		case err != nil:
			return err
		}
		d.Clashes = clashViews(&ClashError{Occurrences: occ}, loc)
	}
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
	return nil
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

func (h *Handlers) ShowBookingPage(c *gin.Context) error {
	return h.renderBooking(c, http.StatusOK, bookingState{}, c.Request.URL.Query())
}

// LongSessionLabel is the label of the box that confirms a session longer
// than usual; the message asking for it quotes it.
const LongSessionLabel = "Yes, I mean a session this long"

type bookingState struct {
	Form    *web.Form
	Message string
	Clash   *ClashError
	// AskLong: the session is longer than usual; the form shows the box
	// that confirms it.
	AskLong bool
}

// repeatFields reads the series fields shared by booking and scheduling.
func repeatFields(f *web.Form, in *BookInput) {
	if f.Get("repeat_days") == "" {
		return
	}
	n, err := strconv.Atoi(f.Get("repeat_days"))
	if err != nil || n < 1 || n > 365 {
		f.Add("repeat_days", "Enter a number of days between 1 and 365.")
		return
	}
	in.IntervalDays = n
	if f.Get("count") != "" {
		c, err := strconv.Atoi(f.Get("count"))
		if err != nil || c < 1 || c > maxOccurrences {
			f.Add("count", fmt.Sprintf("Enter a number between 1 and %d.", maxOccurrences))
		}
		in.Count = c
	}
	if u := f.Get("until"); u != "" {
		if _, err := time.Parse(time.DateOnly, u); err != nil {
			f.Add("until", "Enter a date such as 2027-06-30.")
		}
		in.Until = u
	}
	if in.Count == 0 && in.Until == "" {
		f.Add("count", "Say how many times, or until when.")
	}
	for _, s := range f.Values["skip"] {
		if i, err := strconv.Atoi(s); err == nil {
			in.Skip = append(in.Skip, i)
		}
	}
}

func (h *Handlers) Book(c *gin.Context) error {
	v := web.CurrentViewer(c)
	relID, err := web.IDParam(c, "rel")
	if err != nil {
		return err
	}
	f := web.NewForm(web.PostedForm(c))
	in := BookInput{RelationshipID: relID, ActorID: v.UserID}
	start, perr := time.Parse(time.RFC3339, f.Get("start"))
	if perr != nil {
		f.Add("start", "Choose one of the times offered.")
	}
	in.Start = start
	repeatFields(f, &in)
	if !f.Valid() {
		st := bookingState{Form: f}
		if perr != nil {
			st.Message = "Please choose one of the times offered."
		}
		return h.renderBooking(c, http.StatusUnprocessableEntity, st, f.Values)
	}
	// Book checks that the viewer takes part, in the transaction that books.
	sessions, err := h.Service.Book(c.Request.Context(), v.Org.ID, in)
	if st, status, ok := bookingFailure(err, f); ok {
		return h.renderBooking(c, status, st, f.Values)
	}
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", bookedMessage(sessions))
	web.Redirect(c, base(v)+"/sessions/"+sessions[0].ID.String())
	return nil
}

func bookedMessage(ss []Session) string {
	if len(ss) == 1 {
		return "Your session is booked. We e-mailed everyone an invitation."
	}
	return fmt.Sprintf("%d sessions are booked. We e-mailed everyone an invitation.", len(ss))
}

// bookingFailure turns a refused booking into the page state to show.
func bookingFailure(err error, f *web.Form) (bookingState, int, bool) {
	var clash *ClashError
	var refused *AgreementError
	switch {
	case errors.As(err, &refused):
		return bookingState{Form: f, Message: refused.Message}, http.StatusUnprocessableEntity, true
	case errors.As(err, &clash):
		return bookingState{Form: f, Clash: clash, Message: "Some of these sessions clash or fall outside the booking rules. Book the others, leaving those out, or choose another time."}, http.StatusUnprocessableEntity, true
	case errors.Is(err, ErrSlotTaken):
		return bookingState{Form: f, Message: "Sorry, that time has just been taken. Here are the times still open."}, http.StatusConflict, true
	case errors.Is(err, ErrNotOffered):
		return bookingState{Form: f, Message: "That time is not open for booking. Please choose one of the times below."}, http.StatusUnprocessableEntity, true
	case errors.Is(err, ErrEmptySeries):
		f.Add("until", "The series ends before its first session: choose a later date, or a number of times.")
		return bookingState{Form: f}, http.StatusUnprocessableEntity, true
	case errors.Is(err, ErrInactive):
		return bookingState{Form: f, Message: "This relationship is not active, so sessions cannot be booked."}, http.StatusUnprocessableEntity, true
	case errors.Is(err, ErrNotLeader):
		f.Add("practitioner_id", "Choose one of the relationship's practitioners to lead it.")
		return bookingState{Form: f}, http.StatusUnprocessableEntity, true
	}
	return bookingState{}, 0, false
}
