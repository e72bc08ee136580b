package tenancy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/cache"
	"github.com/leadershiptoolbox/toolbox/app/db"
)

// Store holds the tenancy SQL. Every method that touches tenant-owned
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

// Person is a member as the people admin lists them.
type Person struct {
	UserID        uuid.UUID  `bun:"user_id,type:uuid"`
	Name          string     `bun:"name"`
	Email         string     `bun:"email"`
	Role          Role       `bun:"role"`
	Kinds         string     `bun:"kinds"`
	Status        string     `bun:"status"`
	LineManagerID *uuid.UUID `bun:"line_manager_id,type:uuid"`
	LineManager   string     `bun:"line_manager_name"`
	Verified      bool       `bun:"verified"`
	JoinedAt      time.Time  `bun:"created_at"`
	// TimeZone is the person's own zone ("" until they choose one: the
	// organisation's applies).
	TimeZone string `bun:"time_zone"`
}

// PeopleFilter narrows the people list.
type PeopleFilter struct {
	Query  string
	Role   Role
	Status string
	// UserIDs, when set, keeps only these people.
	UserIDs []uuid.UUID
	Limit   int
	// After pages the list: the people sorted after this person.
	After uuid.UUID
}

// PeoplePageSize is how many people one page of the people list shows.
const PeoplePageSize = 50

// People lists an organisation's members, at most f.Limit (500 when
// unset), sorted by name.
func (s *Store) People(ctx context.Context, orgID uuid.UUID, f PeopleFilter) ([]Person, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 500
	}
	out, err := s.people(ctx, orgID, f)
	if err != nil {
		return nil, fmt.Errorf("tenancy: list people: %w", err)
	}
	return out, nil
}

// PeoplePage is one page of the people list (PeoplePageSize people after
// f.After) and whether more follow. It pages by keyset on (lower(name),
// e-mail, id), so that a page reads one page of an index however many
// people there are, and people added meanwhile never make a row repeat.
func (s *Store) PeoplePage(ctx context.Context, orgID uuid.UUID, f PeopleFilter) (people []Person, more bool, err error) {
	f.Limit = PeoplePageSize + 1
	out, err := s.people(ctx, orgID, f)
	if err != nil {
		return nil, false, fmt.Errorf("tenancy: page of people: %w", err)
	}
	if len(out) > PeoplePageSize {
		return out[:PeoplePageSize], true, nil
	}
	return out, false, nil
}

// people is one read outside a transaction: row-level security holds on
// the scoped connection, so BEGIN, set_config and COMMIT are not needed.
func (s *Store) people(ctx context.Context, orgID uuid.UUID, f PeopleFilter) ([]Person, error) {
	var out []Person
	err := s.DB.ReadTenant(ctx, orgID, func(ctx context.Context, idb bun.IDB) error {
		q := idb.NewSelect().TableExpr("memberships AS m").
			Join("JOIN users AS u ON u.id = m.user_id").
			ColumnExpr("m.user_id, u.name, u.email, u.time_zone, m.role, m.kinds, m.status, m.line_manager_id, m.created_at").
			ColumnExpr("u.verified_at IS NOT NULL AS verified").
			Join("LEFT JOIN users AS lm ON lm.id = m.line_manager_id").ColumnExpr("COALESCE(lm.name, '') AS line_manager_name").
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
		if len(f.UserIDs) > 0 {
			q = q.Where("m.user_id IN (?)", bun.In(f.UserIDs))
		}
		if f.After != uuid.Nil {
			q = q.Where("(lower(u.name), u.email, u.id) > (SELECT lower(a.name), a.email, a.id FROM users AS a WHERE a.id = ?)", f.After)
		}
		return q.OrderExpr("lower(u.name), u.email, u.id").Limit(int64(f.Limit)).Scan(ctx, &out)
	})
	return out, err
}

// Member loads one person's membership in an organisation.
func (s *Store) Member(ctx context.Context, orgID, userID uuid.UUID) (*Person, error) {
	var out []Person
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().TableExpr("memberships AS m").
			Join("JOIN users AS u ON u.id = m.user_id").
			ColumnExpr("m.user_id, u.name, u.email, m.role, m.kinds, m.status, m.line_manager_id, m.created_at").
			ColumnExpr("u.verified_at IS NOT NULL AS verified").
			Join("LEFT JOIN users AS lm ON lm.id = m.line_manager_id").ColumnExpr("COALESCE(lm.name, '') AS line_manager_name").
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
	Role  Role `bun:"role" db:"role"`
	Count int  `bun:"n" db:"n"`
}

// CountByRole counts an organisation's active members by role.
func (s *Store) CountByRole(ctx context.Context, orgID uuid.UUID) ([]RoleCount, error) {
	var out []RoleCount
	// Every dashboard view runs this: a prepared statement, reading the
	// running totals that triggers on memberships keep (migration 0019),
	// not counting every member.
	err := s.DB.ReadTenant(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		var err error
		out, err = db.Select[RoleCount](ctx, q, "SELECT role, n FROM member_counts WHERE org_id = ? AND n > 0", orgID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("tenancy: count members: %w", err)
	}
	return out, nil
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

// updateOrg writes an organisation's name, zone and settings.
func (s *Store) updateOrg(ctx context.Context, o *Organisation) error {
	return s.q(func(q bun.IDB) error {
		_, err := q.NewUpdate().Model(o).Column("name", "time_zone", "settings").WherePK().Exec(ctx)
		return err
	}, "update organisation %s", o.Slug)
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

// SetSuspended suspends an organisation (at set) or resumes it (at nil).
// It reports whether anything changed.
func (s *Store) SetSuspended(ctx context.Context, idb bun.IDB, orgID uuid.UUID, at *time.Time, reason string) (bool, error) {
	q := idb.NewUpdate().Model((*Organisation)(nil)).Set("suspended_at = ?", at).Set("suspended_reason = ?", reason).Where("id = ?", orgID)
	if at != nil {
		q = q.Where("suspended_at IS NULL")
	} else {
		q = q.Where("suspended_at IS NOT NULL")
	}
	res, err := q.Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("tenancy: suspend organisation %s: %w", orgID, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// ErrSuspended is work refused because its organisation is suspended.
var ErrSuspended = errors.New("tenancy: the organisation is suspended")

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
