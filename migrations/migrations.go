// Package migrations embeds the numbered SQL migrations, one sequence for
// PostgreSQL and SQLite; the few differences are template conditions.
package migrations

import "embed"

// FS holds the *.up.sql and *.down.sql files.
//
//go:embed *.sql
var FS embed.FS
