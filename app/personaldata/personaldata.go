// Package personaldata is the contract between the account (a person's
// export and the deletion of their account) and the domains that hold
// their data: each domain describes, in a Spec, which of its tables hold
// people's data, how to export a person's rows of them and what erasure
// does to each, with the reason. app/services.go registers every
// domain's Spec; a test fails when a table with a person column is in no
// Spec.
package personaldata

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
)

// Query exports one table of a person's data. Its SQL names the person as
// :user and, for per-organisation queries, the organisation as :org; it
// selects the person's own rows and names other people only by their
// role, never by name, address or id.
type Query struct {
	Name string
	SQL  string
	// PerOrg runs the query in each of the person's organisations (with
	// the tenant set); otherwise once.
	PerOrg bool
	// Transform, if set, rewrites the table after it is read (private
	// notes are opened here).
	Transform func(t *Table) error
}

// Step is one statement of an erasure, with :user and :org as in Query
// and :now the time of the erasure.
type Step struct {
	SQL    string
	PerOrg bool
}

// Spec is one domain's part of personal data.
type Spec struct {
	Domain string
	// Tables maps each table of the domain that refers to a person to
	// what erasure does to it and why (docs/organisations.md repeats it).
	Tables map[string]string
	Export []Query
	Erase  []Step
}

// Domain is implemented by each domain that holds people's data.
type Domain interface {
	PersonalData() Spec
}

// Table is one exported table: a JSON array of objects and a CSV file.
type Table struct {
	Name    string
	Columns []string
	Rows    [][]any
}

// Part is one domain's tables in an export.
type Part struct {
	Domain string
	Tables []Table
}

// Person is whom an export or erasure is about.
type Person struct {
	ID   uuid.UUID
	Orgs []uuid.UUID
	// Now is when the erasure happens (:now in a Step).
	Now time.Time
}

// bind puts the person's and organisation's ids into a statement. They
// are UUIDs formatted by the uuid package (hex digits and dashes), so
// they are quoted as literals safely.
func bind(stmt string, p Person, orgID uuid.UUID) string {
	return strings.NewReplacer(":user", "'"+p.ID.String()+"'", ":org", "'"+orgID.String()+"'",
		":now", "'"+p.Now.UTC().Format("2006-01-02 15:04:05.999999-07:00")+"'").Replace(stmt)
}

// setTenant scopes the rest of tx to one organisation (row-level
// security on PostgreSQL; SQLite has none).
func setTenant(ctx context.Context, tx bun.Tx, engine db.Engine, orgID uuid.UUID) error {
	if engine != db.Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, "SELECT set_config('app.org_id', ?, true)", orgID.String())
	return err
}

// Export runs every domain's export queries for p, in one transaction.
func Export(ctx context.Context, d *db.DB, p Person, domains []Domain) ([]Part, error) {
	var parts []Part
	err := d.AsUser(ctx, p.ID, func(ctx context.Context, tx bun.Tx) error {
		for _, dom := range domains {
			spec := dom.PersonalData()
			part := Part{Domain: spec.Domain}
			for _, q := range spec.Export {
				t := Table{Name: q.Name}
				orgs := []uuid.UUID{uuid.Nil}
				if q.PerOrg {
					orgs = p.Orgs
				}
				for _, org := range orgs {
					if q.PerOrg {
						if err := setTenant(ctx, tx, d.Engine, org); err != nil {
							return err
						}
					}
					if err := read(ctx, tx, bind(q.SQL, p, org), &t); err != nil {
						return fmt.Errorf("personaldata: export %s.%s: %w", spec.Domain, q.Name, err)
					}
				}
				if q.Transform != nil {
					if err := q.Transform(&t); err != nil {
						return fmt.Errorf("personaldata: export %s.%s: %w", spec.Domain, q.Name, err)
					}
				}
				part.Tables = append(part.Tables, t)
			}
			parts = append(parts, part)
		}
		return nil
	})
	return parts, err
}

// read appends a query's rows to t (columns from the first run).
func read(ctx context.Context, tx bun.Tx, query string, t *Table) error {
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	if t.Columns == nil {
		t.Columns = cols
	}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, v := range vals {
			vals[i] = plain(v)
		}
		t.Rows = append(t.Rows, vals)
	}
	return rows.Err()
}

// plain turns a driver value into one that reads well in JSON and CSV.
func plain(v any) any {
	switch x := v.(type) {
	case []byte:
		return string(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	case [16]byte:
		return uuid.UUID(x).String()
	}
	return v
}

// Erase runs every domain's erasure steps for p in tx, in the order the
// domains are given.
func Erase(ctx context.Context, tx bun.Tx, engine db.Engine, p Person, domains []Domain) error {
	for _, dom := range domains {
		spec := dom.PersonalData()
		for _, st := range spec.Erase {
			orgs := []uuid.UUID{uuid.Nil}
			if st.PerOrg {
				orgs = p.Orgs
			}
			for _, org := range orgs {
				if st.PerOrg {
					if err := setTenant(ctx, tx, engine, org); err != nil {
						return err
					}
				}
				if _, err := tx.ExecContext(ctx, bind(st.SQL, p, org)); err != nil {
					return fmt.Errorf("personaldata: erase %s: %w", spec.Domain, err)
				}
			}
		}
	}
	return nil
}

// Covered lists every table some domain answers for.
func Covered(domains []Domain) map[string]string {
	out := map[string]string{}
	for _, d := range domains {
		for t, why := range d.PersonalData().Tables {
			out[t] = why
		}
	}
	return out
}
