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

// TestQuestionnaireShapeChangesKeepAssessmentsOnTheirVersion: an admin
// removes a question and adds one; bad structure is refused with the
// typed values kept; a member who began on version 1 finishes on it,
// while a new assessment uses version 2.
func TestQuestionnaireShapeChangesKeepAssessmentsOnTheirVersion(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		base := "/o/" + org.Slug
		early := env.NewPerson(org, tenancy.RoleMember)
		eb := env.SignIn(early.User)
		if p := eb.Post(base+"/assessment/answers", map[string]string{"question": "situation", "answer": "growth"}); p.Status != http.StatusOK {
			t.Fatalf("first answer = %d", p.Status)
		}

		ab := env.SignIn(org.Owner.User)
		path := base + "/questionnaire"
		// Removing all but one answer of a question is refused, and the
		// new question typed meanwhile is shown again.
		bad := map[string]string{"version": "1", "rm.stance.advice": "1", "rm.stance.questions": "1", "nq.text": "How much time can you give?"}
		p := ab.Post(path, bad)
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "at least two answers") || !strings.Contains(p.Body, "How much time can you give?") {
			t.Fatalf("bad shape = %d", p.Status)
		}
		if n := env.Count("questionnaires", "org_id = ?", org.ID); n != 0 {
			t.Fatal("a refused edit was saved")
		}
		good := map[string]string{"version": "1", "rm.outcome": "1", "nq.text": "How much time can you give?",
			"nq.a.1": "An hour a month", "nq.w.1.short_term": "1", "nq.a.2": "As much as it takes", "nq.w.2.ongoing": "1"}
		if p := ab.Post(path, good); p.Status != http.StatusOK || !strings.Contains(p.Body, "Version 2") || !strings.Contains(p.Body, "As much as it takes") {
			t.Fatalf("save = %d", p.Status)
		}

		// The early member carries on with version 1: "outcome" is still
		// theirs to answer, and the new question is not.
		for q, a := range map[string]string{"stance": "questions", "outcome": "choices", "format": "one", "duration": "ongoing"} {
			if p := eb.Post(base+"/assessment/answers", map[string]string{"question": q, "answer": a}); p.Status != http.StatusOK {
				t.Fatalf("answer %s on version 1 = %d", q, p.Status)
			}
		}
		if p := eb.Post(base+"/assessment/submit", nil); p.Status != http.StatusOK || !strings.Contains(p.Body, "coaching") {
			t.Fatalf("submit on version 1 = %d", p.Status)
		}
		if a, err := env.Services.Assessment.Latest(env.Ctx(), org.ID, early.ID); err != nil || a.QuestionnaireVersion != 1 || a.Status != "submitted" {
			t.Fatalf("early assessment = %+v, %v", a, err)
		}

		// A newcomer starts on version 2.
		late := env.SignIn(env.NewPerson(org, tenancy.RoleMember).User)
		if p := late.Post(base+"/assessment/answers", map[string]string{"question": "outcome", "answer": "choices"}); p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("a removed question answered = %d", p.Status)
		}
		q, err := env.Services.Assessment.Current(env.Ctx(), org.ID)
		if err != nil || q.Version != 2 {
			t.Fatalf("current = v%d, %v", q.Version, err)
		}
		newQ := q.Questions[len(q.Questions)-1]
		if p := late.Post(base+"/assessment/answers", map[string]string{"question": newQ.ID, "answer": newQ.Answers[1].ID}); p.Status != http.StatusOK {
			t.Fatalf("new question answered = %d", p.Status)
		}
	})
}

// TestShowingTheAssessmentWritesNothing: opening the assessment shows the
// first question without storing an assessment; the first answer stores
// it, and the page then shows it in progress.
func TestShowingTheAssessmentWritesNothing(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		base := "/o/" + org.Slug
		m := env.NewPerson(org, tenancy.RoleMember)
		b := env.SignIn(m.User)
		for range 2 {
			if p := b.Get(base + "/assessment"); p.Status != http.StatusOK || p.Doc().Find(`input[name="question"]`).Length() != 1 {
				t.Fatalf("assessment page = %d", p.Status)
			}
		}
		if n := env.Count("assessments", "org_id = ? AND member_id = ?", org.ID, m.ID); n != 0 {
			t.Fatalf("showing the assessment stored %d", n)
		}
		if p := b.Post(base+"/assessment/answers", map[string]string{"question": "situation", "answer": "growth"}); p.Status != http.StatusOK {
			t.Fatalf("first answer = %d", p.Status)
		}
		if n := env.Count("assessments", "org_id = ? AND member_id = ? AND status = 'in_progress'", org.ID, m.ID); n != 1 {
			t.Fatalf("after the first answer, %d in progress", n)
		}
		if p := b.Get(base + "/assessment?step=1"); p.Doc().Find(`input[value="growth"][checked]`).Length() != 1 {
			t.Fatal("the stored answer is not shown")
		}
	})
}
