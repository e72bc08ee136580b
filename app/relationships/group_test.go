package relationships_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

func giveProfile(t *testing.T, env *testkit.Env, org *testkit.Org, p *testkit.Person, capacity int) {
	t.Helper()
	prof := relationships.NewProfile(org.ID, p.ID, p.Kinds)
	prof.Capacity = capacity
	if err := env.Services.Relationships.SaveProfile(env.Ctx(), org.ID, env.Clock.Now(), prof); err != nil {
		t.Fatal(err)
	}
}

// TestGroupRelationships: a coordinator starts a group with two coaches
// and two members; it counts once against each coach's capacity; every
// member sees it, its agreement and its shared notes but nobody else's
// private ones; members join, are removed (history kept) and leave.
func TestGroupRelationships(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org, other := env.NewOrg(), env.NewOrg()
		base := "/o/" + org.Slug
		coach1 := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
		coach2 := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
		mentor := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindMentor)
		m1, m2, m3 := env.NewPerson(org, tenancy.RoleMember), env.NewPerson(org, tenancy.RoleMember), env.NewPerson(org, tenancy.RoleMember)
		outsider := env.NewPerson(other, tenancy.RoleMember)
		giveProfile(t, env, org, coach1, 1)
		giveProfile(t, env, org, coach2, 2)
		giveProfile(t, env, org, mentor, 5)
		cb := env.SignIn(env.NewPerson(org, tenancy.RoleCoordinator).User)

		if p := cb.Get(base + "/relationships/new"); p.Status != http.StatusOK || !strings.Contains(p.Body, coach1.Name) || !strings.Contains(p.Body, m1.Name) {
			t.Fatalf("new group page = %d", p.Status)
		}
		good := func() url.Values {
			return url.Values{"kind": {"coaching"}, "title": {"New managers' circle"},
				"practitioners": {coach1.ID.String(), coach2.ID.String()}, "members": {m1.ID.String(), m2.ID.String()}}
		}
		for name, change := range map[string]func(url.Values){
			"one member":                    func(v url.Values) { v["members"] = v["members"][:1] },
			"another organisation's member": func(v url.Values) { v.Add("members", outsider.ID.String()) },
			"not an id":                     func(v url.Values) { v.Add("members", "42") },
			"a mentor for coaching":         func(v url.Values) { v.Add("practitioners", mentor.ID.String()) },
			"no practitioner":               func(v url.Values) { v.Del("practitioners") },
			"both sides":                    func(v url.Values) { v.Add("members", coach2.ID.String()) },
			"no title":                      func(v url.Values) { v.Set("title", "") },
			"bad cadence":                   func(v url.Values) { v.Set("cadence_days", "0") },
		} {
			v := good()
			change(v)
			if p := cb.PostValues(base+"/relationships", v); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "field-error") {
				t.Errorf("%s: status %d", name, p.Status)
			}
		}
		if n := env.Count("relationships", "org_id = ?", org.ID); n != 0 {
			t.Fatalf("bad input created %d relationships", n)
		}
		p := cb.PostValues(base+"/relationships", good())
		if p.Status != http.StatusOK || !strings.Contains(p.URL, "/relationships/") || !strings.Contains(p.Body, "New managers&#39; circle") {
			t.Fatalf("create = %d at %s", p.Status, p.URL)
		}
		rels, err := env.Services.Relationships.List(env.Ctx(), org.ID, relationships.StatusActive)
		if err != nil || len(rels) != 1 || rels[0].Format != relationships.Group {
			t.Fatalf("relationships = %+v, %v", rels, err)
		}
		r := rels[0]
		rel := base + "/relationships/" + r.ID.String()
		if ag, err := env.Services.Relationships.AgreementFor(env.Ctx(), org.ID, r.ID); err != nil || ag.Purpose == "" || ag.Accepted() {
			t.Fatalf("agreement = %+v, %v", ag, err)
		}
		// The group counts once against each coach's capacity: coach1
		// (capacity 1) is full now, coach2 has one place left.
		counts, _ := env.Services.Relationships.ActiveCounts(env.Ctx(), org.ID)
		if counts[coach1.ID] != 1 || counts[coach2.ID] != 1 {
			t.Fatalf("active counts = %v", counts)
		}
		v := good()
		v.Set("title", "Second circle")
		if p := cb.PostValues(base+"/relationships", v); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "no free places") {
			t.Fatalf("over capacity = %d", p.Status)
		}

		// Everyone in it sees it, with its agreement and shared notes.
		coachB := env.SignIn(coach1.User)
		coachB.Post(rel+"/notes", map[string]string{"body": "Shared with the circle", "visibility": "shared"})
		coachB.Post(rel+"/notes", map[string]string{"body": "My private impression", "visibility": "private"})
		m1b, m2b := env.SignIn(m1.User), env.SignIn(m2.User)
		m2b.Post(rel+"/notes", map[string]string{"body": "m2 private thought", "visibility": "private"})
		for _, b := range []*testkit.Browser{m1b, m2b} {
			if p := b.Get(base + "/my"); !strings.Contains(p.Body, "New managers&#39; circle") {
				t.Fatalf("my support page misses the group")
			}
			p := b.Get(rel)
			if p.Status != http.StatusOK || !strings.Contains(p.Body, "Shared with the circle") || !strings.Contains(p.Body, "I accept this agreement") ||
				strings.Contains(p.Body, "My private impression") {
				t.Fatalf("member's page = %d", p.Status)
			}
		}
		if p := m1b.Get(rel); strings.Contains(p.Body, "m2 private thought") {
			t.Fatal("a member read another member's private note")
		}
		if p := env.SignIn(coach2.User).Get(rel); strings.Contains(p.Body, "My private impression") || !strings.Contains(p.Body, "Shared with the circle") {
			t.Fatal("the second coach's view of the notes is wrong")
		}
		// A member may not end the group for everyone.
		if p := m1b.Post(rel+"/status", map[string]string{"action": "end"}); p.Status != http.StatusForbidden {
			t.Fatalf("member ends the group = %d", p.Status)
		}

		// Members come and go.
		if p := cb.Post(rel+"/members", map[string]string{"member_id": outsider.ID.String()}); p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("outsider added = %d", p.Status)
		}
		if p := cb.Post(rel+"/members", map[string]string{"member_id": m3.ID.String()}); p.Status != http.StatusOK {
			t.Fatalf("add = %d", p.Status)
		}
		if p := env.SignIn(m3.User).Get(rel); p.Status != http.StatusOK || !strings.Contains(p.Body, "Shared with the circle") {
			t.Fatalf("new member's page = %d", p.Status)
		}
		if p := cb.Post(rel+"/members", map[string]string{"member_id": m3.ID.String()}); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "already takes part") {
			t.Fatalf("added twice = %d", p.Status)
		}
		if p := cb.Post(rel+"/members/"+m2.ID.String()+"/remove", nil); p.Status != http.StatusOK || !strings.Contains(p.Body, "Former members") {
			t.Fatalf("remove = %d", p.Status)
		}
		if p := m2b.Get(rel); p.Status != http.StatusForbidden {
			t.Fatalf("removed member's page = %d", p.Status)
		}
		if p := cb.Post(rel+"/members", map[string]string{"member_id": m2.ID.String()}); p.Status != http.StatusOK {
			t.Fatalf("re-add = %d", p.Status)
		}
		if n := env.Count("relationship_participants", "relationship_id = ? AND user_id = ?", r.ID, m2.ID); n != 2 {
			t.Fatalf("m2 has %d participation rows, want 2 (history kept)", n)
		}
		// A member leaves on their own.
		if p := m1b.Post(rel+"/leave", nil); p.Status != http.StatusOK || !strings.Contains(p.URL, "/my") {
			t.Fatalf("leave = %d", p.Status)
		}
		if p := m1b.Get(rel); p.Status != http.StatusForbidden {
			t.Fatalf("after leaving = %d", p.Status)
		}
		// A one-to-one relationship takes no more members and cannot be left.
		one := env.NewRelationship(org, relationships.Coaching, coach2, m1)
		oneRel := base + "/relationships/" + one.ID.String()
		if p := cb.Post(oneRel+"/members", map[string]string{"member_id": m3.ID.String()}); p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("member added to one-to-one = %d", p.Status)
		}
		if p := m1b.Post(oneRel+"/leave", nil); p.Status != http.StatusConflict {
			t.Fatalf("leave one-to-one = %d", p.Status)
		}
		// Members and practitioners may not manage the group.
		if p := env.SignIn(coach1.User).Post(rel+"/members", map[string]string{"member_id": m1.ID.String()}); p.Status != http.StatusForbidden {
			t.Fatalf("practitioner adds a member = %d", p.Status)
		}
	})
}
