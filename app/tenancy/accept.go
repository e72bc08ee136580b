package tenancy

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/audit"
	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// OpenInvitation is a live invitation as its link shows it.
type OpenInvitation struct {
	Invitation *Invitation
	Org        *Organisation
	Inviter    string
	// Account is the existing account of the invited address, if any.
	Account *auth.User
}

// InvitationByToken finds a live invitation by the secret of its link; a
// used, revoked, expired or unknown link is db.ErrNotFound.
func (s *Service) InvitationByToken(ctx context.Context, token string) (*OpenInvitation, error) {
	hash := auth.HashToken(token)
	orgID, err := s.Store.orgByInvitationToken(ctx, hash)
	if err != nil {
		return nil, err
	}
	out := &OpenInvitation{}
	err = s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		inv, err := s.Store.WithTx(tx).invitationByToken(ctx, orgID, hash)
		if err != nil {
			return err
		}
		if inv.State(s.Clock.Now()) != InvitePending {
			return fmt.Errorf("tenancy: invitation is %s: %w", inv.State(s.Clock.Now()), db.ErrNotFound)
		}
		out.Invitation = inv
		if out.Org, err = s.Store.WithTx(tx).OrgByID(ctx, orgID); err != nil {
			return err
		}
		if inv.InvitedBy != nil {
			if u, err := auth.UserByID(ctx, tx, *inv.InvitedBy); err == nil {
				out.Inviter = u.Name
			}
		}
		u, err := auth.UserByEmail(ctx, tx, inv.Email)
		switch {
		case err == nil:
			out.Account = u
		case !errors.Is(err, db.ErrNotFound):
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// NewAccount is what accepting an invitation needs from a new person.
type NewAccount struct {
	Name     string
	Password string
}

// AcceptInvitation spends an invitation link. If the invited address has
// an account, the person must be signed in as it (viewerID); otherwise a
// new account is made from acc, its address verified by the link. The
// membership is added, the invitation marked accepted, in one transaction.
func (s *Service) AcceptInvitation(ctx context.Context, token string, viewerID uuid.UUID, acc *NewAccount, ip string) (*auth.User, *Organisation, error) {
	hash := auth.HashToken(token)
	orgID, err := s.Store.orgByInvitationToken(ctx, hash)
	if err != nil {
		return nil, nil, err
	}
	var user *auth.User
	var org *Organisation
	err = s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		now := s.Clock.Now()
		st := s.Store.WithTx(tx)
		inv, err := st.invitationByToken(ctx, orgID, hash)
		if err != nil {
			return err
		}
		if inv.State(now) != InvitePending {
			return fmt.Errorf("tenancy: invitation is %s: %w", inv.State(now), db.ErrNotFound)
		}
		if org, err = st.OrgByID(ctx, orgID); err != nil {
			return err
		}
		user, err = auth.UserByEmail(ctx, tx, inv.Email)
		switch {
		case err == nil:
			if user.ID != viewerID {
				return ErrSignInFirst
			}
			if err := auth.MarkVerified(ctx, tx, now, user.ID); err != nil {
				return err
			}
		case errors.Is(err, db.ErrNotFound):
			if acc == nil {
				return ErrNeedAccountForm
			}
			user, err = auth.CreateUser(ctx, tx, now, auth.NewUser{Email: inv.Email, Name: acc.Name, Password: acc.Password, Verified: true})
			if err != nil {
				return err
			}
		default:
			return err
		}
		accepted, err := st.acceptInvitation(ctx, orgID, inv.ID, now)
		if err != nil {
			return err
		}
		if !accepted {
			return fmt.Errorf("tenancy: invitation accepted twice: %w", db.ErrNotFound)
		}
		member, err := st.hasMembership(ctx, orgID, user.ID)
		if err != nil {
			return err
		}
		if !member {
			m := &Membership{
				ID: uuid.Must(uuid.NewV7()), OrgID: orgID, UserID: user.ID, Role: inv.Role, Kinds: inv.Kinds,
				Status: StatusActive, CreatedAt: now, UpdatedAt: now,
			}
			if err := st.insertMembership(ctx, m); err != nil {
				return err
			}
		}
		if user, err = auth.UserByID(ctx, tx, user.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{
			OrgID: orgID, ActorID: &user.ID, Actor: actorName(user.Name, user.Email), Action: audit.ActionInviteAccept,
			Target: user.Email, Detail: describeRole(inv.Role, inv.Kinds), IP: ip, At: now,
		})
	})
	if err != nil {
		return nil, nil, fmt.Errorf("tenancy: accept invitation: %w", err)
	}
	return user, org, nil
}

