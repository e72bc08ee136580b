package matching

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/assessment"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/feedback"
	"github.com/leadershiptoolbox/toolbox/app/library"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/web"
	"github.com/leadershiptoolbox/toolbox/app/words"
)

// SelfSelectionSize is how many top candidates a member chooses from.
const SelfSelectionSize = 3

// Handlers serve matching, the pipeline and the personal support page.
type Handlers struct {
	Service  *Service
	Renderer *web.Renderer
	// Sessions lists the viewer's next sessions for the My support page
	// (the calendar provides it; nil leaves the list out).
	Sessions NextSessions
	// Courses shows the person's courses on their own page (optional).
	Courses Learning
	// Library recommends articles and tools from what the person said
	// they need (optional).
	Library PersonResources
	// Feedback lists the requests for feedback the viewer has not
	// answered, for the card on My support (feedback.Store; optional).
	Feedback PendingFeedback
}

// PendingFeedback is the feedback package's list of a person's
// unanswered requests.
type PendingFeedback interface {
	PendingAsks(ctx context.Context, orgID, userID uuid.UUID, limit int) ([]feedback.Ask, error)
}

// PersonResources is what the library shows a person on My support; the
// library package implements it (library.Service.ForPerson).
type PersonResources interface {
	ForPerson(ctx context.Context, orgID uuid.UUID, slug string, userID uuid.UUID) (*library.Panel, error)
}

func (h *Handlers) names(c *gin.Context, ids ...uuid.UUID) (map[uuid.UUID]string, error) {
	return h.Service.Tenancy.Names(c.Request.Context(), web.CurrentViewer(c).Org.ID, ids)
}

func (h *Handlers) renderRequest(c *gin.Context, status int, id uuid.UUID, problem string) error {
	v := web.CurrentViewer(c)
	ctx := c.Request.Context()
	rk, err := h.Service.Candidates(ctx, v.Org.ID, id)
	if err != nil {
		return err
	}
	proposals, err := h.Service.ProposalsOf(ctx, v.Org.ID, id)
	if err != nil {
		return err
	}
	ids := []uuid.UUID{rk.Request.MemberID}
	for _, p := range proposals {
		ids = append(ids, p.PractitionerID)
	}
	names, err := h.names(c, ids...)
	if err != nil {
		return err
	}
	page := web.NewPage(c, "Match "+names[rk.Request.MemberID], gin.H{"Org": v.Org, "R": rk.Request, "Eligible": rk.Eligible,
		"Excluded": rk.Excluded, "Proposals": proposals, "Names": names, "Problem": problem})
	page.Nav = "pipeline"
	return h.Renderer.Render(c, status, PageRequest, page)
}

func (h *Handlers) ShowRequestPage(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	return h.renderRequest(c, http.StatusOK, id, "")
}

// propose is shared by the coordinator's proposal and the member's choice.
func (h *Handlers) propose(c *gin.Context, requestID uuid.UUID, onBad func(problem string) error) error {
	v := web.CurrentViewer(c)
	raw := web.PostedForm(c).Get("practitioner_id")
	pid, perr := uuid.Parse(raw)
	if raw == "" || perr != nil {
		return onBad("Choose one of the practitioners listed.")
	}
	p, err := h.Service.Propose(c.Request.Context(), v.Org.ID, requestID, pid, v.UserID)
	switch {
	case errors.Is(err, ErrNotCandidate):
		return onBad("That practitioner cannot be proposed for this request. Choose one of those listed.")
	case errors.Is(err, ErrNotOpen):
		return web.Errorf(http.StatusConflict, "This request already has a proposal waiting for an answer, or is matched.")
	case err != nil:
		return err
	}
	_ = p
	web.AddFlash(c, "success", "Proposed. We e-mailed the practitioner; they have a few days to answer.")
	return nil
}

func (h *Handlers) ProposeByCoordinator(c *gin.Context) error {
	v := web.CurrentViewer(c)
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	if _, err := h.Service.Assess.Request(c.Request.Context(), v.Org.ID, id); err != nil {
		return err
	}
	done := false
	err = h.propose(c, id, func(problem string) error {
		done = true
		return h.renderRequest(c, http.StatusUnprocessableEntity, id, problem)
	})
	if err != nil || done {
		return err
	}
	web.Redirect(c, "/o/"+v.Org.Slug+"/requests/"+id.String())
	return nil
}

