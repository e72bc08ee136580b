package db

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// A request scope lets one request's tenant work share one connection of
// the scoped pool, and its reads one transaction: a page that reads a
// dozen things pays BEGIN and COMMIT once instead of a dozen times, and a
// request never holds two connections of the pool (so requests waiting
// for a second one cannot starve each other).
//
// The shared transaction never holds a write across calls: a call whose
// queries wrote (anything but a plain SELECT) commits as it returns, and
// a call that failed rolls back what it did, exactly as its own
// transaction did before. A transaction of its own (InTenant) runs on the
// same connection after the reads so far are committed. A call made while
// another holds the scope (nested inside it, or from another goroutine)
// takes its own connection, as without a scope.
type requestScope struct {
	d     *DB
	orgID uuid.UUID
	mu    sync.Mutex
	conn  *bun.Conn
	tx    *bun.Tx
}

type requestScopeKey struct{}

// scopeWritesKey marks, in the context of a call in the shared
// transaction, that one of its queries may have changed something.
type scopeWritesKey struct{}

// WithRequestScope returns ctx carrying a request scope for the
// organisation, and the function that ends it (call it when the request
// is done). Only on PostgreSQL: elsewhere ctx comes back unchanged.
func (d *DB) WithRequestScope(ctx context.Context, orgID uuid.UUID) (context.Context, func()) {
	if d.Engine != Postgres || orgID == uuid.Nil {
		return ctx, func() {}
	}
	s := &requestScope{d: d, orgID: orgID}
	return context.WithValue(ctx, requestScopeKey{}, s), s.release
}

// claim returns the context's scope for d and the organisation, locked,
// or nil when there is none or it is busy.
func (d *DB) claim(ctx context.Context, orgID uuid.UUID) *requestScope {
	s, ok := ctx.Value(requestScopeKey{}).(*requestScope)
	if !ok || s.d != d || s.orgID != orgID || !s.mu.TryLock() {
		return nil
	}
	return s
}

// connection returns the scope's connection, taking one the first time.
func (s *requestScope) connection(ctx context.Context) (*bun.Conn, error) {
	if s.conn == nil {
		conn, err := s.d.scopedConn(ctx, s.orgID, uuid.Nil)
		if err != nil {
			return nil, err
		}
		s.conn = &conn
	}
	return s.conn, nil
}

// read runs fn in the shared transaction, beginning it if needed.
func (s *requestScope) read(ctx context.Context, fn func(ctx context.Context, q bun.IDB) error) error {
	defer s.mu.Unlock()
	if s.tx == nil {
		conn, err := s.connection(ctx)
		if err != nil {
			return err
		}
		tx, err := conn.BeginTx(ctx, &sql.TxOptions{})
		if err != nil {
			s.drop()
			return Classify(err)
		}
		s.tx = &tx
	}
	wrote := new(atomic.Bool)
	callCtx, changed := withWrites(context.WithValue(ctx, scopeWritesKey{}, wrote))
	err := fn(callCtx, s.tx)
	switch {
	case err != nil && (wrote.Load() || !errors.Is(err, sql.ErrNoRows)):
		// What it did is undone; a failed statement leaves PostgreSQL's
		// transaction unusable anyway. (No row found harms nothing.)
		_ = s.tx.Rollback()
		s.tx = nil
	case wrote.Load():
		tx := s.tx
		s.tx = nil
		if err = tx.Commit(); err == nil {
			s.d.Invalidator.committed(changed, s.orgID)
		}
	}
	return Classify(err)
}

// query runs read-only fn in the shared transaction when one is open,
// or else straight on the scope's connection (ReadTenant: a page that
// reads one thing pays one round trip).
func (s *requestScope) query(ctx context.Context, fn func(ctx context.Context, q bun.IDB) error) error {
	if s.tx != nil {
		return s.read(ctx, fn)
	}
	defer s.mu.Unlock()
	conn, err := s.connection(ctx)
	if err != nil {
		return err
	}
	return Classify(fn(ctx, conn))
}

// own runs fn in a transaction of its own on the scope's connection,
// after committing the shared one.
func (s *requestScope) own(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	defer s.mu.Unlock()
	if s.tx != nil {
		err := s.tx.Commit()
		s.tx = nil
		if err != nil {
			s.drop()
			return Classify(err)
		}
	}
	conn, err := s.connection(ctx)
	if err != nil {
		return err
	}
	return s.d.runInTx(ctx, conn, s.orgID, fn)
}

// drop gives the connection back after a failure of the connection itself.
func (s *requestScope) drop() {
	if s.conn != nil {
		_ = s.conn.Close()
		s.conn = nil
	}
}

// release ends the shared transaction (it holds only reads) and gives the
// connection back to the pool.
func (s *requestScope) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tx != nil {
		_ = s.tx.Rollback()
		s.tx = nil
	}
	s.drop()
}

// writeMarker is the scoped pool's query hook that tells the request
// scope a call wrote: any statement but a plain SELECT (a locking read
// counts, so that its locks are not held past the call).
type writeMarker struct{}

func (writeMarker) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

func (writeMarker) AfterQuery(ctx context.Context, e *bun.QueryEvent) {
	wrote, ok := ctx.Value(scopeWritesKey{}).(*atomic.Bool)
	if !ok || wrote.Load() {
		return
	}
	if !plainSelect(e.Query) {
		wrote.Store(true)
	}
}

// plainSelect reports whether query only reads and takes no lock.
func plainSelect(query string) bool {
	q := strings.ToUpper(strings.TrimLeft(query, " \t\r\n("))
	if !strings.HasPrefix(q, "SELECT") {
		return false
	}
	for _, w := range []string{" FOR UPDATE", " FOR SHARE", " FOR NO KEY", " FOR KEY SHARE", "PG_ADVISORY", "NEXTVAL(", "SET_CONFIG(", "INSERT ", "UPDATE ", "DELETE "} {
		if strings.Contains(q, w) {
			return false
		}
	}
	return true
}
