// Package db opens PostgreSQL or SQLite through bun, applies the embedded
// migrations, runs transactions (tenant-scoped ones set the row-level
// security context on Postgres) and maps driver errors to domain errors.
package db

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// Engine names the database flavour, for the few places where SQL differs.
type Engine int

const (
	SQLite Engine = iota + 1
	Postgres
)

func (d Engine) String() string {
	if d == Postgres {
		return "postgres"
	}
	return "sqlite"
}

// DB is the application's handle on the database.
type DB struct {
	*bun.DB
	Engine Engine
	// Invalidator, when set, keeps request caches honest (see Invalidator).
	Invalidator *Invalidator
	// scopedPool is a second pool on Postgres, used only for tenant-scoped
	// work: its connections keep the tenant of their last use in their
	// session, so that work for the same tenant needs no extra round trip
	// to set it. The main pool's connections never carry a tenant, so a
	// query that forgot its scope still sees no tenant rows.
	scopedPool *bun.DB
	// stmts are SQLite's statements prepared once (Select under ReadTenant).
	stmts *stmtCache
}

// Close closes both pools.
func (d *DB) Close() error {
	if d.scopedPool != nil {
		_ = d.scopedPool.Close()
	}
	if d.stmts != nil {
		d.stmts.close()
	}
	return d.DB.Close()
}

// Pools names the connection pools, for the metrics: "main", and on
// PostgreSQL "tenant" (the tenant-scoped pool).
func (d *DB) Pools() map[string]*sql.DB {
	out := map[string]*sql.DB{"main": d.DB.DB}
	if d.scopedPool != nil {
		out["tenant"] = d.scopedPool.DB
	}
	return out
}

// WatchWrites attaches an invalidator to the database's writes.
func (d *DB) WatchWrites(inv *Invalidator) {
	d.Invalidator = inv
	d.AddQueryHook(inv)
	if d.scopedPool != nil {
		d.scopedPool.AddQueryHook(inv)
	}
}

// WatchQueries adds a query hook to both pools (tests count a page's
// queries with it).
func (d *DB) WatchQueries(h bun.QueryHook) {
	d.AddQueryHook(h)
	if d.scopedPool != nil {
		d.scopedPool.AddQueryHook(h)
	}
}

// Options says how to open a database.
type Options struct {
	// URL is postgres://… or sqlite:path.
	URL string
	// Role, on Postgres, is switched to on every new connection so that
	// row-level security applies to the application even when it logs in
	// as the owner of the tables. Empty keeps the login role.
	Role string
	// MaxConns bounds the pool.
	MaxConns int
}

// Open connects and checks the connection.
func Open(ctx context.Context, o Options) (*DB, error) {
	if o.MaxConns < 1 {
		o.MaxConns = 10
	}
	u, err := url.Parse(o.URL)
	if err != nil {
		return nil, fmt.Errorf("db: parse database URL: %w", err)
	}
	var d *DB
	switch u.Scheme {
	case "postgres", "postgresql":
		d, err = openPostgres(o)
	case "sqlite":
		d, err = openSQLite(o)
	default:
		return nil, fmt.Errorf("db: unsupported database URL scheme %q", u.Scheme)
	}
	if err != nil {
		return nil, err
	}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := d.PingContext(pingCtx); err != nil {
		_ = d.Close()
		return nil, fmt.Errorf("db: connect to %s: %w", redact(o.URL), err)
	}
	return d, nil
}

func openPostgres(o Options) (*DB, error) {
	cfg, err := pgx.ParseConfig(o.URL)
	if err != nil {
		return nil, fmt.Errorf("db: parse postgres URL %s: %w", redact(o.URL), err)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 5 * time.Second
	}
	var opts []stdlib.OptionOpenDB
	if o.Role != "" && o.Role != cfg.User {
		role := o.Role
		opts = append(opts, stdlib.OptionAfterConnect(func(ctx context.Context, c *pgx.Conn) error {
			if _, err := c.Exec(ctx, "SET ROLE "+pgx.Identifier{role}.Sanitize()); err != nil {
				return fmt.Errorf("db: switch to role %s (run migrations first): %w", role, err)
			}
			return nil
		}))
	}
	pool := func() *bun.DB {
		sqldb := stdlib.OpenDB(*cfg, opts...)
		sqldb.SetMaxOpenConns(o.MaxConns)
		sqldb.SetMaxIdleConns(o.MaxConns)
		sqldb.SetConnMaxIdleTime(5 * time.Minute)
		return bun.NewDB(sqldb, pgdialect.New())
	}
	scoped := pool()
	scoped.AddQueryHook(writeMarker{})
	return &DB{DB: pool(), scopedPool: scoped, Engine: Postgres}, nil
}

func openSQLite(o Options) (*DB, error) {
	path := SQLitePath(o.URL)
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("db: create data directory: %w", err)
		}
	}
	// WAL lets readers run beside the one writer; busy_timeout makes a
	// writer wait instead of failing; _txlock=immediate takes the write lock
	// at BEGIN so that read-then-write transactions cannot deadlock or see
	// a stale read (this is what makes "check, then book" safe on SQLite).
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	sqldb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("db: open sqlite %s: %w", path, err)
	}
	sqldb.SetMaxOpenConns(o.MaxConns)
	sqldb.SetMaxIdleConns(o.MaxConns)
	return &DB{DB: bun.NewDB(sqldb, sqlitedialect.New()), Engine: SQLite, stmts: &stmtCache{}}, nil
}

// SQLitePath extracts the file path of a sqlite: URL.
func SQLitePath(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	if u.Opaque != "" {
		return u.Opaque
	}
	return u.Host + u.Path
}

// redact hides the password of a database URL in messages.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}
