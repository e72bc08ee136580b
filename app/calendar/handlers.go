package calendar

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// Handlers serve the calendar pages.
type Handlers struct {
	Service  *Service
	Renderer *web.Renderer
}

func viewerZone(v *web.Viewer) *time.Location {
	if loc := loadZone(v.Zone()); loc != nil {
		return loc
	}
	return time.UTC
}

// base is the calendar's URL prefix for the current organisation.
func base(v *web.Viewer) string { return "/o/" + v.Org.Slug + "/calendar" }

// ---- calendar views --------------------------------------------------

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

func (h *Handlers) ShowCalendarPage(c *gin.Context) error {
	v := web.CurrentViewer(c)
	loc := viewerZone(v)
	now := h.Service.Clock.Now().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	date := today
	if d, err := time.ParseInLocation(time.DateOnly, c.Query("date"), loc); err == nil {
		date = d
	}
	view := c.Query("view")
	if view != "month" && view != "day" {
		view = "week"
	}
	var from, to, prev, next time.Time
	var title string
	switch view {
	case "day":
		from, to = date, date.AddDate(0, 0, 1)
		prev, next = date.AddDate(0, 0, -1), date.AddDate(0, 0, 1)
		title = date.Format("Monday 2 January 2006")
	case "month":
		first := time.Date(date.Year(), date.Month(), 1, 0, 0, 0, 0, loc)
		from = first.AddDate(0, 0, -((int(first.Weekday()) + 6) % 7))
		last := first.AddDate(0, 1, -1)
		to = last.AddDate(0, 0, 7-((int(last.Weekday())+6)%7))
		prev, next = first.AddDate(0, -1, 0), first.AddDate(0, 1, 0)
		title = first.Format("January 2006")
	default:
		from = date.AddDate(0, 0, -((int(date.Weekday()) + 6) % 7))
		to = from.AddDate(0, 0, 7)
		prev, next = from.AddDate(0, 0, -7), from.AddDate(0, 0, 7)
		title = "Week of " + from.Format("2 January 2006")
	}
	sessions, err := h.Service.SessionsOf(c.Request.Context(), v.Org.ID, v.UserID, from, to)
	if err != nil {
		return err
	}
	prefix := base(v) + "/sessions/"
	var days []calDay
	firstHour, lastHour := 8, 18
	for _, s := range sessions {
		l := s.StartsAt.In(loc)
		firstHour = min(firstHour, l.Hour())
		e := s.EndsAt.In(loc)
		lastHour = max(lastHour, min(e.Hour(), 23))
	}
	var hourLabels []string
	for hr := firstHour; hr <= lastHour; hr++ {
		hourLabels = append(hourLabels, fmt.Sprintf("%02d:00", hr))
	}
	for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
		day := calDay{Date: d, Label: d.Format("Mon 2"), Today: d.Equal(today), Other: view == "month" && d.Month() != date.Month()}
		for hr := firstHour; hr <= lastHour; hr++ {
			day.Hours = append(day.Hours, calHour{Label: fmt.Sprintf("%02d:00", hr)})
		}
		for _, s := range sessions {
			l := s.StartsAt.In(loc)
			if l.Year() != d.Year() || l.YearDay() != d.YearDay() {
				continue
			}
			ev := calEvent{Href: prefix + s.ID.String(), Time: l.Format("15:04"), Title: s.Title, Kind: s.Kind, Status: s.Status}
			day.Events = append(day.Events, ev)
			if i := l.Hour() - firstHour; i >= 0 && i < len(day.Hours) {
				day.Hours[i].Events = append(day.Hours[i].Events, ev)
			}
		}
		days = append(days, day)
	}
	rels, err := h.bookable(c, v)
	if err != nil {
		return err
	}
	page := web.NewPage(c, "Calendar", gin.H{
		"View": view, "Title": title, "Days": days, "Hours": hourLabels, "Zone": loc.String(),
		"Date": date.Format(time.DateOnly), "Prev": prev.Format(time.DateOnly), "Next": next.Format(time.DateOnly),
		"Today": today.Format(time.DateOnly), "Base": base(v), "Bookable": rels,
		"IsPractitioner": tenancy.Has(v, tenancy.Practitioners...), "Sessions": sessions, "Loc": loc,
		"IsAdmin": tenancy.Has(v, tenancy.Admins...),
		"Views":   []string{"day", "week", "month"}, "DOW": []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"},
	})
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