// ownRequest loads a request that the viewer may choose for: their own,
// in an organisation that lets members choose.
func (h *Handlers) ownRequest(c *gin.Context) (*assessment.Request, error) {
	v := web.CurrentViewer(c)
	id, err := web.IDParam(c, "id")
	if err != nil {
		return nil, err
	}
	ctx := c.Request.Context()
	r, err := h.Service.Assess.Request(ctx, v.Org.ID, id)
	if err != nil {
		return nil, err
	}
	if r.MemberID != v.UserID {
		return nil, web.ErrForbidden
	}
	org, err := h.Service.Tenancy.OrgByID(ctx, v.Org.ID)
	if err != nil {
		return nil, err
	}
	if !org.Settings.SelfSelection {
		return nil, web.Errorf(http.StatusForbidden, "In this organisation a coordinator chooses your practitioner with you.")
	}
	return r, nil
}

func (h *Handlers) renderChoose(c *gin.Context, status int, r *assessment.Request, problem string) error {
	v := web.CurrentViewer(c)
	rk, err := h.Service.Candidates(c.Request.Context(), v.Org.ID, r.ID)
	if err != nil {
		return err
	}
	top := rk.Eligible
	if len(top) > SelfSelectionSize {
		top = top[:SelfSelectionSize]
	}
	page := web.NewPage(c, "Choose your practitioner", gin.H{"Org": v.Org, "R": r, "Top": top, "Problem": problem})
	page.Nav = "my"
	return h.Renderer.Render(c, status, PageChoose, page)
}

func (h *Handlers) ShowChoosePage(c *gin.Context) error {
	r, err := h.ownRequest(c)
	if err != nil {
		return err
	}
	return h.renderChoose(c, http.StatusOK, r, "")
}

func (h *Handlers) Choose(c *gin.Context) error {
	v := web.CurrentViewer(c)
	r, err := h.ownRequest(c)
	if err != nil {
		return err
	}
	// The member chooses among the top few only.
	rk, err := h.Service.Candidates(c.Request.Context(), v.Org.ID, r.ID)
	if err != nil {
		return err
	}
	pid, _ := uuid.Parse(web.PostedForm(c).Get("practitioner_id"))
	inTop := false
	for i, cand := range rk.Eligible {
		if i < SelfSelectionSize && cand.UserID == pid {
			inTop = true
		}
	}
	if !inTop {
		return h.renderChoose(c, http.StatusUnprocessableEntity, r, "Choose one of the practitioners shown.")
	}
	done := false
	err = h.propose(c, r.ID, func(problem string) error {
		done = true
		return h.renderChoose(c, http.StatusUnprocessableEntity, r, problem)
	})
	if err != nil || done {
		return err
	}
	web.Redirect(c, "/o/"+v.Org.Slug+"/my")
	return nil
}

func (h *Handlers) ownProposal(c *gin.Context) (*Proposal, error) {
	v := web.CurrentViewer(c)
	id, err := web.IDParam(c, "id")
	if err != nil {
		return nil, err
	}
	p, err := h.Service.Proposal(c.Request.Context(), v.Org.ID, id)
	if err != nil {
		return nil, err
	}
	if p.PractitionerID != v.UserID {
		return nil, web.ErrForbidden
	}
	return p, nil
}

func (h *Handlers) renderProposal(c *gin.Context, status int, p *Proposal, problem string) error {
	v := web.CurrentViewer(c)
	r, err := h.Service.Assess.Request(c.Request.Context(), v.Org.ID, p.RequestID)
	if err != nil {
		return err
	}
	names, err := h.names(c, r.MemberID)
	if err != nil {
		return err
	}
	page := web.NewPage(c, words.Title(r.Kind)+" with "+names[r.MemberID]+": a proposal", gin.H{"Org": v.Org, "P": p, "R": r, "Member": names[r.MemberID],
		"Open": p.Status == ProposalPending && h.Service.Clock.Now().Before(p.ExpiresAt), "Problem": problem})
	page.Nav = "my"
	return h.Renderer.Render(c, status, PageProposal, page)
}

