package calendar

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
)

// Feeds are per person, across organisations: no tenant scope. The
// store's feed methods run in the caller's transaction (WithTx) or on
// the database itself.

func (s *Store) global(ctx context.Context, fn func(ctx context.Context, q bun.IDB) error) error {
	if s.idb != nil {
		return fn(ctx, s.idb)
	}
	return fn(ctx, s.DB)
}

// ReplaceFeed gives a person a new feed in place of their old one.
func (s *Store) ReplaceFeed(ctx context.Context, f *Feed) error {
	replace := func(ctx context.Context, tx bun.IDB) error {
		if _, err := tx.NewDelete().Model((*Feed)(nil)).Where("user_id = ?", f.UserID).Exec(ctx); err != nil {
			return storeErr("drop old feed", err)
		}
		_, err := tx.NewInsert().Model(f).Exec(ctx)
		return storeErr("create feed", err)
	}
	if s.idb != nil {
		return replace(ctx, s.idb)
	}
	return s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error { return replace(ctx, tx) })
}

// DeleteFeed ends a person's feed.
func (s *Store) DeleteFeed(ctx context.Context, userID uuid.UUID) error {
	err := s.global(ctx, func(ctx context.Context, q bun.IDB) error {
		_, err := q.NewDelete().Model((*Feed)(nil)).Where("user_id = ?", userID).Exec(ctx)
		return err
	})
	return storeErr("end feed of "+userID.String(), err)
}

// FeedByHash finds the feed of a token's hash, or says db.ErrNotFound.
func (s *Store) FeedByHash(ctx context.Context, hash string) (*Feed, error) {
	f := new(Feed)
	err := s.global(ctx, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(f).Where("token_hash = ?", hash).Scan(ctx)
	})
	if err != nil {
		return nil, storeErr("feed", err)
	}
	return f, nil
}

// FeedOf finds a person's feed, or says db.ErrNotFound.
func (s *Store) FeedOf(ctx context.Context, userID uuid.UUID) (*Feed, error) {
	var out []Feed
	err := s.global(ctx, func(ctx context.Context, q bun.IDB) error {
		if err := q.NewSelect().Model(&out).Where("user_id = ?", userID).Scan(ctx); err != nil {
			return err
		}
		if len(out) == 0 {
			return db.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return nil, storeErr("feed of "+userID.String(), err)
	}
	return &out[0], nil
}
