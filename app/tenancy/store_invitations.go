package tenancy

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
)

// The tenancy store's SQL on invitations.

// pendingInvitation reports whether an address has a live invitation.
func (s *Store) pendingInvitation(ctx context.Context, orgID uuid.UUID, email string, now time.Time) (bool, error) {
	var n int64
	err := s.q(func(q bun.IDB) (err error) {
		n, err = q.NewSelect().Model((*Invitation)(nil)).
			Where("org_id = ? AND email = ? AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?", orgID, email, now).
			Count(ctx)
		return err
	}, "look up invitation")
	return n > 0, err
}

func (s *Store) insertInvitation(ctx context.Context, inv *Invitation) error {
	return s.q(func(q bun.IDB) error { _, err := q.NewInsert().Model(inv).Exec(ctx); return err }, "add invitation for %s", inv.Email)
}

// invitationByID loads an invitation of an organisation.
func (s *Store) invitationByID(ctx context.Context, orgID, id uuid.UUID) (*Invitation, error) {
	inv := new(Invitation)
	if err := s.q(func(q bun.IDB) error {
		return q.NewSelect().Model(inv).Where("org_id = ? AND id = ?", orgID, id).Scan(ctx)
	}, "invitation %s", id); err != nil {
		return nil, err
	}
	return inv, nil
}

// invitationByToken loads an invitation of an organisation by its token.
func (s *Store) invitationByToken(ctx context.Context, orgID uuid.UUID, tokenHash string) (*Invitation, error) {
	inv := new(Invitation)
	err := s.q(func(q bun.IDB) error {
		return q.NewSelect().Model(inv).Where("org_id = ? AND token_hash = ?", orgID, tokenHash).Scan(ctx)
	}, "invitation by token")
	if err != nil {
		return nil, err
	}
	return inv, nil
}

// orgByInvitationToken finds which organisation an invitation token
// belongs to, before any tenant is known. On Postgres row-level security
// hides every invitation without a tenant, so a narrow SECURITY DEFINER
// function (migration 0002) answers this one question.
func (s *Store) orgByInvitationToken(ctx context.Context, tokenHash string) (uuid.UUID, error) {
	var id *uuid.UUID
	err := s.q(func(q bun.IDB) error {
		if s.DB.Engine == db.Postgres {
			return q.NewRaw("SELECT invitation_org_by_token(?)", tokenHash).Scan(ctx, &id)
		}
		return q.NewSelect().Model((*Invitation)(nil)).Column("org_id").Where("token_hash = ?", tokenHash).Scan(ctx, &id)
	}, "invitation token")
	if err != nil {
		return uuid.Nil, err
	}
	if id == nil {
		return uuid.Nil, fmt.Errorf("tenancy: invitation token: %w", db.ErrNotFound)
	}
	return *id, nil
}

// InvitationListItem is an invitation as the invitations page lists it.
type InvitationListItem struct {
	Invitation  `bun:",extend"`
	InviterName string `bun:"inviter_name,scanonly"`
}

// Invitations lists an organisation's open invitations (pending or
// expired, not accepted or revoked), newest first.
func (s *Store) Invitations(ctx context.Context, orgID uuid.UUID) ([]InvitationListItem, error) {
	var out []InvitationListItem
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Model(&out).
			ColumnExpr("invitation.*").ColumnExpr("COALESCE(u.name, '') AS inviter_name").
			Join("LEFT JOIN users AS u ON u.id = invitation.invited_by").
			Where("invitation.org_id = ? AND invitation.accepted_at IS NULL AND invitation.revoked_at IS NULL", orgID).
			OrderExpr("invitation.created_at DESC, invitation.id DESC").Limit(500).Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("tenancy: list invitations: %w", err)
	}
	return out, nil
}

// invitationsSince counts the invitations an organisation sent after since.
func (s *Store) invitationsSince(ctx context.Context, orgID uuid.UUID, since time.Time) (int, error) {
	var n int64
	err := s.q(func(q bun.IDB) (err error) {
		n, err = q.NewSelect().Model((*Invitation)(nil)).Where("org_id = ? AND created_at > ?", orgID, since).Count(ctx)
		return err
	}, "count invitations of %s", orgID)
	return int(n), err
}

// renewInvitation writes an invitation's new link, expiry, count and
// inviter.
func (s *Store) renewInvitation(ctx context.Context, inv *Invitation) error {
	return s.q(func(q bun.IDB) error {
		_, err := q.NewUpdate().Model(inv).Column("token_hash", "expires_at", "sent_count", "invited_by").
			Where("org_id = ? AND id = ?", inv.OrgID, inv.ID).Exec(ctx)
		return err
	}, "renew invitation")
}

// revokeInvitation stops an invitation's link working, unless it was
// revoked already.
func (s *Store) revokeInvitation(ctx context.Context, inv *Invitation, now time.Time) error {
	return s.q(func(q bun.IDB) error {
		_, err := q.NewUpdate().Model(inv).Set("revoked_at = ?", now).
			Where("org_id = ? AND id = ? AND revoked_at IS NULL", inv.OrgID, inv.ID).Exec(ctx)
		return err
	}, "revoke invitation")
}

// acceptInvitation marks an open invitation accepted, and reports whether
// it was still open (accepted or revoked meanwhile: false).
func (s *Store) acceptInvitation(ctx context.Context, orgID, id uuid.UUID, now time.Time) (bool, error) {
	var n int64
	err := s.q(func(q bun.IDB) error {
		res, err := q.NewUpdate().Model((*Invitation)(nil)).Set("accepted_at = ?", now).
			Where("org_id = ? AND id = ? AND accepted_at IS NULL AND revoked_at IS NULL", orgID, id).Exec(ctx)
		if err == nil {
			n, _ = res.RowsAffected()
		}
		return err
	}, "accept invitation")
	return n == 1, err
}

// forgetInvitations revokes the open invitations of an address whose
// account is deleted, and replaces the address (and the name) on all of
// them with anon.
func (s *Store) forgetInvitations(ctx context.Context, orgID uuid.UUID, email, anon string, now time.Time) error {
	if err := s.q(func(q bun.IDB) error {
		_, err := q.NewUpdate().Model((*Invitation)(nil)).Set("revoked_at = ?", now).
			Where("org_id = ? AND email = ? AND accepted_at IS NULL AND revoked_at IS NULL", orgID, email).Exec(ctx)
		return err
	}, "revoke invitations"); err != nil {
		return err
	}
	return s.q(func(q bun.IDB) error {
		_, err := q.NewUpdate().Model((*Invitation)(nil)).Set("email = ?", anon).Set("name = ''").
			Where("org_id = ? AND email = ?", orgID, email).Exec(ctx)
		return err
	}, "anonymise invitations")
}