func (h *Handlers) ShowProposalPage(c *gin.Context) error {
	p, err := h.ownProposal(c)
	if err != nil {
		return err
	}
	return h.renderProposal(c, http.StatusOK, p, "")
}

// closedProblem says why an answer to a proposal came too late, from the
// proposal as it stands now.
func (h *Handlers) closedProblem(c *gin.Context, p *Proposal) (*Proposal, string) {
	if now, err := h.Service.Proposal(c.Request.Context(), p.OrgID, p.ID); err == nil {
		p = now
	}
	if p.Status == ProposalWithdrawn {
		return p, "A coordinator withdrew this proposal, so there is nothing for you to answer. Thank you all the same."
	}
	return p, "This proposal was answered already, or has expired."
}

func (h *Handlers) Accept(c *gin.Context) error {
	v := web.CurrentViewer(c)
	p, err := h.ownProposal(c)
	if err != nil {
		return err
	}
	rel, err := h.Service.Accept(c.Request.Context(), v.Org.ID, p.ID, v.UserID)
	switch {
	case errors.Is(err, ErrFull):
		return h.renderProposal(c, http.StatusConflict, p, "You have no free places. Raise your capacity in your profile, or decline.")
	case errors.Is(err, ErrAnswered):
		p, problem := h.closedProblem(c, p)
		return h.renderProposal(c, http.StatusConflict, p, problem)
	case errors.Is(err, db.ErrNotFound):
		return h.renderProposal(c, http.StatusConflict, p, "Please fill in your practitioner profile first.")
	case err != nil:
		return err
	}
	web.AddFlash(c, "success", "Welcome to your new relationship. Start by agreeing the agreement together.")
	web.Redirect(c, "/o/"+v.Org.Slug+"/relationships/"+rel.ID.String())
	return nil
}

func (h *Handlers) Decline(c *gin.Context) error {
	v := web.CurrentViewer(c)
	p, err := h.ownProposal(c)
	if err != nil {
		return err
	}
	reason := web.PostedForm(c).Get("reason")
	if problem := web.TextProblem("reason", reason); problem != "" {
		return h.renderProposal(c, http.StatusUnprocessableEntity, p, problem)
	}
	if len(reason) > 2000 {
		return h.renderProposal(c, http.StatusUnprocessableEntity, p, "Please keep the reason under 2000 characters.")
	}
	asked, err := h.Service.DeclineAndNext(c.Request.Context(), v.Org.ID, p.ID, v.UserID, reason)
	if errors.Is(err, ErrAnswered) {
		p, problem := h.closedProblem(c, p)
		return h.renderProposal(c, http.StatusConflict, p, problem)
	}
	if err != nil {
		return err
	}
	if asked {
		web.AddFlash(c, "success", "Declined. We have asked the next practitioner.")
	} else {
		web.AddFlash(c, "success", "Declined. No other practitioner fits, so we told the coordinators; they will find someone.")
	}
	web.Redirect(c, "/o/"+v.Org.Slug+"/my")
	return nil
}

func (h *Handlers) Rematch(c *gin.Context) error {
	v := web.CurrentViewer(c)
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	if _, err := h.Service.Rels.Get(ctx, v.Org.ID, id); err != nil {
		return err
	}
	side, err := h.Service.Rels.Side(ctx, v.Org.ID, id, v.UserID)
	if errors.Is(err, db.ErrNotFound) || (err == nil && side != relationships.SideMember) {
		return web.ErrForbidden
	}
	if err != nil {
		return err
	}
	reason := web.PostedForm(c).Get("reason")
	if problem := web.TextProblem("reason", reason); problem != "" {
		return web.Errorf(http.StatusUnprocessableEntity, problem)
	}
	if len(reason) > 4000 {
		return web.Errorf(http.StatusUnprocessableEntity, "Please keep the reason under 4000 characters.")
	}
	if _, err := h.Service.RequestRematch(ctx, v.Org.ID, v.UserID, &id, reason); err != nil {
		return err
	}
	web.AddFlash(c, "success", "Your coordinators know you would like a different match. They will be in touch; your practitioner is not told your reason.")
	web.Redirect(c, "/o/"+v.Org.Slug+"/my")
	return nil
}

