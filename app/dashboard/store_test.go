package dashboard_test

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/leadershiptoolbox/toolbox/app/assessment"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// stepsDone lists the getting-started steps the owner's dashboard shows
// as done.
func stepsDone(t *testing.T, b *testkit.Browser, slug string) []string {
	t.Helper()
	p := b.Get("/o/" + slug)
	if p.Status != 200 {
		t.Fatalf("the dashboard = %d", p.Status)
	}
	var done []string
	p.Doc().Find("#getting-started li.done").Each(func(_ int, s *goquery.Selection) {
		done = append(done, strings.Fields(s.Text())[0])
	})
	return done
}

// TestGettingStartedStepsTickFromTheOrganisationsState: the owner's steps
// tick as people are invited, a relationship starts; and the member's
// next action changes from the assessment to booking.
func TestGettingStartedStepsTickFromTheOrganisationsState(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		owner := env.SignIn(org.Owner.User)
		if got := stepsDone(t, owner, org.Slug); len(got) != 1 || got[0] != "Confirm" {
			t.Fatalf("a new organisation's steps done: %v", got)
		}
		if p := owner.Post("/o/"+org.Slug+"/invitations", map[string]string{"email": "coach@example.test", "role": "practitioner", "kinds": "coach"}); p.Status != 200 {
			t.Fatalf("invite = %d", p.Status)
		}
		if got := stepsDone(t, owner, org.Slug); len(got) != 2 || got[1] != "Invite" {
			t.Fatalf("after inviting a practitioner: %v", got)
		}
		member := env.NewPerson(org, tenancy.RoleMember)
		coach := env.NewPerson(org, tenancy.RolePractitioner, "coach")
		mb := env.SignIn(member.User)
		if p := mb.Get("/o/" + org.Slug); p.Doc().Find(`[data-action="assess"]`).Length() != 1 || p.Doc().Find(`[data-action="book"]`).Length() != 0 {
			t.Fatalf("a new member is not asked to take the assessment first:\n%s", p.Text("#next"))
		}
		// A member signposted face to face waits to be matched, and is
		// listed, with how long, until a relationship starts.
		waiter := env.NewPerson(org, tenancy.RoleMember)
		req, err := env.Services.Assessment.RecordFaceToFace(env.Ctx(), org.ID, waiter.ID, org.Owner.ID, env.Clock.Now(),
			assessment.Decision{Kind: "mentoring", Format: "one_to_one", Duration: "short_term", Reason: "Asked at the induction."})
		if err != nil {
			t.Fatal(err)
		}
		w := owner.Get("/o/" + org.Slug).Doc().Find("#waiting li")
		if w.Length() != 1 || !strings.Contains(w.Text(), waiter.Name) || !strings.Contains(w.Text(), "waiting under an hour for a match") ||
			w.Find(`a[href="/o/`+org.Slug+`/requests/`+req.ID.String()+`"]`).Length() != 1 {
			t.Fatalf("the owner's waiting list: %q\n%s", w.Text(), owner.Get("/o/"+org.Slug).Text("main"))
		}
		env.NewRelationship(org, relationships.Coaching, coach, member)
		if got := stepsDone(t, owner, org.Slug); len(got) != 5 || got[3] != "A" || got[4] != "Make" {
			t.Fatalf("after an assessment and the first match: %v", got)
		}
		p := mb.Get("/o/" + org.Slug)
		if p.Doc().Find(`[data-action="assess"]`).Length() != 0 || p.Doc().Find(`[data-action="book"] a[href*="/calendar/book/"]`).Length() != 1 {
			t.Fatalf("a matched member is not asked to book:\n%s", p.Text("#next"))
		}
		if p := owner.Get("/o/" + org.Slug); p.Doc().Find("#waiting").Length() != 1 {
			t.Fatal("the owner's dashboard has no list of people waiting")
		}
	})
}
