package hours

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// supervisionPage is what pages/hours/supervision.html shows.
type supervisionPage struct {
	Base, Slug  string
	Book        *Book
	Record      *web.Form
	Standard    *web.Form
	Supervisors []Person
	Today       string
}

// ShowSupervision shows the supervision log, the ratio and, when
// supervision is due, where to book it.
func (h *Handlers) ShowSupervision(c *gin.Context) error {
	return h.renderSupervision(c, http.StatusOK, web.NewForm(nil), nil)
}

func (h *Handlers) renderSupervision(c *gin.Context, status int, record, standard *web.Form) error {
	v := web.CurrentViewer(c)
	ctx := c.Request.Context()
	b, err := h.Service.Build(ctx, v.Org.ID, v.UserID)
	if err != nil {
		return err
	}
	people, err := h.Service.Store.Supervisors(ctx, v.Org.ID, v.UserID)
	if err != nil {
		return err
	}
	if record.Get("format") == "" {
		record.Set("format", Individual)
	}
	if standard == nil {
		standard = web.NewForm(nil)
		standard.Set("standard", b.Settings.Standard)
		standard.Set("ratio_hours", itoa(b.Settings.RatioHours))
		standard.Set("quarter_minutes", itoa(b.Settings.QuarterMinutes))
	}
	page := web.NewPage(c, "Supervision log", supervisionPage{Base: base(v), Slug: v.Org.Slug, Book: b, Record: record, Standard: standard,
		Supervisors: people, Today: h.Service.Clock.Now().Format(time.DateOnly)})
	return h.Renderer.Render(c, status, PageSupervision, page)
}

// Identifiers a supervision's themes must not carry: an e-mail address, a
// phone number.
var (
	emailPattern = regexp.MustCompile(`[^\s@]+@[^\s@]+\.[^\s@]+`)
	phonePattern = regexp.MustCompile(`\+?\d[\d\s().-]{7,}\d`)
)

// identifies says what in text could identify a client: an address, a
// phone number, or the full name of one of the person's clients.
func identifies(text string, clients []string) string {
	switch {
	case emailPattern.MatchString(text):
		return "an e-mail address"
	case phonePattern.MatchString(text):
		return "a phone number"
	}
	lower := strings.ToLower(text)
	for _, n := range clients {
		if n = strings.ToLower(strings.TrimSpace(n)); n != "" && strings.Contains(lower, n) {
			return "a client's name"
		}
	}
	return ""
}

// RecordSupervision records supervision received: from a supervision
// session the person attended (session_id), or by hand.
func (h *Handlers) RecordSupervision(c *gin.Context) error {
	v := web.CurrentViewer(c)
	ctx := c.Request.Context()
	f := web.NewForm(web.PostedForm(c))
	f.MaxLength("themes", 2000)
	f.MaxLength("link", 500)
	if link := f.Get("link"); link != "" {
		u, err := url.Parse(link)
		if err != nil || !(strings.HasPrefix(link, "/o/"+v.Org.Slug+"/") || ((u.Scheme == "https" || u.Scheme == "http") && u.Host != "")) {
			f.Add("link", "Give a link to a page of this organisation or a web address.")
		}
	}
	clients, err := h.clientNames(c)
	if err != nil {
		return err
	}
	if what := identifies(f.Get("themes"), clients); what != "" {
		f.Add("themes", "The themes carry "+what+": describe the theme without anything that identifies a client.")
	}
	if raw := f.Get("session_id"); raw != "" {
		id, err := uuid.Parse(raw)
		if err != nil {
			f.Add("session_id", "That is not one of your supervision sessions.")
		}
		if !f.Valid() {
			return h.renderSupervision(c, http.StatusUnprocessableEntity, f, nil)
		}
		_, err = h.Service.RecordFromSession(ctx, v.Org.ID, v.UserID, id, f.Get("themes"), f.Get("link"))
		switch {
		case errors.Is(err, db.ErrNotFound):
			f.Add("session_id", "That is not one of your supervision sessions.")
			return h.renderSupervision(c, http.StatusUnprocessableEntity, f, nil)
		case errors.Is(err, db.ErrConflict):
			f.Add("session_id", "This session is recorded already.")
			return h.renderSupervision(c, http.StatusUnprocessableEntity, f, nil)
		case err != nil:
			return err
		}
		web.AddFlash(c, "success", "Supervision recorded. Your supervisor can now sign it off.")
		web.Redirect(c, base(v)+"/supervision")
		return nil
	}
	r, ok := h.parseRecord(c, f)
	if !ok {
		return h.renderSupervision(c, http.StatusUnprocessableEntity, f, nil)
	}
	r.ID, r.OrgID, r.SuperviseeID, r.CreatedAt = uuid.Must(uuid.NewV7()), v.Org.ID, v.UserID, h.Service.Clock.Now()
	if err := h.Service.Store.AddRecord(ctx, r); err != nil {
		return err
	}
	msg := "Supervision recorded."
	if r.SupervisorID != nil {
		msg += " Your supervisor can now sign it off."
	}
	web.AddFlash(c, "success", msg)
	web.Redirect(c, base(v)+"/supervision")
	return nil
}