// showInvitationPage shows who invites the person to what; accepting is a
// POST, so that mail scanners following the link do not spend it.
func (h *Handlers) ShowInvitationPage(c *gin.Context) error {
	inv, err := h.Service.InvitationByToken(c.Request.Context(), c.Param("token"))
	if errors.Is(err, db.ErrNotFound) {
		return h.invitationInvalid(c)
	}
	if err != nil {
		return err
	}
	f := web.NewForm(nil)
	f.Set("name", inv.Invitation.Name)
	return h.renderInvitation(c, http.StatusOK, inv, f)
}

func (h *Handlers) renderInvitation(c *gin.Context, status int, inv *OpenInvitation, f *web.Form) error {
	v := web.CurrentViewer(c)
	signedInAsInvitee := v != nil && inv.Account != nil && v.UserID == inv.Account.ID
	return h.Renderer.Render(c, status, PageInvitation, web.NewPage(c, "Invitation to "+inv.Org.Name, InvitationPage{
		Inv: inv.Invitation, Org: inv.Org, Inviter: inv.Inviter, HasAccount: inv.Account != nil,
		SignedInAsInvitee: signedInAsInvitee, Token: c.Param("token"), Form: f,
		Role:     describeRole(inv.Invitation.Role, inv.Invitation.Kinds),
		LoginURL: "/login?next=" + url.QueryEscape("/invitations/"+c.Param("token")),
	}))
}

func (h *Handlers) invitationInvalid(c *gin.Context) error {
	return h.Renderer.Render(c, http.StatusNotFound, auth.PageLinkInvalid, web.NewPage(c, "Link no longer valid", gin.H{"Invitation": true}))
}

func (h *Handlers) AcceptInvitation(c *gin.Context) error {
	ctx := c.Request.Context()
	token := c.Param("token")
	inv, err := h.Service.InvitationByToken(ctx, token)
	if errors.Is(err, db.ErrNotFound) {
		return h.invitationInvalid(c)
	}
	if err != nil {
		return err
	}
	v := web.CurrentViewer(c)
	viewerID := uuid.Nil
	if v != nil {
		viewerID = v.UserID
	}
	f := web.NewForm(web.PostedForm(c))
	var acc *NewAccount
	if inv.Account == nil {
		f.Required("name", "password")
		f.MaxLength("name", 120)
		if p := auth.PasswordProblem(f.Values.Get("password"), inv.Invitation.Email); p != "" && f.Get("password") != "" {
			f.Add("password", p)
		}
		if !f.Valid() {
			return h.renderInvitation(c, http.StatusUnprocessableEntity, inv, f)
		}
		acc = &NewAccount{Name: f.Get("name"), Password: f.Values.Get("password")}
	} else if viewerID != inv.Account.ID {
		return h.renderInvitation(c, http.StatusForbidden, inv, f)
	}
	user, org, err := h.Service.AcceptInvitation(ctx, token, viewerID, acc, c.ClientIP())
	switch {
	case errors.Is(err, db.ErrNotFound):
		return h.invitationInvalid(c)
	case errors.Is(err, ErrSignInFirst), errors.Is(err, ErrNeedAccountForm):
		return h.renderInvitation(c, http.StatusForbidden, inv, f)
	case err != nil:
		return err
	}
	// A new privilege (or a new account): a new session token.
	if err := h.Service.Auth.Sessions.SignIn(c, user); err != nil {
		return err
	}
	web.AddFlash(c, "success", "Welcome to "+org.Name+"!")
	web.Redirect(c, "/o/"+url.PathEscape(org.Slug))
	return nil
}
