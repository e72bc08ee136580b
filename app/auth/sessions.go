package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/cache"
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

type sessionCtxKey int

const (
	// prefetchedKey carries a session row already read with its person,
	// so that scs's Find does not read it again.
	prefetchedKey sessionCtxKey = iota
	// committingUserKey tells CommitCtx whose session it stores.
	committingUserKey
)

type prefetched struct {
	token string
	data  []byte
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
		if errors.Is(db.Classify(err), db.ErrNotFound) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("auth: find session: %w", err)
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

// Session keys.
const (
	keyUserID = "user_id"
	keyEpoch  = "epoch"
)

// Sessions wraps scs for Gin: it loads the session at the start of a
// request and saves it explicitly where a handler changes it (sign-in,
// sign-out), before the response is written.
type Sessions struct {
	manager *scs.SessionManager
	store   *sessionStore
	// cache maps a token hash to its session and person for a few
	// seconds; the database's invalidation feed empties it on any change.
	cache *cache.Cache[string, cachedSession]
}

type cachedSession struct {
	data []byte
	user User
}

// NewSessions configures the session cookie: HttpOnly, SameSite=Lax,
// Secure when the site is served over HTTPS, 14 days at most.
func NewSessions(d *db.DB, secure bool) *Sessions {
	store := &sessionStore{db: d}
	m := scs.New()
	m.Store = store
	m.Codec = jsonCodec{}
	m.Lifetime = 14 * 24 * time.Hour
	m.Cookie.Name = "session"
	m.Cookie.HttpOnly = true
	m.Cookie.SameSite = http.SameSiteLaxMode
	m.Cookie.Secure = secure
	m.Cookie.Persist = true
	sessions := &Sessions{manager: m, store: store}
	if d.Invalidator != nil {
		sessions.cache = cache.New[string, cachedSession](10*time.Second, 100_000, &d.Invalidator.Enabled)
		d.Invalidator.Subscribe(sessions.cache.Clear)
	}
	return sessions
}

// load reads the session named by the cookie into the request context
// and returns its person, in one query: every signed-in request pays for
// it, so it is a single join. Requests without the cookie cost nothing.
func (s *Sessions) load(c *gin.Context) (*User, error) {
	ctx := c.Request.Context()
	token := ""
	var user *User
	if cookie, err := c.Request.Cookie(s.manager.Cookie.Name); err == nil && cookie.Value != "" {
		token = cookie.Value
		hash := HashToken(token)
		if hit, ok := s.cache.Get(hash); ok && hit.user.DeletedAt == nil {
			u := hit.user
			ctx = context.WithValue(ctx, prefetchedKey, &prefetched{token: token, data: hit.data})
			ctx, err := s.manager.Load(ctx, token)
			if err != nil {
				return nil, fmt.Errorf("auth: load session: %w", err)
			}
			c.Request = c.Request.WithContext(ctx)
			return &u, nil
		}
		gen := s.cache.Generation()
		var row struct {
			Data []byte `bun:"data"`
			User
		}
		err := s.store.db.NewSelect().TableExpr("sessions AS s").Join("JOIN users AS u ON u.id = s.user_id").
			ColumnExpr("s.data, u.*").
			Where("s.token_hash = ? AND s.expiry > ? AND u.deleted_at IS NULL", hash, time.Now()).
			Limit(1).Scan(ctx, &row)
		switch {
		case err == nil:
			user = &row.User
			s.cache.Put(hash, cachedSession{data: row.Data, user: row.User}, gen)
			ctx = context.WithValue(ctx, prefetchedKey, &prefetched{token: token, data: row.Data})
		case errors.Is(db.Classify(err), db.ErrNotFound):
			// Unknown, expired, or its person is gone: scs starts afresh.
		default:
			return nil, fmt.Errorf("auth: load session: %w", err)
		}
	}
	ctx, err := s.manager.Load(ctx, token)
	if err != nil {
		return nil, fmt.Errorf("auth: load session: %w", err)
	}
	c.Request = c.Request.WithContext(ctx)
	return user, nil
}

// userID returns the signed-in person and the epoch of their session.
func (s *Sessions) userID(c *gin.Context) (uuid.UUID, int) {
	ctx := c.Request.Context()
	raw := s.manager.GetString(ctx, keyUserID)
	if raw == "" {
		return uuid.Nil, 0
	}
	id, err := uuid.Parse(raw)
	if err != nil {
		return uuid.Nil, 0
	}
	return id, s.manager.GetInt(ctx, keyEpoch)
}

// SignIn starts a session for u under a new token (the old one is
// destroyed, so a token planted before sign-in is worthless).
func (s *Sessions) SignIn(c *gin.Context, u *User) error {
	ctx := c.Request.Context()
	if err := s.manager.RenewToken(ctx); err != nil {
		return fmt.Errorf("auth: rotate session: %w", err)
	}
	s.manager.Put(ctx, keyUserID, u.ID.String())
	s.manager.Put(ctx, keyEpoch, u.AuthEpoch)
	c.Request = c.Request.WithContext(context.WithValue(ctx, committingUserKey, u.ID))
	return s.save(c)
}

// Rotate gives the session a new token after a privilege change.
func (s *Sessions) Rotate(c *gin.Context, u *User) error { return s.SignIn(c, u) }

// SignOut destroys the session and its cookie.
func (s *Sessions) SignOut(c *gin.Context) error {
	if err := s.manager.Destroy(c.Request.Context()); err != nil {
		return fmt.Errorf("auth: destroy session: %w", err)
	}
	return s.save(c)
}

// save writes the session and its cookie; call before writing the body.
func (s *Sessions) save(c *gin.Context) error {
	ctx := c.Request.Context()
	switch s.manager.Status(ctx) {
	case scs.Modified:
		token, expiry, err := s.manager.Commit(ctx)
		if err != nil {
			return fmt.Errorf("auth: save session: %w", err)
		}
		s.manager.WriteSessionCookie(ctx, c.Writer, token, expiry)
	case scs.Destroyed:
		s.manager.WriteSessionCookie(ctx, c.Writer, "", time.Time{})
	}
	return nil
}
