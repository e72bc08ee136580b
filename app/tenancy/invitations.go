package tenancy

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/audit"
	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/mail"
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
		if reason, err := s.inviteProblem(ctx, tx, orgID, row.Email); err != nil {
			return err
		} else if reason != nil {
			return reason
		}
		inv, err = s.invite(ctx, tx, org, inviter, a, row)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("tenancy: invite %s: %w", row.Email, err)
	}
	return inv, nil
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
			reason, err := s.inviteProblem(ctx, tx, orgID, row.Email)
			if err != nil {
				return err
			}
			switch {
			case errors.Is(reason, ErrAlreadyMember):
				res.Problems = append(res.Problems, RowProblem{Line: row.Line, Email: row.Email, Reason: "Already a member of this organisation."})
			case errors.Is(reason, ErrAlreadyInvited):
				res.Problems = append(res.Problems, RowProblem{Line: row.Line, Email: row.Email, Reason: "Already invited; resend that invitation from the list instead."})
			default:
				good = append(good, row)
			}
		}
		sortProblems(res.Problems)
		if allOrNothing && len(res.Problems) > 0 {
			res.Refused = true
			return nil
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
	org := new(Organisation)
	if err := tx.NewSelect().Model(org).Where("id = ?", orgID).Scan(ctx); err != nil {
		return nil, nil, fmt.Errorf("tenancy: organisation %s: %w", orgID, db.Classify(err))
	}
	return u, org, nil
}

// inviteProblem returns ErrAlreadyMember or ErrAlreadyInvited, or nil.
func (s *Service) inviteProblem(ctx context.Context, tx bun.Tx, orgID uuid.UUID, email string) (error, error) {
	if member, err := memberByEmail(ctx, tx, orgID, email); err != nil {
		return nil, err
	} else if member {
		return ErrAlreadyMember, nil
	}
	if invited, err := pendingInvitation(ctx, tx, orgID, email, s.Clock.Now()); err != nil {
		return nil, err
	} else if invited {
		return ErrAlreadyInvited, nil
	}
	return nil, nil
}

func (s *Service) invite(ctx context.Context, tx bun.Tx, org *Organisation, inviter *auth.User, a Actor, row InviteRow) (*Invitation, error) {
	now := s.Clock.Now()
	token, hash := auth.NewToken()
	inv := &Invitation{
		ID: uuid.Must(uuid.NewV7()), OrgID: org.ID, Email: strings.ToLower(row.Email), Name: row.Name, Role: row.Role,
		Kinds: strings.Join(row.Kinds, ","), TokenHash: hash, InvitedBy: &inviter.ID, ExpiresAt: now.Add(InvitationTTL),
		SentCount: 1, CreatedAt: now,
	}
	if err := insertInvitation(ctx, tx, inv); err != nil {
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
		if inv, err = invitationByID(ctx, tx, orgID, id); err != nil {
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
		if _, err := tx.NewUpdate().Model(inv).Column("token_hash", "expires_at", "sent_count", "invited_by").
			Where("org_id = ? AND id = ?", orgID, id).Exec(ctx); err != nil {
			return fmt.Errorf("tenancy: renew invitation: %w", err)
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
		if inv, err = invitationByID(ctx, tx, orgID, id); err != nil {
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
		if _, err := tx.NewUpdate().Model(inv).Set("revoked_at = ?", now).
			Where("org_id = ? AND id = ? AND revoked_at IS NULL", orgID, id).Exec(ctx); err != nil {
			return fmt.Errorf("tenancy: revoke invitation: %w", err)
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
		inv, err := invitationByToken(ctx, tx, orgID, hash)
		if err != nil {
			return err
		}
		if inv.State(s.Clock.Now()) != InvitePending {
			return fmt.Errorf("tenancy: invitation is %s: %w", inv.State(s.Clock.Now()), db.ErrNotFound)
		}
		out.Invitation = inv
		out.Org = new(Organisation)
		if err := tx.NewSelect().Model(out.Org).Where("id = ?", orgID).Scan(ctx); err != nil {
			return db.Classify(err)
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
	org := new(Organisation)
	err = s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		now := s.Clock.Now()
		inv, err := invitationByToken(ctx, tx, orgID, hash)
		if err != nil {
			return err
		}
		if inv.State(now) != InvitePending {
			return fmt.Errorf("tenancy: invitation is %s: %w", inv.State(now), db.ErrNotFound)
		}
		if err := tx.NewSelect().Model(org).Where("id = ?", orgID).Scan(ctx); err != nil {
			return db.Classify(err)
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
		res, err := tx.NewUpdate().Model((*Invitation)(nil)).Set("accepted_at = ?", now).
			Where("org_id = ? AND id = ? AND accepted_at IS NULL AND revoked_at IS NULL", orgID, inv.ID).Exec(ctx)
		if err != nil {
			return fmt.Errorf("tenancy: accept invitation: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("tenancy: invitation accepted twice: %w", db.ErrNotFound)
		}
		n, err := tx.NewSelect().Model((*Membership)(nil)).Where("org_id = ? AND user_id = ?", orgID, user.ID).Count(ctx)
		if err != nil {
			return fmt.Errorf("tenancy: check membership: %w", err)
		}
		if n == 0 {
			m := &Membership{
				ID: uuid.Must(uuid.NewV7()), OrgID: orgID, UserID: user.ID, Role: inv.Role, Kinds: inv.Kinds,
				Status: StatusActive, CreatedAt: now, UpdatedAt: now,
			}
			if err := insertMembership(ctx, tx, m); err != nil {
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

// describeRole reads "practitioner (coach, mentor)".
func describeRole(r Role, kinds string) string {
	if k := ParseKinds(kinds); len(k) > 0 {
		return string(r) + " (" + strings.Join(k, ", ") + ")"
	}
	return string(r)
}
