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

// Direct scheduling: a practitioner or an admin puts a session in a
// relationship's calendar, outside the booking rules.

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
	label := day.Format("Monday 2 January")
	f.Add("time", "That time clashes with another session in the practitioner's calendar.")
	var open []string
	if bv, err := h.Service.BookingPage(c.Request.Context(), v.Org.ID, in.RelationshipID, v.UserID, day, loc); err == nil {
		for _, sl := range bv.Slots {
			l := sl.Start.In(loc)
			if l.Year() == day.Year() && l.YearDay() == day.YearDay() {
				open = append(open, l.Format("15:04"))
			}
		}
	}
	if len(open) == 0 {
		return bookingState{Form: f, Message: "Sorry, that time is taken, and no open time is left on " + label + ". Choose another day, or another time outside the open hours."}
	}
	return bookingState{Form: f, Message: "Sorry, that time is taken. Still open on " + label + ": " + words.List(open) + "."}
}
