// Package auth owns accounts: users, passwords, server-side sessions,
// e-mail verification, password reset and sign-in throttling.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// User is a person's account, shared by every organisation they belong to.
type User struct {
	bun.BaseModel `bun:"table:users"`

	ID           uuid.UUID  `bun:"id,pk,type:uuid"`
	Email        string     `bun:"email"`
	Name         string     `bun:"name"`
	PasswordHash string     `bun:"password_hash"`
	TimeZone     string     `bun:"time_zone"`
	VerifiedAt   *time.Time `bun:"verified_at"`
	AuthEpoch    int        `bun:"auth_epoch"`
	CreatedAt    time.Time  `bun:"created_at"`
	DeletedAt    *time.Time `bun:"deleted_at"`
}

// Verified reports whether the person confirmed their e-mail address.
func (u *User) Verified() bool { return u.VerifiedAt != nil }

// Token purposes.
const (
	PurposeVerifyEmail   = "verify_email"
	PurposeResetPassword = "reset_password"
)

// userToken is a single-use e-mailed link.
type userToken struct {
	bun.BaseModel `bun:"table:user_tokens"`

	ID        uuid.UUID  `bun:"id,pk,type:uuid"`
	UserID    uuid.UUID  `bun:"user_id,type:uuid"`
	Purpose   string     `bun:"purpose"`
	TokenHash string     `bun:"token_hash"`
	ExpiresAt time.Time  `bun:"expires_at"`
	UsedAt    *time.Time `bun:"used_at"`
	CreatedAt time.Time  `bun:"created_at"`
}

type authFailure struct {
	bun.BaseModel `bun:"table:auth_failures"`

	ID  uuid.UUID `bun:"id,pk,type:uuid"`
	Key string    `bun:"key"`
	At  time.Time `bun:"at"`
}

// NewToken returns a random URL-safe secret and the hash to store: the
// database never holds a usable link or session id.
func NewToken() (token, hash string) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("auth: the system random source failed: " + err.Error())
	}
	token = base64.RawURLEncoding.EncodeToString(b[:])
	return token, HashToken(token)
}

// HashToken is the stored form of a token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
