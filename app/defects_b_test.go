package app_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/leadershiptoolbox/toolbox/app/assessment"
	"github.com/leadershiptoolbox/toolbox/app/calendar"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// TestRequestOfAPersonWhoLeftCanBeClosed: a member with a signposted
// request deletes their account; the pipeline still lists the request,
// as "a person who left" with a link, and a coordinator opens it and
// closes it, which takes it off the pipeline.
func TestRequestOfAPersonWhoLeftCanBeClosed(t *testing.T) {
	env := testkit.New(t)
	fx := newWallFixture(env)
	member := env.NewPerson(fx.A, tenancy.RoleMember)
	req := newRequest(env, fx, member.ID)
	if p := env.SignIn(member.User).Post("/account/delete", map[string]string{"password": testkit.Password}); p.Status >= 400 {
		t.Fatalf("delete account = %d: %s", p.Status, p.Body)
	}
	coordinator := env.SignIn(fx.ByRole[tenancy.RoleCoordinator].User)
	base := "/o/" + fx.A.Slug
	pipeline := coordinator.Get(base + "/pipeline")
	link := pipeline.Doc().Find(`a[href="` + base + `/requests/` + req.ID.String() + `"]`)
	if link.Length() != 1 || strings.TrimSpace(link.Text()) != "a person who left" {
		t.Fatalf("pipeline link to the request = %d links, text %q; want one reading \"a person who left\"", link.Length(), link.Text())
	}
	page := coordinator.Get(base + "/requests/" + req.ID.String())
	if page.Status != http.StatusOK || !strings.Contains(page.Text("h1"), "a person who left") {
		t.Fatalf("request page = %d, heading %q", page.Status, page.Text("h1"))
	}
	form := page.Doc().Find(`form[action="` + base + `/requests/` + req.ID.String() + `/close"]`)
	if form.Length() != 1 {
		t.Fatalf("the request page has no close form")
	}
	if p := coordinator.Post(base+"/requests/"+req.ID.String()+"/close", map[string]string{"note": "They left"}); p.Status != http.StatusOK {
		t.Fatalf("close = %d: %s", p.Status, p.Text("main"))
	}
	got, err := env.Services.Assessment.Request(env.Ctx(), fx.A.ID, req.ID)
	if err != nil || got.Status != assessment.RequestClosed {
		t.Fatalf("request after closing = %+v, %v; want closed", got, err)
	}
	if strings.Contains(coordinator.Get(base+"/pipeline").Body, req.ID.String()) {
		t.Errorf("the closed request is still on the pipeline")
	}
}

// TestOneTimeZonePerPerson: a practitioner's zone is their own, chosen on
// their account page, and every page shows it: the profile page no longer
// has a zone of its own (a stale one posted there changes nothing), the
// availability page keeps open hours in it, and a session page shows
// times in it, while a member who chose none sees the organisation's.
func TestOneTimeZonePerPerson(t *testing.T) {
	env := testkit.New(t)
	fx := newWallFixture(env)
	coach := env.NewPerson(fx.A, tenancy.RolePractitioner, tenancy.KindCoach)
	member := env.NewPerson(fx.A, tenancy.RoleMember)
	base := "/o/" + fx.A.Slug
	b := env.SignIn(coach.User)
	if p := b.Get(base + "/profile"); p.Doc().Find(`[name="time_zone"]`).Length() != 0 {
		t.Errorf("the practitioner profile still has a time zone field of its own")
	}
	if p := b.Post(base+"/profile", map[string]string{"kinds": "coach", "capacity": "3", "languages": "en", "time_zone": "Europe/London", "accepting": "1"}); p.Status != http.StatusOK {
		t.Fatalf("save profile = %d", p.Status)
	}
	if p := b.Post("/account/profile", map[string]string{"name": coach.Name, "time_zone": "Europe/Paris"}); p.Status != http.StatusOK {
		t.Fatalf("account profile = %d: %s", p.Status, p.Text("main"))
	}
	if got := b.Get(base + "/profile").Text("#time-zone"); !strings.Contains(got, "Europe/Paris") {
		t.Errorf("profile page zone = %q, want Europe/Paris", got)
	}
	if got := b.Get(base + "/calendar/availability").Text("main"); !strings.Contains(got, "kept in Europe/Paris") {
		t.Errorf("availability page does not keep hours in Europe/Paris: %q", got)
	}
	rel := env.NewRelationship(fx.A, relationships.Coaching, coach, member)
	ss, err := env.Services.Calendar.Book(env.Ctx(), fx.A.ID, calendar.BookInput{RelationshipID: rel.ID, ActorID: coach.ID,
		Start: testkit.Epoch.Add(3*24*time.Hour + 9*time.Hour), Direct: true})
	if err != nil {
		t.Fatal(err)
	}
	session := base + "/calendar/sessions/" + ss[0].ID.String()
	if got := b.Get(session).Text(".tz-note"); !strings.Contains(got, "Europe/Paris") {
		t.Errorf("practitioner's session page: %q, want times in Europe/Paris", got)
	}
	if got := env.SignIn(member.User).Get(session).Text(".tz-note"); !strings.Contains(got, "Europe/London") {
		t.Errorf("member's session page: %q, want the organisation's Europe/London", got)
	}
}

