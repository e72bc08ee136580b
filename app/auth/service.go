package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/mail"
	"github.com/leadershiptoolbox/toolbox/workers"
)

// Link lifetimes.
const (
	VerifyLinkTTL = 48 * time.Hour
	ResetLinkTTL  = time.Hour
)

// Throttling of failed sign-ins over a sliding hour. Up to a key's free
// allowance nothing happens; after it each further attempt waits twice as
// long as the one before (1 s, 2 s, 4 s … at most 15 min) since the last
// failure; at the hard cap the key is refused until its failures age out
// of the hour.
//
// The tight limit is per account *and* address: someone failing against an
// account from their own addresses cannot lock its holder out, who signs
// in from an address with no failures. Each address has its own limit over
// every account it tries. The account as a whole has a much higher
// ceiling, a last resort against an attack from very many addresses; well
// before it the holder is told by e-mail that someone is trying.
const (
	throttleWindow      = time.Hour
	pairFreeFailures    = 5
	pairMaxFailures     = 100
	addressFreeFailures = 20
	addressMaxFailures  = 300
	accountAlertAt      = 20
	accountMaxFailures  = 1000
	throttleMaxDelay    = 15 * time.Minute
	throttleAccountKey  = "account:"
	throttleAddressKey  = "ip:"
	throttlePairKey     = "pair:"
)

// Limits on posts that cost us something whatever their outcome (an
// argon2 hash, an e-mail): per address over the throttling window.
const (
	resetRequestsPerAddress = 10
	signupsPerAddress       = 20
	throttleResetKey        = "reset:"
	throttleSignupKey       = "signup:"
)

// ErrBadCredentials is the one answer to a failed sign-in, whether the
// account exists or not.
var ErrBadCredentials = errors.New("auth: wrong e-mail or password")

// ThrottledError says how long to wait before trying again.
type ThrottledError struct{ Wait time.Duration }

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("auth: too many failed sign-ins; wait %s", e.Wait.Round(time.Second))
}

// Events lets other domains hear about sign-ins (the audit log records
// them in each of the person's organisations).
type Events interface {
	SignedIn(ctx context.Context, userID uuid.UUID, ip string)
	SignInFailed(ctx context.Context, userID uuid.UUID, ip string)
}

// AccessPolicy lets the organisations say whether a person may sign in
// at all: someone whose every membership was deactivated may not.
type AccessPolicy interface {
	AccessRemoved(ctx context.Context, userID uuid.UUID) (bool, error)
	// AllSuspended: every organisation of the person is suspended by the
	// platform's operators.
	AllSuspended(ctx context.Context, userID uuid.UUID) (bool, error)
}

// ErrSuspended refuses a sign-in by a person whose every organisation is
// suspended (only the holder of the password learns it).
var ErrSuspended = errors.New("auth: organisation suspended")

// ErrAccessRemoved refuses a sign-in with the right password by a person
// whose access was removed. Telling them so leaks nothing: only the
// holder of the password learns it.
var ErrAccessRemoved = errors.New("auth: access removed")

// Service holds the account rules.
type Service struct {
	DB       *db.DB
	Store    *Store
	Sessions *Sessions
	Clock    clock.Clock
	Mail     *mail.Service
	Log      *slog.Logger
	BaseURL  string
	Events   Events
	Access   AccessPolicy
	// Feeds ends the person's calendar subscription address when they
	// reset their password or sign out everywhere.
	Feeds FeedRevoker
	// Passwords says whether an address may sign in with a password at
	// all (app/identity: its organisation's provider may switch it off).
	Passwords PasswordPolicy
	// SignupsPerAddress bounds the organisations set up from one address
	// in the throttle's window (TOOLBOX_SIGNUPS_PER_HOUR); 0 means the
	// default, signupsPerAddress.
	SignupsPerAddress int
}

// PasswordPolicy says whether an address may sign in with a password;
// when not, org names the organisation that signs it in instead.
type PasswordPolicy interface {
	PasswordAllowed(ctx context.Context, email string) (allowed bool, org string, err error)
}

// FeedRevoker ends a person's secret calendar feed address, in the
// transaction that ends their sessions.
type FeedRevoker interface {
	EndFeed(ctx context.Context, idb bun.IDB, userID uuid.UUID) error
}

// EndEverywhere ends every session of the person and their calendar feed
// address.
func (s *Service) EndEverywhere(ctx context.Context, idb bun.IDB, userID uuid.UUID) error {
	if err := BumpEpoch(ctx, idb, userID); err != nil {
		return err
	}
	if s.Feeds != nil {
		return s.Feeds.EndFeed(ctx, idb, userID)
	}
	return nil
}

