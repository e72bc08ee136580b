package tenancy

import (
	"context"
	"errors"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/audit"
	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/personaldata"
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

// PersonalData is the organisations' part of a person's data
// (personaldata.Domain): their memberships, the invitations sent to them
// and the audit log's events by or about them, other people named only by
// their role. Erasure is EraseUser's (it also refuses the last owner).
func (s *Service) PersonalData() personaldata.Spec {
	const email = "(SELECT email FROM users WHERE id = :user)"
	return personaldata.Spec{
		Domain: "organisations",
		Tables: map[string]string{
			"memberships":  "deleted: the person leaves every organisation; people they line-managed lose the link",
			"invitations":  "invitations to the person's address are revoked and the address replaced; those they sent stay, naming the deleted account",
			"audit_events": "kept: the organisation's record of what happened; the person's name and address in it are replaced",
		},
		Export: []personaldata.Query{
			{Name: "memberships", PerOrg: true, SQL: `SELECT o.name AS organisation, o.slug, m.role, m.kinds, m.status,
CASE WHEN m.line_manager_id IS NULL THEN '' ELSE 'a line manager' END AS line_manager, m.created_at AS joined_at
FROM memberships m JOIN organisations o ON o.id = m.org_id WHERE m.org_id = :org AND m.user_id = :user`},
			{Name: "invitations_to_you", PerOrg: true, SQL: `SELECT role, kinds, created_at, expires_at, accepted_at, revoked_at FROM invitations
WHERE org_id = :org AND email = ` + email + ` ORDER BY created_at`},
			{Name: "audit_log", PerOrg: true, SQL: `SELECT a.at, a.action,
CASE WHEN a.actor_id = :user THEN 'you' ELSE COALESCE((SELECT m.role FROM memberships m WHERE m.org_id = a.org_id AND m.user_id = a.actor_id), 'someone') END AS done_by,
CASE WHEN a.target = ` + email + ` THEN 'you' WHEN a.target = '' THEN '' ELSE 'another person or thing' END AS about,
CASE WHEN a.actor_id = :user THEN a.ip ELSE '' END AS ip
FROM audit_events a WHERE a.org_id = :org AND (a.actor_id = :user OR a.target = ` + email + `) ORDER BY a.at, a.id`},
		},
	}
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
	st := s.Store.WithTx(tx)
	ms, err := st.viewerMemberships(ctx, userID)
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
		n, err := st.otherActiveOwners(ctx, m.OrgID, userID)
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
		if err := audit.Anonymise(ctx, tx, m.OrgID, userID, u.Email, auth.DeletedName, anon); err != nil {
			return err
		}
		if err := st.clearLineManager(ctx, m.OrgID, userID, now); err != nil {
			return err
		}
		if err := st.forgetInvitations(ctx, m.OrgID, u.Email, anon, now); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{
			OrgID: m.OrgID, ActorID: &userID, Actor: auth.DeletedName, Action: audit.ActionAccountDelete,
			Target: anon, Detail: "account deleted by its holder; was " + string(m.Role), At: now,
		}); err != nil {
			return err
		}
		if err := st.deleteMembership(ctx, m.OrgID, userID); err != nil {
			return err
		}
	}
	return nil
}
