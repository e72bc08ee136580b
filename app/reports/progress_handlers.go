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
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// ProgressPage is the progress page's data.
type ProgressPage struct {
	Base     string
	Progress *Progress
	Tables   []Table
	Zone     string
	// Proposal is the standing proposal to conclude the relationship,
	// which a participant may object to (Keep it going).
	Proposal *Proposal
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
	v := web.CurrentViewer(c)
	prop, err := h.Service.Store.OpenProposal(c.Request.Context(), v.Org.ID, p.Relationship.ID)
	if err != nil {
		return err
	}
	page := web.NewPage(c, "Progress", ProgressPage{Base: b, Progress: p, Tables: ProgressTables(p), Zone: v.Zone(), Proposal: prop})
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

// KeepGoing records a participant's objection to concluding a quiet
// relationship: it is not concluded for this quiet spell.
func (h *Handlers) KeepGoing(c *gin.Context) error {
	p, b, err := h.progress(c) // participants only
	if err != nil {
		return err
	}
	v := web.CurrentViewer(c)
	kept, err := h.Service.Store.Object(c.Request.Context(), v.Org.ID, p.Relationship.ID, v.UserID, h.Service.Clock.Now())
	if err != nil {
		return err
	}
	if kept {
		web.AddFlash(c, "success", "Thank you: the relationship stays active. Book a session to keep its rhythm.")
	} else {
		web.AddFlash(c, "info", "The relationship is not proposed for concluding.")
	}
	web.Redirect(c, b+"/progress")
	return nil
}

// PreferencesPage is the e-mail preferences page.
type PreferencesPage struct {
	Slug    string
	Topics  []TopicChoice
	IsStaff bool
}

// TopicChoice is one topic with whether the person gets it.
type TopicChoice struct {
	Topic, Label, Hint string
	On                 bool
}

var topicLabels = map[string][2]string{
	TopicDigest:  {"The weekly programme digest", "For owners, admins and coordinators: the week's figures and a link to the programme report."},
	TopicSummary: {"A monthly summary of my relationships", "Sessions held, the next one, and goals, once a month."},
	TopicNudges:  {"Check-ins, review reminders and nudges", "How is it going at 30 days and every 60 after; review dates; a word when no session is booked for a while."},
}

// ShowPreferences shows which of the organisation's e-mails the person
// gets.
func (h *Handlers) ShowPreferences(c *gin.Context) error {
	v := web.CurrentViewer(c)
	out, err := h.Service.Store.OptOuts(c.Request.Context(), v.Org.ID, v.UserID)
	if err != nil {
		return err
	}
	data := PreferencesPage{Slug: v.Org.Slug, IsStaff: tenancy.Has(v, tenancy.Staff...)}
	for _, t := range Topics {
		if t == TopicDigest && !data.IsStaff {
			continue
		}
		data.Topics = append(data.Topics, TopicChoice{Topic: t, Label: topicLabels[t][0], Hint: topicLabels[t][1], On: !out[t]})
	}
	page := web.NewPage(c, "E-mail preferences", data)
	page.Nav = "my"
	return h.Renderer.Render(c, http.StatusOK, PagePreferences, page)
}

// SavePreferences records the topics the person no longer wants.
func (h *Handlers) SavePreferences(c *gin.Context) error {
	v := web.CurrentViewer(c)
	form := web.PostedForm(c)
	var off []string
	for _, t := range Topics {
		if form.Get(t) != "on" {
			off = append(off, t)
		}
	}
	if err := h.Service.Store.SetOptOuts(c.Request.Context(), v.Org.ID, v.UserID, off, h.Service.Clock.Now()); err != nil {
		return err
	}
	web.AddFlash(c, "success", "Your e-mail preferences are saved.")
	web.Redirect(c, "/o/"+v.Org.Slug+"/email-preferences")
	return nil
}
