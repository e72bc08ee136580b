package hours

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/web"
)

// The hours pages.
const (
	PageLogs        web.PageName = "hours/logs"
	PagePrint       web.PageName = "hours/print"
	PageSupervision web.PageName = "hours/supervision"
	PageSignOff     web.PageName = "hours/signoff"
	PageConsent     web.PageName = "hours/consent"
)

// Handlers serve a person's own logs. Every handler reads the signed-in
// person's rows only: no route takes another person's id, so an admin
// opening these pages sees their own logs, never a colleague's.
type Handlers struct {
	Service  *Service
	Renderer *web.Renderer
}

func base(v *web.Viewer) string { return "/o/" + v.Org.Slug + "/hours" }

// forbidden turns "not on that side" into 403.
func forbidden(err error) error {
	if errors.Is(err, ErrNotYours) || errors.Is(err, ErrNotSupervisor) {
		return web.ErrForbidden
	}
	return err
}

// logsPage is what pages/hours/logs.html shows.
type logsPage struct {
	Base  string
	Book  *Book
	Entry *web.Form
	Logs  []string
	Today string
}

// ShowLogs shows the coaching and mentoring logs.
func (h *Handlers) ShowLogs(c *gin.Context) error {
	return h.renderLogs(c, http.StatusOK, web.NewForm(nil))
}

func (h *Handlers) renderLogs(c *gin.Context, status int, entry *web.Form) error {
	v := web.CurrentViewer(c)
	b, err := h.Service.Build(c.Request.Context(), v.Org.ID, v.UserID)
	if err != nil {
		return err
	}
	if entry.Get("log") == "" {
		entry.Set("log", LogCoaching)
		entry.Set("format", Individual)
		entry.Set("paid", "1")
	}
	page := web.NewPage(c, "Hours log", logsPage{Base: base(v), Book: b, Entry: entry, Logs: []string{LogCoaching, LogMentoring},
		Today: h.Service.Clock.Now().Format(time.DateOnly)})
	return h.Renderer.Render(c, status, PageLogs, page)
}

// ShowPrint shows the logs on one printable page.
func (h *Handlers) ShowPrint(c *gin.Context) error {
	v := web.CurrentViewer(c)
	b, err := h.Service.Build(c.Request.Context(), v.Org.ID, v.UserID)
	if err != nil {
		return err
	}
	page := web.NewPage(c, "Hours log (printable)", gin.H{"Base": base(v), "Book": b, "Name": v.Name})
	return h.Renderer.Render(c, http.StatusOK, PagePrint, page)
}

// DownloadCSV answers one log as CSV (coaching, mentoring, supervision).
func (h *Handlers) DownloadCSV(log string) web.HandlerFunc {
	return func(c *gin.Context) error {
		v := web.CurrentViewer(c)
		b, err := h.Service.Build(c.Request.Context(), v.Org.ID, v.UserID)
		if err != nil {
			return err
		}
		c.Header("Content-Type", "text/csv; charset=utf-8")
		c.Header("Content-Disposition", `attachment; filename="`+log+`-log.csv"`)
		c.Header("Cache-Control", "no-store")
		c.Status(http.StatusOK)
		switch log {
		case LogCoaching:
			return WritePracticeCSV(c.Writer, b.Coaching)
		case LogMentoring:
			return WritePracticeCSV(c.Writer, b.Mentoring)
		default:
			return WriteSupervisionCSV(c.Writer, b.Supervision)
		}
	}
}

// AddEntry records work outside the organisation.
func (h *Handlers) AddEntry(c *gin.Context) error {
	v := web.CurrentViewer(c)
	f := web.NewForm(web.PostedForm(c))
	e, ok := parseEntry(f, h.Service.Clock.Now())
	if !ok {
		return h.renderLogs(c, http.StatusUnprocessableEntity, f)
	}
	e.ID, e.OrgID, e.UserID, e.CreatedAt = uuid.Must(uuid.NewV7()), v.Org.ID, v.UserID, h.Service.Clock.Now()
	if err := h.Service.Store.AddEntry(c.Request.Context(), e); err != nil {
		return err
	}
	web.AddFlash(c, "success", "Entry added to your "+e.Log+" log.")
	web.Redirect(c, base(v)+"#"+e.Log)
	return nil
}

// DeleteEntry deletes one of the person's own entries.
func (h *Handlers) DeleteEntry(c *gin.Context) error {
	v := web.CurrentViewer(c)
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	if err := h.Service.Store.DeleteEntry(c.Request.Context(), v.Org.ID, v.UserID, id); err != nil {
		return forbidden(err)
	}
	web.AddFlash(c, "success", "Entry deleted.")
	web.Redirect(c, base(v))
	return nil
}

