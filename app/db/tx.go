package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
)

// ErrNoTenant is returned when tenant-scoped work is asked for without an
// organisation: scoping fails closed, it never means "all organisations".
var ErrNoTenant = errors.New("db: no organisation given for tenant-scoped work")

// Tx runs fn in a transaction, committing if it returns nil. Like every
// wrapper here, it maps driver errors (Classify) on the way out: the one
// place where "no row" becomes ErrNotFound and a refused write ErrConflict.
func (d *DB) Tx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	return d.tx(ctx, uuid.Nil, fn)
}

// tx is Tx telling the invalidator which organisation it wrote for.
func (d *DB) tx(ctx context.Context, orgID uuid.UUID, fn func(ctx context.Context, tx bun.Tx) error) error {
	return d.runInTx(ctx, d.DB, orgID, fn)
}

// txRunner is what runs a transaction: the database or one connection.
type txRunner interface {
	RunInTx(ctx context.Context, opts *sql.TxOptions, fn func(ctx context.Context, tx bun.Tx) error) error
}

// runInTx runs fn in a transaction of runner and, once it has committed,
// tells the invalidator what it wrote for the organisation (uuid.Nil: for
// none); driver errors are classified on the way out.
func (d *DB) runInTx(ctx context.Context, runner txRunner, orgID uuid.UUID, fn func(ctx context.Context, tx bun.Tx) error) error {
	ctx, wrote := withWrites(ctx)
	err := runner.RunInTx(ctx, &sql.TxOptions{}, fn)
	if err == nil {
		d.Invalidator.committed(wrote, orgID)
	}
	return Classify(err)
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
	if d.Engine != Postgres {
		return d.tx(ctx, orgID, fn)
	}
	if userID == uuid.Nil {
		if s := d.claim(ctx, orgID); s != nil {
			return s.own(ctx, fn)
		}
	}
	conn, err := d.scopedConn(ctx, orgID, userID)
	if err != nil {
		return err
	}
	defer conn.Close()
	return d.runInTx(ctx, conn, orgID, fn)
}

// ReadTenant runs read-only fn for one organisation outside a
// transaction: on Postgres one round trip per query once the connection
// serves this tenant. Use InTenant for writes and for reads that must
// agree with each other.
func (d *DB) ReadTenant(ctx context.Context, orgID uuid.UUID, fn func(ctx context.Context, q bun.IDB) error) error {
	if orgID == uuid.Nil {
		return ErrNoTenant
	}
	if d.Engine != Postgres {
		return Classify(fn(ctx, liteReader{DB: d.DB, stmts: d.stmts}))
	}
	if s := d.claim(ctx, orgID); s != nil {
		return s.query(ctx, fn)
	}
	conn, err := d.scopedConn(ctx, orgID, uuid.Nil)
	if err != nil {
		return err
	}
	defer conn.Close()
	return Classify(fn(ctx, conn))
}

const scopeKey = "toolbox.scope"

// scopedConn takes a connection of the scoped pool and makes sure its
// session carries the tenant (app.org_id) and person (app.user_id) that
// the row-level security policies read. The scope is set at session
// level and remembered on the connection, so a connection that last
// served the same scope needs no round trip.
func (d *DB) scopedConn(ctx context.Context, orgID, userID uuid.UUID) (bun.Conn, error) {
	conn, err := d.scopedPool.Conn(ctx)
	if err != nil {
		return conn, fmt.Errorf("db: scoped connection: %w", err)
	}
	org, user := "", ""
	if orgID != uuid.Nil {
		org = orgID.String()
	}
	if userID != uuid.Nil {
		user = userID.String()
	}
	want := org + "/" + user
	err = conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		data := pc.PgConn().CustomData()
		if data[scopeKey] == want {
			return nil
		}
		delete(data, scopeKey)
		if _, err := pc.Exec(ctx, "SELECT set_config('app.org_id', $1, false), set_config('app.user_id', $2, false)", org, user); err != nil {
			return err
		}
		data[scopeKey] = want
		return nil
	})
	if err != nil {
		conn.Close()
		return conn, fmt.Errorf("db: set tenant: %w", err)
	}
	return conn, nil
}

// In is the query helper of the domain stores: it runs fn in tx when the
// store was given the caller's transaction (its WithTx form), or else in
// a transaction of the organisation, and classifies what fails (Classify),
// so that no store can forget to.
func In(ctx context.Context, d *DB, tx bun.IDB, orgID uuid.UUID, fn func(ctx context.Context, q bun.IDB) error) error {
	if tx != nil {
		return Classify(fn(ctx, tx))
	}
	if d.Engine == Postgres && orgID != uuid.Nil {
		if s := d.claim(ctx, orgID); s != nil {
			return s.read(ctx, fn)
		}
	}
	return d.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error { return fn(ctx, tx) })
}
