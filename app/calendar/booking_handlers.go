package calendar

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/web"
	"github.com/leadershiptoolbox/toolbox/app/words"
)

// slotDay groups slots by the viewer's local date.
type slotDay struct {
	Label string
	Slots []slotView
}

type slotView struct {
	Value, Label string
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

// bookingPage is what pages/calendar/book.html shows.
type bookingPage struct {
	View                                 *BookingView
	Days                                 []slotDay
	Zone, PractitionerZone, Action, Base string
	Minutes                              int
	State                                bookingState
	Clashes                              []clashView
}

// schedulePage is what pages/calendar/new.html shows.
type schedulePage struct {
	Relationships []relationshipChoice
	// Leaders are the other practitioners of the viewer's relationships,
	// who may be chosen to lead the session instead of the viewer.
	Leaders    []leaderChoice
	State      bookingState
	Zone, Base string
	Clashes    []clashView
	Keep       []string // the fields a clash form sends again
	// LongMinutes is the organisation's usual longest session; AskLong
	// shows the box that confirms a longer one (LongLabel).
	LongMinutes int
	LongLabel   string
}

// relationshipChoice is a relationship as the scheduling form offers it:
// "Coaching, one to one, with Mel Member".
type relationshipChoice struct {
	ID    uuid.UUID
	Label string
}

type leaderChoice struct {
	ID   uuid.UUID
	Name string
}

// LongSessionLabel is the label of the box that confirms a session longer
// than usual; the message asking for it quotes it.
const LongSessionLabel = "Yes, I mean a session this long"

type bookingState struct {
	Form    *web.Form
	Message string
	Clash   *ClashError
	Start   string
	// AskLong: the session is longer than usual; the form shows the box
	// that confirms it.
	AskLong bool
	// Open lists the times still open on the chosen day, after a time
	// was taken (direct scheduling); OpenDay names the day.
	Open    []string
	OpenDay string
}

func (h *Handlers) renderBooking(c *gin.Context, status int, st bookingState) error {
	v := web.CurrentViewer(c)
	relID, err := web.IDParam(c, "rel")
	if err != nil {
		return err
	}
	bv, err := h.Service.BookingPage(c.Request.Context(), v.Org.ID, relID, v.UserID, maxWindowDays)
	if err != nil {
		return err
	}
	loc := viewerZone(v)
	if st.Form == nil {
		st.Form = web.NewForm(nil)
	}
	page := web.NewPage(c, "Book a session", bookingPage{
		View: bv, Days: groupSlots(bv.Slots, loc), Zone: loc.String(), PractitionerZone: bv.Zone.String(),
		Minutes: int(bv.Length / time.Minute), State: st, Action: c.Request.URL.Path, Base: base(v),
		Clashes: clashViews(st.Clash, loc),
	})
	page.Nav = "calendar"
	return h.Renderer.Render(c, status, PageBook, page)
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
	return h.renderBooking(c, http.StatusOK, bookingState{})
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
		return h.renderBooking(c, http.StatusUnprocessableEntity, bookingState{Form: f, Message: "Please choose one of the times offered."})
	}
	// Book checks that the viewer takes part, in the transaction that books.
	sessions, err := h.Service.Book(c.Request.Context(), v.Org.ID, in)
	if st, status, ok := bookingFailure(err, f); ok {
		st.Start = f.Get("start")
		return h.renderBooking(c, status, st)
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
	switch {
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

func (h *Handlers) practitionerRelationships(c *gin.Context, v *web.Viewer) ([]relationships.Relationship, error) {
	rels, err := h.bookable(c, v)
	if err != nil {
		return nil, err
	}
	var out []relationships.Relationship
	for _, r := range rels {
		side, err := h.Service.Relationships.Side(c.Request.Context(), v.Org.ID, r.ID, v.UserID)
		if err != nil {
			return nil, err
		}
		if side == relationships.SidePractitioner {
			out = append(out, r)
		}
	}
	return out, nil
}

func (h *Handlers) renderNewSession(c *gin.Context, status int, st bookingState) error {
	v := web.CurrentViewer(c)
	ctx := c.Request.Context()
	rels, err := h.practitionerRelationships(c, v)
	if err != nil {
		return err
	}
	namings, err := h.Service.Relationships.Namings(ctx, v.Org.ID, relIDs(rels))
	if err != nil {
		return err
	}
	org, err := h.Service.Tenancy.OrgByID(ctx, v.Org.ID)
	if err != nil {
		return err
	}
	choices := make([]relationshipChoice, 0, len(rels))
	var leaders []leaderChoice
	for _, r := range rels {
		n := namings[r.ID]
		choices = append(choices, relationshipChoice{ID: r.ID, Label: n.Choice(v.UserID)})
		for _, p := range n.People {
			if p.Side == relationships.SidePractitioner && p.UserID != v.UserID &&
				!slices.ContainsFunc(leaders, func(l leaderChoice) bool { return l.ID == p.UserID }) {
				leaders = append(leaders, leaderChoice{ID: p.UserID, Name: p.Name})
			}
		}
	}
	if st.Form == nil {
		st.Form = web.NewForm(nil)
		st.Form.Set("date", h.Service.Clock.Now().In(viewerZone(v)).AddDate(0, 0, 1).Format(time.DateOnly))
		st.Form.Set("time", "09:00")
		st.Form.Set("capacity", "1")
		st.Form.Set("relationship_id", c.Query("relationship"))
	}
	if st.Form.Get("confirm_long") != "" {
		st.AskLong = true // the box stays, ticked, with the form
	}
	loc := viewerZone(v)
	page := web.NewPage(c, "Schedule a session", schedulePage{
		Relationships: choices, Leaders: leaders, State: st, Zone: loc.String(), Base: base(v), Clashes: clashViews(st.Clash, loc),
		Keep:        []string{"relationship_id", "practitioner_id", "date", "time", "minutes", "confirm_long", "capacity", "repeat_days", "count", "until"},
		LongMinutes: org.Settings.LongSession(), LongLabel: LongSessionLabel,
	})
	page.Nav = "calendar"
	return h.Renderer.Render(c, status, PageNewSession, page)
}

func (h *Handlers) ShowNewSessionPage(c *gin.Context) error {
	return h.renderNewSession(c, http.StatusOK, bookingState{})
}

// parseLocal reads date and time fields in loc.
func parseLocal(f *web.Form, dateField, timeField string, loc *time.Location) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", f.Get(dateField)+" "+f.Get(timeField), loc)
	if err != nil {
		if _, derr := time.Parse(time.DateOnly, f.Get(dateField)); derr != nil {
			f.Add(dateField, "Enter a date such as 2027-03-02.")
		} else {
			f.Add(timeField, "Enter a time such as 09:30.")
		}
	}
	return t
}

func (h *Handlers) Schedule(c *gin.Context) error {
	v := web.CurrentViewer(c)
	f := web.NewForm(web.PostedForm(c))
	f.Required("relationship_id", "date", "time")
	relID, err := uuid.Parse(f.Get("relationship_id"))
	if err != nil {
		f.Add("relationship_id", "Choose a relationship.")
	}
	in := BookInput{RelationshipID: relID, ActorID: v.UserID, Direct: true, Admin: tenancy.Has(v, tenancy.Admins...), Capacity: 1, IP: c.ClientIP()}
	in.Start = parseLocal(f, "date", "time", viewerZone(v))
	if m := f.Get("minutes"); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n < 5 || n > 600 {
			f.Add("minutes", "Enter a length between 5 and 600 minutes.")
		}
		in.Minutes = n
	}
	in.LongConfirmed = f.Get("confirm_long") != ""
	if p := f.Get("practitioner_id"); p != "" {
		id, err := uuid.Parse(p)
		if err != nil {
			f.Add("practitioner_id", "Choose one of the relationship's practitioners to lead it.")
		}
		in.PractitionerID = id
	}
	if cp := f.Get("capacity"); cp != "" {
		n, err := strconv.Atoi(cp)
		if err != nil || n < 1 || n > 200 {
			f.Add("capacity", "Enter a number of seats between 1 and 200.")
		}
		in.Capacity = n
	}
	repeatFields(f, &in)
	if f.Valid() {
		// Only the relationship's practitioners (or an admin) schedule.
		side, err := h.Service.Relationships.Side(c.Request.Context(), v.Org.ID, relID, v.UserID)
		switch {
		case errors.Is(err, db.ErrNotFound) || (err == nil && side != relationships.SidePractitioner):
			if !tenancy.Has(v, tenancy.Admins...) {
				f.Add("relationship_id", "Choose one of your relationships.")
			} else if _, gerr := h.Service.Relationships.Get(c.Request.Context(), v.Org.ID, relID); gerr != nil {
				f.Add("relationship_id", "Choose one of your relationships.")
			}
		case err != nil:
			return err
		}
	}
	if !f.Valid() {
		return h.renderNewSession(c, http.StatusUnprocessableEntity, bookingState{Form: f})
	}
	if !in.Start.After(h.Service.Clock.Now()) {
		f.Add("date", "Choose a time in the future.")
		return h.renderNewSession(c, http.StatusUnprocessableEntity, bookingState{Form: f})
	}
	sessions, err := h.Service.Book(c.Request.Context(), v.Org.ID, in)
	if errors.Is(err, ErrTooLong) {
		end := in.Start.Add(minutes(in.Minutes)).In(viewerZone(v))
		f.Add("minutes", fmt.Sprintf("%d minutes is longer than the usual longest session here. It would end %s. Tick %q below if you mean it.",
			in.Minutes, end.Format("Mon 2 Jan at 15:04"), LongSessionLabel))
		return h.renderNewSession(c, http.StatusUnprocessableEntity, bookingState{Form: f, AskLong: true})
	}
	if errors.Is(err, ErrSlotTaken) {
		return h.renderNewSession(c, http.StatusConflict, h.takenState(c, v, f, in))
	}
	if st, status, ok := bookingFailure(err, f); ok {
		st.AskLong = in.LongConfirmed
		return h.renderNewSession(c, status, st)
	}
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", bookedMessage(sessions))
	web.Redirect(c, base(v)+"/sessions/"+sessions[0].ID.String())
	return nil
}

// takenState is the scheduling form after its time turned out to clash
// with another session: it says so, and lists the practitioner's open
// times still free on that day (or that none is).
func (h *Handlers) takenState(c *gin.Context, v *web.Viewer, f *web.Form, in BookInput) bookingState {
	loc := viewerZone(v)
	day := in.Start.In(loc)
	st := bookingState{Form: f, OpenDay: day.Format("Monday 2 January")}
	f.Add("time", "That time clashes with another session in the practitioner's calendar.")
	bv, err := h.Service.BookingPage(c.Request.Context(), v.Org.ID, in.RelationshipID, v.UserID, maxWindowDays)
	if err == nil {
		for _, sl := range bv.Slots {
			l := sl.Start.In(loc)
			if l.Year() == day.Year() && l.YearDay() == day.YearDay() {
				st.Open = append(st.Open, l.Format("15:04"))
			}
		}
	}
	if len(st.Open) == 0 {
		st.Message = "Sorry, that time is taken, and no open time is left on " + st.OpenDay + ". Choose another day, or another time outside the open hours."
	} else {
		st.Message = "Sorry, that time is taken. Still open on " + st.OpenDay + ": " + words.List(st.Open) + "."
	}
	return st
}
