package identity

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"golang.org/x/oauth2"

	"github.com/leadershiptoolbox/toolbox/app/audit"
	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
)

// Keys seal the client secrets and the sign-in's cookies: the notes
// keyring (relationships.Keyring), the same AES-256-GCM keys and rotation
// as private notes.
type Keys interface {
	Seal(ad string, plaintext []byte) (ciphertext, nonce []byte, keyID string, err error)
	Open(ad string, ciphertext, nonce []byte, keyID string) ([]byte, error)
}

// Service holds the rules of signing in through an organisation's
// identity provider.
type Service struct {
	DB      *db.DB
	Store   *Store
	Keys    Keys
	Clock   clock.Clock
	Log     *slog.Logger
	BaseURL string
	// Auth checks a password when an existing account is linked.
	Auth *auth.Service
	// Orgs finds the organisation a sign-in is for.
	Orgs *tenancy.Store
	// HTTP talks to the providers (discovery, keys, token endpoint);
	// a client with a timeout when nil.
	HTTP *http.Client
}

// flowTTL is how long a sign-in may take at the provider.
const flowTTL = 10 * time.Minute

// CallbackPath is where providers send people back; admins register
// BaseURL+CallbackPath as the client's redirect URI.
const CallbackPath = "/login/sso/callback"

// RedirectURI is the address admins register at their provider.
func (s *Service) RedirectURI() string { return s.BaseURL + CallbackPath }

func (s *Service) httpContext(ctx context.Context) context.Context {
	c := s.HTTP
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	return oidc.ClientContext(ctx, c)
}

// DomainOf is the domain of an e-mail address, lower case ("" if none).
func DomainOf(email string) string {
	_, d, ok := strings.Cut(strings.ToLower(strings.TrimSpace(email)), "@")
	if !ok {
		return ""
	}
	return d
}

// Offer is what the sign-in page says to a person of a covered domain.
type Offer struct {
	OrgID          uuid.UUID
	OrgName        string
	PasswordSignIn bool
}

// OfferFor says whether an address's domain signs in through an
// organisation's provider (ErrNoProvider when not, or when it is off).
func (s *Service) OfferFor(ctx context.Context, email string) (*Offer, error) {
	domain := DomainOf(email)
	if domain == "" {
		return nil, ErrNoProvider
	}
	orgID, err := s.Store.OrgByDomain(ctx, domain)
	if errors.Is(err, db.ErrNotFound) {
		return nil, ErrNoProvider
	}
	if err != nil {
		return nil, err
	}
	org, err := s.Orgs.OrgByID(ctx, orgID)
	if err != nil {
		return nil, err
	}
	var p *Provider
	if err := s.DB.ReadTenant(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		p, err = provider(ctx, q, orgID)
		return err
	}); err != nil {
		return nil, err
	}
	if !p.Enabled {
		return nil, ErrNoProvider
	}
	return &Offer{OrgID: orgID, OrgName: org.Name, PasswordSignIn: p.PasswordSignIn}, nil
}

// PasswordAllowed says whether an address may sign in with a password:
// not when its domain's provider has password sign-in switched off,
// unless the person is an owner of that organisation (so that a broken
// provider never locks the organisation out). It names the organisation
// when it refuses.
func (s *Service) PasswordAllowed(ctx context.Context, email string) (bool, string, error) {
	offer, err := s.OfferFor(ctx, email)
	switch {
	case errors.Is(err, ErrNoProvider):
		return true, "", nil
	case err != nil:
		return false, "", err
	case offer.PasswordSignIn:
		return true, "", nil
	}
	u, err := auth.UserByEmail(ctx, s.DB, email)
	if errors.Is(err, db.ErrNotFound) {
		return false, offer.OrgName, nil
	}
	if err != nil {
		return false, "", err
	}
	var role tenancy.Role
	if err := s.DB.ReadTenant(ctx, offer.OrgID, func(ctx context.Context, q bun.IDB) error {
		role, err = tenancy.ActiveRole(ctx, q, offer.OrgID, u.ID)
		return err
	}); err != nil {
		return false, "", err
	}
	return role == tenancy.RoleOwner, offer.OrgName, nil
}

