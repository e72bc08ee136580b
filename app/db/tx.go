package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// ErrNoTenant is returned when tenant-scoped work is asked for without an
// organisation: scoping fails closed, it never means "all organisations".
var ErrNoTenant = errors.New("db: no organisation given for tenant-scoped work")

// Tx runs fn in a transaction, committing if it returns nil.
func (d *DB) Tx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	return d.RunInTx(ctx, &sql.TxOptions{}, fn)
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
	return d.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if d.Dialect == Postgres {
			if _, err := tx.ExecContext(ctx, "SELECT set_config('app.org_id', ?, true)", orgID.String()); err != nil {
				return fmt.Errorf("db: set tenant: %w", err)
			}
		}
		return fn(ctx, tx)
	})
}
