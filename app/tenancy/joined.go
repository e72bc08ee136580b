package tenancy

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// ProviderRoles are the roles an organisation's identity provider may give
// the people it signs in for the first time: never owner or admin (an admin
// promotes people afterwards), nor practitioner, which needs kinds.
var ProviderRoles = []Role{RoleMember, RoleCoordinator}

// ErrMembershipDeactivated: the person's membership was deactivated by the
// organisation's admins; signing in through its provider does not bring it back.
var ErrMembershipDeactivated = errors.New("tenancy: membership deactivated")

// JoinThroughProvider makes userID a member of orgID with role, unless
// they are one already, in tx (scoped to orgID): signing in through the
// organisation's identity provider for the first time. It reports whether
// the membership is new; a deactivated one is ErrMembershipDeactivated.
func JoinThroughProvider(ctx context.Context, tx bun.IDB, orgID, userID uuid.UUID, role Role, now time.Time) (bool, error) {
	var ms []Membership
	if err := tx.NewSelect().Model(&ms).Where("org_id = ? AND user_id = ?", orgID, userID).Scan(ctx); err != nil {
		return false, fmt.Errorf("tenancy: membership of %s: %w", userID, err)
	}
	if len(ms) > 0 {
		if ms[0].Status != StatusActive {
			return false, ErrMembershipDeactivated
		}
		return false, nil
	}
	m := &Membership{ID: uuid.Must(uuid.NewV7()), OrgID: orgID, UserID: userID, Role: role, Status: StatusActive, CreatedAt: now, UpdatedAt: now}
	if _, err := tx.NewInsert().Model(m).Exec(ctx); err != nil {
		return false, fmt.Errorf("tenancy: join %s through the identity provider: %w", userID, err)
	}
	return true, nil
}

// ActiveRole is the person's role in the organisation, or "" when they
// hold no active membership there (tx scoped to orgID).
func ActiveRole(ctx context.Context, tx bun.IDB, orgID, userID uuid.UUID) (Role, error) {
	var ms []Membership
	if err := tx.NewSelect().Model(&ms).Where("org_id = ? AND user_id = ? AND status = ?", orgID, userID, StatusActive).Scan(ctx); err != nil {
		return "", fmt.Errorf("tenancy: role of %s: %w", userID, err)
	}
	if len(ms) == 0 {
		return "", nil
	}
	return ms[0].Role, nil
}
