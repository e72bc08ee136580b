package tenancy

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/audit"
	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/mail"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// Errors of the invitation rules; handlers turn them into messages.
var (
	ErrNotVerified     = errors.New("tenancy: confirm your e-mail address before inviting")
	ErrAlreadyMember   = errors.New("tenancy: already a member")
	ErrAlreadyInvited  = errors.New("tenancy: already invited")
	ErrSignInFirst     = errors.New("tenancy: sign in as the invited account first")
	ErrInvitationGone  = errors.New("tenancy: invitation no longer open")
	ErrNeedAccountForm = errors.New("tenancy: a new account needs a name and a password")
)

// Actor is who makes a change, for the rules and the audit log.
type Actor struct {
	UserID uuid.UUID
	Role   Role
	IP     string
}

// actor loads the acting person's account in tx.
func (s *Service) actor(ctx context.Context, tx bun.IDB, a Actor) (*auth.User, error) {
	return auth.UserByID(ctx, tx, a.UserID)
}

// Invite sends one invitation.
func (s *Service) Invite(ctx context.Context, orgID uuid.UUID, a Actor, row InviteRow) (*Invitation, error) {
	var inv *Invitation
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		inviter, org, err := s.inviter(ctx, tx, orgID, a)
		if err != nil {
			return err
		}
		if err := s.inviteProblem(ctx, tx, orgID, row.Email); err != nil {
			return err
		}
		if err := s.checkInvitationLimit(ctx, tx, org, 1); err != nil {
			return err
		}
		inv, err = s.invite(ctx, tx, org, inviter, a, row)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("tenancy: invite %s: %w", row.Email, err)
	}
	return inv, nil
}

// InvitationLimits bounds how many invitations an organisation sends in
// any 24 hours, lower while it is new: invitation e-mails carry the
// organisation's own words to any address, which a spammer would love.
type InvitationLimits struct {
	PerDay       int
	NewOrgPerDay int
	// NewFor is how long an organisation counts as new.
	NewFor time.Duration
}

// InvitationLimitError refuses invitations beyond the day's limit.
type InvitationLimitError struct {
	Limit, Remaining int
	New              bool
}

func (e *InvitationLimitError) Error() string {
	return fmt.Sprintf("tenancy: invitation limit of %d a day reached (%d left)", e.Limit, e.Remaining)
}

// Message says what happened and what to do, for the invitations page.
func (e *InvitationLimitError) Message() string {
	msg := fmt.Sprintf("Your organisation can send %d invitations in any 24 hours", e.Limit)
	if e.New {
		msg += " while it is new (the limit rises after its first week)"
	}
	if e.Remaining > 0 {
		return msg + fmt.Sprintf(", and %d more can go out now. Invite fewer people at once, or the rest tomorrow.", e.Remaining)
	}
	return msg + ", and that many have gone out. Please send the rest tomorrow."
}

// checkInvitationLimit refuses n more invitations if they would pass the
// organisation's limit for the last 24 hours.
func (s *Service) checkInvitationLimit(ctx context.Context, tx bun.Tx, org *Organisation, n int) error {
	now := s.Clock.Now()
	lim := s.Invitations
	limit, isNew := lim.PerDay, now.Sub(org.CreatedAt) < lim.NewFor
	if isNew {
		limit = lim.NewOrgPerDay
	}
	if limit <= 0 {
		return nil
	}
	sent, err := s.Store.WithTx(tx).invitationsSince(ctx, org.ID, now.Add(-24*time.Hour))
	if err != nil {
		return err
	}
	if sent+n > limit {
		return &InvitationLimitError{Limit: limit, Remaining: max(limit-sent, 0), New: isNew}
	}
	return nil
}

// BulkResult is what a CSV upload did.
type BulkResult struct {
	Invited  []string
	Problems []RowProblem
	// Refused is set when all-or-nothing was asked and a row was bad.
	Refused bool
}

// InviteMany invites the rows of a CSV upload. Rows that cannot be invited
// join the parser's problems; with allOrNothing, one problem stops them
// all.
func (s *Service) InviteMany(ctx context.Context, orgID uuid.UUID, a Actor, rows []InviteRow, problems []RowProblem, allOrNothing bool) (*BulkResult, error) {
	res := &BulkResult{Problems: problems}
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		inviter, org, err := s.inviter(ctx, tx, orgID, a)
		if err != nil {
			return err
		}
		var good []InviteRow
		for _, row := range rows {
			switch err := s.inviteProblem(ctx, tx, orgID, row.Email); {
			case errors.Is(err, ErrAlreadyMember):
				res.Problems = append(res.Problems, RowProblem{Line: row.Line, Email: row.Email, Reason: "Already a member of this organisation."})
			case errors.Is(err, ErrAlreadyInvited):
				res.Problems = append(res.Problems, RowProblem{Line: row.Line, Email: row.Email, Reason: "Already invited; resend that invitation from the list instead."})
			case err != nil:
				return err
			default:
				good = append(good, row)
			}
		}
		sortProblems(res.Problems)
		if allOrNothing && len(res.Problems) > 0 {
			res.Refused = true
			return nil
		}
		if err := s.checkInvitationLimit(ctx, tx, org, len(good)); err != nil {
			return err
		}
		for _, row := range good {
			if _, err := s.invite(ctx, tx, org, inviter, a, row); err != nil {
				return err
			}
			res.Invited = append(res.Invited, row.Email)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("tenancy: bulk invite: %w", err)
	}
	return res, nil
}

