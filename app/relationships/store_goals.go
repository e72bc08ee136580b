package relationships

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
)

// Goal is something the member works towards in a relationship; the
// member owns it.
type Goal struct {
	bun.BaseModel `bun:"table:goals"`

	ID             uuid.UUID `bun:"id,pk,type:uuid"`
	OrgID          uuid.UUID `bun:"org_id,type:uuid"`
	RelationshipID uuid.UUID `bun:"relationship_id,type:uuid"`
	OwnerID        uuid.UUID `bun:"owner_id,type:uuid"`
	Description    string    `bun:"description"`
	SuccessMeasure string    `bun:"success_measure"`
	TargetDate     string    `bun:"target_date"`
	Progress       int       `bun:"progress"`
	CreatedAt      time.Time `bun:"created_at"`
	UpdatedAt      time.Time `bun:"updated_at"`

	Milestones []Milestone  `bun:"-"`
	Updates    []GoalUpdate `bun:"-"`
}

// Milestone is a step on the way to a goal.
type Milestone struct {
	bun.BaseModel `bun:"table:goal_milestones"`

	ID        uuid.UUID  `bun:"id,pk,type:uuid"`
	OrgID     uuid.UUID  `bun:"org_id,type:uuid"`
	GoalID    uuid.UUID  `bun:"goal_id,type:uuid"`
	Title     string     `bun:"title"`
	DueDate   string     `bun:"due_date"`
	DoneAt    *time.Time `bun:"done_at"`
	CreatedAt time.Time  `bun:"created_at"`
}

// GoalUpdate is one entry of a goal's history; entries are never changed.
type GoalUpdate struct {
	bun.BaseModel `bun:"table:goal_updates"`

	ID       uuid.UUID `bun:"id,pk,type:uuid"`
	OrgID    uuid.UUID `bun:"org_id,type:uuid"`
	GoalID   uuid.UUID `bun:"goal_id,type:uuid"`
	AuthorID uuid.UUID `bun:"author_id,type:uuid"`
	Kind     string    `bun:"kind"` // created, progress, milestone
	Progress int       `bun:"progress"`
	Comment  string    `bun:"comment"`
	At       time.Time `bun:"at"`
}

// CreateGoal records a new goal of the member in a relationship.
func (s *Store) CreateGoal(ctx context.Context, orgID uuid.UUID, now time.Time, g *Goal) error {
	g.ID, g.OrgID, g.CreatedAt, g.UpdatedAt = uuid.Must(uuid.NewV7()), orgID, now, now
	err := db.In(ctx, s.DB, s.tx, orgID, func(ctx context.Context, tx bun.IDB) error {
		if _, err := tx.NewInsert().Model(g).Exec(ctx); err != nil {
			return err
		}
		return addUpdate(ctx, tx, g, g.OwnerID, "created", g.Description, now)
	})
	if err != nil {
		return fmt.Errorf("relationships: create goal: %w", err)
	}
	return nil
}

func addUpdate(ctx context.Context, tx bun.IDB, g *Goal, author uuid.UUID, kind, comment string, now time.Time) error {
	u := &GoalUpdate{ID: uuid.Must(uuid.NewV7()), OrgID: g.OrgID, GoalID: g.ID, AuthorID: author, Kind: kind, Progress: g.Progress, Comment: comment, At: now}
	_, err := tx.NewInsert().Model(u).Exec(ctx)
	return err
}

// Goal loads one goal.
func (s *Store) Goal(ctx context.Context, orgID, id uuid.UUID) (*Goal, error) {
	g := new(Goal)
	err := db.In(ctx, s.DB, s.tx, orgID, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(g).Where("org_id = ? AND id = ?", orgID, id).Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("relationships: goal %s: %w", id, err)
	}
	return g, nil
}

