package app_test

import (
	"context"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/leadershiptoolbox/toolbox/app"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/personaldata"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// personColumn matches the columns that name a person: their id under
// any of the names the schema gives people, who did something (…_by),
// and e-mail addresses.
var personColumn = regexp.MustCompile(`^((user|person|member|author|practitioner|owner|actor|line_manager|supervisee|supervisor|presenter|operator)_id|[a-z_]+_by|email|to_addr)$`)

// tablesWithPersonColumns reads the schema of the engine's database.
func tablesWithPersonColumns(t *testing.T, env *testkit.Env) map[string][]string {
	t.Helper()
	type column struct{ Table, Name string }
	var cols []column
	var err error
	ctx := context.Background()
	if env.Engine == db.Postgres {
		err = env.OwnerDB.NewRaw(`SELECT table_name AS "table", column_name AS name FROM information_schema.columns
WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`).Scan(ctx, &cols)
	} else {
		err = env.OwnerDB.NewRaw(`SELECT m.name AS "table", c.name AS name FROM sqlite_master AS m, pragma_table_info(m.name) AS c
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, c.cid`).Scan(ctx, &cols)
	}
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, c := range cols {
		if personColumn.MatchString(c.Name) {
			out[c.Table] = append(out[c.Table], c.Name)
		}
	}
	return out
}

// TestPersonalDataCoversEveryTable lists, on both engines, every table
// with a column naming a person, and fails for each that no domain's
// personal-data Spec (export and erasure, registered in app/services.go)
// answers for, or whose erasure reason is not written in
// docs/organisations.md.
func TestPersonalDataCoversEveryTable(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		covered := personaldata.Covered(app.PersonalDataDomains(env.Services))
		tables := tablesWithPersonColumns(t, env)
		if len(tables) < 30 {
			t.Fatalf("only %d tables with a person column found: the schema query is wrong", len(tables))
		}
		var missing []string
		for table, cols := range tables {
			if _, ok := covered[table]; !ok {
				missing = append(missing, table+" ("+strings.Join(cols, ", ")+")")
			}
		}
		sort.Strings(missing)
		for _, m := range missing {
			t.Errorf("table %s names a person but no domain exports and erases it: add it to the domain's PersonalData (and docs/organisations.md)", m)
		}
		// Each table a spec answers for is exported by one of its queries,
		// and erased by one of its steps unless it is kept (the
		// organisations' erasure is tenancy.EraseUser, in Go).
		for _, d := range app.PersonalDataDomains(env.Services) {
			spec := d.PersonalData()
			for table, why := range spec.Tables {
				mentions := func(sqls []string) bool {
					return slices.ContainsFunc(sqls, func(q string) bool { return regexp.MustCompile(`\b` + table + `\b`).MatchString(q) })
				}
				var exports, erases []string
				for _, q := range spec.Export {
					exports = append(exports, q.SQL)
				}
				for _, st := range spec.Erase {
					erases = append(erases, st.SQL)
				}
				if !mentions(exports) {
					t.Errorf("%s: no export query of %s reads %s", spec.Domain, spec.Domain, table)
				}
				if !strings.HasPrefix(why, "kept") && spec.Domain != "organisations" && !mentions(erases) {
					t.Errorf("%s: %s is said to be erased (%q) but no step touches it", spec.Domain, table, why)
				}
			}
		}
		doc := readDoc(t, "../docs/organisations.md")
		for table := range covered {
			if !strings.Contains(doc, "`"+table+"`") {
				t.Errorf("docs/organisations.md does not say what erasure does to %s", table)
			}
		}
	})
}

func readDoc(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