// clientNames are the names of the clients of the relationships the
// person leads, which themes must not carry.
func (h *Handlers) clientNames(c *gin.Context) ([]string, error) {
	v := web.CurrentViewer(c)
	ctx := c.Request.Context()
	led, err := h.Service.Store.Led(ctx, v.Org.ID, v.UserID)
	if err != nil {
		return nil, err
	}
	seen := map[uuid.UUID]bool{}
	var ids []uuid.UUID
	for _, s := range led {
		if !seen[s.RelationshipID] {
			seen[s.RelationshipID] = true
			ids = append(ids, s.RelationshipID)
		}
	}
	members, err := h.Service.Store.Members(ctx, v.Org.ID, ids)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(members))
	for _, m := range members {
		out = append(out, m.Name)
	}
	return out, nil
}

// parseRecord checks a supervision entered by hand: a supervisor of the
// organisation (who can sign it off) or a name, individual or group, the
// date and the length.
func (h *Handlers) parseRecord(c *gin.Context, f *web.Form) (*Record, bool) {
	v := web.CurrentViewer(c)
	f.Required("format", "held_on", "minutes")
	f.OneOf("format", Individual, Group)
	f.MaxLength("supervisor_name", 100)
	r := &Record{Format: f.Get("format"), Themes: f.Get("themes"), Link: f.Get("link")}
	if raw := f.Get("supervisor_id"); raw != "" {
		id, err := uuid.Parse(raw)
		people, perr := h.Service.Store.Supervisors(c.Request.Context(), v.Org.ID, v.UserID)
		if perr != nil {
			f.Add("supervisor_id", "Choose a supervisor from the list.")
			return r, false
		}
		found := false
		for _, p := range people {
			if err == nil && p.ID == id {
				found, r.SupervisorName = true, p.Name
			}
		}
		if !found {
			f.Add("supervisor_id", "Choose a supervisor from the list.")
		}
		r.SupervisorID = &id
	} else {
		r.SupervisorName = f.Get("supervisor_name")
		if r.SupervisorName == "" {
			f.Add("supervisor_name", "Choose your supervisor, or name one from outside the organisation.")
		}
	}
	if f.Get("held_on") != "" {
		r.HeldAt = parseDate(f, "held_on", h.Service.Clock.Now())
	}
	if f.Get("minutes") != "" {
		r.Minutes = parsePositive(f, "minutes", 5, 24*60, "Give the length in minutes, from 5 to 1440.")
	}
	return r, f.Valid()
}

// SaveStandard saves the practitioner's chosen supervision standard.
func (h *Handlers) SaveStandard(c *gin.Context) error {
	v := web.CurrentViewer(c)
	f := web.NewForm(web.PostedForm(c))
	f.Required("standard")
	f.OneOf("standard", StandardRatio, StandardQuarter)
	st := Settings{OrgID: v.Org.ID, UserID: v.UserID, Standard: f.Get("standard"), UpdatedAt: h.Service.Clock.Now()}
	def := DefaultSettings()
	st.RatioHours, st.QuarterMinutes = def.RatioHours, def.QuarterMinutes
	switch st.Standard {
	case StandardRatio:
		st.RatioHours = parsePositive(f, "ratio_hours", 1, 1000, "Give the hours of practice per hour of supervision, from 1 to 1000.")
	case StandardQuarter:
		st.QuarterMinutes = parsePositive(f, "quarter_minutes", 15, 10000, "Give the minutes of supervision a quarter, from 15 to 10000.")
	}
	if !f.Valid() {
		return h.renderSupervision(c, http.StatusUnprocessableEntity, web.NewForm(nil), f)
	}
	if err := h.Service.Store.SaveSettings(c.Request.Context(), &st); err != nil {
		return err
	}
	web.AddFlash(c, "success", "Your supervision standard is saved: "+st.StandardText()+".")
	web.Redirect(c, base(v)+"/supervision#ratio")
	return nil
}

// signOffPage is what pages/hours/signoff.html shows.
type signOffPage struct {
	Base    string
	Records []Item
}

// ShowSignOff lists the supervision that names the person as supervisor.
func (h *Handlers) ShowSignOff(c *gin.Context) error {
	v := web.CurrentViewer(c)
	ctx := c.Request.Context()
	records, err := h.Service.Store.ToSignOff(ctx, v.Org.ID, v.UserID)
	if err != nil {
		return err
	}
	var ids []uuid.UUID
	for _, r := range records {
		ids = append(ids, r.SuperviseeID)
	}
	names, err := h.Service.Store.Names(ctx, v.Org.ID, ids)
	if err != nil {
		return err
	}
	items := make([]Item, 0, len(records))
	for _, r := range records {
		// Supervisor here is the supervisee: whom the record is of.
		items = append(items, Item{Record: r, Supervisor: names[r.SuperviseeID]})
	}
	page := web.NewPage(c, "Supervision to sign off", signOffPage{Base: base(v), Records: items})
	return h.Renderer.Render(c, http.StatusOK, PageSignOff, page)
}

// SignOff signs a record off: its named supervisor only, once.
func (h *Handlers) SignOff(c *gin.Context) error {
	v := web.CurrentViewer(c)
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	err = h.Service.Store.SignOff(c.Request.Context(), v.Org.ID, id, v.UserID, h.Service.Clock.Now())
	switch {
	case errors.Is(err, ErrSignedOff):
		return web.Errorf(http.StatusConflict, "This supervision is signed off already.")
	case err != nil:
		return forbidden(err)
	}
	web.AddFlash(c, "success", "Signed off.")
	web.Redirect(c, base(v)+"/signoff")
	return nil
}

func itoa(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}