// withdraw lets a coordinator take back a pending proposal.
func (h *Handlers) Withdraw(c *gin.Context) error {
	v := web.CurrentViewer(c)
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	p, err := h.Service.Proposal(ctx, v.Org.ID, id)
	if err != nil {
		return err
	}
	reason := strings.TrimSpace(web.PostedForm(c).Get("reason"))
	if problem := web.TextProblem("reason", reason); problem != "" {
		return h.renderRequest(c, http.StatusUnprocessableEntity, p.RequestID, problem)
	}
	if len(reason) > 2000 {
		return h.renderRequest(c, http.StatusUnprocessableEntity, p.RequestID, "Please keep the reason under 2000 characters.")
	}
	err = h.Service.Withdraw(ctx, v.Org.ID, p.ID, v.UserID, reason)
	if errors.Is(err, ErrAnswered) {
		return h.renderRequest(c, http.StatusConflict, p.RequestID, "That proposal was answered, expired or withdrawn in the meantime.")
	}
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", "Proposal withdrawn. The practitioner's link now says so; propose someone else when you are ready.")
	web.Redirect(c, "/o/"+v.Org.Slug+"/requests/"+p.RequestID.String())
	return nil
}

// rematchForm reads the coordinator's note on a rematch request; a
// problem is shown beside the request on the pipeline.
func (h *Handlers) rematchForm(c *gin.Context, noteRequired bool) (*Rematch, string, error) {
	v := web.CurrentViewer(c)
	id, err := web.IDParam(c, "id")
	if err != nil {
		return nil, "", err
	}
	r, err := h.Service.Rematch(c.Request.Context(), v.Org.ID, id)
	if err != nil {
		return nil, "", err
	}
	if r.Status != RematchOpen {
		return nil, "", web.Errorf(http.StatusConflict, "This rematch request was handled already.")
	}
	note := strings.TrimSpace(web.PostedForm(c).Get("note"))
	switch problem := web.TextProblem("note", note); {
	case problem != "":
		return r, note, h.renderPipeline(c, http.StatusUnprocessableEntity, map[string]string{r.ID.String(): problem})
	case noteRequired && note == "":
		return r, note, h.renderPipeline(c, http.StatusUnprocessableEntity, map[string]string{r.ID.String(): "Write a note: say how it was settled."})
	case len(note) > 2000:
		return r, note, h.renderPipeline(c, http.StatusUnprocessableEntity, map[string]string{r.ID.String(): "Please keep the note under 2000 characters."})
	}
	return r, note, nil
}

func (h *Handlers) CloseRematch(c *gin.Context) error {
	v := web.CurrentViewer(c)
	r, note, err := h.rematchForm(c, true)
	if err != nil || c.Writer.Written() {
		return err
	}
	err = h.Service.CloseRematch(c.Request.Context(), v.Org.ID, r.ID, v.UserID, note)
	if errors.Is(err, ErrHandled) {
		return web.Errorf(http.StatusConflict, "This rematch request was handled already.")
	}
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", "Rematch request closed with your note.")
	web.Redirect(c, "/o/"+v.Org.Slug+"/pipeline")
	return nil
}

func (h *Handlers) RequestFromRematch(c *gin.Context) error {
	v := web.CurrentViewer(c)
	r, note, err := h.rematchForm(c, false)
	if err != nil || c.Writer.Written() {
		return err
	}
	req, err := h.Service.RequestFromRematch(c.Request.Context(), v.Org.ID, r.ID, v.UserID, note)
	switch {
	case errors.Is(err, ErrHandled):
		return web.Errorf(http.StatusConflict, "This rematch request was handled already.")
	case errors.Is(err, ErrNoBasis):
		return web.Errorf(http.StatusConflict, "This request names no relationship: record a face-to-face assessment for the member instead.")
	case err != nil:
		return err
	}
	web.AddFlash(c, "success", "New request opened. The current practitioner is left out; choose who to propose.")
	web.Redirect(c, "/o/"+v.Org.Slug+"/requests/"+req.ID.String())
	return nil
}
