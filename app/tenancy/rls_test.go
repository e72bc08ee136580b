package tenancy_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/audit"
	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/ops"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// Tables that carry org_id but are not behind row-level security, and
// why. Anything else with an org_id column must have the tenant policy.
var rlsExempt = map[string]string{
	"outbox":         "infrastructure: the relay and worker read it across organisations; org_id is nullable (account mail)",
	"emails":         "infrastructure: the worker delivers mail across organisations; org_id is nullable (account mail)",
	"platform_audit": "the platform operators' own log (app/ops): read only behind the operator check, never by a tenant route; org_id names the organisation acted on and outlives it",
	"stripe_events":  "infrastructure: the Stripe webhook records an event before any organisation is known; the event id is unique across organisations and org_id is filled only when the event names one",
}

// rlsTables are the tenant tables and how to write a row of an
// organisation into each.
func rlsTables(env *testkit.Env) map[string]func(ctx context.Context, tx bun.Tx, orgID uuid.UUID) error {
	now := env.Clock.Now()
	return map[string]func(ctx context.Context, tx bun.Tx, orgID uuid.UUID) error{
		"memberships": func(ctx context.Context, tx bun.Tx, orgID uuid.UUID) error {
			u := env.NewUser()
			_, err := tx.NewInsert().Model(&tenancy.Membership{ID: uuid.Must(uuid.NewV7()), OrgID: orgID, UserID: u.ID, Role: tenancy.RoleMember, Status: tenancy.StatusActive, CreatedAt: now, UpdatedAt: now}).Exec(ctx)
			return err
		},
		"invitations": func(ctx context.Context, tx bun.Tx, orgID uuid.UUID) error {
			_, hash := auth.NewToken()
			_, err := tx.NewInsert().Model(&tenancy.Invitation{ID: uuid.Must(uuid.NewV7()), OrgID: orgID, Email: "rls@example.test", Role: tenancy.RoleMember, TokenHash: hash, ExpiresAt: now.Add(time.Hour), SentCount: 1, CreatedAt: now}).Exec(ctx)
			return err
		},
		"audit_events": func(ctx context.Context, tx bun.Tx, orgID uuid.UUID) error {
			return audit.Record(ctx, tx, audit.Event{OrgID: orgID, Action: "test", At: now})
		},
		"support_access": func(ctx context.Context, tx bun.Tx, orgID uuid.UUID) error {
			op := env.NewUser()
			_, err := tx.NewInsert().Model(&ops.SupportAccess{ID: uuid.Must(uuid.NewV7()), OrgID: orgID, OperatorID: op.ID, Operator: op.Email,
				Reason: "rls", StartsAt: now, Until: now.Add(time.Hour)}).Exec(ctx)
			return err
		},
	}
}

// wallBreaches runs the three checks of the wall on one table in tx, as
// whatever role tx runs as, and returns what got through.
func wallBreaches(ctx context.Context, tx bun.Tx, table string, a, b uuid.UUID, insert func(context.Context, bun.Tx, uuid.UUID) error) []string {
	var out []string
	set := func(org string) {
		if _, err := tx.ExecContext(ctx, "SELECT set_config('app.org_id', ?, true), set_config('app.user_id', '', true)", org); err != nil {
			panic(err)
		}
	}
	set("")
	if n, err := tx.NewSelect().TableExpr(table).Count(ctx); err != nil || n != 0 {
		out = append(out, fmt.Sprintf("no tenant: %d rows visible (err %v)", n, err))
	}
	set(a.String())
	if n, err := tx.NewSelect().TableExpr(table).Where("org_id = ?", b).Count(ctx); err != nil || n != 0 {
		out = append(out, fmt.Sprintf("tenant A reads %d rows of B (err %v)", n, err))
	}
	if _, err := tx.ExecContext(ctx, "SAVEPOINT wall"); err != nil {
		panic(err)
	}
	if err := insert(ctx, tx, b); err == nil {
		out = append(out, "tenant A wrote a row of B")
	}
	if _, err := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT wall"); err != nil {
		panic(err)
	}
	return out
}

func rlsFixture(t *testing.T, env *testkit.Env) (a, b *testkit.Org) {
	a, b = env.NewOrg(), env.NewOrg()
	for _, o := range []*testkit.Org{a, b} {
		env.NewPerson(o, tenancy.RoleMember)
		if _, err := env.Services.Tenancy.Invite(env.Ctx(), o.ID, owner(o), tenancy.InviteRow{Email: "rls-" + uuid.NewString()[:6] + "@example.test", Role: tenancy.RoleMember}); err != nil {
			t.Fatal(err)
		}
		op := env.NewUser()
		if err := env.Services.Ops.Store.StartSupport(env.Ctx(), &ops.SupportAccess{ID: uuid.Must(uuid.NewV7()), OrgID: o.ID, OperatorID: op.ID,
			Operator: op.Email, Reason: "rls", StartsAt: env.Clock.Now(), Until: env.Clock.Now().Add(time.Hour)}, ""); err != nil {
			t.Fatal(err)
		}
	}
	return a, b
}

