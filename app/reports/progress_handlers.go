package reports

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// ProgressPage is the progress page's data.
type ProgressPage struct {
	Base     string
	Progress *Progress
	Tables   []Table
	Zone     string
}

// Progress computes a relationship's progress for one of its
// participants: web.ErrForbidden for anyone else in the organisation.
func (s *Service) Progress(ctx context.Context, orgID, relID, viewerID uuid.UUID, zone string) (*Progress, error) {
	rel, err := s.Rels.Get(ctx, orgID, relID)
	if err != nil {
		return nil, err
	}
	side, err := s.Rels.Side(ctx, orgID, relID, viewerID)
	if errors.Is(err, db.ErrNotFound) {
		return nil, fmt.Errorf("reports: progress of %s for a non-participant: %w", relID, web.ErrForbidden)
	}
	if err != nil {
		return nil, err
	}
	agreement, err := s.Rels.AgreementFor(ctx, orgID, relID)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return nil, err
	}
	sessions, err := s.Store.RelationshipSessions(ctx, orgID, relID)
	if err != nil {
		return nil, err
	}
	goals, err := s.Rels.Goals(ctx, orgID, relID)
	if err != nil {
		return nil, err
	}
	switches, err := s.Rels.ModeSwitches(ctx, orgID, relID)
	if err != nil {
		return nil, err
	}
	// A member sees their own answers; a practitioner everyone's, shown
	// by month only over five answers or more.
	own := side == relationships.SideMember
	var author *uuid.UUID
	if own {
		author = &viewerID
	}
	answers, err := s.Answers.Answered(ctx, orgID, &relID, author, 1000)
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		loc = time.UTC
	}
	return BuildProgress(rel, side, agreement, sessions, goals, switches, answers, own, s.Clock.Now(), loc), nil
}

func (h *Handlers) progress(c *gin.Context) (*Progress, string, error) {
	v := web.CurrentViewer(c)
	id, err := web.IDParam(c, "id")
	if err != nil {
		return nil, "", err
	}
	p, err := h.Service.Progress(c.Request.Context(), v.Org.ID, id, v.UserID, v.Zone())
	return p, "/o/" + v.Org.Slug + "/relationships/" + id.String(), err
}

// ShowProgress is a relationship's progress page, for its participants.
func (h *Handlers) ShowProgress(c *gin.Context) error {
	p, b, err := h.progress(c)
	if err != nil {
		return err
	}
	page := web.NewPage(c, "Progress", ProgressPage{Base: b, Progress: p, Tables: ProgressTables(p), Zone: web.CurrentViewer(c).Zone()})
	page.Nav = "my"
	return h.Renderer.Render(c, http.StatusOK, PageProgress, page)
}

// ProgressCSV writes one table of the progress page as CSV.
func (h *Handlers) ProgressCSV(c *gin.Context) error {
	p, _, err := h.progress(c)
	if err != nil {
		return err
	}
	for _, t := range ProgressTables(p) {
		if t.Slug == c.Param("table") {
			c.Header("Content-Type", "text/csv; charset=utf-8")
			c.Header("Content-Disposition", `attachment; filename="progress-`+t.Slug+`.csv"`)
			c.Header("Cache-Control", "no-store")
			c.Status(http.StatusOK)
			return WriteCSV(c.Writer, t)
		}
	}
	return web.Errorf(http.StatusNotFound, "The progress page has no such table.")
}