func sortProblems(ps []RowProblem) {
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && ps[j].Line < ps[j-1].Line; j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
}

// inviter checks that the acting person may invite: a verified account.
func (s *Service) inviter(ctx context.Context, tx bun.Tx, orgID uuid.UUID, a Actor) (*auth.User, *Organisation, error) {
	u, err := s.actor(ctx, tx, a)
	if err != nil {
		return nil, nil, err
	}
	if !u.Verified() {
		return nil, nil, ErrNotVerified
	}
	org, err := s.Store.WithTx(tx).OrgByID(ctx, orgID)
	if err != nil {
		return nil, nil, err
	}
	return u, org, nil
}

// inviteProblem returns ErrAlreadyMember or ErrAlreadyInvited when the
// address cannot be invited, another error when the check failed, or nil.
func (s *Service) inviteProblem(ctx context.Context, tx bun.Tx, orgID uuid.UUID, email string) error {
	if member, err := s.Store.WithTx(tx).memberByEmail(ctx, orgID, email); err != nil {
		return err
	} else if member {
		return ErrAlreadyMember
	}
	if invited, err := s.Store.WithTx(tx).pendingInvitation(ctx, orgID, email, s.Clock.Now()); err != nil {
		return err
	} else if invited {
		return ErrAlreadyInvited
	}
	return nil
}

func (s *Service) invite(ctx context.Context, tx bun.Tx, org *Organisation, inviter *auth.User, a Actor, row InviteRow) (*Invitation, error) {
	now := s.Clock.Now()
	token, hash := auth.NewToken()
	inv := &Invitation{
		ID: uuid.Must(uuid.NewV7()), OrgID: org.ID, Email: strings.ToLower(row.Email), Name: row.Name, Role: row.Role,
		Kinds: strings.Join(row.Kinds, ","), TokenHash: hash, InvitedBy: &inviter.ID, ExpiresAt: now.Add(InvitationTTL),
		SentCount: 1, CreatedAt: now,
	}
	if err := s.Store.WithTx(tx).insertInvitation(ctx, inv); err != nil {
		return nil, err
	}
	if err := s.sendInvitation(ctx, tx, org, inviter, inv, token); err != nil {
		return nil, err
	}
	return inv, audit.Record(ctx, tx, audit.Event{
		OrgID: org.ID, ActorID: &inviter.ID, Actor: actorName(inviter.Name, inviter.Email), Action: audit.ActionInvited,
		Target: inv.Email, Detail: describeRole(inv.Role, inv.Kinds), IP: a.IP, At: now,
	})
}

func (s *Service) sendInvitation(ctx context.Context, tx bun.Tx, org *Organisation, inviter *auth.User, inv *Invitation, token string) error {
	_, err := s.Auth.Mail.Queue(ctx, tx, mail.Message{
		OrgID: org.ID, To: inv.Email, Template: "invitation",
		Data: map[string]any{
			"Name": inv.Name, "OrgName": org.Name, "InviterName": inviter.Name, "Role": describeRole(inv.Role, inv.Kinds),
			"Link": s.Auth.BaseURL + "/invitations/" + token, "Days": int(InvitationTTL.Hours() / 24),
		},
	})
	return err
}

// ResendInvitation e-mails a new link; the old one stops working, and the
// invitation runs for another full period.
func (s *Service) ResendInvitation(ctx context.Context, orgID uuid.UUID, a Actor, id uuid.UUID) (*Invitation, error) {
	var inv *Invitation
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if inv, err = s.Store.WithTx(tx).invitationByID(ctx, orgID, id); err != nil {
			return err
		}
		inviter, org, err := s.inviter(ctx, tx, orgID, a)
		if err != nil {
			return err
		}
		if inv.AcceptedAt != nil || inv.RevokedAt != nil {
			return ErrInvitationGone
		}
		now := s.Clock.Now()
		token, hash := auth.NewToken()
		inv.TokenHash, inv.ExpiresAt, inv.SentCount, inv.InvitedBy = hash, now.Add(InvitationTTL), inv.SentCount+1, &inviter.ID
		if err := s.Store.WithTx(tx).renewInvitation(ctx, inv); err != nil {
			return err
		}
		if err := s.sendInvitation(ctx, tx, org, inviter, inv, token); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{
			OrgID: orgID, ActorID: &inviter.ID, Actor: actorName(inviter.Name, inviter.Email), Action: audit.ActionInviteResent,
			Target: inv.Email, IP: a.IP, At: now,
		})
	})
	if err != nil {
		return nil, fmt.Errorf("tenancy: resend invitation %s: %w", id, err)
	}
	return inv, nil
}