// oauthConfig discovers the provider and makes the client's configuration.
func (s *Service) oauthConfig(ctx context.Context, p *Provider) (*oidc.Provider, *oauth2.Config, error) {
	secret, err := s.Keys.Open(p.ID.String(), p.SecretCiphertext, p.SecretNonce, p.SecretKeyID)
	if err != nil {
		return nil, nil, fmt.Errorf("%w (organisation %s): %v", ErrSecretUnreadable, p.OrgID, err)
	}
	dctx, cancel := context.WithTimeout(s.httpContext(ctx), 10*time.Second)
	defer cancel()
	op, err := oidc.NewProvider(dctx, p.Issuer)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrProviderUnreachable, err)
	}
	return op, &oauth2.Config{
		ClientID: p.ClientID, ClientSecret: string(secret), Endpoint: op.Endpoint(),
		RedirectURL: s.RedirectURI(), Scopes: []string{oidc.ScopeOpenID, "email", "profile"},
	}, nil
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Begin starts a sign-in for an address: the provider's authorisation
// address to send the person to, and the flow to keep in their browser
// (sealed), with a fresh state, nonce and PKCE verifier.
func (s *Service) Begin(ctx context.Context, email, next string) (string, *Flow, error) {
	offer, err := s.OfferFor(ctx, email)
	if err != nil {
		return "", nil, err
	}
	var p *Provider
	if err := s.DB.ReadTenant(ctx, offer.OrgID, func(ctx context.Context, q bun.IDB) error {
		p, err = provider(ctx, q, offer.OrgID)
		return err
	}); err != nil {
		return "", nil, err
	}
	_, cfg, err := s.oauthConfig(ctx, p)
	if err != nil {
		return "", nil, err
	}
	f := &Flow{
		OrgID: offer.OrgID, ProviderID: p.ID, State: randomToken(), Nonce: randomToken(), Verifier: oauth2.GenerateVerifier(),
		Email: strings.ToLower(strings.TrimSpace(email)), Next: next, Expires: s.Clock.Now().Add(flowTTL),
	}
	to := cfg.AuthCodeURL(f.State, oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier),
		oauth2.SetAuthURLParam("login_hint", f.Email))
	return to, f, nil
}

// Outcome is a finished sign-in: the account to start a session for, or
// an existing account to confirm (Pending).
type Outcome struct {
	User    *auth.User
	OrgSlug string
	Joined  bool
	Next    string
	Pending *PendingLink
}

// idClaims are the claims of the ID token the sign-in reads.
type idClaims struct {
	Email             string `json:"email"`
	EmailVerified     any    `json:"email_verified"`
	Name              string `json:"name"`
	PreferredUsername string `json:"preferred_username"`
}

func (c idClaims) verified() bool {
	switch v := c.EmailVerified.(type) {
	case bool:
		return v
	case string:
		return v == "true"
	}
	return false
}

// Finish completes a sign-in with the provider's answer (the callback's
// query): the state against the flow's, the code exchanged with the PKCE
// verifier, the ID token verified against the provider's keys (issuer,
// audience: this client, expiry) and its nonce against the flow's, the
// address verified by the provider and in a covered domain. Then the
// account: the one linked to the subject; or a new one with a membership
// (just in time); or, for an existing account not linked yet, a
// PendingLink its holder confirms with their password. Every refusal is
// recorded in the organisation's audit log.
func (s *Service) Finish(ctx context.Context, f *Flow, q url.Values, ip string) (*Outcome, error) {
	out, email, err := s.finish(ctx, f, q, ip)
	if err != nil {
		s.refused(ctx, f.OrgID, email, err, ip)
	}
	return out, err
}

