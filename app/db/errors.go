package db

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

var (
	// ErrNotFound means the row does not exist, or not for this organisation:
	// callers must not be able to tell the two apart.
	ErrNotFound = errors.New("not found")
	// ErrConflict means a uniqueness or exclusion rule refused the write.
	ErrConflict = errors.New("conflict")
	// ErrUnavailable means the database could not be reached.
	ErrUnavailable = errors.New("database unavailable")
)

// Postgres error codes we translate.
const (
	pgUniqueViolation    = "23505"
	pgExclusionViolation = "23P01"
	pgSerialization      = "40001"
)

// Classify maps driver errors to ErrNotFound and ErrConflict, keeping the
// original in the chain; other errors, and errors classified already, pass
// through unchanged. The transaction wrappers (Tx, InTenant, ReadTenant …)
// apply it to what they return, so store code needs it only where it
// tests an error inside a transaction.
func Classify(err error) error {
	if err == nil || errors.Is(err, ErrNotFound) || errors.Is(err, ErrConflict) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	if IsConflict(err) {
		return fmt.Errorf("%w: %w", ErrConflict, err)
	}
	return err
}

// IsConflict reports whether err is a unique or exclusion violation.
func IsConflict(err error) bool {
	if errors.Is(err, ErrConflict) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == pgUniqueViolation || pgErr.Code == pgExclusionViolation || pgErr.Code == pgSerialization
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		switch liteErr.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return true
		}
	}
	return false
}

// IsUnavailable reports whether err means that the database (or another
// service across the network) could not be reached, rather than that a
// query was wrong: the request may well succeed in a moment.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrUnavailable) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, net.ErrClosed) {
		return true
	}
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) {
		return true
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08: connection exceptions; 57P01-57P03: the server is
		// shutting down, crashed, or not yet accepting; 53300: too many
		// connections.
		return strings.HasPrefix(pgErr.Code, "08") || pgErr.Code == "57P01" || pgErr.Code == "57P02" ||
			pgErr.Code == "57P03" || pgErr.Code == "53300"
	}
	// pgx reports a connection that died under it this way.
	return strings.Contains(err.Error(), "conn closed")
}

// Wrap maps a driver's error (Classify) and says what was being done, as
// "domain: what: cause": the one form of a store's error, so that no store
// can return a driver's error unmapped.
func Wrap(err error, domain, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf(domain+": "+format+": %w", append(args, Classify(err))...)
}
