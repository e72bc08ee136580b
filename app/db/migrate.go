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
	m *migrate.Migrator
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
	return &Migrator{m: migrate.NewMigrator(d.DB, ms, migrate.WithTemplateData(data), migrate.WithMarkAppliedOnSuccess(true))}, nil
}

// Up applies every migration not yet applied and returns their names.
func (m *Migrator) Up(ctx context.Context) ([]string, error) {
	if err := m.m.Init(ctx); err != nil {
		return nil, fmt.Errorf("db: prepare migration tables: %w", err)
	}
	group, err := m.m.Migrate(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: migrate up: %w", err)
	}
	return names(group), nil
}

// Down rolls back the last group of migrations.
func (m *Migrator) Down(ctx context.Context) ([]string, error) {
	if err := m.m.Init(ctx); err != nil {
		return nil, fmt.Errorf("db: prepare migration tables: %w", err)
	}
	group, err := m.m.Rollback(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: migrate down: %w", err)
	}
	return names(group), nil
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
