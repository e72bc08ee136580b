package supervision

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// Page names.
const (
	PageIndex    web.PageName = "supervision/index"
	PageGroup    web.PageName = "supervision/group"
	PageCaseForm web.PageName = "supervision/case_form"
	PageCase     web.PageName = "supervision/case"
)

// Handlers serve the supervision pages. Every page and action admits the
// group's current people alone: anyone else in the organisation (admins
// and owners too) is refused.
type Handlers struct {
	Service  *Service
	Renderer *web.Renderer
}

// refuse turns the rules' refusals into 403s.
func refuse(err error) error {
	switch {
	case errors.Is(err, ErrNotInGroup), errors.Is(err, ErrNotSupervisor), errors.Is(err, ErrNotPresenter), errors.Is(err, ErrNotCohort):
		return web.ErrForbidden
	}
	return err
}

func (h *Handlers) page(c *gin.Context, status int, name web.PageName, title string, data any) error {
	p := web.NewPage(c, title, data)
	p.Nav = "supervision"
	return h.Renderer.Render(c, status, name, p)
}

// IndexPage lists the viewer's supervision groups, each with their role
// in its next session.
type IndexPage struct {
	Slug   string
	Groups []GroupRow
}

// GroupRow is one of the viewer's groups and what they do next in it.
type GroupRow struct {
	relationships.Relationship
	// Next is the group's next session, if one is scheduled.
	Next *SessionRoles
	// Role is the viewer's role in it ("" for the supervisor).
	Role string
}

// ShowIndexPage lists the viewer's supervision groups.
func (h *Handlers) ShowIndexPage(c *gin.Context) error {
	v := web.CurrentViewer(c)
	ctx := c.Request.Context()
	gs, err := h.Service.MyGroups(ctx, v.Org.ID, v.UserID)
	if err != nil {
		return err
	}
	rows := make([]GroupRow, 0, len(gs))
	for _, r := range gs {
		row := GroupRow{Relationship: r}
		g, err := h.Service.LoadGroup(ctx, v.Org.ID, r.ID, v.UserID)
		if err != nil {
			return err
		}
		if len(g.Coming) > 0 {
			row.Next = &g.Coming[0]
			row.Role = g.Coming[0].Roles[v.UserID]
		}
		rows = append(rows, row)
	}
	return h.page(c, http.StatusOK, PageIndex, "Supervision", IndexPage{Slug: v.Org.Slug, Groups: rows})
}

// GroupPage is a group's page: its sessions and roles, and its cases.
type GroupPage struct {
	Slug  string
	G     *Group
	Cases []Case
	Swap  *web.Form
}

func (h *Handlers) renderGroup(c *gin.Context, status int, g *Group, swap *web.Form) error {
	v := web.CurrentViewer(c)
	cases, err := h.Service.Cases(c.Request.Context(), v.Org.ID, g)
	if err != nil {
		return err
	}
	if swap == nil {
		swap = web.NewForm(nil)
	}
	return h.page(c, status, PageGroup, "Supervision group", GroupPage{Slug: v.Org.Slug, G: g, Cases: cases, Swap: swap})
}

// ShowGroupPage shows a supervision group to its people.
func (h *Handlers) ShowGroupPage(c *gin.Context) error {
	v := web.CurrentViewer(c)
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	g, err := h.Service.LoadGroup(c.Request.Context(), v.Org.ID, id, v.UserID)
	if err != nil {
		return refuse(err)
	}
	return h.renderGroup(c, http.StatusOK, g, nil)
}

// SwapRoles exchanges two people's roles in a session (the supervisor).
func (h *Handlers) SwapRoles(c *gin.Context) error {
	v := web.CurrentViewer(c)
	ctx := c.Request.Context()
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	g, err := h.Service.LoadGroup(ctx, v.Org.ID, id, v.UserID)
	if err != nil {
		return refuse(err)
	}
	if !g.IsSupervisor() {
		return web.ErrForbidden
	}
	f := web.NewForm(web.PostedForm(c))
	f.Required("session", "a", "b")
	session, errS := uuid.Parse(f.Get("session"))
	a, errA := uuid.Parse(f.Get("a"))
	b, errB := uuid.Parse(f.Get("b"))
	if f.Valid() && (errS != nil || errA != nil || errB != nil || a == b) {
		f.Add("b", "Choose two different people of the group.")
	}
	if f.Valid() {
		err = h.Service.SwapRoles(ctx, v.Org.ID, id, v.UserID, session, a, b)
		switch {
		case errors.Is(err, ErrNotGroupSession):
			f.Add("session", "Choose one of the group's sessions.")
		case errors.Is(err, ErrNotCohort):
			f.Add("b", "Choose two people of the group's cohort.")
		case err != nil:
			return refuse(err)
		}
	}
	if !f.Valid() {
		return h.renderGroup(c, http.StatusUnprocessableEntity, g, f)
	}
	web.AddFlash(c, "success", "Roles swapped. The group sees them on its page.")
	web.Redirect(c, "/o/"+v.Org.Slug+"/supervision/"+id.String())
	return nil
}

