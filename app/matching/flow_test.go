package matching_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/leadershiptoolbox/toolbox/app/assessment"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// TestFromAssessmentToSharedNotes walks the whole way as the people would
// in a browser: a member takes the assessment and gets an explained
// recommendation; the coordinator confirms it and proposes the top coach;
// the coach accepts; both accept the agreement; the member sets a goal;
// the coach writes a private and a shared note; the member sees only the
// shared one.
func TestFromAssessmentToSharedNotes(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		base := "/o/" + org.Slug
		coachP := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
		other := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
		member := env.NewPerson(org, tenancy.RoleMember)

		for _, c := range []*testkit.Person{coachP, other} {
			b := env.SignIn(c.User)
			b.Get(base + "/profile")
			topics := "leadership, trust"
			if c == other {
				topics = "finance"
			}
			p := b.PostValues(base+"/profile", url.Values{"kinds": {"coach"}, "topics": {topics}, "languages": {"en"}, "capacity": {"2"},
				"time_zone": {"Europe/London"}, "bio": {"Coach"}, "accepting": {"1"}})
			if p.Status != http.StatusOK || !strings.Contains(p.Body, "Profile saved") {
				t.Fatalf("save profile = %d", p.Status)
			}
		}

		// The member takes the assessment, one step at a time.
		mb := env.SignIn(member.User)
		if p := mb.Get(base + "/assessment"); p.Status != http.StatusOK || p.Doc().Find("progress").Length() != 1 {
			t.Fatalf("assessment page = %d", p.Status)
		}
		// An empty answer is refused, and nothing is saved.
		if p := mb.Post(base+"/assessment/answers", map[string]string{"question": "situation"}); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Please choose an answer") {
			t.Fatalf("empty answer = %d", p.Status)
		}
		if p := mb.Post(base+"/assessment/answers", map[string]string{"question": "situation", "answer": "no-such-answer"}); p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("unknown answer = %d", p.Status)
		}
		if p := mb.Post(base+"/assessment/submit", nil); p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("submitting unanswered = %d", p.Status)
		}
		// htmx swaps in the next step.
		p := mb.HTMX(http.MethodPost, base+"/assessment/answers", map[string]string{"question": "situation", "answer": "growth"})
		if p.Status != http.StatusOK || !strings.Contains(p.Body, `id="assessment-step"`) || strings.Contains(p.Body, "<html") || !strings.Contains(p.Body, "Which kind of help") {
			t.Fatalf("htmx step = %d: %.300s", p.Status, p.Body)
		}
		for q, a := range map[string]string{"stance": "questions", "outcome": "choices", "format": "one", "duration": "ongoing"} {
			if p := mb.Post(base+"/assessment/answers", map[string]string{"question": q, "answer": a}); p.Status != http.StatusOK {
				t.Fatalf("answer %s = %d", q, p.Status)
			}
		}
		// A reload loses nothing: the saved answer is still checked.
		if p := mb.Get(base + "/assessment?step=1"); p.Doc().Find(`input[value="growth"][checked]`).Length() != 1 {
			t.Fatal("the saved answer is not shown after a reload")
		}
		mb.PostValues(base+"/assessment/answers", url.Values{"question": {"topics"}, "answer": {"leadership", "trust"}})
		p = mb.Post(base+"/assessment/submit", nil)
		if p.Status != http.StatusOK || !strings.Contains(p.Body, "we recommend <strong>coaching</strong>") || !(strings.Contains(p.Body, "runner-up") || strings.Contains(p.Body, "No other kind of support scored any points")) ||
			!strings.Contains(p.Body, "I want to grow, personally or professionally") {
			t.Fatalf("recommendation page = %d", p.Status)
		}

		// The coordinator confirms it.
		ob := env.SignIn(org.Owner.User)
		if p := ob.Get(base + "/pipeline"); !strings.Contains(p.Body, member.Name) {
			t.Fatal("the pipeline does not show the assessed member")
		}
		a, err := env.Services.Assessment.Latest(env.Ctx(), org.ID, member.ID)
		if err != nil {
			t.Fatal(err)
		}
		// Overriding without a reason is refused.
		if p := ob.Post(base+"/assessments/"+a.ID.String()+"/decide", map[string]string{"kind": "mentoring", "format": "one_to_one", "duration": "ongoing"}); p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("override without reason = %d", p.Status)
		}
		p = ob.Post(base+"/assessments/"+a.ID.String()+"/decide", map[string]string{"kind": "coaching", "format": "one_to_one", "duration": "ongoing",
			"topics": "leadership, trust", "languages": "en"})
		if p.Status != http.StatusOK || !strings.Contains(p.URL, "/requests/") {
			t.Fatalf("confirm = %d at %s", p.Status, p.URL)
		}
		if a, _ = env.Services.Assessment.Get(env.Ctx(), org.ID, a.ID); a.Status != assessment.StatusConfirmed {
			t.Fatalf("assessment status %s", a.Status)
		}
		// The top-ranked coach is the one sharing the topics; propose them.
		first := p.Doc().Find(`form[action$="/proposals"] input[name="practitioner_id"]`).First()
		if v, _ := first.Attr("value"); v != coachP.ID.String() {
			t.Fatalf("top candidate %s, want the coach sharing the topics", v)
		}
		p = ob.Post(p.URL+"/proposals", map[string]string{"practitioner_id": coachP.ID.String()})
		if p.Status != http.StatusOK || !strings.Contains(p.Body, "Proposed") {
			t.Fatalf("propose = %d", p.Status)
		}

		// The coach accepts from the e-mail.
		cb := env.SignIn(coachP.User)
		link := env.LastLink(coachP.Email, "Would you take")
		if p := cb.Get(link); p.Status != http.StatusOK {
			t.Fatalf("proposal page = %d", p.Status)
		}
		// Nobody else can answer it.
		if p := env.SignIn(other.User).Post(link+"/accept", nil); p.Status != http.StatusForbidden {
			t.Fatalf("another coach accepting = %d", p.Status)
		}
		p = cb.Post(link+"/accept", nil)
		if p.Status != http.StatusOK || !strings.Contains(p.URL, "/relationships/") {
			t.Fatalf("accept = %d at %s", p.Status, p.URL)
		}
		relURL := p.URL
		if i := strings.Index(relURL, "#"); i >= 0 {
			relURL = relURL[:i]
		}
		if len(env.Emails(member.Email)) != 1 || !strings.Contains(env.Emails(member.Email)[0].Subject, "matched") {
			t.Fatal("the member was not told about the match")
		}
		// Both accept the agreement.
		for _, b := range []*testkit.Browser{cb, mb} {
			if p := b.Post(relURL+"/agreement/accept", nil); p.Status != http.StatusOK {
				t.Fatalf("accept agreement = %d", p.Status)
			}
		}
		if p := mb.Get(relURL); !strings.Contains(p.Body, "accepted by both") {
			t.Fatal("the agreement is not accepted by both")
		}
		// The member sets a goal; the coach cannot.
		if p := cb.Post(relURL+"/goals", map[string]string{"description": "Not mine to set"}); p.Status != http.StatusForbidden {
			t.Fatalf("coach setting a goal = %d", p.Status)
		}
		if p := mb.Post(relURL+"/goals", map[string]string{"description": "Run a team meeting that ends with decisions", "success_measure": "Three in a row"}); p.Status != http.StatusOK {
			t.Fatalf("set goal = %d", p.Status)
		}
		// The coach writes a private and a shared note.
		cb.Post(relURL+"/notes", map[string]string{"body": "Private: watch for rescuing", "visibility": relationships.Private})
		cb.Post(relURL+"/notes", map[string]string{"body": "Shared: agreed to try the agenda", "visibility": relationships.Shared})
		if p := cb.Get(relURL); !strings.Contains(p.Body, "Private: watch for rescuing") || !strings.Contains(p.Body, "Shared: agreed to try the agenda") {
			t.Fatal("the coach does not see their own notes")
		}
		p = mb.Get(relURL)
		if strings.Contains(p.Body, "watch for rescuing") || !strings.Contains(p.Body, "Shared: agreed to try the agenda") || !strings.Contains(p.Body, "Run a team meeting") {
			t.Fatal("the member sees the private note, or misses the shared note or their goal")
		}
		// The owner looks on: counts, not contents.
		p = ob.Get(relURL)
		if p.Status != http.StatusOK || strings.Contains(p.Body, "agreed to try the agenda") || strings.Contains(p.Body, "rescuing") || !strings.Contains(p.Body, "1 shared, 1 private") {
			t.Fatalf("owner's view = %d", p.Status)
		}
	})
}
