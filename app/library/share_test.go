package library_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/calendar"
	"github.com/leadershiptoolbox/toolbox/app/library"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// twoRelationships is an organisation with two coaching relationships
// that share nobody: coach with member, other coach with other member.
type twoRelationships struct {
	org                                *testkit.Org
	coach, member, otherCoach, outside *testkit.Person
	rel, otherRel                      *relationships.Relationship
}

func newTwoRelationships(env *testkit.Env) *twoRelationships {
	f := &twoRelationships{org: env.NewOrg()}
	f.coach = env.NewPerson(f.org, tenancy.RolePractitioner, tenancy.KindCoach)
	f.otherCoach = env.NewPerson(f.org, tenancy.RolePractitioner, tenancy.KindCoach)
	f.member = env.NewPerson(f.org, tenancy.RoleMember)
	f.outside = env.NewPerson(f.org, tenancy.RoleMember)
	f.rel = env.NewRelationship(f.org, relationships.Coaching, f.coach, f.member)
	f.otherRel = env.NewRelationship(f.org, relationships.Coaching, f.otherCoach, f.outside)
	return f
}

func sharedTitles(t *testing.T, env *testkit.Env, f *twoRelationships, rel *relationships.Relationship, viewer *testkit.Person) []string {
	t.Helper()
	p, err := env.Services.Library.ForRelationship(context.Background(), f.org.ID, f.org.Slug, rel.ID, viewer.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p == nil {
		return nil
	}
	var out []string
	for _, s := range p.Shared {
		out = append(out, s.Title)
	}
	return out
}

func TestSharingIntoARelationshipRespectsWhoMaySeeIt(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		f := newTwoRelationships(env)
		base := "/o/" + f.org.Slug + "/library"
		coach := env.SignIn(f.coach.User)
		coach.Get(base)
		charter := findID(t, env, f.org.ID, "team-charter-template")
		article := base + "/" + charter.String()

		// The coach's article page offers their own relationship only.
		page := coach.Get(article)
		if opts := page.Text("#f-relationship"); !strings.Contains(opts, f.member.Name) || strings.Contains(opts, f.outside.Name) {
			t.Fatalf("share choices: %q", opts)
		}
		if p := coach.Post(article+"/share", map[string]string{"relationship": f.rel.ID.String(), "note": "For Thursday"}); p.Status != http.StatusOK || !strings.Contains(p.URL, "/relationships/"+f.rel.ID.String()) {
			t.Fatalf("share = %d at %s", p.Status, p.URL)
		}
		if got := sharedTitles(t, env, f, f.rel, f.member); len(got) != 1 || got[0] != "Team charter template" {
			t.Fatalf("member sees %q", got)
		}
		// It appears on the relationship page beside the shared notes, for
		// its participants; staff looking on do not see the panel.
		relPage := "/o/" + f.org.Slug + "/relationships/" + f.rel.ID.String()
		if got := env.SignIn(f.member.User).Get(relPage).Text("#library-shared"); !strings.Contains(got, "Team charter template") || !strings.Contains(got, "For Thursday") {
			t.Errorf("member's relationship page shows %q", got)
		}
		if p := env.SignIn(f.org.Owner.User).Get(relPage); p.Status != http.StatusOK || p.Doc().Find("#library").Length() != 0 {
			t.Errorf("staff looking on: %d, library panel %d", p.Status, p.Doc().Find("#library").Length())
		}
		if got := sharedTitles(t, env, f, f.rel, f.outside); got != nil {
			t.Errorf("someone outside the relationship sees %q", got)
		}
		if got := sharedTitles(t, env, f, f.otherRel, f.outside); len(got) != 0 {
			t.Errorf("another relationship shows %q", got)
		}
		if p := coach.Post(article+"/share", map[string]string{"relationship": f.rel.ID.String()}); p.Status != http.StatusConflict {
			t.Errorf("sharing twice = %d", p.Status)
		}
		// Another practitioner cannot share into a relationship they do not support.
		other := env.SignIn(f.otherCoach.User)
		other.Get(article)
		if p := other.Post(article+"/share", map[string]string{"relationship": f.rel.ID.String()}); p.Status != http.StatusForbidden {
			t.Errorf("another coach shares into it: %d", p.Status)
		}
		// A member cannot share at all.
		member := env.SignIn(f.member.User)
		member.Get(article)
		if p := member.Post(article+"/share", map[string]string{"relationship": f.rel.ID.String()}); p.Status != http.StatusForbidden {
			t.Errorf("member shares: %d", p.Status)
		}
		// A hidden article leaves the relationship, and cannot be shared.
		hidden := findID(t, env, f.org.ID, "repairing-trust")
		if err := env.Services.Library.Store.SetStatus(context.Background(), f.org.ID, hidden, f.org.Owner.ID, library.StatusHidden, env.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		if err := env.Services.Library.ShareInto(context.Background(), f.org.ID, hidden, f.rel.ID, f.coach.ID, ""); err != library.ErrNotPublished {
			t.Errorf("sharing a hidden item: %v", err)
		}
		// Only the relationship's practitioner takes it back.
		var shareID string
		if err := env.OwnerDB.NewSelect().Table("library_shares").Column("id").Where("relationship_id = ?", f.rel.ID).Scan(context.Background(), &shareID); err != nil {
			t.Fatal(err)
		}
		if p := other.Post(base+"/shares/"+shareID+"/remove", nil); p.Status != http.StatusForbidden {
			t.Errorf("another coach removes the share: %d", p.Status)
		}
		coach.Get(article)
		if p := coach.Post(base+"/shares/"+shareID+"/remove", nil); p.Status != http.StatusOK {
			t.Fatalf("remove = %d", p.Status)
		}
		if got := sharedTitles(t, env, f, f.rel, f.member); len(got) != 0 {
			t.Errorf("still shared: %q", got)
		}
	})
}

