package relationships

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
)

// EditGoal rewrites a goal's words and target; the history keeps that
// it was edited.
func (s *Store) EditGoal(ctx context.Context, orgID, goalID, by uuid.UUID, now time.Time, description, measure, target string) error {
	err := db.In(ctx, s.DB, s.tx, orgID, func(ctx context.Context, tx bun.IDB) error {
		g := new(Goal)
		if err := tx.NewSelect().Model(g).Where("org_id = ? AND id = ?", orgID, goalID).Scan(ctx); err != nil {
			return err
		}
		g.Description, g.SuccessMeasure, g.TargetDate, g.UpdatedAt = description, measure, target, now
		if _, err := tx.NewUpdate().Model(g).Column("description", "success_measure", "target_date", "updated_at").WherePK().Exec(ctx); err != nil {
			return err
		}
		return addUpdate(ctx, tx, g, by, "edited", description, now)
	})
	if err != nil {
		return fmt.Errorf("relationships: edit goal %s: %w", goalID, err)
	}
	return nil
}

// DeleteGoal removes a goal with its milestones and history: they go
// with it by the foreign keys' ON DELETE CASCADE (migration 0005), which
// the database runs as the tables' owner, so the application's role needs
// no right to delete milestones or history itself (migrations/grants.txt).
func (s *Store) DeleteGoal(ctx context.Context, orgID, goalID uuid.UUID) error {
	err := db.In(ctx, s.DB, s.tx, orgID, func(ctx context.Context, tx bun.IDB) error {
		_, err := tx.NewDelete().Model((*Goal)(nil)).Where("org_id = ? AND id = ?", orgID, goalID).Exec(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("relationships: delete goal %s: %w", goalID, err)
	}
	return nil
}

// Note loads one note, sealed (its author opens it with OpenNote).
func (s *Store) Note(ctx context.Context, orgID, id uuid.UUID) (*Note, error) {
	n := new(Note)
	err := db.In(ctx, s.DB, s.tx, orgID, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(n).Where("org_id = ? AND id = ?", orgID, id).Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("relationships: note %s: %w", id, err)
	}
	return n, nil
}

// EditNote replaces a note's text, sealing it again if it is private.
func (s *Store) EditNote(ctx context.Context, keys *Keyring, orgID uuid.UUID, n *Note, text string) error {
	if err := setNoteText(keys, n, text); err != nil {
		return err
	}
	err := db.In(ctx, s.DB, s.tx, orgID, func(ctx context.Context, tx bun.IDB) error {
		_, err := tx.NewUpdate().Model(n).Column("body", "ciphertext", "nonce", "key_id").
			Where("org_id = ? AND id = ?", orgID, n.ID).Exec(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("relationships: edit note %s: %w", n.ID, err)
	}
	return nil
}

// DeleteNote removes a note.
func (s *Store) DeleteNote(ctx context.Context, orgID, id uuid.UUID) error {
	err := db.In(ctx, s.DB, s.tx, orgID, func(ctx context.Context, tx bun.IDB) error {
		_, err := tx.NewDelete().Model((*Note)(nil)).Where("org_id = ? AND id = ?", orgID, id).Exec(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("relationships: delete note %s: %w", id, err)
	}
	return nil
}
