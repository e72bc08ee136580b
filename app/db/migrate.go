package db

import (
	"context"
	"fmt"
	"io/fs"
	"strings"

	"github.com/uptrace/bun/migrate"
)

// templateData fills the few dialect differences in the migrations.
type templateData struct {
	Postgres bool
	// UUID, Time, JSON and Bytes are column types.
	UUID, Time, JSON, Bytes string
	// AppRole is the role the application runs as on Postgres; the
	// migrations create it and grant it the tables, without owning them.
	AppRole string
}

// Migrator applies the embedded migrations.
type Migrator struct {
	m  *migrate.Migrator
	db *DB
}

// NewMigrator prepares the migrations in fsys for d. appRole is the
// Postgres role to grant the application's privileges to.
func NewMigrator(d *DB, fsys fs.FS, appRole string) (*Migrator, error) {
	ms := migrate.NewMigrations()
	if err := ms.Discover(fsys); err != nil {
		return nil, fmt.Errorf("db: read migrations: %w", err)
	}
	data := templateData{UUID: "TEXT", Time: "TIMESTAMP", JSON: "TEXT", Bytes: "BLOB"}
	if d.Engine == Postgres {
		data = templateData{Postgres: true, UUID: "uuid", Time: "timestamptz", JSON: "jsonb", Bytes: "bytea", AppRole: appRole}
	}
	return &Migrator{m: migrate.NewMigrator(d.DB, ms, migrate.WithTemplateData(data), migrate.WithMarkAppliedOnSuccess(true)), db: d}, nil
}

// migrationLockKey names the advisory lock every migrate run holds on
// PostgreSQL ("toolbox" in ASCII): runs started together (several
// replicas, each running migrate up before it starts) take turns, and
// the later ones find nothing left to do.
const migrationLockKey = 0x746f6f6c626f78

// locked runs fn holding the migration lock (Postgres; SQLite has one
// writer at a time anyway).
func (m *Migrator) locked(ctx context.Context, fn func() error) error {
	if m.db.Engine != Postgres {
		return fn()
	}
	conn, err := m.db.DB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("db: connect for the migration lock: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(?)", migrationLockKey); err != nil {
		return fmt.Errorf("db: wait for the migration lock: %w", err)
	}
	defer func() {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(?)", migrationLockKey)
	}()
	return fn()
}

// Up applies every migration not yet applied and returns their names.
func (m *Migrator) Up(ctx context.Context) ([]string, error) {
	var applied []string
	err := m.locked(ctx, func() error {
		if err := m.m.Init(ctx); err != nil {
			return fmt.Errorf("db: prepare migration tables: %w", err)
		}
		group, err := m.m.Migrate(ctx)
		if err != nil {
			return fmt.Errorf("db: migrate up: %w", err)
		}
		applied = names(group)
		return nil
	})
	return applied, err
}

// Down rolls back the last group of migrations.
func (m *Migrator) Down(ctx context.Context) ([]string, error) {
	var rolled []string
	err := m.locked(ctx, func() error {
		if err := m.m.Init(ctx); err != nil {
			return fmt.Errorf("db: prepare migration tables: %w", err)
		}
		group, err := m.m.Rollback(ctx)
		if err != nil {
			return fmt.Errorf("db: migrate down: %w", err)
		}
		rolled = names(group)
		return nil
	})
	return rolled, err
}

// Status describes every migration: applied or pending.
func (m *Migrator) Status(ctx context.Context) (string, error) {
	if err := m.m.Init(ctx); err != nil {
		return "", fmt.Errorf("db: prepare migration tables: %w", err)
	}
	ms, err := m.m.MigrationsWithStatus(ctx)
	if err != nil {
		return "", fmt.Errorf("db: migration status: %w", err)
	}
	var b strings.Builder
	for _, mig := range ms {
		state := "pending"
		if mig.IsApplied() {
			state = "applied (group " + fmt.Sprint(mig.GroupID) + ")"
		}
		fmt.Fprintf(&b, "%s_%s\t%s\n", mig.Name, mig.Comment, state)
	}
	return b.String(), nil
}

func names(g *migrate.MigrationGroup) []string {
	if g == nil {
		return nil
	}
	out := make([]string, 0, len(g.Migrations))
	for _, m := range g.Migrations {
		out = append(out, m.Name+"_"+m.Comment)
	}
	return out
}

// SchemaError says that the database's schema is older than the one this
// binary was built for.
type SchemaError struct {
	// Want is the newest migration the binary carries; Missing the ones
	// not applied.
	Want    string
	Missing []string
	// Err is why the applied migrations could not be read, if they could
	// not (no migration ever ran).
	Err error
}

func (e *SchemaError) Error() string {
	detail := "not migrated"
	if len(e.Missing) > 0 {
		detail = "missing " + strings.Join(e.Missing, ", ")
	}
	return fmt.Sprintf("database schema is older than this binary expects (%s; %s): run `toolbox migrate up` first", e.Want, detail)
}

func (e *SchemaError) Unwrap() error { return e.Err }

// CheckSchema returns a *SchemaError when a migration in fsys is not
// applied to d (newer migrations the binary does not know are fine: a
// rolling update runs old binaries on the new schema for a while). It
// reads as the application's role.
func CheckSchema(ctx context.Context, d *DB, fsys fs.FS) error {
	ms := migrate.NewMigrations()
	if err := ms.Discover(fsys); err != nil {
		return fmt.Errorf("db: read migrations: %w", err)
	}
	sorted := ms.Sorted()
	if len(sorted) == 0 {
		return nil
	}
	want := sorted[len(sorted)-1].Name + "_" + sorted[len(sorted)-1].Comment
	list, err := migrate.NewMigrator(d.DB, ms).MigrationsWithStatus(ctx)
	if err != nil {
		if IsUnavailable(err) {
			return fmt.Errorf("db: read the schema version: %w", err)
		}
		return &SchemaError{Want: want, Err: err}
	}
	if missing := list.Unapplied(); len(missing) > 0 {
		return &SchemaError{Want: want, Missing: names(&migrate.MigrationGroup{Migrations: missing})}
	}
	return nil
}