// SetClient saves paid or pro bono and the pseudonym for a client.
func (h *Handlers) SetClient(c *gin.Context) error {
	v := web.CurrentViewer(c)
	id, err := web.IDParam(c, "rel")
	if err != nil {
		return err
	}
	f := web.NewForm(web.PostedForm(c))
	f.MaxLength("pseudonym", 100)
	if !f.Valid() {
		return h.renderLogs(c, http.StatusUnprocessableEntity, f)
	}
	err = h.Service.SetClient(c.Request.Context(), v.Org.ID, v.UserID, id, f.Get("paid") != "", f.Get("pseudonym"))
	if err != nil {
		return forbidden(err)
	}
	web.AddFlash(c, "success", "Client setting saved.")
	web.Redirect(c, base(v)+"#clients")
	return nil
}

// consentPage is what pages/hours/consent.html shows.
type consentPage struct {
	Base, Title string
	Consent     Consent
	RelID       uuid.UUID
}

// ShowConsent shows a client what their practitioners' logs may say of
// them, and lets them choose.
func (h *Handlers) ShowConsent(c *gin.Context) error {
	v := web.CurrentViewer(c)
	id, err := web.IDParam(c, "rel")
	if err != nil {
		return err
	}
	rel, consent, err := h.Service.ConsentFor(c.Request.Context(), v.Org.ID, v.UserID, id)
	if err != nil {
		return forbidden(err)
	}
	page := web.NewPage(c, "Your name in hours logs", consentPage{Base: base(v), Title: rel.Title, Consent: consent, RelID: id})
	return h.Renderer.Render(c, http.StatusOK, PageConsent, page)
}

// SaveConsent saves a client's consent.
func (h *Handlers) SaveConsent(c *gin.Context) error {
	v := web.CurrentViewer(c)
	id, err := web.IDParam(c, "rel")
	if err != nil {
		return err
	}
	f := web.NewForm(web.PostedForm(c))
	if err := h.Service.SetConsent(c.Request.Context(), v.Org.ID, v.UserID, id, f.Get("named") != "", f.Get("contact") != ""); err != nil {
		return forbidden(err)
	}
	web.AddFlash(c, "success", "Your choice is saved.")
	web.Redirect(c, "/o/"+v.Org.Slug+"/relationships/"+id.String())
	return nil
}

// parsePositive reads a whole number between lo and hi.
func parsePositive(f *web.Form, field string, lo, hi int, msg string) int {
	n, err := strconv.Atoi(f.Get(field))
	if err != nil || n < lo || n > hi {
		f.Add(field, msg)
		return 0
	}
	return n
}

// parseDate reads a date no later than today.
func parseDate(f *web.Form, field string, now time.Time) time.Time {
	t, err := time.Parse(time.DateOnly, f.Get(field))
	switch {
	case err != nil:
		f.Add(field, "Give a date (YYYY-MM-DD).")
	case t.After(now):
		f.Add(field, "Give a date that has passed.")
	case t.Year() < 1950:
		f.Add(field, "Give a date after 1950.")
	}
	return t
}

// parseEntry checks a manual entry's form.
func parseEntry(f *web.Form, now time.Time) (*Entry, bool) {
	f.Required("log", "client", "format", "first_on", "last_on", "hours")
	f.OneOf("log", LogCoaching, LogMentoring)
	f.OneOf("format", Individual, Group)
	f.MaxLength("client", 100)
	f.MaxLength("contact", 200)
	e := &Entry{Log: f.Get("log"), Client: f.Get("client"), Contact: f.Get("contact"), Format: f.Get("format"), GroupSize: 1,
		Paid: f.Get("paid") != ""}
	if e.Format == Group {
		e.GroupSize = parsePositive(f, "group_size", 2, 500, "A group has from 2 to 500 people.")
	}
	if f.Get("first_on") != "" {
		e.FirstOn = parseDate(f, "first_on", now)
	}
	if f.Get("last_on") != "" {
		e.LastOn = parseDate(f, "last_on", now)
		if f.Error("first_on") == "" && f.Error("last_on") == "" && e.LastOn.Before(e.FirstOn) {
			f.Add("last_on", "The last session cannot come before the first.")
		}
	}
	if raw := f.Get("hours"); raw != "" {
		hours, err := strconv.ParseFloat(raw, 64)
		if err != nil || hours <= 0 || hours > 5000 || hours != hours {
			f.Add("hours", "Give the hours as a number above 0 (for example 1.5).")
		}
		e.Minutes = int(hours*60 + 0.5)
		if e.Minutes == 0 && f.Error("hours") == "" {
			f.Add("hours", "Give at least one minute (0.02 hours).")
		}
	}
	return e, f.Valid()
}
