package db_test

import (
	"bufio"
	"context"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// grantsList is the repository's list of the application role's grants.
const grantsList = "../../migrations/grants.txt"

func readGrants(t *testing.T) map[string][]string {
	t.Helper()
	f, err := os.Open(grantsList)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		table, privs, ok := strings.Cut(line, " ")
		if !ok {
			t.Fatalf("%s: %q is not \"table PRIVILEGES\"", grantsList, line)
		}
		ps := strings.Split(privs, ",")
		sort.Strings(ps)
		out[table] = ps
	}
	return out
}

// TestAppRoleHasOnlyTheListedGrants compares what the application's
// PostgreSQL role may do to each table with migrations/grants.txt, and
// checks the role is no superuser, owns nothing, bypasses no row-level
// security and cannot create in the schema. A new table (its default
// privileges are the four) or a changed grant fails here until the list
// says so.
func TestAppRoleHasOnlyTheListedGrants(t *testing.T) {
	env := testkit.New(t, testkit.OnEngine(db.Postgres))
	ctx := context.Background()
	want := readGrants(t)
	var rows []struct {
		Table string `bun:"table"`
		Priv  string `bun:"priv"`
	}
	err := env.OwnerDB.NewRaw(`SELECT c.relname AS "table", p.priv FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN (VALUES ('SELECT'), ('INSERT'), ('UPDATE'), ('DELETE'), ('TRUNCATE'), ('REFERENCES'), ('TRIGGER')) AS p(priv)
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm') AND has_table_privilege(?, c.oid, p.priv)
ORDER BY 1, 2`, testkit.AppRole).Scan(ctx, &rows)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, r := range rows {
		got[r.Table] = append(got[r.Table], r.Priv)
	}
	for table, privs := range got {
		sort.Strings(privs)
		if w := want[table]; !slices.Equal(privs, w) {
			t.Errorf("%s: the role may %s; %s says %s", table, strings.Join(privs, ","), grantsList, strings.Join(w, ","))
		}
	}
	for table, privs := range want {
		if _, ok := got[table]; !ok {
			t.Errorf("%s: %s grants %s, the role has nothing on it", table, grantsList, strings.Join(privs, ","))
		}
	}
	var role struct {
		Super, BypassRLS, CreateRole, CreateDB, SchemaCreate bool
		Owned                                                int
	}
	err = env.OwnerDB.NewRaw(`SELECT r.rolsuper AS super, r.rolbypassrls AS bypass_rls, r.rolcreaterole AS create_role, r.rolcreatedb AS create_db,
has_schema_privilege(r.rolname, 'public', 'CREATE') AS schema_create,
(SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid) + (SELECT count(*) FROM pg_proc p WHERE p.proowner = r.oid) AS owned
FROM pg_roles r WHERE r.rolname = ?`, testkit.AppRole).Scan(ctx, &role)
	if err != nil {
		t.Fatal(err)
	}
	if role.Super || role.BypassRLS || role.CreateRole || role.CreateDB || role.SchemaCreate || role.Owned != 0 {
		t.Errorf("the application role may do more than use the tables: %+v", role)
	}
}
