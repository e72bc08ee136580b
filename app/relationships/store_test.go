package relationships_test

import (
	"errors"
	"testing"

	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

func TestRelationshipsAreScopedToTheirOrganisation(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		a, b := env.NewOrg(), env.NewOrg()
		coach := env.NewPerson(a, tenancy.RolePractitioner, tenancy.KindCoach)
		member := env.NewPerson(a, tenancy.RoleMember)
		r := env.NewRelationship(a, relationships.Coaching, coach, member)
		store := &relationships.Store{DB: env.DB}

		got, err := store.Get(env.Ctx(), a.ID, r.ID)
		if err != nil || got.Kind != relationships.Coaching || got.Status != relationships.StatusActive {
			t.Fatalf("Get in own org = %+v, %v", got, err)
		}
		if _, err := store.Get(env.Ctx(), b.ID, r.ID); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("Get from another org = %v, want ErrNotFound", err)
		}
		ps, err := store.Participants(env.Ctx(), a.ID, r.ID)
		if err != nil || len(ps) != 2 || ps[0].Side != relationships.SidePractitioner || ps[1].Side != relationships.SideMember {
			t.Fatalf("Participants = %+v, %v", ps, err)
		}
		if ps, _ := store.Participants(env.Ctx(), b.ID, r.ID); len(ps) != 0 {
			t.Fatalf("another org sees %d participants", len(ps))
		}
		if side, err := store.Side(env.Ctx(), a.ID, r.ID, member.ID); err != nil || side != relationships.SideMember {
			t.Fatalf("Side = %q, %v", side, err)
		}
		if _, err := store.Side(env.Ctx(), a.ID, r.ID, a.Owner.ID); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("Side of a non-participant = %v", err)
		}
		rs, err := store.ForUser(env.Ctx(), a.ID, coach.ID)
		if err != nil || len(rs) != 1 || rs[0].ID != r.ID {
			t.Fatalf("ForUser = %+v, %v", rs, err)
		}
		ag, err := store.AgreementFor(env.Ctx(), a.ID, r.ID)
		if err != nil || !ag.Accepted() || ag.SessionMinutes != 60 {
			t.Fatalf("AgreementFor = %+v, %v", ag, err)
		}
	})
}