func (s *Service) finish(ctx context.Context, f *Flow, q url.Values, ip string) (*Outcome, string, error) {
	email := f.Email
	if s.Clock.Now().After(f.Expires) {
		return nil, email, ErrFlowExpired
	}
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(f.State)) != 1 {
		return nil, email, ErrBadState
	}
	if e := q.Get("error"); e != "" {
		return nil, email, fmt.Errorf("%w: %s", ErrProviderRefused, trim(e+" "+q.Get("error_description"), 200))
	}
	var p *Provider
	err := s.DB.ReadTenant(ctx, f.OrgID, func(ctx context.Context, q bun.IDB) error {
		var err error
		p, err = provider(ctx, q, f.OrgID)
		return err
	})
	if errors.Is(err, db.ErrNotFound) || (err == nil && (p.ID != f.ProviderID || !p.Enabled)) {
		return nil, email, ErrProviderDisabled
	}
	if err != nil {
		return nil, email, err
	}
	op, cfg, err := s.oauthConfig(ctx, p)
	if err != nil {
		return nil, email, err
	}
	hctx := s.httpContext(ctx)
	tok, err := cfg.Exchange(hctx, q.Get("code"), oauth2.VerifierOption(f.Verifier))
	if err != nil {
		return nil, email, fmt.Errorf("%w: exchanging the code: %v", ErrProviderRefused, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, email, fmt.Errorf("%w: the provider sent no ID token", ErrTokenInvalid)
	}
	idt, err := op.Verifier(&oidc.Config{ClientID: p.ClientID}).Verify(hctx, raw)
	if err != nil {
		return nil, email, fmt.Errorf("%w: %v", ErrTokenInvalid, err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(f.Nonce)) != 1 {
		return nil, email, ErrBadNonce
	}
	var c idClaims
	if err := idt.Claims(&c); err != nil {
		return nil, email, fmt.Errorf("%w: claims: %v", ErrTokenInvalid, err)
	}
	if c.Email != "" {
		email = strings.ToLower(strings.TrimSpace(c.Email))
	}
	if c.Email == "" || !c.verified() {
		return nil, email, ErrEmailNotVerified
	}
	if err := s.covered(ctx, p, email); err != nil {
		return nil, email, err
	}
	out, err := s.account(ctx, p, idt.Issuer, idt.Subject, email, displayName(c, email), f.Next, ip)
	return out, email, err
}

// covered checks that the address's domain is one of the provider's.
func (s *Service) covered(ctx context.Context, p *Provider, email string) error {
	var doms []string
	err := s.DB.ReadTenant(ctx, p.OrgID, func(ctx context.Context, q bun.IDB) error {
		var err error
		doms, err = domains(ctx, q, p.OrgID, p.ID)
		return err
	})
	if err != nil {
		return err
	}
	if !slices.Contains(doms, DomainOf(email)) {
		return ErrDomainNotCovered
	}
	return nil
}

func displayName(c idClaims, email string) string {
	for _, n := range []string{c.Name, c.PreferredUsername} {
		if n = strings.TrimSpace(n); n != "" {
			return trim(n, 120)
		}
	}
	local, _, _ := strings.Cut(email, "@")
	return trim(local, 120)
}

func trim(s string, n int) string {
	r := []rune(strings.ToValidUTF8(s, ""))
	if len(r) > n {
		return string(r[:n])
	}
	return string(r)
}

// account finds or makes the account a verified subject signs in as.
func (s *Service) account(ctx context.Context, p *Provider, issuer, subject, email, name, next, ip string) (*Outcome, error) {
	org, err := s.Orgs.OrgByID(ctx, p.OrgID)
	if err != nil {
		return nil, err
	}
	if org.SuspendedAt != nil {
		return nil, ErrSuspended
	}
	out := &Outcome{OrgSlug: org.Slug, Next: next}
	err = s.DB.InTenant(ctx, p.OrgID, func(ctx context.Context, tx bun.Tx) error {
		now := s.Clock.Now()
		link, err := linkBySubject(ctx, tx, p.OrgID, issuer, subject)
		switch {
		case err == nil:
			if out.User, err = auth.UserByID(ctx, tx, link.UserID); err != nil {
				return err
			}
			if _, err := tenancy.JoinThroughProvider(ctx, tx, p.OrgID, link.UserID, tenancy.Role(p.DefaultRole), now); err != nil {
				return err
			}
			if err := touchLink(ctx, tx, link, now); err != nil {
				return err
			}
			return s.record(ctx, tx, p.OrgID, out.User, ActionSignedIn, "", ip)
		case !errors.Is(err, db.ErrNotFound):
			return err
		}
		u, err := auth.UserByEmail(ctx, tx, email)
		switch {
		case err == nil:
			// An existing account: its holder confirms with its password.
			out.Pending = &PendingLink{OrgID: p.OrgID, UserID: u.ID, Issuer: issuer, Subject: subject, Email: email,
				Next: next, Expires: now.Add(flowTTL)}
			return nil
		case !errors.Is(err, db.ErrNotFound):
			return err
		}
		// Nobody has the address: the account and the membership are
		// made now. Its password is random and never shown; its holder
		// may set one by resetting it.
		if out.User, err = auth.CreateUser(ctx, tx, now, auth.NewUser{Email: email, Name: name, Password: randomToken(), Verified: true}); err != nil {
			return err
		}
		if _, err := tenancy.JoinThroughProvider(ctx, tx, p.OrgID, out.User.ID, tenancy.Role(p.DefaultRole), now); err != nil {
			return err
		}
		out.Joined = true
		if err := insertLink(ctx, tx, &Link{ID: uuid.Must(uuid.NewV7()), OrgID: p.OrgID, UserID: out.User.ID, Issuer: issuer,
			Subject: subject, CreatedAt: now, LastSignInAt: now}); err != nil {
			return err
		}
		return s.record(ctx, tx, p.OrgID, out.User, ActionJoined, "as "+p.DefaultRole, ip)
	})
	if errors.Is(err, tenancy.ErrMembershipDeactivated) {
		return nil, ErrAccessRemoved
	}
	if err != nil {
		return nil, fmt.Errorf("identity: sign in %s: %w", email, err)
	}
	return out, nil
}

// Confirm links an existing account once its holder gave its password
// (checked under the sign-in throttling): the link and, if needed, the
// membership are made, and the account signs in.
func (s *Service) Confirm(ctx context.Context, pl *PendingLink, password, ip string) (*Outcome, error) {
	if s.Clock.Now().After(pl.Expires) {
		return nil, ErrFlowExpired
	}
	u, err := s.Auth.SignIn(ctx, pl.Email, password, ip)
	switch {
	case errors.Is(err, auth.ErrBadCredentials):
		return nil, ErrWrongPassword
	case errors.Is(err, auth.ErrAccessRemoved):
		return nil, ErrAccessRemoved
	case errors.Is(err, auth.ErrSuspended):
		return nil, ErrSuspended
	case err != nil:
		return nil, err
	}
	if u.ID != pl.UserID {
		return nil, ErrWrongPassword
	}
	var p *Provider
	if err := s.DB.ReadTenant(ctx, pl.OrgID, func(ctx context.Context, q bun.IDB) error {
		p, err = provider(ctx, q, pl.OrgID)
		return err
	}); err != nil {
		return nil, err
	}
	org, err := s.Orgs.OrgByID(ctx, pl.OrgID)
	if err != nil {
		return nil, err
	}
	out := &Outcome{User: u, OrgSlug: org.Slug, Next: pl.Next}
	err = s.DB.InTenant(ctx, pl.OrgID, func(ctx context.Context, tx bun.Tx) error {
		now := s.Clock.Now()
		joined, err := tenancy.JoinThroughProvider(ctx, tx, pl.OrgID, u.ID, tenancy.Role(p.DefaultRole), now)
		if err != nil {
			return err
		}
		out.Joined = joined
		err = insertLink(ctx, tx, &Link{ID: uuid.Must(uuid.NewV7()), OrgID: pl.OrgID, UserID: u.ID, Issuer: pl.Issuer,
			Subject: pl.Subject, CreatedAt: now, LastSignInAt: now})
		if errors.Is(err, db.ErrConflict) {
			return nil // confirmed twice (a resent form): linked already
		}
		if err != nil {
			return err
		}
		return s.record(ctx, tx, pl.OrgID, u, ActionLinked, "", ip)
	})
	if errors.Is(err, tenancy.ErrMembershipDeactivated) {
		return nil, ErrAccessRemoved
	}
	if err != nil {
		return nil, fmt.Errorf("identity: link %s: %w", pl.Email, err)
	}
	return out, nil
}

func (s *Service) record(ctx context.Context, tx bun.IDB, orgID uuid.UUID, u *auth.User, action, detail, ip string) error {
	return audit.Record(ctx, tx, audit.Event{
		OrgID: orgID, ActorID: &u.ID, Actor: u.Name + " <" + u.Email + ">", Action: action, Target: u.Email,
		Detail: detail, IP: ip, At: s.Clock.Now(),
	})
}

// refused records a refused sign-in in the organisation's audit log; a
// failure to record is logged, not shown (the person sees the refusal).
func (s *Service) refused(ctx context.Context, orgID uuid.UUID, email string, reason error, ip string) {
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		return audit.Record(ctx, tx, audit.Event{
			OrgID: orgID, Actor: email, Action: ActionRefused, Target: email, Detail: trim(reason.Error(), 300), IP: ip, At: s.Clock.Now(),
		})
	})
	if err != nil && s.Log != nil {
		s.Log.Error("identity: record a refused sign-in", "org_id", orgID, "error", err)
	}
}

// domainPattern is a host name of two labels or more.
var domainPattern = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
