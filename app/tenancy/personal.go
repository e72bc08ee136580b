package tenancy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/audit"
	"github.com/leadershiptoolbox/toolbox/app/auth"
)

// RecordEverywhere records an event done by a person in each of their
// organisations (account.Recorder).
func (s *Service) RecordEverywhere(ctx context.Context, userID uuid.UUID, action, ip string) {
	s.auditEverywhere(ctx, userID, action, ip)
}

// AccessRemoved implements auth.AccessPolicy.
func (s *Service) AccessRemoved(ctx context.Context, userID uuid.UUID) (bool, error) {
	return s.Store.AccessRemoved(ctx, userID)
}

// AllSuspended implements auth.AccessPolicy: every organisation of the
// person is suspended.
func (s *Service) AllSuspended(ctx context.Context, userID uuid.UUID) (bool, error) {
	return s.Store.AllSuspended(ctx, userID)
}

// ExportedMembership is one organisation in a person's data export.
type ExportedMembership struct {
	Organisation string        `json:"organisation"`
	Slug         string        `json:"slug"`
	Role         Role          `json:"role"`
	Kinds        []string      `json:"kinds"`
	Status       string        `json:"status"`
	LineManager  string        `json:"line_manager,omitempty"`
	JoinedAt     time.Time     `json:"joined_at"`
	Actions      []audit.Event `json:"actions_in_audit_log"`
}

// ExportUser implements account.Exporter: the person's memberships and
// what the audit logs record them doing.
func (s *Service) ExportUser(ctx context.Context, userID uuid.UUID) (string, any, error) {
	ms, err := s.Store.Memberships(ctx, userID)
	if err != nil {
		return "organisations", nil, err
	}
	out := []ExportedMembership{}
	for _, m := range ms {
		p, err := s.Store.Member(ctx, m.OrgID, userID)
		if err != nil {
			return "organisations", nil, err
		}
		e := ExportedMembership{
			Organisation: m.Name, Slug: m.Slug, Role: m.Role, Kinds: ParseKinds(m.Kinds), Status: m.Status,
			LineManager: p.LineManager, JoinedAt: p.JoinedAt, Actions: []audit.Event{},
		}
		err = s.DB.InTenant(ctx, m.OrgID, func(ctx context.Context, tx bun.Tx) error {
			return tx.NewSelect().Model(&e.Actions).Where("org_id = ? AND actor_id = ?", m.OrgID, userID).
				OrderExpr("at, id").Limit(10000).Scan(ctx)
		})
		if err != nil {
			return "organisations", nil, fmt.Errorf("tenancy: export audit events: %w", err)
		}
		out = append(out, e)
	}
	return "organisations", out, nil
}

// LastOwnerError refuses an account deletion while the person is the last
// owner of organisations.
type LastOwnerError struct{ Orgs []string }

func (e *LastOwnerError) Error() string {
	return "tenancy: last owner of " + strings.Join(e.Orgs, ", ")
}

// Is makes errors.Is(err, ErrLastOwner) hold.
func (e *LastOwnerError) Is(target error) bool { return target == ErrLastOwner }

// LastOwnerMessage is the refusal for the person.
func LastOwnerMessage(err error) string {
	var lo *LastOwnerError
	if errors.As(err, &lo) {
		return "You are the last owner of " + strings.Join(lo.Orgs, ", ") + ". Transfer ownership to another member first (People → the person → Transfer ownership)."
	}
	return ""
}

// EraseUser implements account.Eraser: refused while the person is the
// last owner of an organisation; otherwise, in each organisation, their
// past audit events are anonymised, the deletion is recorded, anyone they
// line-managed loses that link, and their membership is removed.
func (s *Service) EraseUser(ctx context.Context, tx bun.Tx, userID uuid.UUID) error {
	ms, err := s.Store.WithTx(tx).viewerMemberships(ctx, userID)
	if err != nil {
		return err
	}
	u, err := auth.UserByID(ctx, tx, userID)
	if err != nil {
		return err
	}
	var lastOf []string
	for _, m := range ms {
		if m.Role != RoleOwner || m.Status != StatusActive {
			continue
		}
		if err := setTenant(ctx, tx, s.DB.Engine, m.OrgID); err != nil {
			return err
		}
		n, err := s.Store.WithTx(tx).otherActiveOwners(ctx, m.OrgID, userID)
		if err != nil {
			return err
		}
		if n == 0 {
			lastOf = append(lastOf, m.Name)
		}
	}
	if len(lastOf) > 0 {
		return &LastOwnerError{Orgs: lastOf}
	}
	now := s.Clock.Now()
	anon := "deleted-" + userID.String() + "@invalid"
	for _, m := range ms {
		if err := setTenant(ctx, tx, s.DB.Engine, m.OrgID); err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model((*audit.Event)(nil)).Set("actor = ?", auth.DeletedName).
			Where("org_id = ? AND actor_id = ?", m.OrgID, userID).Exec(ctx); err != nil {
			return fmt.Errorf("tenancy: anonymise audit events: %w", err)
		}
		if _, err := tx.NewUpdate().Model((*audit.Event)(nil)).Set("target = ?", anon).
			Where("org_id = ? AND target = ?", m.OrgID, u.Email).Exec(ctx); err != nil {
			return fmt.Errorf("tenancy: anonymise audit events: %w", err)
		}
		if _, err := tx.NewUpdate().Model((*Membership)(nil)).Set("line_manager_id = NULL").Set("updated_at = ?", now).
			Where("org_id = ? AND line_manager_id = ?", m.OrgID, userID).Exec(ctx); err != nil {
			return fmt.Errorf("tenancy: clear line manager: %w", err)
		}
		if _, err := tx.NewUpdate().Model((*Invitation)(nil)).Set("revoked_at = ?", now).
			Where("org_id = ? AND email = ? AND accepted_at IS NULL AND revoked_at IS NULL", m.OrgID, u.Email).Exec(ctx); err != nil {
			return fmt.Errorf("tenancy: revoke invitations: %w", err)
		}
		if err := audit.Record(ctx, tx, audit.Event{
			OrgID: m.OrgID, ActorID: &userID, Actor: auth.DeletedName, Action: audit.ActionAccountDelete,
			Target: anon, Detail: "account deleted by its holder; was " + string(m.Role), At: now,
		}); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*Membership)(nil)).Where("org_id = ? AND user_id = ?", m.OrgID, userID).Exec(ctx); err != nil {
			return fmt.Errorf("tenancy: remove membership: %w", err)
		}
	}
	return nil
}
