package busy

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/web"
)

// PageCalendars is the practitioner's own calendars.
const PageCalendars web.PageName = "busy/calendars"

// Handlers serve the practitioner's own calendars page.
type Handlers struct {
	Service  *Service
	Renderer *web.Renderer
}

func base(v *web.Viewer) string { return "/o/" + v.Org.Slug + "/calendar/connected" }

// calendarView is one calendar as the page shows it, in the viewer's zone.
type calendarView struct {
	ID          uuid.UUID
	Kind, Label string
	Refreshing  bool
	RefreshedAt *time.Time
	AttemptedAt *time.Time
	Stale       bool
	Error       string
	ErrorKind   string
	BusyCount   int
	ConnectedAt time.Time
}

type calendarsPage struct {
	Base, Zone string
	Calendars  []calendarView
	Refreshing bool
	Form       *web.Form
	Kind       string
	StaleHours int
	Max        int
}

func (h *Handlers) render(c *gin.Context, status int, f *web.Form) error {
	v := web.CurrentViewer(c)
	ctx := c.Request.Context()
	loc := time.UTC
	if l, err := time.LoadLocation(v.Zone()); err == nil && v.Zone() != "" {
		loc = l
	}
	if h.Service.Zone != nil {
		if l, err := h.Service.Zone(ctx, v.Org.ID, v.UserID); err == nil && l != nil {
			loc = l
		}
	}
	cals, err := h.Service.Calendars(ctx, v.Org.ID, v.UserID)
	if err != nil {
		return err
	}
	now := h.Service.Clock.Now()
	stale := h.Service.staleAfter()
	data := calendarsPage{Base: base(v), Zone: loc.String(), Form: f, Kind: KindICS, StaleHours: int(stale / time.Hour), Max: MaxCalendars}
	if f == nil {
		data.Form = web.NewForm(nil)
	} else if f.Get("kind") == KindCalDAV {
		data.Kind = KindCalDAV
	}
	for _, cal := range cals {
		cv := calendarView{ID: cal.ID, Kind: cal.Kind, Label: cal.Label, Refreshing: cal.Refreshing(), BusyCount: cal.BusyCount,
			Stale: cal.RefreshedAt != nil && cal.Stale(now, stale), ConnectedAt: cal.CreatedAt.In(loc)}
		if cal.RefreshedAt != nil {
			t := cal.RefreshedAt.In(loc)
			cv.RefreshedAt = &t
		}
		if cal.AttemptedAt != nil {
			t := cal.AttemptedAt.In(loc)
			cv.AttemptedAt = &t
		}
		if cal.ErrorKind != "" {
			cv.ErrorKind, cv.Error = cal.ErrorKind, FailureText(cal.ErrorKind)
		}
		data.Refreshing = data.Refreshing || cv.Refreshing
		data.Calendars = append(data.Calendars, cv)
	}
	page := web.NewPage(c, "Your own calendars", data)
	page.Nav = "calendar"
	return h.Renderer.Render(c, status, PageCalendars, page)
}

// ShowCalendarsPage lists the practitioner's calendars with their last
// refresh, and the form to connect another.
func (h *Handlers) ShowCalendarsPage(c *gin.Context) error { return h.render(c, http.StatusOK, nil) }

// Connect connects a calendar and asks for its first refresh.
func (h *Handlers) Connect(c *gin.Context) error {
	v := web.CurrentViewer(c)
	f := web.NewForm(web.PostedForm(c))
	f.OneOf("kind", KindICS, KindCalDAV)
	in := ConnectInput{Kind: f.Get("kind")}
	if in.Kind == KindCalDAV {
		f.Required("server", "username", "password")
		in.Credentials = Credentials{URL: f.Get("server"), Username: f.Get("username"), Password: f.Values.Get("password")}
		f.MaxLength("server", 2000)
		f.MaxLength("username", 200)
		f.MaxLength("password", 500)
	} else {
		f.Required("url")
		f.MaxLength("url", 2000)
		in.Credentials = Credentials{URL: f.Get("url")}
	}
	if !f.Valid() {
		return h.render(c, http.StatusUnprocessableEntity, f)
	}
	_, err := h.Service.Connect(c.Request.Context(), v.Org.ID, v.UserID, in)
	var ie *InputError
	switch {
	case errors.As(err, &ie):
		f.Add(ie.Field, ie.Message)
		return h.render(c, http.StatusUnprocessableEntity, f)
	case errors.Is(err, ErrTooMany):
		f.Add("kind", fmt.Sprintf("You have connected %d calendars, the most there can be. Disconnect one first.", MaxCalendars))
		return h.render(c, http.StatusUnprocessableEntity, f)
	case err != nil:
		return err
	}
	return web.Done(c, base(v), web.Flash{Kind: "success", Message: "Calendar connected. We are reading it now."}, func() error {
		return h.render(c, http.StatusOK, nil)
	})
}

// Refresh asks for one of the practitioner's calendars to be read now.
func (h *Handlers) Refresh(c *gin.Context) error {
	v := web.CurrentViewer(c)
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	if err := ownerError(h.Service.RequestRefresh(c.Request.Context(), v.Org.ID, v.UserID, id)); err != nil {
		return err
	}
	return web.Done(c, base(v), web.Flash{Kind: "success", Message: "Reading the calendar now."}, func() error {
		return h.render(c, http.StatusOK, nil)
	})
}

// Disconnect removes one of the practitioner's calendars and its busy
// times.
func (h *Handlers) Disconnect(c *gin.Context) error {
	v := web.CurrentViewer(c)
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	if err := ownerError(h.Service.Disconnect(c.Request.Context(), v.Org.ID, v.UserID, id)); err != nil {
		return err
	}
	return web.Done(c, base(v), web.Flash{Kind: "success", Message: "Calendar disconnected; its busy times no longer block bookings."}, func() error {
		return h.render(c, http.StatusOK, nil)
	})
}

// ownerError turns a colleague's calendar into 403.
func ownerError(err error) error {
	if errors.Is(err, ErrNotYours) {
		return fmt.Errorf("%w: %w", web.ErrForbidden, err)
	}
	return err
}
