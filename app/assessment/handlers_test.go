package assessment_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

func TestFaceToFaceRefusesBadInputAndChangesNothing(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org, other := env.NewOrg(), env.NewOrg()
		member := env.NewPerson(org, tenancy.RoleMember)
		outsider := env.NewPerson(other, tenancy.RoleMember)
		b := env.SignIn(env.NewPerson(org, tenancy.RoleCoordinator).User)
		path := "/o/" + org.Slug + "/assessments"
		good := map[string]string{"member_id": member.ID.String(), "kind": "supervision", "format": "group", "duration": "ongoing", "reason": "Talked it through"}
		for name, change := range map[string][2]string{
			"another organisation's member": {"member_id", outsider.ID.String()},
			"unknown member":                {"member_id", uuid.Must(uuid.NewV7()).String()},
			"not an id":                     {"member_id", "42"},
			"unknown kind":                  {"kind", "therapy"},
			"no reason":                     {"reason", ""},
		} {
			fields := map[string]string{}
			for k, v := range good {
				fields[k] = v
			}
			fields[change[0]] = change[1]
			if p := b.Post(path, fields); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "field-error") {
				t.Errorf("%s: status %d", name, p.Status)
			}
		}
		if n := env.Count("support_requests", "org_id = ?", org.ID) + env.Count("assessments", "org_id = ?", org.ID); n != 0 {
			t.Fatalf("bad input recorded %d rows", n)
		}
		if p := b.Post(path, good); p.Status != http.StatusOK || !strings.Contains(p.URL, "/requests/") {
			t.Fatalf("good input = %d at %s", p.Status, p.URL)
		}
		if n := env.Count("support_requests", "org_id = ? AND kind = 'supervision' AND member_id = ?", org.ID, member.ID); n != 1 {
			t.Fatalf("%d requests", n)
		}
	})
}

func TestAdminsEditTheQuestionnaireAsNewVersions(t *testing.T) {
	env := testkit.New(t)
	org := env.NewOrg()
	b := env.SignIn(org.Owner.User)
	path := "/o/" + org.Slug + "/questionnaire"
	if p := b.Get(path); p.Status != http.StatusOK || !strings.Contains(p.Body, "Version 1") {
		t.Fatalf("editor = %d", p.Status)
	}
	if p := b.Post(path, map[string]string{"version": "1", "w.stance.advice.mentoring": "99"}); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "from -10 to 10") {
		t.Fatalf("bad weight = %d", p.Status)
	}
	if n := env.Count("questionnaires", "org_id = ?", org.ID); n != 0 {
		t.Fatal("a bad edit was saved")
	}
	if p := b.Post(path, map[string]string{"version": "1", "w.stance.advice.mentoring": "7", "q.stance.text": "What help suits you?"}); p.Status != http.StatusOK || !strings.Contains(p.Body, "Version 2") {
		t.Fatalf("save = %d", p.Status)
	}
	q, err := env.Services.Assessment.Current(env.Ctx(), org.ID)
	st, _, _ := q.Question("stance")
	a, _ := st.Answer("advice")
	if err != nil || q.Version != 2 || st.Text != "What help suits you?" || a.Weights["mentoring"] != 7 {
		t.Fatalf("current = v%d %+v, %v", q.Version, st, err)
	}
	// A stale form (version 1 again) is refused rather than overwriting.
	if p := b.Post(path, map[string]string{"version": "1", "w.stance.advice.mentoring": "1"}); p.Status != http.StatusConflict {
		t.Fatalf("stale save = %d", p.Status)
	}
	// A coordinator may not edit.
	if p := env.SignIn(env.NewPerson(org, tenancy.RoleCoordinator).User).Get(path); p.Status != http.StatusForbidden {
		t.Fatalf("coordinator = %d", p.Status)
	}
}