// CaseFormPage is the form to bring a case, and its confirmation step.
type CaseFormPage struct {
	Slug  string
	G     *Group
	Form  *web.Form
	Notes []OwnNote
	// Check is set on the confirmation step.
	Check *Check
}

func (h *Handlers) renderCaseForm(c *gin.Context, status int, g *Group, f *web.Form, chk *Check) error {
	v := web.CurrentViewer(c)
	notes, err := h.Service.OwnNotes(c.Request.Context(), v.Org.ID, v.UserID)
	if err != nil {
		return err
	}
	return h.page(c, status, PageCaseForm, "Bring a case", CaseFormPage{Slug: v.Org.Slug, G: g, Form: f, Notes: notes, Check: chk})
}

// loadCohort loads the group of the path for a member of its cohort.
func (h *Handlers) loadCohort(c *gin.Context) (*Group, error) {
	v := web.CurrentViewer(c)
	id, err := web.IDParam(c, "id")
	if err != nil {
		return nil, err
	}
	g, err := h.Service.LoadGroup(c.Request.Context(), v.Org.ID, id, v.UserID)
	if err != nil {
		return nil, refuse(err)
	}
	if g.Side != relationships.SideMember {
		return nil, web.ErrForbidden
	}
	return g, nil
}

// ShowCaseForm shows the form to bring a case; ?note= starts it from one
// of the viewer's own private notes.
func (h *Handlers) ShowCaseForm(c *gin.Context) error {
	g, err := h.loadCohort(c)
	if err != nil {
		return err
	}
	f := web.NewForm(nil)
	if len(g.Coming) > 0 {
		f.Set("session", g.Coming[0].Session.ID.String())
	}
	if n := c.Query("note"); n != "" {
		v := web.CurrentViewer(c)
		notes, err := h.Service.OwnNotes(c.Request.Context(), v.Org.ID, v.UserID)
		if err != nil {
			return err
		}
		found := false
		for _, x := range notes {
			if x.ID.String() == n {
				f.Set("context", x.Body)
				f.Set("from_note", "1")
				found = true
			}
		}
		if !found {
			return db.ErrNotFound
		}
	}
	return h.renderCaseForm(c, http.StatusOK, g, f, nil)
}

// BringCase checks a case's text for identifiers and shows it masked;
// once the practitioner confirms what remains, it stores the
// de-identified case.
func (h *Handlers) BringCase(c *gin.Context) error {
	g, err := h.loadCohort(c)
	if err != nil {
		return err
	}
	v := web.CurrentViewer(c)
	ctx := c.Request.Context()
	f := web.NewForm(web.PostedForm(c))
	f.Required("title", "context", "question")
	f.MaxLength("title", 200)
	f.MaxLength("context", 5000)
	f.MaxLength("question", 1000)
	f.MaxLength("tried", 3000)
	in := Draft{Title: f.Get("title"), Context: f.Get("context"), Question: f.Get("question"), Tried: f.Get("tried"), FromNote: f.Get("from_note") == "1"}
	if s := f.Get("session"); s != "" {
		id, err := uuid.Parse(s)
		if err != nil || !g.hasSession(id) {
			f.Add("session", "Choose one of the group's coming sessions.")
		} else {
			in.SessionID = &id
		}
	}
	if !f.Valid() {
		return h.renderCaseForm(c, http.StatusUnprocessableEntity, g, f, nil)
	}
	d, err := h.Service.Detector(ctx, v.Org.ID)
	if err != nil {
		return err
	}
	chk := CheckDraft(d, in)
	if f.Get("stage") != "confirm" || len(chk.Found) > 0 {
		// First the practitioner sees what was found, masked.
		setDraft(f, chk.Masked)
		return h.renderCaseForm(c, http.StatusOK, g, f, &chk)
	}
	if f.Get("confirm") != "1" {
		f.Add("confirm", "Please confirm that nothing left in the case identifies anyone.")
		return h.renderCaseForm(c, http.StatusUnprocessableEntity, g, f, &chk)
	}
	cs, again, err := h.Service.BringCase(ctx, v.Org.ID, g.Rel.ID, v.UserID, in)
	if err != nil {
		return refuse(err)
	}
	if again != nil {
		setDraft(f, again.Masked)
		return h.renderCaseForm(c, http.StatusOK, g, f, again)
	}
	web.AddFlash(c, "success", "Your case is with the group, de-identified.")
	web.Redirect(c, "/o/"+v.Org.Slug+"/supervision/cases/"+cs.ID.String())
	return nil
}

