package identity

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/audit"
	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
)

// Settings are an organisation's provider as its admins edit it (never
// the secret itself: HasSecret says one is kept).
type Settings struct {
	Issuer, ClientID, DefaultRole string
	Domains                       []string
	Enabled, PasswordSignIn       bool
	HasSecret                     bool
}

// SettingsOf loads the organisation's provider settings (zero, with
// password sign-in on, when none is configured).
func (s *Service) SettingsOf(ctx context.Context, orgID uuid.UUID) (Settings, error) {
	out := Settings{DefaultRole: string(tenancy.RoleMember), PasswordSignIn: true, Enabled: true}
	err := s.DB.ReadTenant(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		p, err := provider(ctx, q, orgID)
		if errors.Is(err, db.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		out = Settings{Issuer: p.Issuer, ClientID: p.ClientID, DefaultRole: p.DefaultRole, Enabled: p.Enabled,
			PasswordSignIn: p.PasswordSignIn, HasSecret: len(p.SecretCiphertext) > 0}
		out.Domains, err = domains(ctx, q, orgID, p.ID)
		return err
	})
	return out, err
}

// Input is what an admin sends; an empty Secret keeps the stored one.
type Input struct {
	Issuer, ClientID, Secret, DefaultRole string
	Domains                               []string
	Enabled, PasswordSignIn               bool
}

// ErrSecretRequired: a new provider needs its client secret.
var ErrSecretRequired = errors.New("identity: the client secret is required")

// DomainTakenError: a domain is already another organisation's.
type DomainTakenError struct{ Domain string }

func (e *DomainTakenError) Error() string {
	return fmt.Sprintf("identity: the domain %s belongs to another organisation", e.Domain)
}

// ParseDomains reads domains separated by commas, spaces or lines, and
// says what is wrong with the first that is not a domain.
func ParseDomains(raw string) ([]string, string) {
	var out []string
	for _, d := range strings.FieldsFunc(strings.ToLower(raw), func(r rune) bool { return r == ',' || r == ' ' || r == ';' || r == '\n' || r == '\r' || r == '\t' }) {
		d = strings.TrimPrefix(d, "@")
		if len(d) > 253 || !domainPattern.MatchString(d) {
			return nil, fmt.Sprintf("%q is not an e-mail domain: write them like example.org, one per line or separated by commas.", trim(d, 60))
		}
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	if len(out) > 50 {
		return nil, "At most 50 domains."
	}
	slices.Sort(out)
	return out, ""
}

// Configure saves the organisation's provider after checking that its
// discovery document can be read (a wrong issuer is said at once, not at
// someone's first sign-in) and that no domain is another organisation's.
func (s *Service) Configure(ctx context.Context, orgID, actorID uuid.UUID, ip string, in Input) error {
	for _, d := range in.Domains {
		other, err := s.Store.OrgByDomain(ctx, d)
		if err == nil && other != orgID {
			return &DomainTakenError{Domain: d}
		}
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return err
		}
	}
	var p *Provider
	isNew := false
	err := s.DB.ReadTenant(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		var err error
		p, err = provider(ctx, q, orgID)
		return err
	})
	switch {
	case errors.Is(err, db.ErrNotFound):
		if in.Secret == "" {
			return ErrSecretRequired
		}
		now := s.Clock.Now()
		p, isNew = &Provider{ID: uuid.Must(uuid.NewV7()), OrgID: orgID, CreatedAt: now}, true
	case err != nil:
		return err
	}
	p.Issuer, p.ClientID, p.DefaultRole, p.Enabled, p.PasswordSignIn = in.Issuer, in.ClientID, in.DefaultRole, in.Enabled, in.PasswordSignIn
	p.UpdatedAt = s.Clock.Now()
	if in.Secret != "" {
		if p.SecretCiphertext, p.SecretNonce, p.SecretKeyID, err = s.Keys.Seal(p.ID.String(), []byte(in.Secret)); err != nil {
			return fmt.Errorf("identity: seal the client secret: %w", err)
		}
	}
	if p.Enabled {
		if _, _, err := s.oauthConfig(ctx, p); err != nil {
			return err
		}
	}
	err = s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		now := s.Clock.Now()
		if err := saveProvider(ctx, tx, p, isNew, in.Domains, now); err != nil {
			return err
		}
		actor, err := auth.UserByID(ctx, tx, actorID)
		if err != nil {
			return err
		}
		state := "on"
		if !p.Enabled {
			state = "off"
		}
		detail := fmt.Sprintf("%s, %s, domains %s, new people as %s, password sign-in %t", state, p.Issuer,
			strings.Join(in.Domains, " "), p.DefaultRole, p.PasswordSignIn)
		if in.Secret != "" {
			detail += ", new client secret"
		}
		return audit.Record(ctx, tx, audit.Event{OrgID: orgID, ActorID: &actor.ID, Actor: actor.Name + " <" + actor.Email + ">",
			Action: ActionConfigured, Target: p.ClientID, Detail: trim(detail, 500), IP: ip, At: now})
	})
	if errors.Is(err, db.ErrConflict) {
		// A domain claimed by another organisation meanwhile.
		return &DomainTakenError{Domain: strings.Join(in.Domains, ", ")}
	}
	if err != nil {
		return fmt.Errorf("identity: configure the provider of %s: %w", orgID, err)
	}
	return nil
}