func TestRowLevelSecurityHolds(t *testing.T) {
	env := testkit.New(t)
	a, b := rlsFixture(t, env)
	ctx := context.Background()
	var role struct {
		Super  bool `bun:"rolsuper"`
		Bypass bool `bun:"rolbypassrls"`
	}
	if err := env.DB.NewRaw("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user").Scan(ctx, &role); err != nil || role.Super || role.Bypass {
		t.Fatalf("the application role is superuser (%v) or bypasses RLS (%v) (err %v)", role.Super, role.Bypass, err)
	}
	for table, insert := range rlsTables(env) {
		if env.Count(table, "org_id = ?", b.ID) == 0 {
			t.Fatalf("fixture: %s has no rows of B", table)
		}
		err := env.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
			if breaches := wallBreaches(ctx, tx, table, a.ID, b.ID, insert); len(breaches) > 0 {
				t.Errorf("%s: %v", table, breaches)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestRowLevelSecurityTestsCatchABrokenPolicy breaks each table's policy
// inside a transaction of the schema owner (rolled back afterwards) and
// runs the same checks as the application role: every check must report
// the breach, or the test above proves nothing.
func TestRowLevelSecurityTestsCatchABrokenPolicy(t *testing.T) {
	env := testkit.New(t)
	a, b := rlsFixture(t, env)
	ctx := context.Background()
	breakages := map[string]string{
		"RLS disabled":      "ALTER TABLE %s DISABLE ROW LEVEL SECURITY",
		"policy too loose":  "DROP POLICY tenant_isolation ON %[1]s; CREATE POLICY tenant_isolation ON %[1]s USING (true) WITH CHECK (true)",
		"policy not forced": "ALTER TABLE %s NO FORCE ROW LEVEL SECURITY; ALTER TABLE %[1]s OWNER TO " + testkit.AppRole,
	}
	for table, insert := range rlsTables(env) {
		for name, ddl := range breakages {
			tx, err := env.OwnerDB.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tx.ExecContext(ctx, fmt.Sprintf(ddl, table)); err != nil {
				tx.Rollback()
				t.Fatalf("%s on %s: %v", name, table, err)
			}
			if _, err := tx.ExecContext(ctx, "SET LOCAL ROLE "+testkit.AppRole); err != nil {
				tx.Rollback()
				t.Fatal(err)
			}
			breaches := wallBreaches(ctx, tx, table, a.ID, b.ID, insert)
			if err := tx.Rollback(); err != nil {
				t.Fatal(err)
			}
			if len(breaches) != 3 {
				t.Errorf("%s with %s: the checks reported %v, want all three breaches", table, name, breaches)
			}
		}
	}
	// Nothing of the breakage survived.
	err := env.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		for table, insert := range rlsTables(env) {
			if breaches := wallBreaches(ctx, tx, table, a.ID, b.ID, insert); len(breaches) > 0 {
				t.Errorf("after rollback, %s: %v", table, breaches)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestEveryTenantTableHasRowLevelSecurity finds every table with an
// org_id column, so that a table added later cannot forget its policy.
func TestEveryTenantTableHasRowLevelSecurity(t *testing.T) {
	env := testkit.New(t)
	ctx := context.Background()
	var tables []string
	err := env.OwnerDB.NewRaw(`SELECT table_name FROM information_schema.columns
		WHERE table_schema = 'public' AND column_name = 'org_id' ORDER BY table_name`).Scan(ctx, &tables)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(tables, "memberships") {
		t.Fatalf("tables with org_id: %v", tables)
	}
	for _, table := range tables {
		if _, ok := rlsExempt[table]; ok {
			continue
		}
		var st struct {
			Enabled bool   `bun:"relrowsecurity"`
			Forced  bool   `bun:"relforcerowsecurity"`
			Owner   string `bun:"owner"`
		}
		if err := env.OwnerDB.NewRaw(`SELECT relrowsecurity, relforcerowsecurity, pg_get_userbyid(relowner) AS owner
			FROM pg_class WHERE oid = ?::regclass`, "public."+table).Scan(ctx, &st); err != nil {
			t.Fatal(err)
		}
		if !st.Enabled || !st.Forced {
			t.Errorf("%s: row-level security enabled %v, forced %v; want both", table, st.Enabled, st.Forced)
		}
		if st.Owner == testkit.AppRole {
			t.Errorf("%s is owned by the application role", table)
		}
		var policy struct {
			Using string `bun:"qual"`
			Check string `bun:"with_check"`
		}
		err := env.OwnerDB.NewRaw(`SELECT COALESCE(qual, '') AS qual, COALESCE(with_check, '') AS with_check FROM pg_policies
			WHERE schemaname = 'public' AND tablename = ? AND policyname = 'tenant_isolation'`, table).Scan(ctx, &policy)
		if err != nil {
			t.Errorf("%s has no tenant_isolation policy: %v", table, err)
			continue
		}
		for _, expr := range []string{policy.Using, policy.Check} {
			if !containsAll(expr, "org_id", "app.org_id", "NULLIF") {
				t.Errorf("%s: tenant_isolation %q does not compare org_id with NULLIF(app.org_id)", table, expr)
			}
		}
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
