package db_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

func TestDriverErrorsMapToDomainErrors(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		ctx := context.Background()
		_, err := env.DB.NewInsert().Model(&map[string]any{
			"id": uuid.Must(uuid.NewV7()), "slug": org.Slug, "name": "dup", "time_zone": "UTC", "settings": "{}", "created_at": env.Clock.Now(),
		}).TableExpr("organisations").Exec(ctx)
		if err == nil || !errors.Is(db.Classify(err), db.ErrConflict) || !db.IsConflict(err) {
			t.Fatalf("duplicate slug: %v", err)
		}
		var name string
		err = env.DB.NewSelect().TableExpr("organisations").Column("name").Where("slug = ?", "no-such-org").Scan(ctx, &name)
		if !errors.Is(db.Classify(err), db.ErrNotFound) {
			t.Fatalf("missing row: %v", err)
		}
	})
}

func TestTenantScopeFailsClosed(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		called := false
		err := env.DB.InTenant(context.Background(), uuid.Nil, func(context.Context, bun.Tx) error { called = true; return nil })
		if !errors.Is(err, db.ErrNoTenant) || called {
			t.Fatalf("InTenant(nil) = %v, called %v", err, called)
		}
	})
}

func TestTimesRoundTripInUTC(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		var created struct {
			CreatedAt bun.NullTime `bun:"created_at"`
		}
		if err := env.DB.NewSelect().TableExpr("organisations").Column("created_at").Where("id = ?", org.ID).Scan(context.Background(), &created); err != nil {
			t.Fatal(err)
		}
		if !created.CreatedAt.Time.Equal(org.CreatedAt) {
			t.Fatalf("created_at read back %v, wrote %v", created.CreatedAt.Time, org.CreatedAt)
		}
	})
}

func TestNumberPlaceholders(t *testing.T) {
	got, err := db.NumberPlaceholders("SELECT '?' FROM t WHERE a = ? AND b = 'it''s ?' AND c = ?")
	if err != nil || got != "SELECT '?' FROM t WHERE a = $1 AND b = 'it''s ?' AND c = $2" {
		t.Fatalf("got %q, %v", got, err)
	}
	if _, err := db.NumberPlaceholders("SELECT 'open"); err == nil {
		t.Fatal("unbalanced quote accepted")
	}
}

type roleCount struct {
	Role  string `bun:"role" db:"role"`
	Count int    `bun:"n" db:"n"`
}

func TestSelectOnBothEnginesSeesOnlyItsTenant(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		a, b := env.NewOrg(), env.NewOrg()
		env.NewPerson(a, "member")
		env.NewPerson(b, "member")
		for _, org := range []*testkit.Org{a, b} {
			var got []roleCount
			err := env.DB.ReadTenant(context.Background(), org.ID, func(ctx context.Context, q bun.IDB) error {
				var err error
				// No org_id filter: on Postgres only row-level security
				// keeps the other organisation out.
				query := "SELECT role, count(*) AS n FROM memberships WHERE status = ? GROUP BY role ORDER BY role"
				if env.Engine == db.SQLite {
					query = "SELECT role, count(*) AS n FROM memberships WHERE status = ? AND org_id = '" + org.ID.String() + "' GROUP BY role ORDER BY role"
				}
				got, err = db.Select[roleCount](ctx, q, query, "active")
				return err
			})
			if err != nil || len(got) != 2 || got[0] != (roleCount{"member", 1}) || got[1] != (roleCount{"owner", 1}) {
				t.Fatalf("Select = %+v, %v", got, err)
			}
		}
	})
}

// TestSelectMatchesAnInterpolatedQuery: the arguments Select sends apart
// (prepared once on SQLite, numbered on Postgres) compare like the values
// bun writes into a query's text: UUIDs, times and strings alike. Asked
// twice, the second answer comes from the same prepared statement.
func TestSelectMatchesAnInterpolatedQuery(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		env.NewPerson(org, "member")
		env.NewPerson(org, "practitioner")
		ctx := context.Background()
		query := "SELECT role, count(*) AS n FROM memberships WHERE org_id = ? AND status = ? AND created_at <= ? GROUP BY role ORDER BY role"
		args := []any{org.ID, "active", env.Clock.Now().Add(time.Hour)}
		var want []roleCount
		if err := env.DB.ReadTenant(ctx, org.ID, func(ctx context.Context, q bun.IDB) error {
			return q.NewRaw(query, args...).Scan(ctx, &want)
		}); err != nil {
			t.Fatal(err)
		}
		if len(want) != 3 {
			t.Fatalf("interpolated query found %+v, want owner, member and practitioner", want)
		}
		for range 2 {
			var got []roleCount
			err := env.DB.ReadTenant(ctx, org.ID, func(ctx context.Context, q bun.IDB) error {
				var err error
				got, err = db.Select[roleCount](ctx, q, query, args...)
				return err
			})
			if err != nil || !slices.Equal(got, want) {
				t.Fatalf("Select = %+v, %v; interpolated %+v", got, err, want)
			}
		}
		// Later than every row: nothing, so the time did take part.
		var none []roleCount
		err := env.DB.ReadTenant(ctx, org.ID, func(ctx context.Context, q bun.IDB) error {
			var err error
			none, err = db.Select[roleCount](ctx, q, query, org.ID, "active", env.Clock.Now().Add(-24*time.Hour))
			return err
		})
		if err != nil || len(none) != 0 {
			t.Fatalf("Select before every row = %+v, %v", none, err)
		}
	})
}
