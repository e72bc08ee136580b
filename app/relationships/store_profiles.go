package relationships

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/uptrace/bun"
)

// ProfileOf loads a practitioner's profile, or db.ErrNotFound.
func (s *Store) ProfileOf(ctx context.Context, orgID, userID uuid.UUID) (*Profile, error) {
	p := new(Profile)
	err := db.In(ctx, s.DB, s.tx, orgID, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(p).Where("org_id = ? AND user_id = ?", orgID, userID).Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("relationships: profile of %s: %w", userID, err)
	}
	return p, nil
}

// SaveProfile creates or updates a practitioner's profile (not the
// trained-mentor mark, which only MarkTrainedMentor sets).
func (s *Store) SaveProfile(ctx context.Context, orgID uuid.UUID, now time.Time, p *Profile) error {
	err := db.In(ctx, s.DB, s.tx, orgID, func(ctx context.Context, tx bun.IDB) error {
		p.OrgID, p.UpdatedAt = orgID, now
		if p.ID == uuid.Nil {
			p.ID, p.CreatedAt = uuid.Must(uuid.NewV7()), now
		}
		_, err := tx.NewInsert().Model(p).
			On("CONFLICT (org_id, user_id) DO UPDATE").
			Set("kinds = EXCLUDED.kinds, topics = EXCLUDED.topics, languages = EXCLUDED.languages").
			Set("capacity = EXCLUDED.capacity, bio = EXCLUDED.bio").
			Set("accepting = EXCLUDED.accepting, updated_at = EXCLUDED.updated_at").
			Exec(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("relationships: save profile of %s: %w", p.UserID, err)
	}
	return nil
}

// Mentor statuses of a profile.
const (
	MentorProvisional = "provisional"
	MentorApproved    = "approved"
)

// MarkTrainedMentor records that a person completed mentor training (the
// courses feature calls it in its own tenant transaction, tx). A person
// who did not offer mentoring yet gets a provisional mentor profile:
// mentoring offered, capacity one, accepting, and a supervisor for the
// first sessions (the organisation's longest-standing supervisor), which
// a coordinator approves (ApproveMentor) before anyone is proposed to
// them. Marking again keeps the first date. It implements
// courses.TrainedMentorRecorder.
func (s *Store) MarkTrainedMentor(ctx context.Context, tx bun.IDB, orgID, userID uuid.UUID, at time.Time) error {
	var existing []Profile
	if err := tx.NewSelect().Model(&existing).Where("org_id = ? AND user_id = ?", orgID, userID).Scan(ctx); err != nil {
		return fmt.Errorf("relationships: mark %s a trained mentor: %w", userID, err)
	}
	var supervisor []uuid.UUID
	err := tx.NewSelect().Model((*Profile)(nil)).Column("user_id").
		Where("org_id = ? AND user_id <> ? AND (',' || kinds || ',') LIKE '%,supervisor,%'", orgID, userID).
		OrderExpr("created_at, id").Limit(1).Scan(ctx, &supervisor)
	if err != nil {
		return fmt.Errorf("relationships: supervisor for trained mentor %s: %w", userID, err)
	}
	var sup *uuid.UUID
	if len(supervisor) > 0 {
		sup = &supervisor[0]
	}
	if len(existing) == 0 {
		p := NewProfile(orgID, userID, []string{"mentor"})
		p.ID, p.TrainedMentorAt, p.CreatedAt, p.UpdatedAt = uuid.Must(uuid.NewV7()), &at, at, at
		p.Capacity, p.MentorStatus, p.MentorSupervisorID = 1, MentorProvisional, sup
		if _, err := tx.NewInsert().Model(p).Exec(ctx); err != nil {
			return fmt.Errorf("relationships: provisional mentor profile of %s: %w", userID, err)
		}
		return nil
	}
	p := &existing[0]
	q := tx.NewUpdate().Model((*Profile)(nil)).Set("trained_mentor_at = COALESCE(trained_mentor_at, ?)", at).Set("updated_at = ?", at).
		Where("org_id = ? AND user_id = ?", orgID, userID)
	if !slices.Contains(p.KindList(), "mentor") && p.MentorStatus == "" {
		q = q.Set("kinds = ?", strings.Join(append(p.KindList(), "mentor"), ",")).Set("mentor_status = ?", MentorProvisional).
			Set("mentor_supervisor_id = ?", sup).Set("accepting = ?", true).Set("capacity = ?", max(p.Capacity, 1))
	}
	if _, err := q.Exec(ctx); err != nil {
		return fmt.Errorf("relationships: mark %s a trained mentor: %w", userID, err)
	}
	return nil
}

// ProvisionalMentors lists the profiles waiting for a coordinator's
// approval as mentors, oldest first.
func (s *Store) ProvisionalMentors(ctx context.Context, orgID uuid.UUID) ([]Profile, error) {
	var out []Profile
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(&out).Where("org_id = ? AND mentor_status = ?", orgID, MentorProvisional).OrderExpr("trained_mentor_at, id").Scan(ctx)
	}, "provisional mentors")
	return out, err
}