// SignIn checks a password under the throttling rules.
func (s *Service) SignIn(ctx context.Context, email, password, ip string) (*User, error) {
	now := s.Clock.Now()
	since := now.Add(-throttleWindow)
	account := normaliseEmail(email)
	accountKey, addressKey, pairKey := throttleAccountKey+account, throttleAddressKey+ip, throttlePairKey+account+"|"+ip
	for _, k := range []struct {
		key        string
		free, hard int
	}{{pairKey, pairFreeFailures, pairMaxFailures}, {addressKey, addressFreeFailures, addressMaxFailures}, {accountKey, accountMaxFailures, accountMaxFailures}} {
		n, last, err := s.Store.failuresSince(ctx, k.key, since)
		if err != nil {
			return nil, err
		}
		if wait := throttleWait(n, k.free, k.hard, last, now); wait > 0 {
			return nil, &ThrottledError{Wait: wait}
		}
	}

	u, err := UserByEmail(ctx, s.DB, email)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return nil, err
	}
	hash := dummyHash
	if u != nil {
		hash = u.PasswordHash
	}
	ok, err := CheckPassword(hash, password)
	if err != nil {
		return nil, err
	}
	if u == nil || !ok {
		if err := s.Store.recordFailure(ctx, now, accountKey, addressKey, pairKey); err != nil {
			return nil, err
		}
		if u != nil {
			if err := s.warnOfAttempts(ctx, u, accountKey, since, now); err != nil {
				return nil, err
			}
			if s.Events != nil {
				s.Events.SignInFailed(ctx, u.ID, ip)
			}
		}
		return nil, ErrBadCredentials
	}
	// The account's own failures stay: they count towards its ceiling
	// even when its holder gets in meanwhile.
	if err := s.Store.clearFailures(ctx, pairKey); err != nil {
		return nil, err
	}
	if s.Access != nil {
		removed, err := s.Access.AccessRemoved(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		if removed {
			return nil, ErrAccessRemoved
		}
		suspended, err := s.Access.AllSuspended(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		if suspended {
			return nil, ErrSuspended
		}
	}
	if s.Events != nil {
		s.Events.SignedIn(ctx, u.ID, ip)
	}
	return u, nil
}

// warnOfAttempts e-mails the holder of an account, once an hour at most,
// when failed sign-ins against it reach accountAlertAt in the window.
func (s *Service) warnOfAttempts(ctx context.Context, u *User, accountKey string, since, now time.Time) error {
	n, _, err := s.Store.failuresSince(ctx, accountKey, since)
	if err != nil || n != accountAlertAt {
		return err
	}
	_, err = s.Mail.Queue(ctx, s.DB, mail.Message{
		To: u.Email, Template: "sign_in_attempts",
		Data:      map[string]any{"Name": u.Name, "Failures": n, "Link": s.BaseURL + "/password/forgot"},
		DedupeKey: fmt.Sprintf("sign-in-attempts:%s:%d", u.ID, now.Unix()/int64(throttleWindow.Seconds())),
	})
	return err
}

// Throttle counts one post of a costly kind (a reset request, a sign-up)
// from an address, or refuses it when the address already made max of them
// in the window.
func (s *Service) Throttle(ctx context.Context, kind ThrottleKind, ip string) error {
	now := s.Clock.Now()
	key, max := string(kind)+ip, resetRequestsPerAddress
	if kind == ThrottleSignup {
		max = signupsPerAddress
		if s.SignupsPerAddress > 0 {
			max = s.SignupsPerAddress
		}
	}
	n, last, err := s.Store.failuresSince(ctx, key, now.Add(-throttleWindow))
	if err != nil {
		return err
	}
	if n >= max {
		return &ThrottledError{Wait: throttleWindow - now.Sub(last)%throttleWindow}
	}
	return s.Store.recordFailure(ctx, now, key)
}

// ThrottleKind names what Throttle counts.
type ThrottleKind string

// The kinds of post limited per address.
const (
	ThrottleReset  ThrottleKind = throttleResetKey
	ThrottleSignup ThrottleKind = throttleSignupKey
)

// throttleWait is how long an attempt must still wait, given n failures
// in the window, the newest at last.
func throttleWait(n, free, hard int, last, now time.Time) time.Duration {
	switch {
	case n >= hard:
		// Refused until the oldest failures leave the window; telling the
		// full window is honest enough and never too short.
		return throttleWindow - now.Sub(last)%throttleWindow
	case n < free:
		return 0
	}
	delay := time.Duration(math.Min(math.Pow(2, float64(n-free)), throttleMaxDelay.Seconds())) * time.Second
	if wait := last.Add(delay).Sub(now); wait > 0 {
		return wait
	}
	return 0
}

// SendVerification e-mails a fresh confirmation link to u, in idb.
func (s *Service) SendVerification(ctx context.Context, idb bun.IDB, u *User) error {
	token, err := IssueToken(ctx, idb, s.Clock.Now(), u.ID, PurposeVerifyEmail, VerifyLinkTTL)
	if err != nil {
		return err
	}
	_, err = s.Mail.Queue(ctx, idb, mail.Message{
		To: u.Email, Template: "verify_email",
		Data: map[string]any{"Name": u.Name, "Link": s.BaseURL + "/verify/" + token},
	})
	return err
}

// Verify spends a confirmation link.
func (s *Service) Verify(ctx context.Context, token string) (*User, error) {
	var u *User
	err := s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		now := s.Clock.Now()
		id, err := UseToken(ctx, tx, now, token, PurposeVerifyEmail)
		if err != nil {
			return err
		}
		if err := MarkVerified(ctx, tx, now, id); err != nil {
			return err
		}
		u, err = UserByID(ctx, tx, id)
		return err
	})
	return u, err
}

