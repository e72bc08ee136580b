package supervision

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
)

// Store holds all of supervision's SQL (supervision_roles,
// supervision_cases, case_reflections). A method runs in a tenant
// transaction of its own or, on the store WithTx returns, in the caller's.
type Store struct {
	DB *db.DB
	tx bun.IDB
}

// WithTx returns the store working inside tx, scoped to the organisation.
func (s *Store) WithTx(tx bun.IDB) *Store { return &Store{DB: s.DB, tx: tx} }

func (s *Store) in(ctx context.Context, orgID uuid.UUID, fn func(ctx context.Context, q bun.IDB) error, format string, args ...any) error {
	if err := db.In(ctx, s.DB, s.tx, orgID, fn); err != nil {
		return fmt.Errorf("supervision: "+format+": %w", append(args, err)...)
	}
	return nil
}

// Overrides loads the roles supervisors set in the given sessions, by
// session and person.
func (s *Store) Overrides(ctx context.Context, orgID uuid.UUID, sessionIDs []uuid.UUID) (map[uuid.UUID]map[uuid.UUID]string, error) {
	out := map[uuid.UUID]map[uuid.UUID]string{}
	if len(sessionIDs) == 0 {
		return out, nil
	}
	var rows []RoleOverride
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(&rows).Where("org_id = ? AND session_id IN (?)", orgID, bun.In(sessionIDs)).Scan(ctx)
	}, "roles set in %d sessions", len(sessionIDs))
	for _, r := range rows {
		if out[r.SessionID] == nil {
			out[r.SessionID] = map[uuid.UUID]string{}
		}
		out[r.SessionID][r.UserID] = r.Role
	}
	return out, err
}

// SetRoles replaces a session's roles with the given ones.
func (s *Store) SetRoles(ctx context.Context, orgID, sessionID, by uuid.UUID, now time.Time, roles map[uuid.UUID]string) error {
	return s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		if _, err := q.NewDelete().Model((*RoleOverride)(nil)).Where("org_id = ? AND session_id = ?", orgID, sessionID).Exec(ctx); err != nil {
			return err
		}
		rows := make([]RoleOverride, 0, len(roles))
		for u, r := range roles {
			rows = append(rows, RoleOverride{OrgID: orgID, SessionID: sessionID, UserID: u, Role: r, SetBy: &by, SetAt: now})
		}
		if len(rows) == 0 {
			return nil
		}
		_, err := q.NewInsert().Model(&rows).Exec(ctx)
		return err
	}, "set roles of session %s", sessionID)
}

// AddCase stores a de-identified case.
func (s *Store) AddCase(ctx context.Context, c *Case) error {
	return s.in(ctx, c.OrgID, func(ctx context.Context, q bun.IDB) error {
		_, err := q.NewInsert().Model(c).Exec(ctx)
		return err
	}, "bring case to group %s", c.RelationshipID)
}

// Case loads one case of an organisation, or db.ErrNotFound.
func (s *Store) Case(ctx context.Context, orgID, id uuid.UUID) (*Case, error) {
	c := new(Case)
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(c).Where("org_id = ? AND id = ?", orgID, id).Scan(ctx)
	}, "case %s", id)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Cases lists a group's cases, newest first.
func (s *Store) Cases(ctx context.Context, orgID, relationshipID uuid.UUID) ([]Case, error) {
	var out []Case
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(&out).Where("org_id = ? AND relationship_id = ?", orgID, relationshipID).
			OrderExpr("created_at DESC, id DESC").Limit(200).Scan(ctx)
	}, "cases of group %s", relationshipID)
	return out, err
}

// RecordLearning keeps the presenter's learning note on a case.
func (s *Store) RecordLearning(ctx context.Context, orgID, caseID uuid.UUID, now time.Time, text string) error {
	return s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		res, err := q.NewUpdate().Model((*Case)(nil)).Set("learning = ?", text).Set("learning_at = ?", now).Set("updated_at = ?", now).
			Where("org_id = ? AND id = ?", orgID, caseID).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return db.ErrNotFound
		}
		return nil
	}, "learning note of case %s", caseID)
}

// AddReflection attaches a reflection to a case.
func (s *Store) AddReflection(ctx context.Context, r *Reflection) error {
	return s.in(ctx, r.OrgID, func(ctx context.Context, q bun.IDB) error {
		_, err := q.NewInsert().Model(r).Exec(ctx)
		return err
	}, "reflect on case %s", r.CaseID)
}

// Reflections lists a case's reflections, oldest first.
func (s *Store) Reflections(ctx context.Context, orgID, caseID uuid.UUID) ([]Reflection, error) {
	var out []Reflection
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(&out).Where("org_id = ? AND case_id = ?", orgID, caseID).OrderExpr("created_at, id").Scan(ctx)
	}, "reflections on case %s", caseID)
	return out, err
}
