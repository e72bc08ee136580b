package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// formValues are the fields a browser would send for the page's form
// whose action ends with suffix, with the given fields filled in.
func formValues(t *testing.T, p *testkit.Page, suffix string, fill map[string]string) url.Values {
	t.Helper()
	form := p.Doc().Find("form").FilterFunction(func(_ int, f *goquery.Selection) bool {
		return strings.HasSuffix(f.AttrOr("action", ""), suffix)
	}).First()
	if form.Length() == 0 {
		t.Fatalf("no form posting to …%s on %s", suffix, p.URL)
	}
	values := url.Values{}
	form.Find("input[type=hidden]").Each(func(_ int, in *goquery.Selection) {
		if n := in.AttrOr("name", ""); n != "csrf_token" {
			values.Set(n, in.AttrOr("value", ""))
		}
	})
	for k, v := range fill {
		values.Set(k, v)
	}
	return values
}

// TestTheSameGoalFormPostedTwiceMakesOneGoal: every form carries a fresh
// form key; a second post of the same goal form (a double click, a
// resent form) does nothing and shows what the first showed, on both
// engines. A post refused with 422 frees its key, so the corrected form
// goes through; another render of the form has another key.
func TestTheSameGoalFormPostedTwiceMakesOneGoal(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		coach := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
		member := env.NewPerson(org, tenancy.RoleMember)
		r := env.NewRelationship(org, relationships.Mentoring, coach, member)
		mb := env.SignIn(member.User)
		rel := "/o/" + org.Slug + "/relationships/" + r.ID.String()
		page := mb.Get(rel)
		form := formValues(t, page, "/goals", map[string]string{"description": "Speak up in meetings"})
		if len(form.Get(web.FormKeyField)) != 32 {
			t.Fatalf("the goal form carries no form key: %v", form)
		}
		goals := func() int { return env.Count("goals", "relationship_id = ?", r.ID) }

		// Refused first (empty), then corrected with the same key.
		empty := url.Values{}
		for k, v := range form {
			empty[k] = v
		}
		empty.Set("description", "")
		if p := mb.PostValues(rel+"/goals", empty); p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("empty goal = %d, want 422", p.Status)
		}
		first := mb.PostValues(rel+"/goals", form)
		if first.Status != http.StatusOK || goals() != 1 {
			t.Fatalf("first post = %d, %d goals; want 200 and 1", first.Status, goals())
		}
		second := mb.PostValues(rel+"/goals", form)
		if second.Status != http.StatusOK || second.URL != first.URL {
			t.Errorf("second post = %d at %s, want the first one's page %s", second.Status, second.URL, first.URL)
		}
		if !strings.Contains(second.Text(".flash"), "Goal added") {
			t.Errorf("the second post does not say what the first said: %q", second.Text(".flash"))
		}
		if n := goals(); n != 1 {
			t.Fatalf("%d goals after posting the same form twice, want 1", n)
		}
		// The page shown after it has a new form, with a new key.
		again := formValues(t, second, "/goals", map[string]string{"description": "Chair a meeting"})
		if again.Get(web.FormKeyField) == form.Get(web.FormKeyField) {
			t.Fatalf("the form was rendered again with the same key")
		}
		third := mb.PostValues(rel+"/goals", again)
		if goals() != 2 {
			t.Errorf("%d goals after a new form, want 2", goals())
		}
		// The same form sent five times at once: one goal, and every
		// answer is the page the first one showed.
		burst := formValues(t, third, "/goals", map[string]string{"description": "Ask for feedback"})
		pages := make([]*testkit.Page, 5)
		var wg sync.WaitGroup
		for i := range pages {
			wg.Add(1)
			go func() {
				defer wg.Done()
				pages[i] = mb.PostValues(rel+"/goals", burst)
			}()
		}
		wg.Wait()
		for _, p := range pages {
			if p.Status != http.StatusOK || p.URL != pages[0].URL {
				t.Errorf("a post of the burst = %d at %s, want 200 at %s", p.Status, p.URL, pages[0].URL)
			}
		}
		if n := env.Count("goals", "relationship_id = ? AND description = ?", r.ID, "Ask for feedback"); n != 1 {
			t.Errorf("%d goals from five posts of one form at once, want 1", n)
		}
		// Another person's post with the same key is not answered with
		// this person's page (it runs on its own).
		coachForm := url.Values{web.FormKeyField: {form.Get(web.FormKeyField)}, "description": {"Coach's own"}}
		if p := env.SignIn(coach.User).PostValues(rel+"/goals", coachForm); p.URL == first.URL && p.Status == http.StatusOK && strings.Contains(p.Text(".flash"), "Goal added") {
			t.Errorf("the coach was shown the member's answer")
		}
	})
}
