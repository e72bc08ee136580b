package calendar

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/web"
)

// Book books the time a participant chose on the booking page (a
// series, with the repeat fields): one call of the booking service,
// which checks in the transaction that writes the sessions that the
// viewer takes part and the relationship is active. A booking refused,
// or a form that does not parse, shows the page again with the reason.
func (h *Handlers) Book(c *gin.Context) error {
	v := web.CurrentViewer(c)
	relID, err := web.IDParam(c, "rel")
	if err != nil {
		return err
	}
	f := web.NewForm(web.PostedForm(c))
	in, err := bookInput(f, relID, v.UserID)
	var sessions []Session
	if err == nil {
		sessions, err = h.Service.Book(c.Request.Context(), v.Org.ID, in)
	}
	if st, status, ok := bookingFailure(err, f); ok {
		return h.renderBooking(c, v, relID, status, st, f.Values)
	}
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", bookedMessage(sessions))
	web.Redirect(c, base(v)+"/sessions/"+sessions[0].ID.String())
	return nil
}

// errFormInvalid: the booking form has errors, shown beside its fields.
var errFormInvalid = errors.New("calendar: the booking form has errors")

// bookInput reads the booking form: the time chosen and its repeat. A
// form with errors (each beside its field) gives errFormInvalid.
func bookInput(f *web.Form, relID, actorID uuid.UUID) (BookInput, error) {
	in := BookInput{RelationshipID: relID, ActorID: actorID}
	start, err := time.Parse(time.RFC3339, f.Get("start"))
	if err != nil {
		f.Add("start", "Choose one of the times offered.")
	}
	in.Start = start
	repeatFields(f, &in)
	if !f.Valid() {
		return in, errFormInvalid
	}
	return in, nil
}

func (h *Handlers) ShowBookingPage(c *gin.Context) error {
	v := web.CurrentViewer(c)
	relID, err := web.IDParam(c, "rel")
	if err != nil {
		return err
	}
	return h.renderBooking(c, v, relID, http.StatusOK, bookingState{}, c.Request.URL.Query())
}

// renderBooking shows the booking page for the state in q (the query of a
// GET, or the posted form when a booking was refused). An htmx request
// aimed at the picker gets the picker alone.
func (h *Handlers) renderBooking(c *gin.Context, v *web.Viewer, relID uuid.UUID, status int, st bookingState, q url.Values) error {
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
	d := newBookingPage(bv, bq, st, c.Request.URL.Path, base(v), h.Service.Clock.Now(), loc)
	if d.confirming(bq) {
		in := BookInput{RelationshipID: relID, ActorID: v.UserID, Start: bq.Start}
		if err := h.confirmStep(ctx, &d, v.Org.ID, in, loc); err != nil {
			return err
		}
	}
	page := web.NewPage(c, "Book a session", d)
	page.Nav = "calendar"
	return h.Renderer.Render(c, status, PageBook, page, web.Fragment{Target: "booking", Block: "booking", Data: page})
}

// confirmStep fills the confirmation step: the booking planned (or, after
// a refused post, as refused), with the clash report in place. Repeat
// fields that do not parse keep the person on the chosen time, with the
// messages beside the fields; a plan refused says why, as a booking would.
func (h *Handlers) confirmStep(ctx context.Context, d *bookingPage, orgID uuid.UUID, in BookInput, loc *time.Location) error {
	f := d.State.Form
	repeatFields(f, &in)
	if !f.Valid() {
		return nil
	}
	var occ []Occurrence
	if clash := d.State.Clash; clash != nil {
		for _, o := range clash.Occurrences {
			if !slices.Contains(in.Skip, o.Index) {
				occ = append(occ, o)
			}
		}
	} else {
		var err error
		occ, err = h.Service.PlanBooking(ctx, orgID, in)
		if st, _, ok := bookingFailure(err, f); ok {
			// The repeat stays on offer (fewer times may fit), but not in
			// a relationship that is not active.
			d.State.Message = st.Message
			if errors.Is(err, ErrInactive) {
				d.Chosen = nil
			}
			return nil
		}
		if err != nil {
			return err
		}
		d.Clashes = clashViews(&ClashError{Occurrences: occ}, loc)
	}
	d.confirm(in, occ, loc)
	return nil
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
	case errors.Is(err, errFormInvalid):
		st := bookingState{Form: f}
		if f.Error("start") != "" {
			st.Message = "Please choose one of the times offered."
		}
		return st, http.StatusUnprocessableEntity, true
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
