package auth

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
)

// Store holds all of the accounts' SQL; store_sessions.go holds the
// sessions'. The functions that take a bun.IDB run in the caller's
// transaction or on the database, so they map driver errors themselves.
type Store struct {
	DB *db.DB
}

// NewUser is what creating an account needs.
type NewUser struct {
	Email    string
	Name     string
	Password string
	TimeZone string
	// Verified marks the address as confirmed (an invitation link proves it).
	Verified bool
}

// CreateUser adds an account in idb (the caller's transaction). A taken
// e-mail address is db.ErrConflict.
func CreateUser(ctx context.Context, idb bun.IDB, now time.Time, n NewUser) (*User, error) {
	hash, err := HashPassword(n.Password)
	if err != nil {
		return nil, err
	}
	u := &User{
		ID: uuid.Must(uuid.NewV7()), Email: strings.ToLower(strings.TrimSpace(n.Email)), Name: strings.TrimSpace(n.Name),
		PasswordHash: hash, TimeZone: n.TimeZone, CreatedAt: now,
	}
	if n.Verified {
		u.VerifiedAt = &now
	}
	if _, err := idb.NewInsert().Model(u).Exec(ctx); err != nil {
		return nil, fail(err, "create user %s", u.Email)
	}
	return u, nil
}

// UserByID loads a live account.
func UserByID(ctx context.Context, idb bun.IDB, id uuid.UUID) (*User, error) {
	u := new(User)
	err := idb.NewSelect().Model(u).Where("id = ? AND deleted_at IS NULL", id).Scan(ctx)
	if err != nil {
		return nil, fail(err, "user %s", id)
	}
	return u, nil
}

// UserByEmail loads a live account by e-mail address.
func UserByEmail(ctx context.Context, idb bun.IDB, email string) (*User, error) {
	u := new(User)
	err := idb.NewSelect().Model(u).Where("email = ? AND deleted_at IS NULL", strings.ToLower(strings.TrimSpace(email))).Scan(ctx)
	if err != nil {
		return nil, fail(err, "user by e-mail")
	}
	return u, nil
}

// UpdateProfile changes a person's name and time zone.
func (s *Store) UpdateProfile(ctx context.Context, userID uuid.UUID, name, zone string) error {
	_, err := s.DB.NewUpdate().Model((*User)(nil)).Set("name = ?", name).Set("time_zone = ?", zone).
		Where("id = ? AND deleted_at IS NULL", userID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("auth: update profile %s: %w", userID, err)
	}
	return nil
}

// SetPassword replaces the password and raises the auth epoch, which ends
// every other session of the person.
func SetPassword(ctx context.Context, idb bun.IDB, userID uuid.UUID, password string) error {
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	_, err = idb.NewUpdate().Model((*User)(nil)).Set("password_hash = ?", hash).Set("auth_epoch = auth_epoch + 1").
		Where("id = ?", userID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("auth: set password %s: %w", userID, err)
	}
	return nil
}

// BumpEpoch signs the person out everywhere.
func BumpEpoch(ctx context.Context, idb bun.IDB, userID uuid.UUID) error {
	if _, err := idb.NewUpdate().Model((*User)(nil)).Set("auth_epoch = auth_epoch + 1").Where("id = ?", userID).Exec(ctx); err != nil {
		return fmt.Errorf("auth: end sessions of %s: %w", userID, err)
	}
	return nil
}

// IssueToken records a single-use link for a purpose and returns its secret.
// Earlier unused links of the same purpose stop working.
func IssueToken(ctx context.Context, idb bun.IDB, now time.Time, userID uuid.UUID, purpose string, ttl time.Duration) (string, error) {
	if _, err := idb.NewUpdate().Model((*userToken)(nil)).Set("used_at = ?", now).
		Where("user_id = ? AND purpose = ? AND used_at IS NULL", userID, purpose).Exec(ctx); err != nil {
		return "", fmt.Errorf("auth: retire old %s links: %w", purpose, err)
	}
	token, hash := NewToken()
	t := &userToken{ID: uuid.Must(uuid.NewV7()), UserID: userID, Purpose: purpose, TokenHash: hash, ExpiresAt: now.Add(ttl), CreatedAt: now}
	if _, err := idb.NewInsert().Model(t).Exec(ctx); err != nil {
		return "", fmt.Errorf("auth: issue %s link: %w", purpose, err)
	}
	return token, nil
}

// PeekToken returns the person a live link belongs to, without using it.
func PeekToken(ctx context.Context, idb bun.IDB, now time.Time, token, purpose string) (uuid.UUID, error) {
	t := new(userToken)
	err := idb.NewSelect().Model(t).
		Where("token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?", HashToken(token), purpose, now).Scan(ctx)
	if err != nil {
		return uuid.Nil, fail(err, "%s link", purpose)
	}
	return t.UserID, nil
}

