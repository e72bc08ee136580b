package db_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// countMemberships counts memberships with no org_id filter: only
// row-level security limits what it sees.
func countMemberships(ctx context.Context, q bun.IDB) (int, error) {
	n, err := q.NewSelect().TableExpr("memberships").Count(ctx)
	return int(n), err
}

// TestScopedConnectionsNeverCarryATenantAcross runs tenant work for many
// organisations at once on a small pool, so that connections pass from
// one tenant to the next: each unit of work sees its own rows only, and
// the main pool never sees any.
func TestScopedConnectionsNeverCarryATenantAcross(t *testing.T) {
	env := testkit.New(t)
	if env.Engine != db.Postgres {
		t.Fatal("row-level security is a Postgres feature")
	}
	orgs := make([]*testkit.Org, 6)
	for i := range orgs {
		orgs[i] = env.NewOrg()
		for range i { // organisation i has i+1 members
			env.NewPerson(orgs[i], tenancy.RoleMember)
		}
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 600)
	for round := range 100 {
		for i, org := range orgs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var n int
				var err error
				if round%2 == 0 {
					err = env.DB.ReadTenant(ctx, org.ID, func(ctx context.Context, q bun.IDB) error {
						n, err = countMemberships(ctx, q)
						return err
					})
				} else {
					err = env.DB.InTenant(ctx, org.ID, func(ctx context.Context, tx bun.Tx) error {
						n, err = countMemberships(ctx, tx)
						return err
					})
				}
				if err == nil && n != i+1 {
					err = fmt.Errorf("organisation %d saw %d memberships, want %d", i, n, i+1)
				}
				if err != nil {
					errs <- err
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n, err := countMemberships(ctx, env.DB); err != nil || n != 0 {
		t.Fatalf("the main pool, with no tenant, saw %d memberships (%v)", n, err)
	}
	if err := env.DB.ReadTenant(ctx, uuid.Nil, func(context.Context, bun.IDB) error { return nil }); err != db.ErrNoTenant {
		t.Fatalf("ReadTenant without a tenant = %v", err)
	}
}
