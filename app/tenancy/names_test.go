package tenancy_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// TestNamesReadsThePeopleAskedForAndNobodyElse: Names answers for the
// people asked for however large the organisation (more than the 500 a
// people list holds), repeats included, and never for someone of another
// organisation or nobody at all.
func TestNamesReadsThePeopleAskedForAndNobodyElse(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org, other := env.NewOrg(), env.NewOrg()
		var ids []uuid.UUID
		want := map[uuid.UUID]string{}
		for range 505 {
			p := env.NewPerson(org, tenancy.RoleMember)
			ids = append(ids, p.ID)
			want[p.ID] = p.Name
		}
		stranger := env.NewPerson(other, tenancy.RoleMember)
		ask := append([]uuid.UUID{ids[0], stranger.ID, uuid.New()}, ids...)
		got, err := env.Services.Tenancy.Store.Names(env.Ctx(), org.ID, ask)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Errorf("%d names, want %d", len(got), len(want))
		}
		for id, name := range want {
			if got[id] != name {
				t.Errorf("name of %s: %q, want %q", id, got[id], name)
			}
		}
		if _, ok := got[stranger.ID]; ok {
			t.Error("a person of another organisation is named")
		}
		none, err := env.Services.Tenancy.Store.Names(env.Ctx(), org.ID, nil)
		if err != nil || len(none) != 0 {
			t.Errorf("no ids: %v, %v", none, err)
		}
	})
}
