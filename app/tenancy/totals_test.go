package tenancy_test

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"testing"

	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// freshCounts counts an organisation's active members by role, the slow
// way the dashboard used to on every view.
func freshCounts(t *testing.T, env *testkit.Env, org *testkit.Org) map[tenancy.Role]int {
	t.Helper()
	var rows []tenancy.RoleCount
	err := env.DB.InTenant(env.Ctx(), org.ID, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewRaw("SELECT role, count(*) AS n FROM memberships WHERE org_id = ? AND status = 'active' GROUP BY role", org.ID).Scan(ctx, &rows)
	})
	if err != nil {
		t.Fatal(err)
	}
	return countsOf(rows)
}

func countsOf(rows []tenancy.RoleCount) map[tenancy.Role]int {
	out := map[tenancy.Role]int{}
	for _, r := range rows {
		if r.Count != 0 {
			out[r.Role] = r.Count
		}
	}
	return out
}

// TestMemberCountsEqualAFreshCountAfterEveryChange is a property test of
// the dashboard's running totals: a random sequence of every kind of
// change to memberships, in two organisations, through the services
// (join, role change, deactivation, reactivation, transfer of ownership,
// account erasure) and beneath them (a person deleted outright, their
// memberships going by cascade; a bulk status change in SQL), and after
// each one the totals the dashboard reads equal a fresh count.
func TestMemberCountsEqualAFreshCountAfterEveryChange(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		ctx, svc := env.Ctx(), env.Services.Tenancy
		orgs := []*testkit.Org{env.NewOrg(), env.NewOrg()}
		owners := map[*testkit.Org]*testkit.Person{orgs[0]: orgs[0].Owner, orgs[1]: orgs[1].Owner}
		people := map[*testkit.Org][]*testkit.Person{}
		roles := []tenancy.Role{tenancy.RoleMember, tenancy.RolePractitioner, tenancy.RoleCoordinator, tenancy.RoleAdmin}
		rng := rand.New(rand.NewPCG(16, uint64(env.Engine)))
		kinds := map[string]int{}

		check := func(step string) {
			t.Helper()
			for _, org := range orgs {
				rows, err := svc.Store.CountByRole(ctx, org.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := countsOf(rows), freshCounts(t, env, org); !maps.Equal(got, want) {
					t.Fatalf("after %s: running totals %v, fresh count %v", step, got, want)
				}
			}
		}
		check("start")
		for i := range 80 {
			org := orgs[rng.IntN(len(orgs))]
			ps := people[org]
			actor := tenancy.Actor{UserID: owners[org].ID, Role: tenancy.RoleOwner}
			op := rng.IntN(8)
			if len(ps) == 0 {
				op = 0
			}
			var target *testkit.Person
			if len(ps) > 0 {
				target = ps[rng.IntN(len(ps))]
			}
			var step string
			var err error
			switch op {
			case 0, 1:
				p := env.NewPerson(org, roles[rng.IntN(len(roles))])
				people[org] = append(ps, p)
				step = "join as " + string(p.Role)
			case 2:
				role := roles[rng.IntN(len(roles))]
				step = "role change to " + string(role)
				err = svc.ChangeRole(ctx, org.ID, actor, target.ID, role, nil)
			case 3:
				step = "deactivation"
				err = svc.Deactivate(ctx, org.ID, actor, target.ID)
			case 4:
				step = "reactivation"
				err = svc.Reactivate(ctx, org.ID, actor, target.ID)
			case 5:
				step = "transfer of ownership"
				if err = svc.TransferOwnership(ctx, org.ID, actor, target.ID); err == nil {
					// The old owner is an admin now, one of the people.
					people[org] = append(without(ps, target), owners[org])
					owners[org] = target
				}
			case 6:
				step = "account erasure"
				err = env.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error { return svc.EraseUser(ctx, tx, target.ID) })
				if err == nil {
					people[org] = without(ps, target)
				}
			case 7:
				if rng.IntN(2) == 0 {
					step = "person deleted (cascade)"
					_, err = env.OwnerDB.NewDelete().Table("users").Where("id = ?", target.ID).Exec(ctx)
					if err == nil {
						people[org] = without(ps, target)
					}
				} else {
					step = "bulk deactivation of members in SQL"
					_, err = env.OwnerDB.NewUpdate().Table("memberships").Set("status = 'deactivated'").
						Where("org_id = ? AND role = 'member'", org.ID).Exec(ctx)
				}
			}
			if err == nil {
				kinds[step]++
			}
			check(fmt.Sprintf("step %d, %s (err %v)", i, step, err))
		}
		// The sequence must have exercised every kind of change.
		for _, k := range []string{"deactivation", "reactivation", "transfer of ownership", "account erasure", "person deleted (cascade)"} {
			if kinds[k] == 0 {
				t.Errorf("no successful %s in the sequence; change the seed or the length", k)
			}
		}
	})
}

func without(ps []*testkit.Person, p *testkit.Person) []*testkit.Person {
	out := make([]*testkit.Person, 0, len(ps))
	for _, q := range ps {
		if q != p {
			out = append(out, q)
		}
	}
	return out
}
