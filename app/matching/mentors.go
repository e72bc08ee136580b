package matching

import (
	"errors"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

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
	err = h.Service.Rels.ApproveMentor(c.Request.Context(), v.Org.ID, id, v.UserID, h.Service.Clock.Now())
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
