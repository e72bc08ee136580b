package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// ErrNoTenant is returned when tenant-scoped work is asked for without an
// organisation: scoping fails closed, it never means "all organisations".
var ErrNoTenant = errors.New("db: no organisation given for tenant-scoped work")

// Tx runs fn in a transaction, committing if it returns nil.
func (d *DB) Tx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	if d.Invalidator == nil {
		return d.RunInTx(ctx, &sql.TxOptions{}, fn)
	}
	wrote := new(atomic.Bool)
	err := d.RunInTx(context.WithValue(ctx, txWritesKey{}, wrote), &sql.TxOptions{}, fn)
	if err == nil && wrote.Load() {
		d.Invalidator.fire()
	}
	return err
}

// InTenant runs fn in a transaction scoped to one organisation. On
// Postgres it sets app.org_id for the transaction only, which the
// row-level security policies read: a query that forgot its org_id filter
// still sees that organisation's rows alone. The store layer filters by
// org_id as well; this is the second wall.
func (d *DB) InTenant(ctx context.Context, orgID uuid.UUID, fn func(ctx context.Context, tx bun.Tx) error) error {
	if orgID == uuid.Nil {
		return ErrNoTenant
	}
	return d.scoped(ctx, orgID, uuid.Nil, fn)
}

// InTenantAs is InTenant that also lets the person see their own rows of
// other organisations where a policy allows it (their memberships, for
// the organisation switcher).
func (d *DB) InTenantAs(ctx context.Context, orgID, userID uuid.UUID, fn func(ctx context.Context, tx bun.Tx) error) error {
	if orgID == uuid.Nil {
		return ErrNoTenant
	}
	return d.scoped(ctx, orgID, userID, fn)
}

// AsUser runs fn with no tenant but with the person's own rows visible.
func (d *DB) AsUser(ctx context.Context, userID uuid.UUID, fn func(ctx context.Context, tx bun.Tx) error) error {
	if userID == uuid.Nil {
		return ErrNoTenant
	}
	return d.scoped(ctx, uuid.Nil, userID, fn)
}

func (d *DB) scoped(ctx context.Context, orgID, userID uuid.UUID, fn func(ctx context.Context, tx bun.Tx) error) error {
	return d.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if d.Engine == Postgres {
			org, user := "", ""
			if orgID != uuid.Nil {
				org = orgID.String()
			}
			if userID != uuid.Nil {
				user = userID.String()
			}
			if _, err := tx.ExecContext(ctx, "SELECT set_config('app.org_id', ?, true), set_config('app.user_id', ?, true)", org, user); err != nil {
				return fmt.Errorf("db: set tenant: %w", err)
			}
		}
		return fn(ctx, tx)
	})
}
