package billing_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// TestASeatOrAPlaceGoesOnlyToAnActiveMember: the person a seat is
// assigned to, or a place on a course granted to, is looked up alone (not
// found in the roster): someone of another organisation, a deactivated
// member and an unknown id are refused with the same message and nothing
// stored; an active member gets past the check (a seat: to "no free
// seat", none being bought).
func TestASeatOrAPlaceGoesOnlyToAnActiveMember(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		fakeFrom(t, env)
		org := env.NewOrg()
		c := newPaidCourse(t, env, org, 3000)
		owner := env.SignIn(org.Owner.User)
		assign := "/o/" + org.Slug + "/billing/seats/assign"
		grant := "/o/" + org.Slug + "/courses/" + c.ID.String() + "/grant"
		outsider := env.NewPerson(env.NewOrg(), tenancy.RoleMember)
		deactivated := env.NewPerson(org, tenancy.RoleMember)
		if _, err := env.OwnerDB.NewUpdate().Table("memberships").Set("status = ?", tenancy.StatusDeactivated).
			Where("org_id = ? AND user_id = ?", org.ID, deactivated.ID).Exec(context.Background()); err != nil {
			t.Fatal(err)
		}
		active := env.NewPerson(org, tenancy.RoleMember)
		for who, id := range map[string]string{"another organisation's member": outsider.ID.String(),
			"a deactivated member": deactivated.ID.String(), "an unknown id": org.ID.String()} {
			p := owner.Post(assign, map[string]string{"course_id": c.ID.String(), "user_id": id})
			if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Choose a member from the list.") {
				t.Errorf("a seat for %s = %d, want 422 asking for a member", who, p.Status)
			}
			p = owner.Post(grant, map[string]string{"user_id": id})
			if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Choose a member from the list.") {
				t.Errorf("a place for %s = %d, want 422 asking for a member", who, p.Status)
			}
		}
		p := owner.Post(assign, map[string]string{"course_id": c.ID.String(), "user_id": active.ID.String()})
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "no free seat") || strings.Contains(p.Body, "Choose a member from the list.") {
			t.Errorf("a seat for an active member without seats = %d, want 422 for want of seats", p.Status)
		}
		if n := env.Count("seat_assignments", "org_id = ?", org.ID); n != 0 {
			t.Errorf("%d seats assigned", n)
		}
		if n := env.Count("enrolments", "org_id = ? AND course_id = ?", org.ID, c.ID); n != 0 {
			t.Errorf("%d places granted", n)
		}
	})
}
