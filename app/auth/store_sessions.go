package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
)

// sessionRow is scs's session data, keyed by the hash of the token.
type sessionRow struct {
	bun.BaseModel `bun:"table:sessions"`

	TokenHash string     `bun:"token_hash,pk"`
	UserID    *uuid.UUID `bun:"user_id,type:uuid"`
	Data      []byte     `bun:"data"`
	Expiry    time.Time  `bun:"expiry"`
}

// sessionStore keeps scs sessions in the database, so that they survive
// restarts and are shared by several web processes. Tokens are stored
// hashed: a copy of the table cannot be replayed as cookies.
//
// Expiry is scs's, set from the machine's clock, so the store compares
// against the machine's clock too, not the application's (tests fix that
// one in the future).
type sessionStore struct {
	db *db.DB
}

var _ scs.CtxStore = (*sessionStore)(nil)

func (s *sessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	if p, ok := ctx.Value(prefetchedKey).(*prefetched); ok && p.token == token {
		return p.data, true, nil
	}
	row := new(sessionRow)
	err := s.db.NewSelect().Model(row).Where("token_hash = ? AND expiry > ?", HashToken(token), time.Now()).Scan(ctx)
	if err != nil {
		if err = fail(err, "find session"); errors.Is(err, db.ErrNotFound) {
			return nil, false, nil
		}
		return nil, false, err
	}
	return row.Data, true, nil
}

func (s *sessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	row := &sessionRow{TokenHash: HashToken(token), Data: b, Expiry: expiry.UTC().Truncate(time.Microsecond)}
	if id, ok := ctx.Value(committingUserKey).(uuid.UUID); ok && id != uuid.Nil {
		row.UserID = &id
	}
	_, err := s.db.NewInsert().Model(row).
		On("CONFLICT (token_hash) DO UPDATE").Set("data = EXCLUDED.data").Set("expiry = EXCLUDED.expiry").
		Set("user_id = EXCLUDED.user_id").Exec(ctx)
	if err != nil {
		return fmt.Errorf("auth: save session: %w", err)
	}
	return nil
}

func (s *sessionStore) DeleteCtx(ctx context.Context, token string) error {
	if _, err := s.db.NewDelete().Model((*sessionRow)(nil)).Where("token_hash = ?", HashToken(token)).Exec(ctx); err != nil {
		return fmt.Errorf("auth: delete session: %w", err)
	}
	return nil
}

func (s *sessionStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

func (s *sessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

func (s *sessionStore) Delete(token string) error { return s.DeleteCtx(context.Background(), token) }

// purgeExpired deletes sessions past their expiry.
func (s *sessionStore) purgeExpired(ctx context.Context) error {
	if _, err := s.db.NewDelete().Model((*sessionRow)(nil)).Where("expiry < ?", time.Now()).Exec(ctx); err != nil {
		return fmt.Errorf("auth: purge sessions: %w", err)
	}
	return nil
}

// sessionWithUser is a live session with its person.
type sessionWithUser struct {
	Data []byte `bun:"data"`
	User
}

// withUser reads a live session and its live person in one query (every
// signed-in request pays for it), or db.ErrNotFound.
func (s *sessionStore) withUser(ctx context.Context, hash string) (*sessionWithUser, error) {
	row := new(sessionWithUser)
	err := s.db.NewSelect().TableExpr("sessions AS s").Join("JOIN users AS u ON u.id = s.user_id").
		ColumnExpr("s.data, u.*").
		Where("s.token_hash = ? AND s.expiry > ? AND u.deleted_at IS NULL", hash, time.Now()).
		Limit(1).Scan(ctx, row)
	if err != nil {
		return nil, fail(err, "load session")
	}
	return row, nil
}
