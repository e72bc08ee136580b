package relationships

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// EditGoal lets a goal's owner reword it.
func (h *Handlers) EditGoal(c *gin.Context) error {
	g, err := h.loadGoal(c)
	if err != nil {
		return err
	}
	v := web.CurrentViewer(c)
	f := web.NewForm(web.PostedForm(c))
	f.Required("description")
	f.MaxLength("description", 1000)
	f.MaxLength("success_measure", 1000)
	if d := f.Get("target_date"); d != "" {
		if _, err := time.Parse("2006-01-02", d); err != nil {
			f.Add("target_date", "bad date")
		}
	}
	if !f.Valid() {
		return h.goalError(c, g, "A goal needs a description (at most 1000 characters) and, if you give one, a target date such as 2027-12-31.")
	}
	if err := h.Store.EditGoal(c.Request.Context(), v.Org.ID, g.ID, v.UserID, h.Clock.Now(), f.Get("description"), f.Get("success_measure"), f.Get("target_date")); err != nil {
		return err
	}
	h.goalBack(c, g, "Goal saved.")
	return nil
}

// DeleteGoal lets a goal's owner remove it.
func (h *Handlers) DeleteGoal(c *gin.Context) error {
	g, err := h.loadGoal(c)
	if err != nil {
		return err
	}
	if err := h.Store.DeleteGoal(c.Request.Context(), g.OrgID, g.ID); err != nil {
		return err
	}
	web.AddFlash(c, "success", "Goal deleted.")
	web.Redirect(c, "/o/"+web.CurrentViewer(c).Org.Slug+"/relationships/"+g.RelationshipID.String()+"#goals")
	return nil
}

// loadNote finds the note of the path; only its author may change it.
// Another person's private note is not found, as if it did not exist.
func (h *Handlers) loadNote(c *gin.Context) (*Note, error) {
	v := web.CurrentViewer(c)
	id, err := web.IDParam(c, "id")
	if err != nil {
		return nil, err
	}
	n, err := h.Store.Note(c.Request.Context(), v.Org.ID, id)
	if err != nil {
		return nil, err
	}
	switch {
	case n.AuthorID == v.UserID:
		return n, nil
	case n.Visibility == Private:
		return nil, fmt.Errorf("relationships: note %s is private to its author: %w", id, db.ErrNotFound)
	}
	return nil, web.ErrForbidden
}

func (h *Handlers) noteBack(c *gin.Context, n *Note, flash string) {
	web.AddFlash(c, "success", flash)
	web.Redirect(c, "/o/"+web.CurrentViewer(c).Org.Slug+"/relationships/"+n.RelationshipID.String()+"#notes")
}

// EditNote lets a note's author rewrite it.
func (h *Handlers) EditNote(c *gin.Context) error {
	n, err := h.loadNote(c)
	if err != nil {
		return err
	}
	f := web.NewForm(web.PostedForm(c))
	f.Required("body")
	f.MaxLength("body", 20000)
	if !f.Valid() {
		ctx := c.Request.Context()
		a := &access{}
		if a.Rel, err = h.Store.Get(ctx, n.OrgID, n.RelationshipID); err != nil {
			return err
		}
		if a.Side, err = h.Store.Side(ctx, n.OrgID, n.RelationshipID, n.AuthorID); err != nil {
			return err
		}
		forms := newForms()
		forms.Note.Add("body", "A note needs some text (at most 20000 characters); to remove it, delete it.")
		return h.render(c, http.StatusUnprocessableEntity, a, forms)
	}
	if err := h.Store.EditNote(c.Request.Context(), h.Keys, n.OrgID, n, f.Get("body")); err != nil {
		return err
	}
	h.noteBack(c, n, "Note saved.")
	return nil
}

// DeleteNote lets a note's author remove it.
func (h *Handlers) DeleteNote(c *gin.Context) error {
	n, err := h.loadNote(c)
	if err != nil {
		return err
	}
	if err := h.Store.DeleteNote(c.Request.Context(), n.OrgID, n.ID); err != nil {
		return err
	}
	h.noteBack(c, n, "Note deleted.")
	return nil
}
