package tenancy

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
)

// The tenancy store's SQL on memberships: a person's organisations and
// their place in each.

// insertMembership adds a membership (the transaction must be scoped to
// its organisation on Postgres).
func (s *Store) insertMembership(ctx context.Context, m *Membership) error {
	return s.q(func(q bun.IDB) error { _, err := q.NewInsert().Model(m).Exec(ctx); return err }, "add membership")
}

// ViewerMembership is one of a person's organisations with their place in it.
type ViewerMembership struct {
	OrgID    uuid.UUID `bun:"org_id,type:uuid"`
	Slug     string    `bun:"slug"`
	Name     string    `bun:"name"`
	TimeZone string    `bun:"time_zone"`
	Role     Role      `bun:"role"`
	Kinds    string    `bun:"kinds"`
	Status   string    `bun:"status"`
	// Suspended: the organisation is suspended by a platform operator.
	Suspended bool `bun:"suspended"`
}

// viewerMemberships lists every organisation of a person; the
// transaction must have the person's own rows visible (AsUser or
// InTenantAs).
func (s *Store) viewerMemberships(ctx context.Context, userID uuid.UUID) ([]ViewerMembership, error) {
	var out []ViewerMembership
	err := s.q(func(q bun.IDB) error {
		return q.NewSelect().TableExpr("memberships AS m").
			Join("JOIN organisations AS o ON o.id = m.org_id").
			ColumnExpr("m.org_id, o.slug, o.name, o.time_zone, m.role, m.kinds, m.status, o.suspended_at IS NOT NULL AS suspended").
			Where("m.user_id = ?", userID).
			OrderExpr("o.name, o.slug").Scan(ctx, &out)
	}, "memberships of %s", userID)
	return out, err
}

// Memberships lists a person's organisations. It runs on every tenant
// request, so on Postgres it is one statement: the viewer_memberships
// function returns the person's own rows across organisations (row-level
// security would otherwise need a transaction to set app.user_id).
func (s *Store) Memberships(ctx context.Context, userID uuid.UUID) ([]ViewerMembership, error) {
	if hit, ok := s.memberships.Get(userID); ok {
		return hit, nil
	}
	gen := s.memberships.Generation()
	var out []ViewerMembership
	if s.DB.Engine == db.Postgres {
		if err := s.DB.NewRaw("SELECT * FROM viewer_memberships(?)", userID).Scan(ctx, &out); err != nil {
			return nil, fmt.Errorf("tenancy: memberships of %s: %w", userID, err)
		}
	} else {
		var err error
		if out, err = s.viewerMemberships(ctx, userID); err != nil {
			return nil, err
		}
	}
	s.memberships.Put(userID, out, gen)
	return out, nil
}

// membershipForUpdate loads a membership in tx, locked against concurrent
// changes on Postgres (SQLite transactions already hold the write lock).
func (s *Store) membershipForUpdate(ctx context.Context, orgID, userID uuid.UUID) (*Membership, error) {
	m := new(Membership)
	err := s.q(func(q bun.IDB) error {
		return db.ForUpdate(q.NewSelect().Model(m).Where("org_id = ? AND user_id = ?", orgID, userID)).Scan(ctx)
	}, "membership of %s", userID)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// otherActiveOwners counts the active owners of an organisation other
// than userID. On Postgres it locks every owner row first, so that two
// concurrent demotions cannot each see the other owner and both succeed.
func (s *Store) otherActiveOwners(ctx context.Context, orgID, userID uuid.UUID) (int, error) {
	var ids []uuid.UUID
	err := s.q(func(q bun.IDB) error {
		return db.ForUpdate(q.NewSelect().Model((*Membership)(nil)).Column("user_id").
			Where("org_id = ? AND role = ? AND status = ?", orgID, RoleOwner, StatusActive)).Scan(ctx, &ids)
	}, "count owners")
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		if id != userID {
			n++
		}
	}
	return n, nil
}

// activeRole is a person's role in the organisation while their
// membership is active; db.ErrNotFound otherwise.
func (s *Store) activeRole(ctx context.Context, orgID, userID uuid.UUID) (Role, error) {
	var role Role
	err := s.q(func(q bun.IDB) error {
		return q.NewSelect().Model((*Membership)(nil)).Column("role").
			Where("org_id = ? AND user_id = ? AND status = ?", orgID, userID, StatusActive).Scan(ctx, &role)
	}, "role of %s", userID)
	return role, err
}

// activeMemberEmail is the address of an active member whose account
// stands; db.ErrNotFound otherwise.
func (s *Store) activeMemberEmail(ctx context.Context, orgID, userID uuid.UUID) (string, error) {
	var email string
	err := s.q(func(q bun.IDB) error {
		return q.NewSelect().TableExpr("memberships AS m").Join("JOIN users AS u ON u.id = m.user_id").
			ColumnExpr("u.email").Where("m.org_id = ? AND m.user_id = ? AND m.status = ? AND u.deleted_at IS NULL", orgID, userID, StatusActive).
			Scan(ctx, &email)
	}, "look up member %s", userID)
	return email, err
}

