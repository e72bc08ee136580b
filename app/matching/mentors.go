package matching

import (
	"context"
	"errors"
	"fmt"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/audit"
	"github.com/leadershiptoolbox/toolbox/app/auth"

	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// ProvisionalMentor is a row of the pipeline's trained mentors waiting for
// approval.
type ProvisionalMentor struct {
	relationships.Profile
	Name, Supervisor string
}

// provisionalMentors lists the trained mentors waiting for approval, named.
func (h *Handlers) provisionalMentors(c *gin.Context) ([]ProvisionalMentor, error) {
	v := web.CurrentViewer(c)
	ps, err := h.Service.Rels.ProvisionalMentors(c.Request.Context(), v.Org.ID)
	if err != nil || len(ps) == 0 {
		return nil, err
	}
	var ids []uuid.UUID
	for _, p := range ps {
		ids = append(ids, p.UserID)
		if p.MentorSupervisorID != nil {
			ids = append(ids, *p.MentorSupervisorID)
		}
	}
	names, err := h.names(c, ids...)
	if err != nil {
		return nil, err
	}
	out := make([]ProvisionalMentor, 0, len(ps))
	for _, p := range ps {
		if names[p.UserID] == "" {
			continue // no longer an active member
		}
		row := ProvisionalMentor{Profile: p, Name: names[p.UserID]}
		if p.MentorSupervisorID != nil {
			row.Supervisor = names[*p.MentorSupervisorID]
		}
		out = append(out, row)
	}
	return out, nil
}

// ApproveMentor approves a trained mentor with one click on the
// pipeline: matching proposes them to mentees from now on.
func (h *Handlers) ApproveMentor(c *gin.Context) error {
	v := web.CurrentViewer(c)
	id, err := web.IDParam(c, "userID")
	if err != nil {
		return err
	}
	names, err := h.names(c, id)
	if err != nil {
		return err
	}
	if names[id] == "" {
		return db.ErrNotFound // not a member of this organisation
	}
	err = h.Service.ApproveMentor(c.Request.Context(), v.Org.ID, id, v.UserID, c.ClientIP())
	if errors.Is(err, db.ErrNotFound) {
		web.AddFlash(c, "info", "That person is not waiting for approval as a mentor (approved already?).")
		web.Redirect(c, "/o/"+v.Org.Slug+"/pipeline")
		return nil
	} else if err != nil {
		return err
	}
	web.AddFlash(c, "success", names[id]+" is approved as a mentor and can now be proposed to mentees.")
	web.Redirect(c, "/o/"+v.Org.Slug+"/pipeline#mentors")
	return nil
}

// ActionMentorApproved is the audit action of a coordinator approving a
// trained mentor.
const ActionMentorApproved = "matching.mentor_approved"

// ApproveMentor approves a provisional mentor and records who did, in
// the organisation's audit log. A person who is not a provisional mentor
// is db.ErrNotFound.
func (s *Service) ApproveMentor(ctx context.Context, orgID, userID, by uuid.UUID, ip string) error {
	now := s.Clock.Now()
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		if err := s.Rels.WithTx(tx).ApproveMentor(ctx, orgID, userID, by, now); err != nil {
			return err
		}
		actor, err := auth.UserByID(ctx, tx, by)
		if err != nil {
			return err
		}
		mentor, err := auth.UserByID(ctx, tx, userID)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{
			OrgID: orgID, ActorID: &actor.ID, Actor: actor.Name + " <" + actor.Email + ">",
			Action: ActionMentorApproved, Target: mentor.Email, Detail: "trained mentor approved", IP: ip, At: now,
		})
	})
	if err != nil {
		return fmt.Errorf("matching: approve mentor %s: %w", userID, err)
	}
	return nil
}
