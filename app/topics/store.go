package topics

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
)

// Store holds the topics' SQL. A method runs in a tenant transaction of
// its own, or, on the store WithTx returns, in the caller's.
type Store struct {
	DB *db.DB
	tx bun.IDB
}

// WithTx returns the store working inside tx, scoped to the organisation
// the methods are given.
func (s *Store) WithTx(tx bun.IDB) *Store { return &Store{DB: s.DB, tx: tx} }

func (s *Store) in(ctx context.Context, orgID uuid.UUID, fn func(ctx context.Context, q bun.IDB) error) error {
	return db.In(ctx, s.DB, s.tx, orgID, fn)
}

// Vocabulary lists an organisation's topics in their order.
func (s *Store) Vocabulary(ctx context.Context, orgID uuid.UUID) (Vocabulary, error) {
	var out []Topic
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(&out).Where("org_id = ?", orgID).OrderExpr("position, key").Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("topics: vocabulary of %s: %w", orgID, err)
	}
	return out, nil
}

// Replace makes v the organisation's whole vocabulary, in its order.
func (s *Store) Replace(ctx context.Context, orgID uuid.UUID, v Vocabulary, now time.Time) error {
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		if _, err := q.NewDelete().Model((*Topic)(nil)).Where("org_id = ?", orgID).Exec(ctx); err != nil {
			return err
		}
		if len(v) == 0 {
			return nil
		}
		rows := make([]Topic, len(v))
		for i, t := range v {
			t.OrgID, t.Position = orgID, i
			if t.CreatedAt.IsZero() {
				t.CreatedAt = now
			}
			rows[i] = t
		}
		_, err := q.NewInsert().Model(&rows).Exec(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("topics: save the vocabulary of %s: %w", orgID, err)
	}
	return nil
}

// Seed gives an organisation the default topics it lacks.
func (s *Store) Seed(ctx context.Context, orgID uuid.UUID, now time.Time) error {
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		rows := make([]Topic, len(Defaults))
		for i, t := range Defaults {
			t.OrgID, t.Position, t.CreatedAt = orgID, i, now
			rows[i] = t
		}
		_, err := q.NewInsert().Model(&rows).On("CONFLICT DO NOTHING").Exec(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("topics: seed %s: %w", orgID, err)
	}
	return nil
}

// OrganisationCreated seeds a new organisation's vocabulary (a
// tenancy.OrgCreated hook, in the sign-up's transaction).
func (s *Store) OrganisationCreated(ctx context.Context, tx bun.IDB, orgID uuid.UUID, now time.Time) error {
	return s.WithTx(tx).Seed(ctx, orgID, now)
}