// TellAboutSignupAttempt e-mails the holder of an address that already
// has an account that someone tried to sign up with it: the sign-up form
// answers the same whether or not an address has an account, and the
// holder learns what happened from this message.
func (s *Service) TellAboutSignupAttempt(ctx context.Context, email string) error {
	return s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		u, err := UserByEmail(ctx, tx, email)
		if errors.Is(err, db.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		_, err = s.Mail.Queue(ctx, tx, mail.Message{
			To: u.Email, Template: "signup_existing",
			Data: map[string]any{"Name": u.Name, "Link": s.BaseURL + "/login"},
		})
		return err
	})
}

// RequestReset e-mails a reset link if the address has an account, and
// does nothing otherwise: the answer to the person is the same.
func (s *Service) RequestReset(ctx context.Context, email string) error {
	return s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		u, err := UserByEmail(ctx, tx, email)
		if errors.Is(err, db.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		token, err := IssueToken(ctx, tx, s.Clock.Now(), u.ID, PurposeResetPassword, ResetLinkTTL)
		if err != nil {
			return err
		}
		_, err = s.Mail.Queue(ctx, tx, mail.Message{
			To: u.Email, Template: "reset_password",
			Data: map[string]any{"Name": u.Name, "Link": s.BaseURL + "/password/reset/" + token},
		})
		return err
	})
}

// ResetPassword spends a reset link and sets the new password; every
// session of the person ends. Following the link also proves the address.
func (s *Service) ResetPassword(ctx context.Context, token, password string) (*User, error) {
	var u *User
	err := s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		now := s.Clock.Now()
		id, err := UseToken(ctx, tx, now, token, PurposeResetPassword)
		if err != nil {
			return err
		}
		if err := SetPassword(ctx, tx, id, password); err != nil {
			return err
		}
		if s.Feeds != nil {
			if err := s.Feeds.EndFeed(ctx, tx, id); err != nil {
				return err
			}
		}
		if err := MarkVerified(ctx, tx, now, id); err != nil {
			return err
		}
		u, err = UserByID(ctx, tx, id)
		return err
	})
	return u, err
}

// ChangePassword checks the current password and sets a new one.
func (s *Service) ChangePassword(ctx context.Context, userID uuid.UUID, current, next string) (*User, error) {
	var u *User
	err := s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if u, err = UserByID(ctx, tx, userID); err != nil {
			return err
		}
		ok, err := CheckPassword(u.PasswordHash, current)
		if err != nil {
			return err
		}
		if !ok {
			return ErrBadCredentials
		}
		if err := SetPassword(ctx, tx, userID, next); err != nil {
			return err
		}
		u, err = UserByID(ctx, tx, userID)
		return err
	})
	return u, err
}

// Purge deletes expired sessions and old sign-in failures (periodic).
func (s *Service) Purge(ctx context.Context, _ workers.Periodic) error {
	if err := s.Sessions.store.purgeExpired(ctx); err != nil {
		return err
	}
	return s.Store.purgeFailures(ctx, s.Clock.Now().Add(-throttleWindow))
}

func normaliseEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }
