package db

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
)

// Select runs a read query with ? placeholders and scans every row into a
// T (columns matched to `db` struct tags on Postgres, `bun` tags on
// SQLite). On a Postgres connection of ReadTenant it sends the arguments
// separately, so that PostgreSQL prepares the statement once per
// connection and reuses its plan: bun interpolates values into the text,
// which makes every call a new statement to parse and plan (with the
// row-level security policy). On SQLite, under ReadTenant, the statement
// is prepared once per database and reused (SQLite spent a fifth of a
// page's time compiling the same statements again). Use it for the
// hottest tenant reads.
func Select[T any](ctx context.Context, q bun.IDB, query string, args ...any) ([]T, error) {
	if lite, ok := q.(liteReader); ok {
		return selectPrepared[T](ctx, lite, query, args)
	}
	conn, ok := q.(bun.Conn)
	if !ok || conn.Dialect().Name().String() != "pg" {
		var out []T
		if err := q.NewRaw(query, args...).Scan(ctx, &out); err != nil {
			return nil, err
		}
		return out, nil
	}
	sql, err := NumberPlaceholders(query)
	if err != nil {
		return nil, err
	}
	var out []T
	err = conn.Raw(func(dc any) error {
		rows, err := dc.(*stdlib.Conn).Conn().Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, pgx.RowToStructByName[T])
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("db: select: %w", err)
	}
	return out, nil
}

// NumberPlaceholders turns ? into $1, $2 … outside quoted text.
func NumberPlaceholders(query string) (string, error) {
	var b strings.Builder
	n := 0
	quoted := false
	for _, r := range query {
		switch {
		case r == '\'':
			quoted = !quoted
			b.WriteRune(r)
		case r == '?' && !quoted:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteRune(r)
		}
	}
	if quoted {
		return "", fmt.Errorf("db: unbalanced quote in query")
	}
	return b.String(), nil
}

// liteReader is what ReadTenant hands read-only work on SQLite: the
// database, and its statements prepared once.
type liteReader struct {
	*bun.DB
	stmts *stmtCache
}

// stmtCache holds prepared statements by query text. The queries are the
// program's own constants, so it stays small; maxStmts guards it anyway.
type stmtCache struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

const maxStmts = 256

func (c *stmtCache) prepare(ctx context.Context, d *bun.DB, query string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[query]; ok {
		return st, nil
	}
	// Prepared on the database, not a connection: database/sql prepares
	// it again on any other connection once, and keeps it there.
	st, err := d.DB.PrepareContext(context.WithoutCancel(ctx), query)
	if err != nil {
		return nil, err
	}
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	if len(c.m) < maxStmts {
		c.m[query] = st
	}
	return st, nil
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		_ = st.Close()
	}
	clear(c.m)
}

func selectPrepared[T any](ctx context.Context, lite liteReader, query string, args []any) ([]T, error) {
	st, err := lite.stmts.prepare(ctx, lite.DB, query)
	if err != nil {
		return nil, fmt.Errorf("db: prepare: %w", err)
	}
	rows, err := st.QueryContext(ctx, liteArgs(args)...)
	if err != nil {
		return nil, fmt.Errorf("db: select: %w", err)
	}
	var out []T
	if err := lite.DB.ScanRows(ctx, rows, &out); err != nil {
		return nil, fmt.Errorf("db: select: %w", err)
	}
	return out, nil
}

// liteArgs turns arguments into what bun would have written into the
// query text, so that a prepared statement compares like an interpolated
// one: times as bun's UTC text (the driver's own format differs), the
// rest as database/sql converts them (a UUID through its Value, as text).
func liteArgs(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		if t, ok := a.(time.Time); ok {
			a = t.UTC().Format(liteTime)
		}
		out[i] = a
	}
	return out
}

// liteTime is how bun's SQLite dialect writes a time.
const liteTime = "2006-01-02 15:04:05.999999-07:00"
