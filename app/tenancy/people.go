package tenancy

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/audit"
	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/db"
)

// Errors of the people rules.
var (
	// ErrLastOwner: an organisation always keeps an active owner.
	ErrLastOwner = errors.New("tenancy: the last owner cannot be demoted, deactivated or removed")
	// ErrOwnersOnly: only an owner may change an owner, or make one.
	ErrOwnersOnly = errors.New("tenancy: only an owner may do that")
	// ErrSelf: a person cannot do this to themselves.
	ErrSelf = errors.New("tenancy: not on yourself")
	// ErrNotActiveMember: the person named is not an active member.
	ErrNotActiveMember = errors.New("tenancy: not an active member")
)

// change loads the target membership in a transaction that also sees the
// target's other memberships, runs edit on it, writes it and records the
// audit event edit returns.
func (s *Service) change(ctx context.Context, orgID uuid.UUID, a Actor, target uuid.UUID,
	edit func(ctx context.Context, tx bun.Tx, a Actor, m *Membership) (action, detail string, err error)) error {
	return s.DB.InTenantAs(ctx, orgID, target, func(ctx context.Context, tx bun.Tx) error {
		// The actor's role is read here, in the transaction, not trusted
		// from the request: it may have changed since.
		var actorRole Role
		err := tx.NewSelect().Model((*Membership)(nil)).Column("role").
			Where("org_id = ? AND user_id = ? AND status = ?", orgID, a.UserID, StatusActive).Scan(ctx, &actorRole)
		if errors.Is(db.Classify(err), db.ErrNotFound) {
			return ErrOwnersOnly
		} else if err != nil {
			return fmt.Errorf("tenancy: actor's role: %w", err)
		}
		a.Role = actorRole
		m, err := membershipForUpdate(ctx, tx, orgID, target)
		if err != nil {
			return err
		}
		actor, err := auth.UserByID(ctx, tx, a.UserID)
		if err != nil {
			return err
		}
		subject, err := auth.UserByID(ctx, tx, target)
		if err != nil {
			return err
		}
		action, detail, err := edit(ctx, tx, a, m)
		if err != nil || action == "" {
			return err
		}
		m.UpdatedAt = s.Clock.Now()
		if err := updateMembership(ctx, tx, m); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{
			OrgID: orgID, ActorID: &actor.ID, Actor: actorName(actor.Name, actor.Email), Action: action,
			Target: subject.Email, Detail: detail, IP: a.IP, At: m.UpdatedAt,
		})
	})
}

// guardOwner applies the owner rules to a change of m that takes away
// ownership (or acts on an owner at all).
func (s *Service) guardOwner(ctx context.Context, tx bun.Tx, a Actor, m *Membership, losesOwnership bool) error {
	if m.Role != RoleOwner {
		return nil
	}
	if a.Role != RoleOwner {
		return ErrOwnersOnly
	}
	if losesOwnership && m.Status == StatusActive {
		n, err := otherActiveOwners(ctx, tx, s.DB.Engine, m.OrgID, m.UserID)
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrLastOwner
		}
	}
	return nil
}

// ChangeRole gives a member another role and practitioner kinds. Only an
// owner changes an owner or makes one; the last owner keeps the role.
func (s *Service) ChangeRole(ctx context.Context, orgID uuid.UUID, a Actor, target uuid.UUID, role Role, kinds []string) error {
	err := s.change(ctx, orgID, a, target, func(ctx context.Context, tx bun.Tx, a Actor, m *Membership) (string, string, error) {
		if role == RoleOwner && a.Role != RoleOwner {
			return "", "", ErrOwnersOnly
		}
		if err := s.guardOwner(ctx, tx, a, m, role != RoleOwner); err != nil {
			return "", "", err
		}
		before := describeRole(m.Role, m.Kinds)
		m.Role, m.Kinds = role, strings.Join(kinds, ",")
		after := describeRole(m.Role, m.Kinds)
		if before == after {
			return "", "", nil
		}
		return audit.ActionRoleChanged, before + " → " + after, nil
	})
	if err != nil {
		return fmt.Errorf("tenancy: change role of %s: %w", target, err)
	}
	return nil
}

// SetLineManager names a member's line manager: another member of the
// same organisation (uuid.Nil clears it).
func (s *Service) SetLineManager(ctx context.Context, orgID uuid.UUID, a Actor, target, manager uuid.UUID) error {
	err := s.change(ctx, orgID, a, target, func(ctx context.Context, tx bun.Tx, a Actor, m *Membership) (string, string, error) {
		if manager == uuid.Nil {
			if m.LineManagerID == nil {
				return "", "", nil
			}
			m.LineManagerID = nil
			return audit.ActionLineManager, "cleared", nil
		}
		if manager == target {
			return "", "", ErrSelf
		}
		var mgr struct {
			Email string `bun:"email"`
		}
		err := tx.NewSelect().TableExpr("memberships AS m").Join("JOIN users AS u ON u.id = m.user_id").
			ColumnExpr("u.email").Where("m.org_id = ? AND m.user_id = ? AND m.status = ? AND u.deleted_at IS NULL", orgID, manager, StatusActive).
			Scan(ctx, &mgr)
		if errors.Is(db.Classify(err), db.ErrNotFound) {
			return "", "", ErrNotActiveMember
		} else if err != nil {
			return "", "", fmt.Errorf("tenancy: look up line manager: %w", err)
		}
		if m.LineManagerID != nil && *m.LineManagerID == manager {
			return "", "", nil
		}
		m.LineManagerID = &manager
		return audit.ActionLineManager, mgr.Email, nil
	})
	if err != nil {
		return fmt.Errorf("tenancy: set line manager of %s: %w", target, err)
	}
	return nil
}

