package tenancy

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
)

// The tenancy store's SQL for the people admin: the members of an
// organisation as it lists them.

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
