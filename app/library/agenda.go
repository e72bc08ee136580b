package library

import (
	"errors"
	"html/template"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/markdown"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// AgendaPage is the data of a session's agenda page.
type AgendaPage struct {
	Slug      string
	View      *AgendaView
	Body      template.HTML
	Form      *web.Form
	SessionAt time.Time
}

// agendaView loads the agenda of the path's session for the viewer.
func (h *Handlers) agendaView(c *gin.Context) (*AgendaView, error) {
	v := web.CurrentViewer(c)
	id, err := web.IDParam(c, "id")
	if err != nil {
		return nil, err
	}
	return h.Service.AgendaFor(c.Request.Context(), v.Org.ID, id, v.UserID)
}

func (h *Handlers) renderAgenda(c *gin.Context, status int, view *AgendaView, f *web.Form) error {
	v := web.CurrentViewer(c)
	p := AgendaPage{Slug: v.Org.Slug, View: view, Form: f, SessionAt: view.Session.StartsAt}
	if p.Form == nil {
		p.Form = web.NewForm(nil)
	}
	if view.Agenda != nil {
		p.Body = markdown.Render(view.Agenda.Body)
		if p.Form.Get("body") == "" && len(p.Form.Errors) == 0 {
			p.Form.Set("title", view.Agenda.Title)
			p.Form.Set("body", view.Agenda.Body)
		}
	}
	page := web.NewPage(c, "Agenda: "+view.Session.Title, p)
	page.Nav = "calendar"
	return h.Renderer.Render(c, status, PageAgenda, page)
}

// ShowAgenda shows a session's agenda to the people who take part, and to
// its practitioner the templates to attach.
func (h *Handlers) ShowAgenda(c *gin.Context) error {
	view, err := h.agendaView(c)
	if err != nil {
		return err
	}
	return h.renderAgenda(c, http.StatusOK, view, nil)
}

// AttachAgenda attaches an agenda to a session the viewer leads: a
// template as it is, or the text they edited.
func (h *Handlers) AttachAgenda(c *gin.Context) error {
	// Only the session's practitioner attaches; anyone else is refused
	// before their form is read.
	view, err := h.agendaView(c)
	if err != nil {
		return err
	}
	v, id := web.CurrentViewer(c), view.Session.ID
	if !view.Session.Leads {
		return web.ErrForbidden
	}
	f := web.NewForm(web.PostedForm(c))
	f.MaxLength("title", 160)
	f.MaxLength("body", 20000)
	var templateID *uuid.UUID
	if t := f.Get("template"); t != "" {
		tid, err := uuid.Parse(t)
		if err != nil {
			f.Add("template", "Choose one of the agendas offered.")
		}
		templateID = &tid
	}
	if templateID == nil && f.Get("body") == "" {
		f.Add("template", "Choose an agenda, or write one.")
	}
	if !f.Valid() {
		return h.renderAgenda(c, http.StatusUnprocessableEntity, view, f)
	}
	title := f.Get("title")
	if title == "" && templateID == nil {
		title = "Agenda"
	}
	err = h.Service.AttachAgenda(c.Request.Context(), v.Org.ID, id, v.UserID, templateID, title, f.Values.Get("body"))
	if errors.Is(err, ErrNotPractitioner) {
		return web.ErrForbidden
	}
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", "Agenda attached. Everyone in the session can read it beforehand.")
	web.Redirect(c, "/o/"+v.Org.Slug+"/library/sessions/"+id.String()+"/agenda")
	return nil
}

// FrameworkPage is the data of the guided goal form.
type FrameworkPage struct {
	Slug           string
	Framework      Framework
	Frameworks     []Framework
	RelationshipID uuid.UUID
	Form           *web.Form
}

func (h *Handlers) renderFramework(c *gin.Context, status int, fw Framework, rel uuid.UUID, f *web.Form) error {
	v := web.CurrentViewer(c)
	page := web.NewPage(c, fw.Name+" goal", FrameworkPage{Slug: v.Org.Slug, Framework: fw, Frameworks: Frameworks, RelationshipID: rel, Form: f})
	page.Nav = "my"
	return h.Renderer.Render(c, status, PageFramework, page)
}

// frameworkAccess finds the relationship and framework of the path; the
// viewer must be the relationship's member (who owns its goals).
func (h *Handlers) frameworkAccess(c *gin.Context) (Framework, uuid.UUID, error) {
	relID, err := web.IDParam(c, "rel")
	if err != nil {
		return Framework{}, uuid.Nil, err
	}
	fw, ok := FrameworkByKey(c.Param("key"))
	if !ok {
		return fw, uuid.Nil, db.ErrNotFound
	}
	v := web.CurrentViewer(c)
	side, err := h.Service.Relationships.Side(c.Request.Context(), v.Org.ID, relID, v.UserID)
	if err != nil {
		return fw, uuid.Nil, err
	}
	if side != SideMember {
		return fw, uuid.Nil, web.ErrForbidden
	}
	return fw, relID, nil
}

// FrameworkPath is where a relationship's member starts a goal from a
// framework.
func FrameworkPath(slug string, relID uuid.UUID, key string) string {
	return "/o/" + slug + "/library/relationships/" + relID.String() + "/goals/" + key
}

// ShowGoalFramework shows a relationship's member the guided goal form.
func (h *Handlers) ShowGoalFramework(c *gin.Context) error {
	fw, rel, err := h.frameworkAccess(c)
	if err != nil {
		return err
	}
	return h.renderFramework(c, http.StatusOK, fw, rel, web.NewForm(nil))
}

// CreateFrameworkGoal composes the guided answers into a goal of the
// relationship.
func (h *Handlers) CreateFrameworkGoal(c *gin.Context) error {
	fw, rel, err := h.frameworkAccess(c)
	if err != nil {
		return err
	}
	f := web.NewForm(web.PostedForm(c))
	for name, msg := range fw.Check(f.Get) {
		f.Add(name, msg)
	}
	for _, fld := range fw.Fields {
		if d := f.Get(fld.Name); fld.Date && d != "" {
			if _, err := time.Parse(time.DateOnly, d); err != nil {
				f.Add(fld.Name, "Use a date such as 2027-12-31.")
			}
		}
	}
	if !f.Valid() {
		return h.renderFramework(c, http.StatusUnprocessableEntity, fw, rel, f)
	}
	v := web.CurrentViewer(c)
	desc, measure, target := fw.Compose(f.Get)
	if err := h.Service.Goals.CreateGoal(c.Request.Context(), v.Org.ID, rel, v.UserID, desc, measure, target); err != nil {
		return err
	}
	web.AddFlash(c, "success", "Goal added.")
	web.Redirect(c, "/o/"+v.Org.Slug+"/relationships/"+rel.String()+"#goals")
	return nil
}
