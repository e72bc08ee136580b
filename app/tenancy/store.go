package tenancy

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/cache"
	"github.com/leadershiptoolbox/toolbox/app/db"
)

// Store holds the tenancy SQL (organisations here; memberships, people
// and invitations in store_memberships.go, store_people.go and
// store_invitations.go). Every method that touches tenant-owned
// rows takes the organisation and runs inside InTenant; the unexported
// ones run in the caller's transaction (WithTx).
type Store struct {
	DB *db.DB
	// memberships caches each person's memberships for a few seconds; the
	// database's invalidation feed empties it on any change.
	memberships *cache.Cache[uuid.UUID, []ViewerMembership]
	tx          bun.IDB
}

// WithTx is the store working in the caller's transaction tx.
func (s *Store) WithTx(tx bun.IDB) *Store {
	c := *s
	c.tx = tx
	return &c
}

// q runs fn on the caller's transaction (WithTx), or else on the
// database, and maps a driver's error (db.Classify), saying what was being
// done: the one place the store's errors are mapped.
func (s *Store) q(fn func(q bun.IDB) error, format string, args ...any) error {
	var q bun.IDB = s.DB
	if s.tx != nil {
		q = s.tx
	}
	if err := db.Classify(fn(q)); err != nil {
		return fmt.Errorf("tenancy: "+format+": %w", append(args, err)...)
	}
	return nil
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
	if err := s.q(func(q bun.IDB) error { return q.NewSelect().Model(o).Where("slug = ?", slug).Scan(ctx) }, "organisation %q", slug); err != nil {
		return nil, err
	}
	return o, nil
}

// OrgByID finds an organisation.
func (s *Store) OrgByID(ctx context.Context, id uuid.UUID) (*Organisation, error) {
	o := new(Organisation)
	if err := s.q(func(q bun.IDB) error { return q.NewSelect().Model(o).Where("id = ?", id).Scan(ctx) }, "organisation %s", id); err != nil {
		return nil, err
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

// insertOrg adds an organisation.
func (s *Store) insertOrg(ctx context.Context, o *Organisation) error {
	return s.q(func(q bun.IDB) error { _, err := q.NewInsert().Model(o).Exec(ctx); return err }, "create organisation %q", o.Slug)
}

// setTenant re-scopes a running transaction to another organisation (the
// account deletion walks every organisation of a person in one
// transaction). SQLite has no row-level security: nothing to set.
func setTenant(ctx context.Context, tx bun.Tx, engine db.Engine, orgID uuid.UUID) error {
	if engine != db.Postgres {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "SELECT set_config('app.org_id', ?, true)", orgID.String()); err != nil {
		return fmt.Errorf("tenancy: set tenant %s: %w", orgID, err)
	}
	return nil
}

// updateOrg writes an organisation's name, zone and settings.
func (s *Store) updateOrg(ctx context.Context, o *Organisation) error {
	return s.q(func(q bun.IDB) error {
		_, err := q.NewUpdate().Model(o).Column("name", "time_zone", "settings").WherePK().Exec(ctx)
		return err
	}, "update organisation %s", o.Slug)
}

// SetSuspended suspends an organisation (at set) or resumes it (at nil).
// It reports whether anything changed.
func (s *Store) SetSuspended(ctx context.Context, orgID uuid.UUID, at *time.Time, reason string) (bool, error) {
	var n int64
	err := s.q(func(q bun.IDB) error {
		u := q.NewUpdate().Model((*Organisation)(nil)).Set("suspended_at = ?", at).Set("suspended_reason = ?", reason).Where("id = ?", orgID)
		if at != nil {
			u = u.Where("suspended_at IS NULL")
		} else {
			u = u.Where("suspended_at IS NOT NULL")
		}
		res, err := u.Exec(ctx)
		if err == nil {
			n, _ = res.RowsAffected()
		}
		return err
	}, "suspend organisation %s", orgID)
	return n > 0, err
}

// ErrSuspended is work refused because its organisation is suspended.
var ErrSuspended = errors.New("tenancy: the organisation is suspended")

// OrgIDs lists the ids of every organisation, for operator commands that
// visit each tenant in turn (such as resealing private notes).
func OrgIDs(ctx context.Context, idb bun.IDB) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	if err := idb.NewSelect().Model((*Organisation)(nil)).Column("id").Order("id").Scan(ctx, &ids); err != nil {
		return nil, fmt.Errorf("tenancy: list organisations: %w", err)
	}
	return ids, nil
}