func TestRecommendationsFollowTheAssessmentAndTheGoals(t *testing.T) {
	env := testkit.New(t)
	f := newTwoRelationships(env)
	ctx := context.Background()
	store := env.Services.Assessment
	for q, a := range map[string][]string{"situation": {"growth"}, "stance": {"questions"}, "outcome": {"choices"},
		"format": {"one"}, "duration": {"ongoing"}, "topics": {"trust", "teamwork"}} {
		if _, err := store.SaveAnswer(ctx, f.org.ID, f.member.ID, env.Clock.Now(), q, a); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := store.Submit(ctx, f.org.ID, f.member.ID, env.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	mine, err := env.Services.Library.ForPerson(ctx, f.org.ID, f.org.Slug, f.member.ID)
	if err != nil {
		t.Fatal(err)
	}
	if mine.Recommended.Heading != "Working on teamwork and trust: three resources" || len(mine.Recommended.Items) != 3 {
		t.Fatalf("My support: %q %d", mine.Recommended.Heading, len(mine.Recommended.Items))
	}
	for _, it := range mine.Recommended.Items {
		if c := it.Article.Category; c != library.CatTrust && c != library.CatTeamwork {
			t.Errorf("recommended %s (%s)", it.Article.Title, c)
		}
	}
	my := env.SignIn(f.member.User).Get("/o/" + f.org.Slug + "/my")
	if h := my.Text("#library h2"); h != mine.Recommended.Heading || my.Doc().Find("#library-recommended li").Length() != 3 {
		t.Errorf("My support shows %q with %d items", h, my.Doc().Find("#library-recommended li").Length())
	}
	// Someone who said nothing gets no recommendations.
	if p, err := env.Services.Library.ForPerson(ctx, f.org.ID, f.org.Slug, f.outside.ID); err != nil || len(p.Recommended.Items) != 0 {
		t.Fatalf("recommendations without needs: %v %v", p, err)
	}
	// A relationship's goal leads its page's recommendations.
	g := &relationships.Goal{RelationshipID: f.otherRel.ID, OwnerID: f.outside.ID, Description: "Prepare the difficult conversation with my manager"}
	if err := env.Services.Relationships.CreateGoal(ctx, f.org.ID, env.Clock.Now(), g); err != nil {
		t.Fatal(err)
	}
	p, err := env.Services.Library.ForRelationship(ctx, f.org.ID, f.org.Slug, f.otherRel.ID, f.otherCoach.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Recommended.Items) == 0 || p.Recommended.Items[0].Article.Title != "Challenging conversation planner" {
		t.Fatalf("relationship recommendations: %+v", p.Recommended)
	}
}

// newSession books a session of rel by its practitioner, ten days on.
func newSession(t *testing.T, env *testkit.Env, f *twoRelationships) *calendar.Session {
	t.Helper()
	ss, err := env.Services.Calendar.Book(context.Background(), f.org.ID, calendar.BookInput{
		RelationshipID: f.rel.ID, ActorID: f.coach.ID, Start: testkit.Epoch.Add(10 * 24 * time.Hour), Direct: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &ss[0]
}

func TestAPractitionerAttachesAnAgendaBothSidesSee(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		f := newTwoRelationships(env)
		s := newSession(t, env, f)
		path := "/o/" + f.org.Slug + "/library/sessions/" + s.ID.String() + "/agenda"
		member := env.SignIn(f.member.User)
		if p := member.Get(path); p.Status != http.StatusOK || !strings.Contains(p.Text("#agenda"), "No agenda yet") {
			t.Fatalf("member before = %d: %s", p.Status, p.Text("main"))
		}
		if p := member.Post(path, map[string]string{"body": "My own"}); p.Status != http.StatusForbidden {
			t.Errorf("member attaches: %d", p.Status)
		}
		coach := env.SignIn(f.coach.User)
		page := coach.Get(path)
		first := findID(t, env, f.org.ID, "agenda-first-meeting")
		if page.Doc().Find(`input[name="template"][value="`+first.String()+`"]`).Length() != 1 {
			t.Fatalf("the first-meeting agenda is not offered: %s", page.Text("main"))
		}
		if p := coach.Post(path, map[string]string{}); p.Status != http.StatusUnprocessableEntity {
			t.Errorf("empty attach = %d", p.Status)
		}
		if p := coach.Post(path, map[string]string{"template": first.String()}); p.Status != http.StatusOK || !strings.Contains(p.Text("#agenda"), "How we will work") {
			t.Fatalf("attach = %d: %s", p.Status, p.Text("main"))
		}
		if p := member.Get(path); !strings.Contains(p.Text("#agenda h2"), "first meeting and contracting") || !strings.Contains(p.Text("#agenda"), "Confidentiality and its limits") {
			t.Fatalf("member after: %s", p.Text("#agenda"))
		}
		// Someone outside the session sees nothing of it.
		if p := env.SignIn(f.outside.User).Get(path); p.Status != http.StatusNotFound {
			t.Errorf("outsider = %d", p.Status)
		}
		// The practitioner edits it for this session.
		if p := coach.Post(path, map[string]string{"title": "Our first meeting", "body": testkit.HostileMarkdown}); p.Status != http.StatusOK {
			t.Fatalf("edit = %d", p.Status)
		}
		html, _ := member.Get(path).Doc().Find("#agenda .lesson-body").Html()
		testkit.CheckSanitised(t, html)
	})
}

func TestAGoalStartsFromAFramework(t *testing.T) {
	env := testkit.New(t)
	f := newTwoRelationships(env)
	path := "/o/" + f.org.Slug + "/library/relationships/" + f.rel.ID.String() + "/goals/grow"
	if p := env.SignIn(f.coach.User).Get(path); p.Status != http.StatusForbidden {
		t.Errorf("the practitioner opens the member's goal form: %d", p.Status)
	}
	member := env.SignIn(f.member.User)
	page := member.Get(path)
	for _, label := range []string{"Goal: what do you want", "Reality", "Options", "Will"} {
		if !strings.Contains(page.Text("form"), label) {
			t.Errorf("GROW form lacks %q", label)
		}
	}
	if p := member.Post(path, map[string]string{"goal": "", "target_date": "soon"}); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("empty goal = %d", p.Status)
	}
	p := member.Post(path, map[string]string{"goal": "Chair the team meeting well", "reality": "I freeze when challenged",
		"options": "Practise with my coach", "will": "Prepare an agenda", "measure": "Finished on time twice", "target_date": "2027-06-30"})
	if p.Status != http.StatusOK || !strings.Contains(p.URL, "/relationships/"+f.rel.ID.String()) {
		t.Fatalf("add = %d at %s", p.Status, p.URL)
	}
	var g relationships.Goal
	err := env.DB.InTenant(context.Background(), f.org.ID, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Model(&g).Where("org_id = ? AND relationship_id = ?", f.org.ID, f.rel.ID).Scan(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "Goal: Chair the team meeting well\nReality: I freeze when challenged\nOptions: Practise with my coach\nWill: Prepare an agenda"
	if g.Description != want || g.SuccessMeasure != "Finished on time twice" || g.TargetDate != "2027-06-30" || g.OwnerID != f.member.ID {
		t.Fatalf("goal = %+v", g)
	}
}