// RevokeInvitation makes an invitation's link stop working.
func (s *Service) RevokeInvitation(ctx context.Context, orgID uuid.UUID, a Actor, id uuid.UUID) (*Invitation, error) {
	var inv *Invitation
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if inv, err = s.Store.WithTx(tx).invitationByID(ctx, orgID, id); err != nil {
			return err
		}
		if inv.AcceptedAt != nil || inv.RevokedAt != nil {
			return ErrInvitationGone
		}
		u, err := s.actor(ctx, tx, a)
		if err != nil {
			return err
		}
		now := s.Clock.Now()
		if err := s.Store.WithTx(tx).revokeInvitation(ctx, inv, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{
			OrgID: orgID, ActorID: &u.ID, Actor: actorName(u.Name, u.Email), Action: audit.ActionInviteRevoked,
			Target: inv.Email, IP: a.IP, At: now,
		})
	})
	if err != nil {
		return nil, fmt.Errorf("tenancy: revoke invitation %s: %w", id, err)
	}
	return inv, nil
}

// describeRole reads "practitioner (coach, mentor)".
func describeRole(r Role, kinds string) string {
	if k := ParseKinds(kinds); len(k) > 0 {
		return string(r) + " (" + strings.Join(k, ", ") + ")"
	}
	return string(r)
}

func (h *Handlers) renderInvitations(c *gin.Context, status int, f *web.Form, upload *web.Form, result *BulkResult) error {
	v := web.CurrentViewer(c)
	list, err := h.Service.Store.Invitations(c.Request.Context(), v.Org.ID)
	if err != nil {
		return err
	}
	if f == nil {
		f = web.NewForm(nil)
		f.Set("role", string(RoleMember))
	}
	if upload == nil {
		upload = web.NewForm(nil)
	}
	page := web.NewPage(c, "Invitations", InvitationsPage{
		Form: f, Upload: upload, Result: result, Invitations: list, Roles: InvitableRoles, Kinds: Kinds,
		Now: h.Service.Clock.Now(), Slug: v.Org.Slug, KindOptions: kindOptions(f.Values["kinds"]),
	})
	page.Nav = "people"
	return h.Renderer.Render(c, status, PageInvitations, page)
}

func (h *Handlers) ShowInvitationsPage(c *gin.Context) error {
	return h.renderInvitations(c, http.StatusOK, nil, nil, nil)
}

var errUnverifiedInviter = web.Errorf(http.StatusForbidden, "Please confirm your e-mail address before inviting others: use the link we sent you, or ask for a new one from the banner at the top of the page.")

func (h *Handlers) Invite(c *gin.Context) error {
	v := web.CurrentViewer(c)
	if !v.Verified {
		return errUnverifiedInviter
	}
	f := web.NewForm(web.PostedForm(c))
	f.MaxLength("name", 120)
	email, reason := CheckEmail(f.Get("email"))
	if reason != "" {
		f.Add("email", reason)
	}
	role, reason := CheckInviteRole(f.Get("role"))
	if reason != "" {
		f.Add("role", reason)
	}
	kinds, reason := CheckKinds(role, strings.Join(f.Values["kinds"], ","))
	if reason != "" && role != "" {
		f.Add("kinds", reason)
	}
	if f.Valid() {
		var limited *InvitationLimitError
		_, err := h.Service.Invite(c.Request.Context(), v.Org.ID, actorOf(c), InviteRow{Email: email, Name: f.Get("name"), Role: role, Kinds: kinds})
		switch {
		case errors.Is(err, ErrNotVerified):
			return errUnverifiedInviter
		case errors.Is(err, ErrAlreadyMember):
			f.Add("email", "This person is already a member of the organisation.")
		case errors.Is(err, ErrAlreadyInvited):
			f.Add("email", "This address already has an open invitation; resend it from the list below.")
		case errors.As(err, &limited):
			f.Add("email", limited.Message())
			return h.renderInvitations(c, http.StatusTooManyRequests, f, nil, nil)
		case err != nil:
			return err
		default:
			web.AddFlash(c, "success", "We e-mailed an invitation to "+email+".")
			web.Redirect(c, orgPath(c, "/invitations"))
			return nil
		}
	}
	return h.renderInvitations(c, http.StatusUnprocessableEntity, f, nil, nil)
}

