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

	"github.com/leadershiptoolbox/toolbox/app/cache"
	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/db"
)

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

// Session keys.
const (
	keyUserID = "user_id"
	keyEpoch  = "epoch"
	// keySignedInAt is when the password was last given (Unix seconds):
	// the operator's console asks for a recent one.
	keySignedInAt = "signed_in_at"
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
	// Clock stamps sign-ins (SignedInAt); the system clock when nil.
	Clock clock.Clock
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
		row, err := s.store.withUser(ctx, hash)
		switch {
		case err == nil:
			user = &row.User
			s.cache.Put(hash, cachedSession{data: row.Data, user: row.User}, gen)
			ctx = context.WithValue(ctx, prefetchedKey, &prefetched{token: token, data: row.Data})
		case errors.Is(err, db.ErrNotFound):
			// Unknown, expired, or its person is gone: scs starts afresh.
		default:
			return nil, err
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
	at := time.Now()
	if s.Clock != nil {
		at = s.Clock.Now()
	}
	s.manager.Put(ctx, keySignedInAt, int(at.Unix()))
	c.Request = c.Request.WithContext(context.WithValue(ctx, committingUserKey, u.ID))
	return s.save(c)
}

// SignedInAt is when the person signed in with their password in this
// session (zero for a session older than the stamp).
func (s *Sessions) SignedInAt(c *gin.Context) time.Time {
	sec := s.manager.GetInt(c.Request.Context(), keySignedInAt)
	if sec == 0 {
		return time.Time{}
	}
	return time.Unix(int64(sec), 0)
}

// Rotate gives the session a new token after a privilege change.
// It keeps the time of the last sign-in: no password was given now.
func (s *Sessions) Rotate(c *gin.Context, u *User) error {
	ctx := c.Request.Context()
	at := s.manager.GetInt(ctx, keySignedInAt)
	if err := s.manager.RenewToken(ctx); err != nil {
		return fmt.Errorf("auth: rotate session: %w", err)
	}
	s.manager.Put(ctx, keyUserID, u.ID.String())
	s.manager.Put(ctx, keyEpoch, u.AuthEpoch)
	s.manager.Put(ctx, keySignedInAt, at)
	c.Request = c.Request.WithContext(context.WithValue(ctx, committingUserKey, u.ID))
	return s.save(c)
}

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
