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

// TestRequestOfAPersonWhoLeftCanBeClosed: deleting an account now erases
// the person's requests (docs/organisations.md), so they leave the
// pipeline with them; a request left behind by an account deleted before
// that (its person gone, the row kept) is listed as "a person who left"
// with a link, and a coordinator opens it and closes it, which takes it
// off the pipeline.
func TestRequestOfAPersonWhoLeftCanBeClosed(t *testing.T) {
	env := testkit.New(t)
	fx := newWallFixture(env)
	coordinator := env.SignIn(fx.ByRole[tenancy.RoleCoordinator].User)
	base := "/o/" + fx.A.Slug

	leaver := env.NewPerson(fx.A, tenancy.RoleMember)
	erased := newRequest(env, fx, leaver.ID)
	if p := env.SignIn(leaver.User).Post("/account/delete", map[string]string{"password": testkit.Password}); p.Status >= 400 {
		t.Fatalf("delete account = %d: %s", p.Status, p.Body)
	}
	if strings.Contains(coordinator.Get(base+"/pipeline").Body, erased.ID.String()) {
		t.Errorf("the request of a deleted account is still on the pipeline")
	}

	// An account deleted before erasure covered requests: the person and
	// their membership are gone, the request stayed.
	member := env.NewPerson(fx.A, tenancy.RoleMember)
	req := newRequest(env, fx, member.ID)
	ctx := env.Ctx()
	if _, err := env.OwnerDB.NewDelete().Table("memberships").Where("user_id = ?", member.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := env.OwnerDB.NewUpdate().Table("users").Set("deleted_at = ?", env.Clock.Now()).Set("name = ?", "Deleted person").
		Where("id = ?", member.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
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
	if got := page.Text("main"); !strings.Contains(got, "Shared topics: Challenging conversations") || !strings.Contains(got, "topics: Challenging conversations ·") {
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
	// The needs assessment offers the same topics: a new version of the
	// questionnaire whose topics question lists the vocabulary, the topics
	// it offered before keeping their answers' ids.
	q, err := env.Services.Assessment.Current(env.Ctx(), fx.A.ID)
	if err != nil {
		t.Fatal(err)
	}
	offered := map[string]string{}
	for _, qu := range q.Questions {
		if qu.ID == "topics" {
			for _, a := range qu.Answers {
				offered[a.Topic] = a.ID + " " + a.Label
			}
		}
	}
	if len(offered) != len(vocab) || offered["knitting"] != "knitting Knitting" || offered["conversations"] != "conversations Challenging conversations" {
		t.Errorf("the assessment offers %v, want the vocabulary %v", offered, vocab)
	}
}

// TestAuthorsEditAndDeleteGoalsAndNotes: a goal's owner and a note's
// author change and delete them; nobody else can (another person's
// private note is not even found).
func TestAuthorsEditAndDeleteGoalsAndNotes(t *testing.T) {
	env := testkit.New(t)
	fx := newWallFixture(env)
	base := "/o/" + fx.A.Slug
	member, practitioner := env.SignIn(fx.ByRole[tenancy.RoleMember].User), env.SignIn(fx.ByRole[tenancy.RolePractitioner].User)
	g := newGoal(env, fx)
	rel := base + "/relationships/" + g.RelationshipID.String()
	if member.Get(rel).Doc().Find(`form[action="`+base+`/goals/`+g.ID.String()+`/edit"]`).Length() != 1 {
		t.Errorf("the goal's owner has no form to edit it")
	}
	if practitioner.Get(rel).Doc().Find(`form[action="`+base+`/goals/`+g.ID.String()+`/edit"]`).Length() != 0 {
		t.Errorf("the practitioner is offered to edit the member's goal")
	}
	edit := map[string]string{"description": "Chair the team meeting", "success_measure": "The team decides", "target_date": "2027-03-01"}
	if p := practitioner.Post(base+"/goals/"+g.ID.String()+"/edit", edit); p.Status != http.StatusForbidden {
		t.Errorf("practitioner edits the member's goal = %d, want 403", p.Status)
	}
	if p := member.Post(base+"/goals/"+g.ID.String()+"/edit", edit); p.Status != http.StatusOK {
		t.Fatalf("owner edits the goal = %d", p.Status)
	}
	if got, err := env.Services.Relationships.Goal(env.Ctx(), fx.A.ID, g.ID); err != nil || got.Description != "Chair the team meeting" || got.TargetDate != "2027-03-01" {
		t.Fatalf("goal after editing = %+v, %v", got, err)
	}
	if p := practitioner.Post(base+"/goals/"+g.ID.String()+"/delete", nil); p.Status != http.StatusForbidden {
		t.Errorf("practitioner deletes the member's goal = %d, want 403", p.Status)
	}
	if p := member.Post(base+"/goals/"+g.ID.String()+"/delete", nil); p.Status != http.StatusOK {
		t.Fatalf("owner deletes the goal = %d", p.Status)
	}
	if n := env.Count("goals", "id = ?", g.ID); n != 0 {
		t.Errorf("the deleted goal is still there")
	}

	note := &relationships.Note{AuthorID: fx.ByRole[tenancy.RoleMember].ID, RelationshipID: g.RelationshipID, Visibility: relationships.Shared}
	if err := env.Services.Relationships.AddNote(env.Ctx(), env.Services.NoteKeys, fx.A.ID, env.Clock.Now(), note, "First thoughts"); err != nil {
		t.Fatal(err)
	}
	shared := note.ID.String()
	if p := practitioner.Post(base+"/notes/"+shared+"/edit", map[string]string{"body": "Rewritten"}); p.Status != http.StatusForbidden {
		t.Errorf("practitioner edits the member's shared note = %d, want 403", p.Status)
	}
	if p := member.Post(base+"/notes/"+shared+"/edit", map[string]string{"body": "Second thoughts"}); p.Status != http.StatusOK {
		t.Fatalf("author edits the note = %d", p.Status)
	}
	if p := member.Get(rel); !strings.Contains(p.Text("#notes"), "Second thoughts") {
		t.Errorf("the edited note does not read \"Second thoughts\"")
	}
	private := &relationships.Note{AuthorID: fx.ByRole[tenancy.RoleMember].ID, RelationshipID: g.RelationshipID, Visibility: relationships.Private}
	if err := env.Services.Relationships.AddNote(env.Ctx(), env.Services.NoteKeys, fx.A.ID, env.Clock.Now(), private, "Mine alone"); err != nil {
		t.Fatal(err)
	}
	if p := practitioner.Post(base+"/notes/"+private.ID.String()+"/delete", nil); p.Status != http.StatusNotFound {
		t.Errorf("practitioner deletes the member's private note = %d, want 404", p.Status)
	}
	if p := member.Post(base+"/notes/"+private.ID.String()+"/edit", map[string]string{"body": "Still mine"}); p.Status != http.StatusOK {
		t.Fatalf("author edits the private note = %d", p.Status)
	}
	if got := member.Get(rel).Text("#notes"); !strings.Contains(got, "Still mine") {
		t.Errorf("the private note does not open to its new text: %q", got)
	}
	for _, id := range []string{shared, private.ID.String()} {
		if p := member.Post(base+"/notes/"+id+"/delete", nil); p.Status != http.StatusOK {
			t.Fatalf("author deletes note = %d", p.Status)
		}
	}
	if n := env.Count("notes", "relationship_id = ?", g.RelationshipID); n != 0 {
		t.Errorf("%d notes left after deleting both", n)
	}
}

// TestChangingTheEmailAddress: the new address is confirmed by a link
// sent to it; until then the old one stays; then the old one is told.
func TestChangingTheEmailAddress(t *testing.T) {
	env := testkit.New(t)
	fx := newWallFixture(env)
	person := env.NewPerson(fx.A, tenancy.RoleMember)
	old := person.Email
	b := env.SignIn(person.User)
	if p := b.Post("/account/email", map[string]string{"new_email": "new-" + old, "password": "wrong"}); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("a change with the wrong password = %d, want 422", p.Status)
	}
	if p := b.Post("/account/email", map[string]string{"new_email": fx.A.Owner.Email, "password": testkit.Password}); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("a change to another account's address = %d, want 422", p.Status)
	}
	if p := b.Post("/account/email", map[string]string{"new_email": "New-" + old, "password": testkit.Password}); p.Status != http.StatusOK {
		t.Fatalf("ask for the change = %d: %s", p.Status, p.Text("main"))
	}
	if got := b.Get("/account").Text("#email strong"); got != old {
		t.Errorf("before confirming, the account page shows %q, want the old %q", got, old)
	}
	link := env.LastLink("new-"+old, "Confirm your new e-mail")
	page := env.Browser().Get(link)
	if page.Status != http.StatusOK || !strings.Contains(page.Text("main"), "new-"+old) {
		t.Fatalf("confirmation page = %d", page.Status)
	}
	if p := b.Post(link, nil); p.Status != http.StatusOK {
		t.Fatalf("confirm = %d", p.Status)
	}
	if got := b.Get("/account").Text("#email strong"); got != "new-"+old {
		t.Errorf("after confirming, the address is %q", got)
	}
	told := false
	for _, m := range env.Emails(old) {
		told = told || strings.Contains(m.Subject, "e-mail address was changed") && strings.Contains(m.TextBody, "new-"+old)
	}
	if !told {
		t.Errorf("the old address was not told of the change")
	}
	if p := b.Post(link, nil); p.Status == http.StatusOK && strings.Contains(p.Text("main"), "is now") {
		t.Errorf("the link worked twice")
	}
}

// TestRevokingAnInvitationAsksFirst: the list links to a confirmation
// page (no JavaScript needed); a post that did not come from it is sent
// there, and the invitation stays open until confirmed.
func TestRevokingAnInvitationAsksFirst(t *testing.T) {
	env := testkit.New(t)
	fx := newWallFixture(env)
	id := freshInvitation(env, fx)["id"]
	base := "/o/" + fx.A.Slug
	admin := env.SignIn(fx.ByRole[tenancy.RoleAdmin].User)
	list := admin.Get(base + "/invitations")
	if list.Doc().Find(`form[action="`+base+`/invitations/`+id+`/revoke"]`).Length() != 0 ||
		list.Doc().Find(`a[href="`+base+`/invitations/`+id+`/revoke"]`).Length() != 1 {
		t.Fatalf("the invitations list does not link to the revoke confirmation")
	}
	page := admin.Get(base + "/invitations/" + id + "/revoke")
	if page.Status != http.StatusOK || page.Doc().Find(`form[action="`+base+`/invitations/`+id+`/revoke"] input[name="confirm"]`).Length() != 1 {
		t.Fatalf("confirmation page = %d", page.Status)
	}
	if p := env.SignIn(fx.ByRole[tenancy.RoleAdmin].User).NoRedirects().Post(base+"/invitations/"+id+"/revoke", nil); p.Status != http.StatusSeeOther || p.Header.Get("Location") != base+"/invitations/"+id+"/revoke" {
		t.Errorf("an unconfirmed revoke = %d to %q, want a redirect to the confirmation", p.Status, p.Header.Get("Location"))
	}
	if n := env.Count("invitations", "id = ? AND revoked_at IS NULL", id); n != 1 {
		t.Fatalf("the invitation was revoked without confirmation")
	}
	if p := admin.Post(base+"/invitations/"+id+"/revoke", map[string]string{"confirm": "yes"}); p.Status != http.StatusOK {
		t.Fatalf("confirmed revoke = %d", p.Status)
	}
	if n := env.Count("invitations", "id = ? AND revoked_at IS NOT NULL", id); n != 1 {
		t.Errorf("the confirmed revoke did not revoke")
	}
}
