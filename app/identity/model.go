// Package identity signs people in through their organisation's identity
// provider (OpenID Connect, authorisation code flow with PKCE, state and
// nonce): an organisation's admins configure the provider and the e-mail
// domains it covers; the first sign-in of a new address makes its account
// and membership (just in time), and an existing account is linked only
// after its holder confirms with its password. docs/identity.md says why.
package identity

import (
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Provider is an organisation's identity provider. The client secret is
// sealed with the notes keys (the provider's id bound as additional data).
type Provider struct {
	bun.BaseModel `bun:"table:identity_providers"`

	ID               uuid.UUID `bun:"id,pk,type:uuid"`
	OrgID            uuid.UUID `bun:"org_id,type:uuid"`
	Issuer           string    `bun:"issuer"`
	ClientID         string    `bun:"client_id"`
	SecretCiphertext []byte    `bun:"secret_ciphertext"`
	SecretNonce      []byte    `bun:"secret_nonce"`
	SecretKeyID      string    `bun:"secret_key_id"`
	DefaultRole      string    `bun:"default_role"`
	Enabled          bool      `bun:"enabled"`
	// PasswordSignIn: people of the provider's domains may still sign in
	// with a password (the organisation's owners always may, so that a
	// broken provider never locks the organisation out).
	PasswordSignIn bool      `bun:"password_sign_in"`
	CreatedAt      time.Time `bun:"created_at"`
	UpdatedAt      time.Time `bun:"updated_at"`
}

// Domain is an e-mail domain a provider covers; it belongs to one
// organisation only.
type Domain struct {
	bun.BaseModel `bun:"table:identity_domains"`

	Domain     string    `bun:"domain,pk"`
	OrgID      uuid.UUID `bun:"org_id,type:uuid"`
	ProviderID uuid.UUID `bun:"provider_id,type:uuid"`
	CreatedAt  time.Time `bun:"created_at"`
}

// Link says which account a provider's subject signs in as.
type Link struct {
	bun.BaseModel `bun:"table:identity_links"`

	ID           uuid.UUID `bun:"id,pk,type:uuid"`
	OrgID        uuid.UUID `bun:"org_id,type:uuid"`
	UserID       uuid.UUID `bun:"user_id,type:uuid"`
	Issuer       string    `bun:"issuer"`
	Subject      string    `bun:"subject"`
	CreatedAt    time.Time `bun:"created_at"`
	LastSignInAt time.Time `bun:"last_sign_in_at"`
}

// Audit actions.
const (
	ActionConfigured = "identity.configured"
	ActionSignedIn   = "identity.signed_in"
	ActionJoined     = "identity.joined"
	ActionLinked     = "identity.linked"
	ActionRefused    = "identity.refused"
)

// Actions lists the audit actions of this package, for the audit page's filter.
var Actions = []string{ActionConfigured, ActionSignedIn, ActionJoined, ActionLinked, ActionRefused}

// Errors of the sign-in flow. Each is answered with a page that says what
// happened, never a 500; RefusalMessage words them.
var (
	ErrNoProvider          = errors.New("identity: no identity provider for that domain")
	ErrProviderDisabled    = errors.New("identity: the organisation's sign-in is switched off")
	ErrProviderUnreachable = errors.New("identity: the identity provider cannot be reached")
	ErrProviderRefused     = errors.New("identity: the identity provider refused the sign-in")
	ErrFlowMissing         = errors.New("identity: no sign-in under way in this browser")
	ErrFlowExpired         = errors.New("identity: the sign-in took too long")
	ErrBadState            = errors.New("identity: the state does not match")
	ErrBadNonce            = errors.New("identity: the nonce does not match")
	ErrTokenInvalid        = errors.New("identity: the ID token is not valid")
	ErrEmailNotVerified    = errors.New("identity: the provider has not verified the e-mail address")
	ErrDomainNotCovered    = errors.New("identity: the address is not in a domain the provider covers")
	ErrAccessRemoved       = errors.New("identity: access removed")
	ErrSuspended           = errors.New("identity: organisation suspended")
	ErrWrongPassword       = errors.New("identity: wrong password")
	// ErrSecretUnreadable: the client secret was sealed with a notes key
	// no longer configured; an admin enters it again.
	ErrSecretUnreadable = errors.New("identity: the client secret cannot be read with the configured keys")
)
