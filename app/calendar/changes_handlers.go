package calendar

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/leadershiptoolbox/toolbox/app/web"
)

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

// OverrideNoticeLabel is the label of the checkbox that overrides the
// minimum notice: the session page shows it, and the message that asks
// for it quotes it, so the two always match.
const OverrideNoticeLabel = "Override the organisation's minimum notice"

// changeFailure turns a refused change into a message on the form.
func (h *Handlers) changeFailure(c *gin.Context, err error, f *web.Form, privileged bool) (string, bool) {
	var refused *AgreementError
	switch {
	case errors.As(err, &refused):
		f.Add("time", refused.Message)
		return refused.Message, true
	case errors.Is(err, ErrTooLate):
		org, oerr := h.Service.Tenancy.OrgByID(c.Request.Context(), web.CurrentViewer(c).Org.ID)
		hours := 0
		if oerr == nil {
			hours = org.Settings.MinCancelNoticeHours
		}
		msg := fmt.Sprintf("This is less than %d hours before the session, the organisation's minimum notice. Please contact your practitioner.", hours)
		if privileged {
			msg = fmt.Sprintf("This is less than %d hours before the session, the organisation's minimum notice. Tick %q to go ahead; the override is recorded.", hours, OverrideNoticeLabel)
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