// RecordProgress sets a goal's progress (0-100) with a comment, keeping
// the history.
func (s *Store) RecordProgress(ctx context.Context, orgID, goalID, by uuid.UUID, now time.Time, progress int, comment string) error {
	err := db.In(ctx, s.DB, s.tx, orgID, func(ctx context.Context, tx bun.IDB) error {
		g := new(Goal)
		if err := tx.NewSelect().Model(g).Where("org_id = ? AND id = ?", orgID, goalID).Scan(ctx); err != nil {
			return err
		}
		g.Progress, g.UpdatedAt = progress, now
		if _, err := tx.NewUpdate().Model(g).Column("progress", "updated_at").WherePK().Exec(ctx); err != nil {
			return err
		}
		return addUpdate(ctx, tx, g, by, "progress", comment, now)
	})
	if err != nil {
		return fmt.Errorf("relationships: progress of goal %s: %w", goalID, err)
	}
	return nil
}

// AddMilestone adds a step to a goal.
func (s *Store) AddMilestone(ctx context.Context, orgID, goalID, by uuid.UUID, now time.Time, title, due string) (*Milestone, error) {
	var m *Milestone
	err := db.In(ctx, s.DB, s.tx, orgID, func(ctx context.Context, tx bun.IDB) error {
		g := new(Goal)
		if err := tx.NewSelect().Model(g).Where("org_id = ? AND id = ?", orgID, goalID).Scan(ctx); err != nil {
			return err
		}
		m = &Milestone{ID: uuid.Must(uuid.NewV7()), OrgID: orgID, GoalID: goalID, Title: title, DueDate: due, CreatedAt: now}
		if _, err := tx.NewInsert().Model(m).Exec(ctx); err != nil {
			return err
		}
		return addUpdate(ctx, tx, g, by, "milestone", "Added milestone: "+title, now)
	})
	if err != nil {
		return nil, fmt.Errorf("relationships: add milestone to %s: %w", goalID, err)
	}
	return m, nil
}

// CompleteMilestone marks a milestone of a goal done.
func (s *Store) CompleteMilestone(ctx context.Context, orgID, goalID, milestoneID, by uuid.UUID, now time.Time) error {
	err := db.In(ctx, s.DB, s.tx, orgID, func(ctx context.Context, tx bun.IDB) error {
		g := new(Goal)
		if err := tx.NewSelect().Model(g).Where("org_id = ? AND id = ?", orgID, goalID).Scan(ctx); err != nil {
			return err
		}
		m := new(Milestone)
		if err := tx.NewSelect().Model(m).Where("org_id = ? AND goal_id = ? AND id = ?", orgID, goalID, milestoneID).Scan(ctx); err != nil {
			return err
		}
		if m.DoneAt != nil {
			return nil
		}
		if _, err := tx.NewUpdate().Model(m).Set("done_at = ?", now).WherePK().Exec(ctx); err != nil {
			return err
		}
		return addUpdate(ctx, tx, g, by, "milestone", "Reached milestone: "+m.Title, now)
	})
	if err != nil {
		return fmt.Errorf("relationships: complete milestone %s: %w", milestoneID, err)
	}
	return nil
}

// Goals lists a relationship's goals with milestones and history.
func (s *Store) Goals(ctx context.Context, orgID, relID uuid.UUID) ([]Goal, error) {
	var out []Goal
	err := db.In(ctx, s.DB, s.tx, orgID, func(ctx context.Context, tx bun.IDB) error {
		if err := tx.NewSelect().Model(&out).Where("org_id = ? AND relationship_id = ?", orgID, relID).OrderExpr("created_at").Scan(ctx); err != nil {
			return err
		}
		for i := range out {
			g := &out[i]
			if err := tx.NewSelect().Model(&g.Milestones).Where("org_id = ? AND goal_id = ?", orgID, g.ID).OrderExpr("created_at, id").Scan(ctx); err != nil {
				return err
			}
			if err := tx.NewSelect().Model(&g.Updates).Where("org_id = ? AND goal_id = ?", orgID, g.ID).OrderExpr("at DESC, id DESC").Scan(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("relationships: goals of %s: %w", relID, err)
	}
	return out, nil
}

// GoalsOfMember lists the goals a member owns, across relationships.
func (s *Store) GoalsOfMember(ctx context.Context, orgID, memberID uuid.UUID) ([]Goal, error) {
	var out []Goal
	err := db.In(ctx, s.DB, s.tx, orgID, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(&out).Where("org_id = ? AND owner_id = ?", orgID, memberID).OrderExpr("created_at DESC").Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("relationships: goals of member %s: %w", memberID, err)
	}
	return out, nil
}
