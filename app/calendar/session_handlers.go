package calendar

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// loadSession loads a session the viewer may see: its people, and the
// organisation's admins. Anyone else gets the same 404 as for no session.
func (h *Handlers) loadSession(c *gin.Context) (*SessionView, string, bool, error) {
	sv, side, privileged, onlooker, err := h.loadSessionFor(c, false)
	if onlooker {
		return nil, "", false, fmt.Errorf("calendar: %s only looks on at session %s: %w", web.CurrentViewer(c).UserID, sv.ID, db.ErrNotFound)
	}
	return sv, side, privileged, err
}

// loadSessionFor loads the session of the :id parameter for its people
// and admins; with onlookers, coordinators who take no part in it are
// admitted too, to read it (onlooker true): they follow sessions and
// attendance, and change nothing.
func (h *Handlers) loadSessionFor(c *gin.Context, onlookers bool) (sv *SessionView, side string, privileged, onlooker bool, err error) {
	v := web.CurrentViewer(c)
	id, err := web.IDParam(c, "id")
	if err != nil {
		return nil, "", false, false, err
	}
	if sv, err = h.Service.SessionDetail(c.Request.Context(), v.Org.ID, id); err != nil {
		return nil, "", false, false, err
	}
	if side, err = h.Service.Participates(c.Request.Context(), sv, v.UserID); err != nil {
		return nil, "", false, false, err
	}
	admin := tenancy.Has(v, tenancy.Admins...)
	onlooker = side == "" && !admin && onlookers && tenancy.Has(v, tenancy.Staff...)
	if side == "" && !admin && !onlooker {
		return nil, "", false, false, fmt.Errorf("calendar: %s is not in session %s: %w", v.UserID, id, db.ErrNotFound)
	}
	return sv, side, admin || side == relationships.SidePractitioner, onlooker, nil
}

// sessionPage is what pages/calendar/session.html shows.
type sessionPage struct {
	S                                        *SessionView
	Modes                                    *SessionModes
	Kinds                                    []relationships.Kind
	Outcomes                                 []string
	State                                    sessionState
	Zone, Base                               string
	Start, End, PractitionerStart            time.Time
	Privileged, Scheduled, Started, Upcoming bool
	InSeries, CanJoin, CanLeave, CanMove     bool
	CanSwitchMode                            bool
	// Onlooker: a coordinator who takes no part, reading only.
	Onlooker      bool
	Side          string // the viewer's side: practitioner, member or "" (staff)
	OverrideLabel string
	// Meeting is the link to join, shown to the session's own people
	// only: its practitioner side and its seat holders, never to admins
	// or coordinators who look on, nor to a group's waitlist.
	Meeting string
}

// newSessionPage says what a person who takes part in a session on the
// given side (privileged: its practitioner side or an admin) sees of it
// and may do with it, at now, in their zone loc.
func newSessionPage(sv *SessionView, side string, privileged bool, viewerID uuid.UUID, modes *SessionModes, st sessionState, loc *time.Location, now time.Time) sessionPage {
	var mine *AttendeeView
	for i := range sv.Attendees {
		if sv.Attendees[i].UserID == viewerID {
			mine = &sv.Attendees[i]
		}
	}
	meeting := ""
	if sv.Status == StatusScheduled && (side == relationships.SidePractitioner || (mine != nil && mine.Status == AttendeeBooked)) {
		meeting = sv.MeetingURL
	}
	return sessionPage{
		Meeting: meeting,
		S:       sv, Modes: modes, Kinds: relationships.Kinds, Outcomes: Outcomes, State: st, Zone: loc.String(),
		Start: sv.StartsAt.In(loc), End: sv.EndsAt.In(loc), PractitionerStart: sv.StartsAt.In(zoneOr(sv.TimeZone)),
		Side: side, Privileged: privileged, Scheduled: sv.Status == StatusScheduled, Started: !sv.StartsAt.After(now),
		Upcoming: sv.StartsAt.After(now), InSeries: sv.SeriesID != nil,
		CanJoin:       sv.IsGroup() && side == relationships.SideMember && (mine == nil || mine.Status == AttendeeCancelled),
		CanLeave:      sv.IsGroup() && mine != nil && (mine.Status == AttendeeBooked || mine.Status == AttendeeWaitlisted),
		CanMove:       privileged || !sv.IsGroup(),
		CanSwitchMode: side == relationships.SidePractitioner && sv.Status != StatusCancelled,
		OverrideLabel: OverrideNoticeLabel,
	}
}

type sessionState struct {
	Cancel, Move, Attendance, Mode *web.Form
	Message                        string
}

func (h *Handlers) renderSession(c *gin.Context, status int, st sessionState) error {
	v := web.CurrentViewer(c)
	sv, side, privileged, onlooker, err := h.loadSessionFor(c, true)
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
	modes, err := h.Service.ModesOf(c.Request.Context(), v.Org.ID, &sv.Session)
	if err != nil {
		return err
	}
	names, err := h.Service.SessionNames(c.Request.Context(), v.Org.ID, v.UserID, []Session{sv.Session})
	if err != nil {
		return err
	}
	sv.Title = nameOr(names, sv.Session)
	data := newSessionPage(sv, side, privileged, v.UserID, modes, st, loc, h.Service.Clock.Now())
	data.Base = base(v)
	if onlooker {
		// A coordinator reads when, who and attendance; not the reasons
		// given for a change of mode, which are the practitioner's notes.
		data.Onlooker, data.CanMove, data.CanJoin, data.CanLeave, data.CanSwitchMode = true, false, false, false, false
	}
	page := web.NewPage(c, sv.Title, data)
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
	ch := ModeChange{To: relationships.Kind(f.Get("to_kind")), Why: f.Get("why"), Keep: f.Get("keep") != ""}
	length := int(sv.EndsAt.Sub(sv.StartsAt) / time.Minute)
	if raw := f.Get("minute"); raw != "" {
		m, err := strconv.Atoi(raw)
		if err != nil || m < 0 || m >= length {
			f.Add("minute", fmt.Sprintf("Give a whole number of minutes from 0 to %d.", length-1))
		}
		ch.Minute = &m
	}
	if !f.Valid() {
		return h.renderSession(c, http.StatusUnprocessableEntity, sessionState{Mode: f})
	}
	_, err = h.Service.SwitchMode(c.Request.Context(), v.Org.ID, sv.ID, v.UserID, ch)
	switch {
	case errors.Is(err, ErrMinuteNeeded):
		f.Add("minute", "The session has ended: say how many minutes into it the mode changed.")
		return h.renderSession(c, http.StatusUnprocessableEntity, sessionState{Mode: f})
	case errors.Is(err, relationships.ErrNotNow):
		f.Add("to_kind", "The relationship already works in that mode.")
		return h.renderSession(c, http.StatusUnprocessableEntity, sessionState{Mode: f})
	case errors.Is(err, ErrNotChangeable):
		return h.renderSession(c, http.StatusUnprocessableEntity, sessionState{Mode: f, Message: "This session was cancelled."})
	case err != nil:
		return err
	}
	msg := "Mode switch recorded for this session; it reverts when the session ends."
	if ch.Keep {
		msg = "Mode switch recorded for this session; the relationship keeps this mode after it."
	}
	web.AddFlash(c, "success", msg)
	web.Redirect(c, base(v)+"/sessions/"+sv.ID.String()+"#mode")
	return nil
}