// ApproveMentor approves a provisional mentor: from now on matching
// proposes them to mentees. A profile that is not provisional is
// db.ErrNotFound.
func (s *Store) ApproveMentor(ctx context.Context, orgID, userID, by uuid.UUID, now time.Time) error {
	return s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		res, err := q.NewUpdate().Model((*Profile)(nil)).Set("mentor_status = ?", MentorApproved).
			Set("mentor_approved_by = ?", by).Set("mentor_approved_at = ?", now).Set("updated_at = ?", now).
			Where("org_id = ? AND user_id = ? AND mentor_status = ?", orgID, userID, MentorProvisional).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return db.ErrNotFound
		}
		return nil
	}, "approve mentor %s", userID)
}

// ActiveCounts counts, per practitioner, the relationships using capacity.
func (s *Store) ActiveCounts(ctx context.Context, orgID uuid.UUID) (map[uuid.UUID]int, error) {
	out := map[uuid.UUID]int{}
	err := db.In(ctx, s.DB, s.tx, orgID, func(ctx context.Context, tx bun.IDB) error {
		var rows []struct {
			UserID uuid.UUID `bun:"user_id,type:uuid"`
			N      int       `bun:"n"`
		}
		err := tx.NewSelect().TableExpr("relationships AS r").
			Join("JOIN relationship_participants AS p ON p.org_id = r.org_id AND p.relationship_id = r.id").
			ColumnExpr("p.user_id, count(*) AS n").
			Where("r.org_id = ? AND p.side = ? AND p.left_at IS NULL", orgID, SidePractitioner).
			Where("r.status IN (?)", bun.In([]Status{StatusProposed, StatusActive, StatusPaused})).
			GroupExpr("p.user_id").Scan(ctx, &rows)
		for _, r := range rows {
			out[r.UserID] = r.N
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("relationships: active counts: %w", err)
	}
	return out, nil
}

// Profiles lists every practitioner profile of an organisation.
func (s *Store) Profiles(ctx context.Context, orgID uuid.UUID) ([]Profile, error) {
	var out []Profile
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(&out).Where("org_id = ?", orgID).OrderExpr("created_at").Scan(ctx)
	}, "profiles")
	return out, err
}

// LockProfile locks a practitioner's profile row for the rest of the
// transaction (db.ForUpdate), so that capacity checks and the
// relationship they admit happen one at a time per practitioner. Use it
// on a store WithTx returns.
func (s *Store) LockProfile(ctx context.Context, orgID, userID uuid.UUID) (*Profile, error) {
	p := new(Profile)
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return db.ForUpdate(q.NewSelect().Model(p).Where("org_id = ? AND user_id = ?", orgID, userID)).Scan(ctx)
	}, "lock profile of %s", userID)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// ActiveCount counts the relationships a practitioner holds that use
// capacity (proposed, active or paused).
func (s *Store) ActiveCount(ctx context.Context, orgID, userID uuid.UUID) (int, error) {
	var n int64
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		var err error
		n, err = q.NewSelect().TableExpr("relationships AS r").
			Join("JOIN relationship_participants AS p ON p.org_id = r.org_id AND p.relationship_id = r.id").
			Where("r.org_id = ? AND p.user_id = ? AND p.side = ? AND p.left_at IS NULL", orgID, userID, SidePractitioner).
			Where("r.status IN (?)", bun.In([]Status{StatusProposed, StatusActive, StatusPaused})).
			Count(ctx)
		return err
	}, "count active of %s", userID)
	return int(n), err
}