// UseToken spends a live link and returns its person. Two concurrent uses
// cannot both succeed: the update only matches an unused row.
func UseToken(ctx context.Context, idb bun.IDB, now time.Time, token, purpose string) (uuid.UUID, error) {
	userID, err := PeekToken(ctx, idb, now, token, purpose)
	if err != nil {
		return uuid.Nil, err
	}
	res, err := idb.NewUpdate().Model((*userToken)(nil)).Set("used_at = ?", now).
		Where("token_hash = ? AND used_at IS NULL", HashToken(token)).Exec(ctx)
	if err != nil {
		return uuid.Nil, fmt.Errorf("auth: use %s link: %w", purpose, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return uuid.Nil, fmt.Errorf("auth: %s link already used: %w", purpose, db.ErrNotFound)
	}
	return userID, nil
}

// MarkVerified records that the person confirmed their address.
func MarkVerified(ctx context.Context, idb bun.IDB, now time.Time, userID uuid.UUID) error {
	_, err := idb.NewUpdate().Model((*User)(nil)).Set("verified_at = ?", now).
		Where("id = ? AND verified_at IS NULL", userID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("auth: mark %s verified: %w", userID, err)
	}
	return nil
}

// recordFailure notes a failed sign-in under each key.
func (s *Store) recordFailure(ctx context.Context, now time.Time, keys ...string) error {
	rows := make([]authFailure, 0, len(keys))
	for _, k := range keys {
		rows = append(rows, authFailure{ID: uuid.Must(uuid.NewV7()), Key: k, At: now})
	}
	if _, err := s.DB.NewInsert().Model(&rows).Exec(ctx); err != nil {
		return fmt.Errorf("auth: record failed sign-in: %w", err)
	}
	return nil
}

// failuresSince counts failures under key since t and returns the newest.
func (s *Store) failuresSince(ctx context.Context, key string, since time.Time) (int, time.Time, error) {
	var out struct {
		N    int        `bun:"n"`
		Last *time.Time `bun:"last"`
	}
	err := s.DB.NewSelect().Model((*authFailure)(nil)).ColumnExpr("count(*) AS n, max(at) AS last").
		Where("key = ? AND at > ?", key, since).Scan(ctx, &out)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("auth: count failed sign-ins: %w", err)
	}
	if out.Last == nil {
		return out.N, time.Time{}, nil
	}
	return out.N, *out.Last, nil
}

// clearFailures forgets an account's failures after a good sign-in.
func (s *Store) clearFailures(ctx context.Context, key string) error {
	if _, err := s.DB.NewDelete().Model((*authFailure)(nil)).Where("key = ?", key).Exec(ctx); err != nil {
		return fmt.Errorf("auth: clear failed sign-ins: %w", err)
	}
	return nil
}

// purgeFailures deletes failures older than the throttling window.
func (s *Store) purgeFailures(ctx context.Context, before time.Time) error {
	if _, err := s.DB.NewDelete().Model((*authFailure)(nil)).Where("at < ?", before).Exec(ctx); err != nil {
		return fmt.Errorf("auth: purge failed sign-ins: %w", err)
	}
	return nil
}

// Anonymise turns an account into an anonymous shell that shared records
// (sessions held, events done) can still point at: the name and address
// are replaced, the password can never match, links are deleted, and every
// session ends.
func Anonymise(ctx context.Context, idb bun.IDB, now time.Time, userID uuid.UUID) error {
	_, err := idb.NewUpdate().Model((*User)(nil)).
		Set("name = ?", DeletedName).
		Set("email = ?", "deleted-"+userID.String()+"@invalid").
		Set("password_hash = ?", "!deleted").
		Set("time_zone = ''").
		Set("verified_at = NULL").
		Set("auth_epoch = auth_epoch + 1").
		Set("deleted_at = ?", now).
		Where("id = ? AND deleted_at IS NULL", userID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("auth: anonymise %s: %w", userID, err)
	}
	if _, err := idb.NewDelete().Model((*userToken)(nil)).Where("user_id = ?", userID).Exec(ctx); err != nil {
		return fmt.Errorf("auth: delete links of %s: %w", userID, err)
	}
	return nil
}

// DeletedName is what a deleted account is called wherever it still shows.
const DeletedName = "Deleted person"

// fail is where the store's driver errors are mapped (db.Classify) and
// said what they were about; every store function returns through it.
func fail(err error, format string, args ...any) error {
	return db.Wrap(err, "auth", format, args...)
}