// TestTopicsComeFromOneVocabulary: the assessment's `conversations` and a
// coach's typed "Challenging   conversations" are one topic of the
// organisation's vocabulary, so matching finds it shared; the profile
// offers the vocabulary as choices, and admins add to it.
func TestTopicsComeFromOneVocabulary(t *testing.T) {
	env := testkit.New(t)
	fx := newWallFixture(env)
	if err := env.Services.Topics.Seed(env.Ctx(), fx.A.ID, env.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	base := "/o/" + fx.A.Slug
	coach := env.NewPerson(fx.A, tenancy.RolePractitioner, tenancy.KindCoach)
	b := env.SignIn(coach.User)
	if p := b.Post(base+"/profile", map[string]string{"kinds": "coach", "capacity": "3", "languages": "en", "topics": "Challenging   conversations, knitting", "accepting": "1"}); p.Status != http.StatusOK {
		t.Fatalf("save profile = %d: %s", p.Status, p.Text("main"))
	}
	profile := b.Get(base + "/profile")
	if profile.Doc().Find(`input[name="topic"][value="conversations"][checked]`).Length() != 1 {
		t.Errorf("the profile does not offer the vocabulary's topics with \"conversations\" chosen")
	}
	member := env.NewPerson(fx.A, tenancy.RoleMember)
	req, err := env.Services.Assessment.RecordFaceToFace(env.Ctx(), fx.A.ID, member.ID, fx.A.Owner.ID, env.Clock.Now(),
		assessment.Decision{Kind: "coaching", Format: "one_to_one", Duration: "ongoing", Topics: []string{"conversations"}})
	if err != nil {
		t.Fatal(err)
	}
	page := env.SignIn(fx.ByRole[tenancy.RoleCoordinator].User).Get(base + "/requests/" + req.ID.String())
	if got := page.Text("main"); !strings.Contains(got, "Shared topics: Challenging conversations") {
		t.Errorf("request page does not find the shared topic:\n%s", got)
	}
	admin := env.SignIn(fx.ByRole[tenancy.RoleAdmin].User)
	settings := admin.Get(base + "/settings/topics")
	if settings.Status != http.StatusOK || settings.Doc().Find(`input[value="Challenging conversations"]`).Length() != 1 {
		t.Fatalf("topics settings = %d", settings.Status)
	}
	form := map[string]string{"new_label": "Knitting", "new_synonyms": "yarn craft"}
	settings.Doc().Find(`input[name^="label_"], input[name^="synonyms_"]`).Each(func(_ int, s *goquery.Selection) {
		form[s.AttrOr("name", "")] = s.AttrOr("value", "")
	})
	if p := admin.Post(base+"/settings/topics", form); p.Status != http.StatusOK {
		t.Fatalf("save topics = %d: %s", p.Status, p.Text("main"))
	}
	form["new_label"], form["new_synonyms"] = "Difficult conversations", ""
	if p := admin.Post(base+"/settings/topics", form); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("a topic named like another's synonym = %d, want 422", p.Status)
	}
	vocab, err := env.Services.Topics.Vocabulary(env.Ctx(), fx.A.ID)
	if err != nil {
		t.Fatal(err)
	}
	if k, ok := vocab.Match("Yarn  Craft"); !ok || k.Key != "knitting" {
		t.Errorf("vocabulary after adding Knitting: %+v", vocab)
	}
}
