package tenancy

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/cache"
	"github.com/leadershiptoolbox/toolbox/app/db"
)

// Store holds the tenancy SQL. Every method that touches tenant-owned
// rows takes the organisation and runs inside InTenant.
type Store struct {
	DB *db.DB
	// memberships caches each person's memberships for a few seconds; the
	// database's invalidation feed empties it on any change.
	memberships *cache.Cache[uuid.UUID, []ViewerMembership]
}

// NewStore returns the tenancy store, caching memberships when the
// database has an invalidation feed.
func NewStore(d *db.DB) *Store {
	s := &Store{DB: d}
	if d.Invalidator != nil {
		s.memberships = cache.New[uuid.UUID, []ViewerMembership](10*time.Second, 100_000, &d.Invalidator.Enabled)
		d.Invalidator.Subscribe(s.memberships.Clear)
	}
	return s
}

// OrgBySlug finds an organisation by its URL slug.
func (s *Store) OrgBySlug(ctx context.Context, slug string) (*Organisation, error) {
	o := new(Organisation)
	if err := s.DB.NewSelect().Model(o).Where("slug = ?", slug).Scan(ctx); err != nil {
		return nil, fmt.Errorf("tenancy: organisation %q: %w", slug, db.Classify(err))
	}
	return o, nil
}

// OrgByID finds an organisation.
func (s *Store) OrgByID(ctx context.Context, id uuid.UUID) (*Organisation, error) {
	o := new(Organisation)
	if err := s.DB.NewSelect().Model(o).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, fmt.Errorf("tenancy: organisation %s: %w", id, db.Classify(err))
	}
	return o, nil
}

// SlugTaken reports whether an organisation already uses slug.
func (s *Store) SlugTaken(ctx context.Context, slug string) (bool, error) {
	n, err := s.DB.NewSelect().Model((*Organisation)(nil)).Where("slug = ?", slug).Count(ctx)
	if err != nil {
		return false, fmt.Errorf("tenancy: check slug: %w", err)
	}
	return n > 0, nil
}

// insertOrg adds an organisation in tx.
func insertOrg(ctx context.Context, tx bun.IDB, o *Organisation) error {
	if _, err := tx.NewInsert().Model(o).Exec(ctx); err != nil {
		return fmt.Errorf("tenancy: create organisation %q: %w", o.Slug, db.Classify(err))
	}
	return nil
}

// insertMembership adds a membership in tx (which must be scoped to its
// organisation on Postgres).
func insertMembership(ctx context.Context, tx bun.IDB, m *Membership) error {
	if _, err := tx.NewInsert().Model(m).Exec(ctx); err != nil {
		return fmt.Errorf("tenancy: add membership: %w", db.Classify(err))
	}
	return nil
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
}

// viewerMemberships lists every organisation of a person, in tx, which
// must have the person's own rows visible (AsUser or InTenantAs).
func viewerMemberships(ctx context.Context, tx bun.IDB, userID uuid.UUID) ([]ViewerMembership, error) {
	var out []ViewerMembership
	err := tx.NewSelect().TableExpr("memberships AS m").
		Join("JOIN organisations AS o ON o.id = m.org_id").
		ColumnExpr("m.org_id, o.slug, o.name, o.time_zone, m.role, m.kinds, m.status").
		Where("m.user_id = ?", userID).
		OrderExpr("o.name, o.slug").Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("tenancy: memberships of %s: %w", userID, err)
	}
	return out, nil
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
		if out, err = viewerMemberships(ctx, s.DB, userID); err != nil {
			return nil, err
		}
	}
	s.memberships.Put(userID, out, gen)
	return out, nil
}

// Person is a member as the people admin lists them.
type Person struct {
	UserID        uuid.UUID  `bun:"user_id,type:uuid"`
	Name          string     `bun:"name"`
	Email         string     `bun:"email"`
	Role          Role       `bun:"role"`
	Kinds         string     `bun:"kinds"`
	Status        string     `bun:"status"`
	LineManagerID *uuid.UUID `bun:"line_manager_id,type:uuid"`
	Verified      bool       `bun:"verified"`
	JoinedAt      time.Time  `bun:"created_at"`
}

// PeopleFilter narrows the people list.
type PeopleFilter struct {
	Query  string
	Role   Role
	Status string
	Limit  int
}

// People lists an organisation's members.
func (s *Store) People(ctx context.Context, orgID uuid.UUID, f PeopleFilter) ([]Person, error) {
	var out []Person
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewSelect().TableExpr("memberships AS m").
			Join("JOIN users AS u ON u.id = m.user_id").
			ColumnExpr("m.user_id, u.name, u.email, m.role, m.kinds, m.status, m.line_manager_id, m.created_at").
			ColumnExpr("u.verified_at IS NOT NULL AS verified").
			Where("m.org_id = ?", orgID).Where("u.deleted_at IS NULL")
		if f.Query != "" {
			like := "%" + strings.ToLower(escapeLike(f.Query)) + "%"
			q = q.Where("(lower(u.name) LIKE ? ESCAPE '\\' OR u.email LIKE ? ESCAPE '\\')", like, like)
		}
		if f.Role != "" {
			q = q.Where("m.role = ?", f.Role)
		}
		if f.Status != "" {
			q = q.Where("m.status = ?", f.Status)
		}
		limit := f.Limit
		if limit <= 0 || limit > 500 {
			limit = 500
		}
		return q.OrderExpr("lower(u.name), u.email").Limit(int64(limit)).Scan(ctx, &out)
	})
	if err != nil {
		return nil, fmt.Errorf("tenancy: list people: %w", err)
	}
	return out, nil
}

// Member loads one person's membership in an organisation.
func (s *Store) Member(ctx context.Context, orgID, userID uuid.UUID) (*Person, error) {
	var out []Person
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().TableExpr("memberships AS m").
			Join("JOIN users AS u ON u.id = m.user_id").
			ColumnExpr("m.user_id, u.name, u.email, m.role, m.kinds, m.status, m.line_manager_id, m.created_at").
			ColumnExpr("u.verified_at IS NOT NULL AS verified").
			Where("m.org_id = ? AND m.user_id = ?", orgID, userID).Where("u.deleted_at IS NULL").Scan(ctx, &out)
	})
	if err != nil {
		return nil, fmt.Errorf("tenancy: member %s: %w", userID, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("tenancy: member %s: %w", userID, db.ErrNotFound)
	}
	return &out[0], nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// RoleCount is how many active members hold a role.
type RoleCount struct {
	Role  Role `bun:"role"`
	Count int  `bun:"n"`
}

// CountByRole counts an organisation's active members by role.
func (s *Store) CountByRole(ctx context.Context, orgID uuid.UUID) ([]RoleCount, error) {
	var out []RoleCount
	err := s.DB.ReadTenant(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().TableExpr("memberships").ColumnExpr("role, count(*) AS n").
			Where("org_id = ? AND status = ?", orgID, StatusActive).GroupExpr("role").Scan(ctx, &out)
	})
	if err != nil {
		return nil, fmt.Errorf("tenancy: count members: %w", err)
	}
	return out, nil
}
