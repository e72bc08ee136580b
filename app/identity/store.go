package identity

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
)

// Store holds all of identity's SQL.
type Store struct {
	DB *db.DB
}

// orgByDomain finds which organisation signs in an e-mail domain, before
// any tenant is known: on Postgres row-level security hides every domain
// without a tenant, so a narrow SECURITY DEFINER function (migration 0031)
// answers this one question.
func (s *Store) orgByDomain(ctx context.Context, q bun.IDB, domain string) (uuid.UUID, error) {
	var id *uuid.UUID
	var err error
	if s.DB.Engine == db.Postgres {
		err = q.NewRaw("SELECT identity_domain_org(?)", domain).Scan(ctx, &id)
	} else {
		var ids []uuid.UUID
		err = q.NewSelect().Model((*Domain)(nil)).Column("org_id").Where("domain = ?", domain).Scan(ctx, &ids)
		if len(ids) > 0 {
			id = &ids[0]
		}
	}
	if err != nil {
		return uuid.Nil, db.Wrap(err, "identity", "organisation of domain %s", domain)
	}
	if id == nil {
		return uuid.Nil, fmt.Errorf("identity: organisation of domain %s: %w", domain, db.ErrNotFound)
	}
	return *id, nil
}

// OrgByDomain is orgByDomain on the database.
func (s *Store) OrgByDomain(ctx context.Context, domain string) (uuid.UUID, error) {
	return s.orgByDomain(ctx, s.DB, domain)
}

// provider loads the organisation's provider (tx scoped to orgID).
func provider(ctx context.Context, tx bun.IDB, orgID uuid.UUID) (*Provider, error) {
	p := new(Provider)
	if err := tx.NewSelect().Model(p).Where("org_id = ?", orgID).Scan(ctx); err != nil {
		return nil, db.Wrap(err, "identity", "provider of %s", orgID)
	}
	return p, nil
}

// domains lists the provider's domains, sorted.
func domains(ctx context.Context, tx bun.IDB, orgID, providerID uuid.UUID) ([]string, error) {
	var out []string
	err := tx.NewSelect().Model((*Domain)(nil)).Column("domain").Where("org_id = ? AND provider_id = ?", orgID, providerID).
		OrderExpr("domain").Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("identity: domains of %s: %w", orgID, err)
	}
	return out, nil
}

// saveProvider inserts or updates the provider and replaces its domains.
func saveProvider(ctx context.Context, tx bun.IDB, p *Provider, isNew bool, doms []string, now time.Time) error {
	var err error
	if isNew {
		_, err = tx.NewInsert().Model(p).Exec(ctx)
	} else {
		_, err = tx.NewUpdate().Model(p).WherePK().Where("org_id = ?", p.OrgID).
			Column("issuer", "client_id", "secret_ciphertext", "secret_nonce", "secret_key_id", "default_role", "enabled", "password_sign_in", "updated_at").
			Exec(ctx)
	}
	if err != nil {
		return db.Wrap(err, "identity", "save provider of %s", p.OrgID)
	}
	if _, err := tx.NewDelete().Model((*Domain)(nil)).Where("org_id = ? AND provider_id = ?", p.OrgID, p.ID).Exec(ctx); err != nil {
		return fmt.Errorf("identity: replace domains of %s: %w", p.OrgID, err)
	}
	for _, d := range doms {
		row := &Domain{Domain: d, OrgID: p.OrgID, ProviderID: p.ID, CreatedAt: now}
		if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
			return db.Wrap(err, "identity", "claim domain %s", d)
		}
	}
	return nil
}

// linkBySubject finds the link of a provider's subject (tx scoped to orgID).
func linkBySubject(ctx context.Context, tx bun.IDB, orgID uuid.UUID, issuer, subject string) (*Link, error) {
	l := new(Link)
	err := tx.NewSelect().Model(l).Where("org_id = ? AND issuer = ? AND subject = ?", orgID, issuer, subject).Scan(ctx)
	if err != nil {
		return nil, db.Wrap(err, "identity", "link of %s", subject)
	}
	return l, nil
}

func insertLink(ctx context.Context, tx bun.IDB, l *Link) error {
	if _, err := tx.NewInsert().Model(l).Exec(ctx); err != nil {
		return db.Wrap(err, "identity", "link %s", l.Subject)
	}
	return nil
}

func touchLink(ctx context.Context, tx bun.IDB, l *Link, now time.Time) error {
	if _, err := tx.NewUpdate().Model((*Link)(nil)).Set("last_sign_in_at = ?", now).
		Where("org_id = ? AND id = ?", l.OrgID, l.ID).Exec(ctx); err != nil {
		return fmt.Errorf("identity: stamp link %s: %w", l.ID, err)
	}
	return nil
}