// Deactivate takes away a member's access to the organisation at once
// (the tenant wall checks the status on every request); their records
// stay. A person left with no active membership anywhere is signed out
// everywhere too, and cannot sign in again (see auth.AccessPolicy).
func (s *Service) Deactivate(ctx context.Context, orgID uuid.UUID, a Actor, target uuid.UUID) error {
	err := s.change(ctx, orgID, a, target, func(ctx context.Context, tx bun.Tx, a Actor, m *Membership) (string, string, error) {
		if target == a.UserID {
			return "", "", ErrSelf
		}
		if m.Status == StatusDeactivated {
			return "", "", nil
		}
		if err := s.guardOwner(ctx, tx, a, m, true); err != nil {
			return "", "", err
		}
		m.Status = StatusDeactivated
		others, err := activeMembershipsElsewhere(ctx, tx, orgID, target)
		if err != nil {
			return "", "", err
		}
		if others == 0 {
			if err := auth.BumpEpoch(ctx, tx, target); err != nil {
				return "", "", err
			}
		}
		return audit.ActionDeactivated, "", nil
	})
	if err != nil {
		return fmt.Errorf("tenancy: deactivate %s: %w", target, err)
	}
	return nil
}

// Reactivate gives a deactivated member their access back.
func (s *Service) Reactivate(ctx context.Context, orgID uuid.UUID, a Actor, target uuid.UUID) error {
	err := s.change(ctx, orgID, a, target, func(ctx context.Context, tx bun.Tx, a Actor, m *Membership) (string, string, error) {
		if m.Status == StatusActive {
			return "", "", nil
		}
		if m.Role == RoleOwner && a.Role != RoleOwner {
			return "", "", ErrOwnersOnly
		}
		m.Status = StatusActive
		return audit.ActionReactivated, "", nil
	})
	if err != nil {
		return fmt.Errorf("tenancy: reactivate %s: %w", target, err)
	}
	return nil
}

// TransferOwnership makes an active member the owner; the acting owner
// becomes an admin. Both changes happen in one transaction.
func (s *Service) TransferOwnership(ctx context.Context, orgID uuid.UUID, a Actor, target uuid.UUID) error {
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		if target == a.UserID {
			return ErrSelf
		}
		from, err := membershipForUpdate(ctx, tx, orgID, a.UserID)
		if err != nil {
			return err
		}
		if from.Role != RoleOwner || from.Status != StatusActive {
			return ErrOwnersOnly
		}
		to, err := membershipForUpdate(ctx, tx, orgID, target)
		if err != nil {
			return err
		}
		if to.Status != StatusActive {
			return ErrNotActiveMember
		}
		actor, err := auth.UserByID(ctx, tx, a.UserID)
		if err != nil {
			return err
		}
		subject, err := auth.UserByID(ctx, tx, target)
		if err != nil {
			return err
		}
		now := s.Clock.Now()
		to.Role, to.UpdatedAt = RoleOwner, now
		from.Role, from.UpdatedAt = RoleAdmin, now
		if err := updateMembership(ctx, tx, to); err != nil {
			return err
		}
		if err := updateMembership(ctx, tx, from); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{
			OrgID: orgID, ActorID: &actor.ID, Actor: actorName(actor.Name, actor.Email), Action: audit.ActionOwnership,
			Target: subject.Email, Detail: actor.Email + " → " + subject.Email, IP: a.IP, At: now,
		})
	})
	if err != nil {
		return fmt.Errorf("tenancy: transfer ownership to %s: %w", target, err)
	}
	return nil
}

// UpdateOrganisation changes an organisation's name, default time zone
// and policies.
func (s *Service) UpdateOrganisation(ctx context.Context, orgID uuid.UUID, a Actor, name, zone string, settings Settings) error {
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		org := new(Organisation)
		if err := tx.NewSelect().Model(org).Where("id = ?", orgID).Scan(ctx); err != nil {
			return db.Classify(err)
		}
		actor, err := auth.UserByID(ctx, tx, a.UserID)
		if err != nil {
			return err
		}
		var changed []string
		if org.Name != name {
			changed = append(changed, "name")
		}
		if org.TimeZone != zone {
			changed = append(changed, "time zone")
		}
		if org.Settings.MinCancelNoticeHours != settings.MinCancelNoticeHours {
			changed = append(changed, "cancellation notice")
		}
		if !slices.Equal(org.Settings.ReminderOffsetsMinutes, settings.ReminderOffsetsMinutes) {
			changed = append(changed, "reminders")
		}
		if org.Settings.ProposalDays != settings.ProposalDays {
			changed = append(changed, "proposal days")
		}
		if org.Settings.SelfSelection != settings.SelfSelection {
			changed = append(changed, "self-selection")
		}
		if len(changed) == 0 {
			return nil
		}
		org.Name, org.TimeZone, org.Settings = name, zone, settings
		if err := updateOrg(ctx, tx, org); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{
			OrgID: orgID, ActorID: &actor.ID, Actor: actorName(actor.Name, actor.Email), Action: audit.ActionOrgSettings,
			Target: org.Slug, Detail: strings.Join(changed, ", "), IP: a.IP, At: s.Clock.Now(),
		})
	})
	if err != nil {
		return fmt.Errorf("tenancy: update organisation settings: %w", err)
	}
	return nil
}