// updateMembership writes a membership's role, kinds, line manager and
// status.
func (s *Store) updateMembership(ctx context.Context, m *Membership) error {
	return s.q(func(q bun.IDB) error {
		_, err := q.NewUpdate().Model(m).Column("role", "kinds", "line_manager_id", "status", "updated_at").
			Where("org_id = ? AND user_id = ?", m.OrgID, m.UserID).Exec(ctx)
		return err
	}, "update membership of %s", m.UserID)
}

// activeMembershipsElsewhere counts a person's active memberships in
// organisations other than orgID; the transaction must see the person's
// rows (InTenantAs).
func (s *Store) activeMembershipsElsewhere(ctx context.Context, orgID, userID uuid.UUID) (int, error) {
	var n int64
	err := s.q(func(q bun.IDB) (err error) {
		n, err = q.NewSelect().Model((*Membership)(nil)).
			Where("user_id = ? AND org_id <> ? AND status = ?", userID, orgID, StatusActive).Count(ctx)
		return err
	}, "count memberships of %s", userID)
	return int(n), err
}

// memberByEmail reports whether an address belongs to a member.
func (s *Store) memberByEmail(ctx context.Context, orgID uuid.UUID, email string) (bool, error) {
	var n int64
	err := s.q(func(q bun.IDB) (err error) {
		n, err = q.NewSelect().TableExpr("memberships AS m").Join("JOIN users AS u ON u.id = m.user_id").
			Where("m.org_id = ? AND u.email = ? AND u.deleted_at IS NULL", orgID, email).Count(ctx)
		return err
	}, "look up member by e-mail")
	return n > 0, err
}

// AccessRemoved reports whether every membership of a person is
// deactivated (a person with no membership at all is not refused: they
// may be about to set up an organisation).
func (s *Store) AccessRemoved(ctx context.Context, userID uuid.UUID) (bool, error) {
	ms, err := s.Memberships(ctx, userID)
	if err != nil {
		return false, err
	}
	for _, m := range ms {
		if m.Status == StatusActive {
			return false, nil
		}
	}
	return len(ms) > 0, nil
}

// AllSuspended reports whether every organisation in which the person is
// an active member is suspended (and there is at least one): their
// sign-in is refused, saying so.
func (s *Store) AllSuspended(ctx context.Context, userID uuid.UUID) (bool, error) {
	ms, err := s.Memberships(ctx, userID)
	if err != nil {
		return false, err
	}
	active := 0
	for _, m := range ms {
		if m.Status != StatusActive {
			continue
		}
		if !m.Suspended {
			return false, nil
		}
		active++
	}
	return active > 0, nil
}

// RosterNames lists the names of everyone in an organisation's roster
// (every membership, whatever its status), for finding them in text that
// must identify nobody (supervision's case reviews).
func (s *Store) RosterNames(ctx context.Context, orgID uuid.UUID) ([]string, error) {
	var out []string
	err := s.DB.ReadTenant(ctx, orgID, func(ctx context.Context, idb bun.IDB) error {
		return idb.NewSelect().TableExpr("memberships AS m").Join("JOIN users AS u ON u.id = m.user_id").
			ColumnExpr("u.name").Where("m.org_id = ?", orgID).Where("u.deleted_at IS NULL").Where("u.name <> ''").
			Scan(ctx, &out)
	})
	if err != nil {
		return nil, fmt.Errorf("tenancy: roster names: %w", err)
	}
	return out, nil
}

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

// hasMembership reports whether the person holds a membership of the
// organisation, whatever its status.
func (s *Store) hasMembership(ctx context.Context, orgID, userID uuid.UUID) (bool, error) {
	var n int64
	err := s.q(func(q bun.IDB) (err error) {
		n, err = q.NewSelect().Model((*Membership)(nil)).Where("org_id = ? AND user_id = ?", orgID, userID).Count(ctx)
		return err
	}, "check membership")
	return n > 0, err
}

// clearLineManager takes a person off as the line manager of anyone in
// the organisation.
func (s *Store) clearLineManager(ctx context.Context, orgID, userID uuid.UUID, now time.Time) error {
	return s.q(func(q bun.IDB) error {
		_, err := q.NewUpdate().Model((*Membership)(nil)).Set("line_manager_id = NULL").Set("updated_at = ?", now).
			Where("org_id = ? AND line_manager_id = ?", orgID, userID).Exec(ctx)
		return err
	}, "clear line manager")
}

// deleteMembership removes a person's membership of the organisation.
func (s *Store) deleteMembership(ctx context.Context, orgID, userID uuid.UUID) error {
	return s.q(func(q bun.IDB) error {
		_, err := q.NewDelete().Model((*Membership)(nil)).Where("org_id = ? AND user_id = ?", orgID, userID).Exec(ctx)
		return err
	}, "remove membership")
}