// ---- booking ----------------------------------------------------------

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

type bookingState struct {
	Form    *web.Form
	Message string
	Clash   *ClashError
	Start   string
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
	page := web.NewPage(c, "Book a session", gin.H{
		"View": bv, "Days": groupSlots(bv.Slots, loc), "Zone": loc.String(), "PractitionerZone": bv.Zone.String(),
		"Minutes": int(bv.Length / time.Minute), "State": st, "Action": c.Request.URL.Path, "Base": base(v),
		"Clashes": clashViews(st.Clash, loc), "Loc": loc,
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
	// Only participants book; the page load checks it, and so does this.
	if _, err := h.Service.BookingPage(c.Request.Context(), v.Org.ID, relID, v.UserID, 0); err != nil {
		return err
	}
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
	case errors.Is(err, ErrInactive):
		return bookingState{Form: f, Message: "This relationship is not active, so sessions cannot be booked."}, http.StatusUnprocessableEntity, true
	}
	return bookingState{}, 0, false
}

// ---- direct scheduling (practitioners) ---------------------------------

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
	rels, err := h.practitionerRelationships(c, v)
	if err != nil {
		return err
	}
	if st.Form == nil {
		st.Form = web.NewForm(nil)
		st.Form.Set("date", h.Service.Clock.Now().In(viewerZone(v)).AddDate(0, 0, 1).Format(time.DateOnly))
		st.Form.Set("time", "09:00")
		st.Form.Set("capacity", "1")
		st.Form.Set("relationship_id", c.Query("relationship"))
	}
	loc := viewerZone(v)
	page := web.NewPage(c, "Schedule a session", gin.H{
		"Relationships": rels, "State": st, "Zone": loc.String(), "Base": base(v), "Clashes": clashViews(st.Clash, loc),
		"Keep": []string{"relationship_id", "date", "time", "minutes", "capacity", "repeat_days", "count", "until"},
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
	in := BookInput{RelationshipID: relID, ActorID: v.UserID, Direct: true, Capacity: 1, IP: c.ClientIP()}
	in.Start = parseLocal(f, "date", "time", viewerZone(v))
	if m := f.Get("minutes"); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n < 5 || n > 600 {
			f.Add("minutes", "Enter a length between 5 and 600 minutes.")
		}
		in.Minutes = n
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

// ---- one session -------------------------------------------------------

// loadSession loads a session the viewer may see: its people, and the
// organisation's admins. Anyone else gets the same 404 as for no session.
func (h *Handlers) loadSession(c *gin.Context) (*SessionView, string, bool, error) {
	v := web.CurrentViewer(c)
	id, err := web.IDParam(c, "id")
	if err != nil {
		return nil, "", false, err
	}
	sv, err := h.Service.SessionDetail(c.Request.Context(), v.Org.ID, id)
	if err != nil {
		return nil, "", false, err
	}
	side, err := h.Service.Participates(c.Request.Context(), sv, v.UserID)
	if err != nil {
		return nil, "", false, err
	}
	admin := tenancy.Has(v, tenancy.Admins...)
	if side == "" && !admin {
		return nil, "", false, fmt.Errorf("calendar: %s is not in session %s: %w", v.UserID, id, db.ErrNotFound)
	}
	return sv, side, admin || side == relationships.SidePractitioner, nil
}

type sessionState struct {
	Cancel, Move, Attendance, Mode *web.Form
	Message                        string
}

func (h *Handlers) renderSession(c *gin.Context, status int, st sessionState) error {
	v := web.CurrentViewer(c)
	sv, side, privileged, err := h.loadSession(c)
	if err != nil {
		return err
	}
	loc := viewerZone(v)
	for _, f := range []**web.Form{&st.Cancel, &st.Move, &st.Attendance, &st.Mode} {
		if *f == nil {
			*f = web.NewForm(nil)
		}
	}
	if st.Move.Get("date") == "" {
		l := sv.StartsAt.In(loc)
		st.Move.Set("date", l.Format(time.DateOnly))
		st.Move.Set("time", l.Format("15:04"))
	}
	var mine *AttendeeView
	for i := range sv.Attendees {
		if sv.Attendees[i].UserID == v.UserID {
			mine = &sv.Attendees[i]
		}
	}
	modes, err := h.Service.ModesOf(c.Request.Context(), v.Org.ID, &sv.Session)
	if err != nil {
		return err
	}
	now := h.Service.Clock.Now()
	page := web.NewPage(c, sv.Title, gin.H{
		"Modes": modes, "Kinds": relationships.Kinds, "CanSwitchMode": side == relationships.SidePractitioner && sv.Status != StatusCancelled,
		"S": sv, "Side": side, "Privileged": privileged, "Zone": loc.String(), "Loc": loc, "Base": base(v),
		"Start": sv.StartsAt.In(loc), "End": sv.EndsAt.In(loc), "PractitionerStart": sv.StartsAt.In(zoneOr(sv.TimeZone)),
		"Mine": mine, "State": st, "Scheduled": sv.Status == StatusScheduled, "Started": !sv.StartsAt.After(now),
		"Upcoming": sv.StartsAt.After(now), "Outcomes": Outcomes, "InSeries": sv.SeriesID != nil,
		"CanJoin":  sv.IsGroup() && side == relationships.SideMember && (mine == nil || mine.Status == AttendeeCancelled),
		"CanLeave": sv.IsGroup() && mine != nil && (mine.Status == AttendeeBooked || mine.Status == AttendeeWaitlisted),
		"CanMove":  privileged || !sv.IsGroup(),
	})
	page.Nav = "calendar"
	return h.Renderer.Render(c, status, PageSession, page)
}

func zoneOr(name string) *time.Location {
	if loc := loadZone(name); loc != nil {
		return loc
	}
	return time.UTC
}

func (h *Handlers) ShowSessionPage(c *gin.Context) error {
	return h.renderSession(c, http.StatusOK, sessionState{})
}

func (h *Handlers) changeInput(c *gin.Context, f *web.Form) (ChangeInput, *SessionView, error) {
	v := web.CurrentViewer(c)
	sv, _, privileged, err := h.loadSession(c)
	if err != nil {
		return ChangeInput{}, nil, err
	}
	f.MaxLength("reason", 500)
	return ChangeInput{
		SessionID: sv.ID, ActorID: v.UserID, Privileged: privileged, Reason: f.Get("reason"),
		OverrideNotice: privileged && f.Get("override_notice") == "on", Following: f.Get("following") == "on",
		IP: c.ClientIP(),
	}, sv, nil
}

// changeFailure turns a refused change into a message on the form.
func (h *Handlers) changeFailure(c *gin.Context, err error, f *web.Form, privileged bool) (string, bool) {
	switch {
	case errors.Is(err, ErrTooLate):
		org, oerr := h.Service.Tenancy.OrgByID(c.Request.Context(), web.CurrentViewer(c).Org.ID)
		hours := 0
		if oerr == nil {
			hours = org.Settings.MinCancelNoticeHours
		}
		msg := fmt.Sprintf("This is less than %d hours before the session, the organisation's minimum notice. Please contact your practitioner.", hours)
		if privileged {
			msg = fmt.Sprintf("This is less than %d hours before the session, the organisation's minimum notice. Tick \"Override the notice\" to go ahead; the override is recorded.", hours)
		}
		f.Add("override_notice", msg)
		return msg, true
	case errors.Is(err, ErrSlotTaken):
		f.Add("time", "That time clashes with another session of the practitioner. Please choose another.")
		return "That time is taken.", true
	case errors.Is(err, ErrNotOffered):
		f.Add("time", "That time is not one of the practitioner's open times.")
		return "That time is not open.", true
	case errors.Is(err, ErrNotChangeable):
		return "This session is not scheduled any more, so it cannot be changed.", true
	}
	return "", false
}

func (h *Handlers) Cancel(c *gin.Context) error {
	v := web.CurrentViewer(c)
	f := web.NewForm(web.PostedForm(c))
	f.Required("reason")
	in, sv, err := h.changeInput(c, f)
	if err != nil {
		return err
	}
	if !f.Valid() {
		return h.renderSession(c, http.StatusUnprocessableEntity, sessionState{Cancel: f})
	}
	err = h.Service.Cancel(c.Request.Context(), v.Org.ID, in)
	if msg, ok := h.changeFailure(c, err, f, in.Privileged); ok {
		return h.renderSession(c, http.StatusUnprocessableEntity, sessionState{Cancel: f, Message: msg})
	}
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", "The session is cancelled. We told everyone affected.")
	web.Redirect(c, base(v)+"/sessions/"+sv.ID.String())
	return nil
}

func (h *Handlers) Reschedule(c *gin.Context) error {
	v := web.CurrentViewer(c)
	f := web.NewForm(web.PostedForm(c))
	f.Required("date", "time")
	in, sv, err := h.changeInput(c, f)
	if err != nil {
		return err
	}
	in.NewStart = parseLocal(f, "date", "time", viewerZone(v))
	if f.Valid() && !in.NewStart.After(h.Service.Clock.Now()) {
		f.Add("date", "Choose a time in the future.")
	}
	if sv.IsGroup() && !in.Privileged {
		f.Add("date", "Only the practitioner can move a group session.")
	}
	if !f.Valid() {
		return h.renderSession(c, http.StatusUnprocessableEntity, sessionState{Move: f})
	}
	err = h.Service.Reschedule(c.Request.Context(), v.Org.ID, in)
	if msg, ok := h.changeFailure(c, err, f, in.Privileged); ok {
		return h.renderSession(c, http.StatusUnprocessableEntity, sessionState{Move: f, Message: msg})
	}
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", "The session has a new time. We told everyone affected.")
	web.Redirect(c, base(v)+"/sessions/"+sv.ID.String())
	return nil
}

func (h *Handlers) Join(c *gin.Context) error {
	v := web.CurrentViewer(c)
	sv, side, _, err := h.loadSession(c)
	if err != nil {
		return err
	}
	if !sv.IsGroup() || side != relationships.SideMember {
		return h.renderSession(c, http.StatusUnprocessableEntity, sessionState{Message: "Only members of the group can take a seat in a group session."})
	}
	status, err := h.Service.Join(c.Request.Context(), v.Org.ID, sv.ID, v.UserID)
	if errors.Is(err, ErrNotChangeable) {
		return h.renderSession(c, http.StatusUnprocessableEntity, sessionState{Message: "This session is not open for seats any more."})
	}
	if err != nil {
		return err
	}
	msg := "You have a seat."
	if status == AttendeeWaitlisted {
		msg = "Every seat is taken: you are on the waitlist, and will have a seat (and an e-mail) as soon as one frees."
	}
	web.AddFlash(c, "success", msg)
	web.Redirect(c, base(v)+"/sessions/"+sv.ID.String())
	return nil
}

func (h *Handlers) Leave(c *gin.Context) error {
	v := web.CurrentViewer(c)
	sv, _, _, err := h.loadSession(c)
	if err != nil {
		return err
	}
	if err := h.Service.Leave(c.Request.Context(), v.Org.ID, sv.ID, v.UserID); err != nil {
		return err
	}
	web.AddFlash(c, "success", "You gave up your place.")
	web.Redirect(c, base(v)+"/sessions/"+sv.ID.String())
	return nil
}

func (h *Handlers) MarkAttendance(c *gin.Context) error {
	v := web.CurrentViewer(c)
	sv, _, privileged, err := h.loadSession(c)
	if err != nil {
		return err
	}
	if !privileged {
		return web.ErrForbidden
	}
	f := web.NewForm(web.PostedForm(c))
	f.Required("outcome")
	f.OneOf("outcome", Outcomes...)
	each := map[uuid.UUID]string{}
	for _, a := range sv.Attendees {
		if st := f.Get("att_" + a.UserID.String()); st != "" {
			if st != AttendeeAttended && st != AttendeeNoShow {
				f.Add("att_"+a.UserID.String(), "Choose attended or no-show.")
			}
			each[a.UserID] = st
		}
	}
	if !f.Valid() {
		return h.renderSession(c, http.StatusUnprocessableEntity, sessionState{Attendance: f})
	}
	err = h.Service.MarkAttendance(c.Request.Context(), v.Org.ID, sv.ID, f.Get("outcome"), each)
	switch {
	case errors.Is(err, ErrNotYet):
		f.Add("outcome", "Attendance can be marked once the session has started.")
		return h.renderSession(c, http.StatusUnprocessableEntity, sessionState{Attendance: f})
	case errors.Is(err, ErrNotChangeable):
		f.Add("outcome", "This session was cancelled.")
		return h.renderSession(c, http.StatusUnprocessableEntity, sessionState{Attendance: f})
	case err != nil:
		return err
	}
	web.AddFlash(c, "success", "Attendance recorded.")
	web.Redirect(c, base(v)+"/sessions/"+sv.ID.String())
	return nil
}

// switchMode records that the session's relationship changed mode during
// the session (coaching to mentoring, say), and why.
func (h *Handlers) SwitchMode(c *gin.Context) error {
	v := web.CurrentViewer(c)
	sv, side, _, err := h.loadSession(c)
	if err != nil {
		return err
	}
	f := web.NewForm(web.PostedForm(c))
	if side != relationships.SidePractitioner {
		return h.renderSession(c, http.StatusUnprocessableEntity, sessionState{Mode: f, Message: "Only the session's practitioner records a change of mode."})
	}
	f.Required("to_kind", "why")
	f.OneOf("to_kind", string(relationships.Mentoring), string(relationships.Coaching), string(relationships.Supervision))
	f.MaxLength("why", 2000)
	if !f.Valid() {
		return h.renderSession(c, http.StatusUnprocessableEntity, sessionState{Mode: f})
	}
	_, err = h.Service.SwitchMode(c.Request.Context(), v.Org.ID, sv.ID, v.UserID, relationships.Kind(f.Get("to_kind")), f.Get("why"))
	switch {
	case errors.Is(err, relationships.ErrNotNow):
		f.Add("to_kind", "The relationship already works in that mode.")
		return h.renderSession(c, http.StatusUnprocessableEntity, sessionState{Mode: f})
	case errors.Is(err, ErrNotChangeable):
		return h.renderSession(c, http.StatusUnprocessableEntity, sessionState{Mode: f, Message: "This session was cancelled."})
	case err != nil:
		return err
	}
	web.AddFlash(c, "success", "Mode switch recorded for this session.")
	web.Redirect(c, base(v)+"/sessions/"+sv.ID.String()+"#mode")
	return nil
}

// ---- availability editor -----------------------------------------------

var weekdayNames = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

// weekdayOrder lists weekdays Monday first, for pickers.
var weekdayOrder = []int{1, 2, 3, 4, 5, 6, 0}

type availabilityState struct {
	Rule, Override, Settings *web.Form
}

func clockLabel(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

func (h *Handlers) renderAvailability(c *gin.Context, status int, st availabilityState, unsaved *BookingSettings) error {
	v := web.CurrentViewer(c)
	a, err := h.Service.AvailabilityOf(c.Request.Context(), v.Org.ID, v.UserID, unsaved)
	if err != nil {
		return err
	}
	if st.Rule == nil {
		st.Rule = web.NewForm(nil)
		st.Rule.Set("weekday", "2")
		st.Rule.Set("start", "09:00")
		st.Rule.Set("end", "12:00")
	}
	if st.Override == nil {
		st.Override = web.NewForm(nil)
	}
	if st.Settings == nil {
		st.Settings = web.NewForm(nil)
		b := a.Settings
		for k, n := range map[string]int{
			"buffer_before": b.BufferBeforeMin, "buffer_after": b.BufferAfterMin, "min_notice": b.MinNoticeMin,
			"window_days": b.WindowDays, "max_per_day": b.MaxPerDay, "max_per_week": b.MaxPerWeek,
		} {
			st.Settings.Set(k, strconv.Itoa(n))
		}
	}
	type ruleView struct {
		ID                   uuid.UUID
		Day, From, To, TZone string
	}
	var rules []ruleView
	for _, r := range a.Rules {
		rules = append(rules, ruleView{ID: r.ID, Day: weekdayNames[r.Weekday], From: clockLabel(r.StartMinute), To: clockLabel(r.EndMinute), TZone: r.TimeZone})
	}
	type overrideView struct {
		ID             uuid.UUID
		Day, What      string
		DayOff         bool
		From, To       string
		StartM, EndMin int
	}
	var overrides []overrideView
	for _, o := range a.Overrides {
		ov := overrideView{ID: o.ID, Day: o.Day, DayOff: o.DayOff}
		if !o.DayOff {
			ov.From, ov.To = clockLabel(o.StartMinute), clockLabel(o.EndMinute)
		}
		overrides = append(overrides, ov)
	}
	type weekday struct {
		Value int
		Name  string
	}
	var weekdays []weekday
	for _, d := range weekdayOrder {
		weekdays = append(weekdays, weekday{Value: d, Name: weekdayNames[d]})
	}
	loc := viewerZone(v)
	page := web.NewPage(c, "Availability", gin.H{
		"A": a, "Rules": rules, "Overrides": overrides, "Weekdays": weekdays, "State": st, "Base": base(v),
		"Zone": a.Zone.String(), "Preview": groupSlots(a.Preview, loc), "ViewerZone": loc.String(), "PreviewDays": PreviewDays,
	})
	page.Nav = "calendar"
	if c.Request.URL.Path == base(v)+"/availability/preview" && web.IsFragmentRequest(c.Request) {
		return h.Renderer.RenderBlock(c, status, PageAvailability, "preview", page)
	}
	return h.Renderer.Render(c, status, PageAvailability, page)
}

func (h *Handlers) ShowAvailabilityPage(c *gin.Context) error {
	return h.renderAvailability(c, http.StatusOK, availabilityState{}, nil)
}

// availabilityDone answers a successful change: htmx gets the editor
// again (the preview moves with it), a plain form a redirect.
func (h *Handlers) availabilityDone(c *gin.Context, message string) error {
	if web.IsFragmentRequest(c.Request) {
		return h.renderAvailability(c, http.StatusOK, availabilityState{}, nil)
	}
	web.AddFlash(c, "success", message)
	web.Redirect(c, base(web.CurrentViewer(c))+"/availability")
	return nil
}

// parseClock reads HH:MM as minutes of the day; "24:00" is allowed as
// an end.
func parseClock(f *web.Form, field string) int {
	v := f.Get(field)
	if v == "24:00" {
		return 1440
	}
	t, err := time.Parse("15:04", v)
	if err != nil {
		f.Add(field, "Enter a time such as 09:00.")
		return 0
	}
	return t.Hour()*60 + t.Minute()
}

func (h *Handlers) AddRule(c *gin.Context) error {
	v := web.CurrentViewer(c)
	f := web.NewForm(web.PostedForm(c))
	f.Required("weekday", "start", "end")
	wd, err := strconv.Atoi(f.Get("weekday"))
	if err != nil || wd < 0 || wd > 6 {
		f.Add("weekday", "Choose a day of the week.")
	}
	start, end := parseClock(f, "start"), parseClock(f, "end")
	if f.Valid() && end <= start {
		f.Add("end", "The end must be after the start.")
	}
	if !f.Valid() {
		return h.renderAvailability(c, http.StatusUnprocessableEntity, availabilityState{Rule: f}, nil)
	}
	if err := h.Service.AddRule(c.Request.Context(), v.Org.ID, v.UserID, time.Weekday(wd), start, end); err != nil {
		return err
	}
	return h.availabilityDone(c, "Open hours added.")
}

func (h *Handlers) DeleteRule(c *gin.Context) error {
	v := web.CurrentViewer(c)
	// The id is a form field, not a path parameter: each practitioner
	// removes only their own rows, whatever id is sent.
	id, err := uuid.Parse(web.PostedForm(c).Get("id"))
	if err != nil {
		return h.renderAvailability(c, http.StatusUnprocessableEntity, availabilityState{}, nil)
	}
	if err := h.Service.DeleteRule(c.Request.Context(), v.Org.ID, v.UserID, id); err != nil {
		return err
	}
	return h.availabilityDone(c, "Open hours removed.")
}

func (h *Handlers) AddOverride(c *gin.Context) error {
	v := web.CurrentViewer(c)
	f := web.NewForm(web.PostedForm(c))
	f.Required("day")
	if _, err := time.Parse(time.DateOnly, f.Get("day")); f.Get("day") != "" && err != nil {
		f.Add("day", "Enter a date such as 2027-04-02.")
	}
	dayOff := f.Get("kind") != "hours"
	start, end := 0, 0
	if !dayOff {
		f.Required("start", "end")
		start, end = parseClock(f, "start"), parseClock(f, "end")
		if f.Valid() && end <= start {
			f.Add("end", "The end must be after the start.")
		}
	}
	if !f.Valid() {
		return h.renderAvailability(c, http.StatusUnprocessableEntity, availabilityState{Override: f}, nil)
	}
	if err := h.Service.AddOverride(c.Request.Context(), v.Org.ID, v.UserID, f.Get("day"), dayOff, start, end); err != nil {
		return err
	}
	return h.availabilityDone(c, "Date override added.")
}

func (h *Handlers) DeleteOverride(c *gin.Context) error {
	v := web.CurrentViewer(c)
	// The id is a form field, not a path parameter: each practitioner
	// removes only their own rows, whatever id is sent.
	id, err := uuid.Parse(web.PostedForm(c).Get("id"))
	if err != nil {
		return h.renderAvailability(c, http.StatusUnprocessableEntity, availabilityState{}, nil)
	}
	if err := h.Service.DeleteOverride(c.Request.Context(), v.Org.ID, v.UserID, id); err != nil {
		return err
	}
	return h.availabilityDone(c, "Date override removed.")
}

// settingsForm reads buffers, notice, window and limits.
func settingsForm(f *web.Form, orgID, userID uuid.UUID) BookingSettings {
	b := BookingSettings{OrgID: orgID, PractitionerID: userID}
	fields := []struct {
		name     string
		dst      *int
		min, max int
	}{
		{"buffer_before", &b.BufferBeforeMin, 0, 240}, {"buffer_after", &b.BufferAfterMin, 0, 240},
		{"min_notice", &b.MinNoticeMin, 0, 60 * 24 * 30}, {"window_days", &b.WindowDays, 1, maxWindowDays},
		{"max_per_day", &b.MaxPerDay, 0, 48}, {"max_per_week", &b.MaxPerWeek, 0, 200},
	}
	for _, fd := range fields {
		raw := f.Get(fd.name)
		if raw == "" {
			raw = "0"
			if fd.min > 0 {
				f.Add(fd.name, "This field is required.")
				continue
			}
		}
		n, err := strconv.Atoi(raw)
		if err != nil || n < fd.min || n > fd.max {
			f.Add(fd.name, fmt.Sprintf("Enter a whole number from %d to %d.", fd.min, fd.max))
			continue
		}
		*fd.dst = n
	}
	return b
}

func (h *Handlers) SaveSettings(c *gin.Context) error {
	v := web.CurrentViewer(c)
	f := web.NewForm(web.PostedForm(c))
	b := settingsForm(f, v.Org.ID, v.UserID)
	if !f.Valid() {
		return h.renderAvailability(c, http.StatusUnprocessableEntity, availabilityState{Settings: f}, nil)
	}
	if err := h.Service.SaveSettings(c.Request.Context(), b); err != nil {
		return err
	}
	return h.availabilityDone(c, "Booking rules saved.")
}

// previewAvailability shows the slots the settings being edited would
// give, before they are saved (the editor's live preview).
func (h *Handlers) PreviewAvailability(c *gin.Context) error {
	v := web.CurrentViewer(c)
	f := web.NewForm(c.Request.URL.Query())
	if len(c.Request.URL.Query()) == 0 {
		return h.renderAvailability(c, http.StatusOK, availabilityState{}, nil)
	}
	b := settingsForm(f, v.Org.ID, v.UserID)
	if !f.Valid() {
		return h.renderAvailability(c, http.StatusUnprocessableEntity, availabilityState{Settings: f}, nil)
	}
	return h.renderAvailability(c, http.StatusOK, availabilityState{Settings: f}, &b)
}

// ---- subscription --------------------------------------------------------

func (h *Handlers) renderFeed(c *gin.Context, url string) error {
	v := web.CurrentViewer(c)
	feed, err := h.Service.FeedOf(c.Request.Context(), v.UserID)
	if err != nil {
		return err
	}
	page := web.NewPage(c, "Calendar subscription", gin.H{"Feed": feed, "URL": url, "Base": base(v)})
	page.Nav = "calendar"
	return h.Renderer.Render(c, http.StatusOK, PageFeed, page)
}

func (h *Handlers) ShowFeedPage(c *gin.Context) error { return h.renderFeed(c, "") }

// regenerateFeed makes a new subscription URL and shows it this once
// (only its hash is kept); the old URL stops working.
func (h *Handlers) RegenerateFeed(c *gin.Context) error {
	v := web.CurrentViewer(c)
	token, err := h.Service.RegenerateFeed(c.Request.Context(), v.UserID)
	if err != nil {
		return err
	}
	return h.renderFeed(c, h.Service.FeedURL(token))
}

func (h *Handlers) ServeFeed(c *gin.Context) error {
	token, ok := strings.CutSuffix(c.Param("file"), ".ics")
	if !ok || token == "" || len(token) > 100 {
		return db.ErrNotFound
	}
	body, err := h.Service.FeedICS(c.Request.Context(), token)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "private, max-age=300")
	c.Header("X-Robots-Tag", "noindex")
	c.Data(http.StatusOK, "text/calendar; charset=utf-8", []byte(body))
	return nil
}

// maxWindowDays is the longest booking window a practitioner may set; the
// booking page asks for slots that far and the practitioner's own window
// (applied in Slots) cuts them short.
const maxWindowDays = 365