func setDraft(f *web.Form, d Draft) {
	f.Set("title", d.Title)
	f.Set("context", d.Context)
	f.Set("question", d.Question)
	f.Set("tried", d.Tried)
}

func (g *Group) hasSession(id uuid.UUID) bool {
	for _, s := range g.Coming {
		if s.Session.ID == id {
			return true
		}
	}
	return false
}

// CasePage is a case with its reflections.
type CasePage struct {
	Slug       string
	V          *CaseView
	Reflection *web.Form
	Learning   *web.Form
}

func (h *Handlers) renderCase(c *gin.Context, status int, cv *CaseView, reflection, learning *web.Form) error {
	v := web.CurrentViewer(c)
	if reflection == nil {
		reflection = web.NewForm(nil)
	}
	if learning == nil {
		learning = web.NewForm(nil)
		learning.Set("learning", cv.Case.Learning)
	}
	return h.page(c, status, PageCase, cv.Case.Title, CasePage{Slug: v.Org.Slug, V: cv, Reflection: reflection, Learning: learning})
}

func (h *Handlers) loadCase(c *gin.Context) (*CaseView, error) {
	v := web.CurrentViewer(c)
	id, err := web.IDParam(c, "id")
	if err != nil {
		return nil, err
	}
	cv, err := h.Service.LoadCase(c.Request.Context(), v.Org.ID, id, v.UserID)
	if err != nil {
		return nil, refuse(err)
	}
	return cv, nil
}

// ShowCasePage shows a case to its group.
func (h *Handlers) ShowCasePage(c *gin.Context) error {
	cv, err := h.loadCase(c)
	if err != nil {
		return err
	}
	return h.renderCase(c, http.StatusOK, cv, nil, nil)
}

// Reflect adds a reflection to a case.
func (h *Handlers) Reflect(c *gin.Context) error {
	cv, err := h.loadCase(c)
	if err != nil {
		return err
	}
	v := web.CurrentViewer(c)
	f := web.NewForm(web.PostedForm(c))
	f.Required("body")
	f.MaxLength("body", 3000)
	if !f.Valid() {
		return h.renderCase(c, http.StatusUnprocessableEntity, cv, f, nil)
	}
	n, err := h.Service.Reflect(c.Request.Context(), v.Org.ID, cv.Case.ID, v.UserID, f.Get("body"))
	if err != nil {
		return refuse(err)
	}
	msg := "Reflection added."
	if n > 0 {
		msg = "Reflection added; identifiers in it were masked."
	}
	web.AddFlash(c, "success", msg)
	web.Redirect(c, "/o/"+v.Org.Slug+"/supervision/cases/"+cv.Case.ID.String())
	return nil
}

// RecordLearning keeps the presenter's learning note.
func (h *Handlers) RecordLearning(c *gin.Context) error {
	cv, err := h.loadCase(c)
	if err != nil {
		return err
	}
	v := web.CurrentViewer(c)
	if !cv.IsPresenter(v.UserID) {
		return web.ErrForbidden
	}
	f := web.NewForm(web.PostedForm(c))
	f.Required("learning")
	f.MaxLength("learning", 3000)
	if !f.Valid() {
		return h.renderCase(c, http.StatusUnprocessableEntity, cv, nil, f)
	}
	if _, err := h.Service.RecordLearning(c.Request.Context(), v.Org.ID, cv.Case.ID, v.UserID, f.Get("learning")); err != nil {
		return refuse(err)
	}
	web.AddFlash(c, "success", "Learning note kept.")
	web.Redirect(c, "/o/"+v.Org.Slug+"/supervision/cases/"+cv.Case.ID.String())
	return nil
}
