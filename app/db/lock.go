package db

import (
	"context"
	"fmt"
	"hash/fnv"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// ForUpdate locks the rows q reads until the end of its transaction on
// PostgreSQL. SQLite needs no row lock: its transactions take the write
// lock at BEGIN (_txlock=immediate), so writers already go one at a time.
func ForUpdate(q *bun.SelectQuery) *bun.SelectQuery {
	if q.Dialect().Name() == dialect.PG {
		return q.For("UPDATE")
	}
	return q
}

// ForShare holds the rows q reads against change (FOR UPDATE elsewhere)
// until the end of its transaction on PostgreSQL, while other readers
// that share them go on; SQLite's immediate transactions need no lock.
func ForShare(q *bun.SelectQuery) *bun.SelectQuery {
	if q.Dialect().Name() == dialect.PG {
		return q.For("SHARE")
	}
	return q
}

// ForUpdateSkipLocked is ForUpdate for queue-like reads: rows another
// transaction holds are skipped rather than waited for.
func ForUpdateSkipLocked(q *bun.SelectQuery) *bun.SelectQuery {
	if q.Dialect().Name() == dialect.PG {
		return q.For("UPDATE SKIP LOCKED")
	}
	return q
}

// LockKey serialises, until the end of tx, every transaction that locks
// the same key: on PostgreSQL with a transaction-level advisory lock on a
// hash of the key; on SQLite the immediate transaction already holds the
// database's write lock. Take it before reading what it protects.
func LockKey(ctx context.Context, tx bun.IDB, key string) error {
	if tx.Dialect().Name() != dialect.PG {
		return nil
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(key))
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", int64(h.Sum64())); err != nil {
		return fmt.Errorf("db: lock %q: %w", key, err)
	}
	return nil
}
