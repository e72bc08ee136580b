package db

import (
	"context"
	"fmt"
	"strconv"
	"strings"

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
// row-level security policy). Use it for the hottest tenant reads.
func Select[T any](ctx context.Context, q bun.IDB, query string, args ...any) ([]T, error) {
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