func (h *Handlers) UploadInvitations(c *gin.Context) error {
	v := web.CurrentViewer(c)
	if !v.Verified {
		return errUnverifiedInviter
	}
	upload := web.NewForm(nil)
	file, header, err := c.Request.FormFile("file")
	if err != nil {
		upload.Add("file", "Choose a CSV file to upload.")
		return h.renderInvitations(c, http.StatusUnprocessableEntity, nil, upload, nil)
	}
	defer file.Close()
	allOrNothing := c.Request.FormValue("all_or_nothing") != ""
	if allOrNothing {
		upload.Set("all_or_nothing", "on")
	}
	if header.Size > MaxCSVBytes {
		upload.Add("file", "The file is larger than 1 MB. Split it into smaller files.")
		return h.renderInvitations(c, http.StatusUnprocessableEntity, nil, upload, nil)
	}
	rows, problems, err := ParseInvitationsCSV(file)
	var csvErr *CSVError
	if errors.As(err, &csvErr) {
		upload.Add("file", csvErr.Reason)
		return h.renderInvitations(c, http.StatusUnprocessableEntity, nil, upload, nil)
	}
	if err != nil {
		return err
	}
	res, err := h.Service.InviteMany(c.Request.Context(), v.Org.ID, actorOf(c), rows, problems, allOrNothing)
	if errors.Is(err, ErrNotVerified) {
		return errUnverifiedInviter
	}
	var limited *InvitationLimitError
	if errors.As(err, &limited) {
		upload.Add("file", limited.Message())
		return h.renderInvitations(c, http.StatusTooManyRequests, nil, upload, nil)
	}
	if err != nil {
		return err
	}
	status := http.StatusOK
	if len(res.Problems) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return h.renderInvitations(c, status, nil, upload, res)
}

func (h *Handlers) InvitationAction(resend bool) web.HandlerFunc {
	return func(c *gin.Context) error {
		id, err := web.IDParam(c, "id")
		if err != nil {
			return err
		}
		v := web.CurrentViewer(c)
		if !resend && web.PostedForm(c).Get("confirm") == "" {
			// Revoking is confirmed on its own page first (of an
			// invitation of this organisation: another's is 404).
			if _, err := h.Service.Invitation(c.Request.Context(), v.Org.ID, id); err != nil {
				return err
			}
			web.Redirect(c, orgPath(c, "/invitations/"+id.String()+"/revoke"))
			return nil
		}
		var inv *Invitation
		if resend {
			if !v.Verified {
				return errUnverifiedInviter
			}
			inv, err = h.Service.ResendInvitation(c.Request.Context(), v.Org.ID, actorOf(c), id)
		} else {
			inv, err = h.Service.RevokeInvitation(c.Request.Context(), v.Org.ID, actorOf(c), id)
		}
		switch {
		case errors.Is(err, ErrInvitationGone):
			return web.Errorf(http.StatusConflict, "That invitation was already accepted or revoked.")
		case errors.Is(err, ErrNotVerified):
			return errUnverifiedInviter
		case err != nil:
			return err
		case resend:
			web.AddFlash(c, "success", "We e-mailed a new link to "+inv.Email+"; the old one no longer works.")
		default:
			web.AddFlash(c, "success", "The invitation to "+inv.Email+" is revoked; its link no longer works.")
		}
		web.Redirect(c, orgPath(c, "/invitations"))
		return nil
	}
}

// Invitation loads one invitation of an organisation.
func (s *Service) Invitation(ctx context.Context, orgID, id uuid.UUID) (*Invitation, error) {
	var inv *Invitation
	err := s.DB.ReadTenant(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		var err error
		inv, err = s.Store.WithTx(q).invitationByID(ctx, orgID, id)
		return err
	})
	return inv, err
}

// ShowRevokePage asks an admin to confirm revoking an invitation: a page
// of its own, so that the question is asked without JavaScript too.
func (h *Handlers) ShowRevokePage(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	v := web.CurrentViewer(c)
	inv, err := h.Service.Invitation(c.Request.Context(), v.Org.ID, id)
	if err != nil {
		return err
	}
	if inv.AcceptedAt != nil || inv.RevokedAt != nil {
		return web.Errorf(http.StatusConflict, "That invitation was already accepted or revoked.")
	}
	page := web.NewPage(c, "Revoke the invitation", RevokeInvitationPage{Slug: v.Org.Slug, Invitation: inv})
	page.Nav = "people"
	return h.Renderer.Render(c, http.StatusOK, PageRevokeInvitation, page)
}
