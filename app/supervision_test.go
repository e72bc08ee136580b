package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/leadershiptoolbox/toolbox/app/assessment"
	"github.com/leadershiptoolbox/toolbox/app/courses"
	"github.com/leadershiptoolbox/toolbox/app/matching"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// TestCaseIsDeIdentifiedAndSeenByItsGroupAlone brings a case through the
// form: the roster's name and an e-mail address are flagged and masked,
// nothing is stored before the practitioner confirms, only the masked
// text is stored, and the group (supervisor included) reads it while an
// admin, the owner, a coordinator and another practitioner are refused.
func TestCaseIsDeIdentifiedAndSeenByItsGroupAlone(t *testing.T) {
	for _, engine := range testkit.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			env := testkit.New(t, testkit.OnEngine(engine))
			fx := newWallFixture(env)
			client := env.NewPerson(fx.A, tenancy.RoleMember) // someone of the roster the case is about
			r, sessions := supervisionGroup(env, fx)
			presenter := env.SignIn(fx.ByRole[tenancy.RoleMember].User)
			base := "/o/" + fx.A.Slug + "/supervision/" + r.ID.String()
			raw := map[string]string{
				"title": "A manager who avoids conflict", "question": "What am I not seeing?", "tried": "Asked open questions.",
				"context": "My coachee " + client.Name + " (" + client.Email + ") avoids hard conversations.", "session": sessions[0].ID.String(),
			}
			p := presenter.Post(base+"/cases", raw)
			if p.Status != http.StatusOK || !strings.Contains(p.Text("#identifiers"), client.Name) || !strings.Contains(p.Text("#identifiers"), client.Email) {
				t.Fatalf("check step = %d, identifiers shown: %q", p.Status, p.Text("#identifiers"))
			}
			masked := p.Doc().Find("#f-context").Text()
			if strings.Contains(masked, client.Name) || strings.Contains(masked, client.Email) || !strings.Contains(masked, "[name]") || !strings.Contains(masked, "[e-mail]") {
				t.Fatalf("masked context = %q", masked)
			}
			if n := env.Count("supervision_cases", "org_id = ?", fx.A.ID); n != 0 {
				t.Fatalf("%d cases stored before confirming", n)
			}
			confirm := map[string]string{"title": raw["title"], "question": raw["question"], "tried": raw["tried"], "context": masked,
				"session": raw["session"], "stage": "confirm"}
			if p := presenter.Post(base+"/cases", confirm); p.Status != http.StatusUnprocessableEntity {
				t.Fatalf("confirming without the box = %d, want 422", p.Status)
			}
			confirm["confirm"] = "1"
			p = presenter.Post(base+"/cases", confirm)
			if p.Status != http.StatusOK || !strings.Contains(p.Text("#case"), "[name]") {
				t.Fatalf("case page after confirming = %d: %s", p.Status, p.Text("main"))
			}
			var stored []string
			mustOK(t, env.OwnerDB.NewSelect().Table("supervision_cases").Column("context").Where("org_id = ?", fx.A.ID).Scan(context.Background(), &stored))
			if len(stored) != 1 || strings.Contains(stored[0], client.Name) || strings.Contains(stored[0], client.Email) {
				t.Fatalf("stored contexts = %q", stored)
			}
			u, err := url.Parse(p.URL)
			mustOK(t, err)
			caseURL := u.Path

			// The group reflects: the supervisor and the other member.
			supervisor := env.SignIn(fx.ByRole[tenancy.RolePractitioner].User)
			if p := supervisor.Post(caseURL+"/reflections", map[string]string{"body": "Notice what " + client.Name + " gains by avoiding."}); p.Status != http.StatusOK {
				t.Fatalf("supervisor's reflection = %d", p.Status)
			}
			p = presenter.Get(caseURL)
			if !strings.Contains(p.Text("#reflections"), "Notice what [name] gains") || strings.Contains(p.Body, client.Name) {
				t.Errorf("reflections = %q", p.Text("#reflections"))
			}
			if p := presenter.Post(caseURL+"/learning", map[string]string{"learning": "I rescue too soon."}); p.Status != http.StatusOK || !strings.Contains(p.Text("#learning"), "I rescue too soon.") {
				t.Errorf("learning note = %d %q", p.Status, p.Text("#learning"))
			}

			// Nobody outside the group reads it, admins and owners included.
			outsider := env.NewPerson(fx.A, tenancy.RolePractitioner, tenancy.KindCoach)
			for name, who := range map[string]*testkit.Person{"owner": fx.A.Owner, "admin": fx.ByRole[tenancy.RoleAdmin],
				"coordinator": fx.ByRole[tenancy.RoleCoordinator], "another practitioner": outsider, "the client": client} {
				b := env.SignIn(who.User)
				for _, path := range []string{caseURL, base} {
					if p := b.Get(path); p.Status != http.StatusForbidden || strings.Contains(p.Body, "avoids hard conversations") {
						t.Errorf("%s GET %s = %d, want 403", name, path, p.Status)
					}
				}
				if p := b.Get("/o/" + fx.A.Slug + "/supervision"); strings.Contains(p.Body, r.ID.String()) {
					t.Errorf("%s sees the group in their supervision list", name)
				}
			}
			// The organisation's pages for admins name none of it.
			owner := env.SignIn(fx.A.Owner.User)
			for _, path := range []string{"/o/" + fx.A.Slug + "/reports/programme", "/o/" + fx.A.Slug + "/pipeline", "/o/" + fx.A.Slug + "/audit",
				"/o/" + fx.A.Slug + "/relationships/" + r.ID.String()} {
				if p := owner.Get(path); strings.Contains(p.Body, "A manager who avoids conflict") || strings.Contains(p.Body, "avoids hard conversations") {
					t.Errorf("the owner reads the case at %s", path)
				}
			}
		})
	}
}

// TestRolesRotateAndTheSupervisorSwapsThem: the group page shows each
// coming session's presenter in turn; the supervisor swaps two people's
// roles and a member may not.
func TestRolesRotateAndTheSupervisorSwapsThem(t *testing.T) {
	env := testkit.New(t)
	fx := newWallFixture(env)
	r, sessions := supervisionGroup(env, fx)
	g, err := env.Services.Supervision.LoadGroup(context.Background(), fx.A.ID, r.ID, fx.ByRole[tenancy.RoleMember].ID)
	mustOK(t, err)
	if len(g.Coming) != 4 || len(g.Cohort) != 2 {
		t.Fatalf("coming %d sessions, cohort %d", len(g.Coming), len(g.Cohort))
	}
	for i, sr := range g.Coming {
		if want := g.Cohort[i%2]; sr.Roles[want] != "presenter" {
			t.Errorf("session %d: presenter is not cohort member %d: %v", i+1, i%2, sr.Roles)
		}
	}
	base := "/o/" + fx.A.Slug + "/supervision/" + r.ID.String()
	swap := map[string]string{"session": sessions[0].ID.String(), "a": g.Cohort[0].String(), "b": g.Cohort[1].String()}
	if p := env.SignIn(fx.ByRole[tenancy.RoleMember].User).NoRedirects().Post(base+"/roles", swap); p.Status != http.StatusForbidden {
		t.Errorf("a member swapping roles = %d, want 403", p.Status)
	}
	sup := env.SignIn(fx.ByRole[tenancy.RolePractitioner].User)
	if p := sup.Post(base+"/roles", map[string]string{"session": sessions[0].ID.String(), "a": g.Cohort[0].String(), "b": g.Cohort[0].String()}); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("swapping a person with themselves = %d, want 422", p.Status)
	}
	if p := sup.Post(base+"/roles", swap); p.Status != http.StatusOK || !strings.Contains(p.Text("#rotation"), "changed by the supervisor") {
		t.Fatalf("swap = %d: %s", p.Status, p.Text("#rotation"))
	}
	g, err = env.Services.Supervision.LoadGroup(context.Background(), fx.A.ID, r.ID, fx.ByRole[tenancy.RoleMember].ID)
	mustOK(t, err)
	if g.Coming[0].Roles[g.Cohort[1]] != "presenter" || g.Coming[0].Roles[g.Cohort[0]] != "reflector" || g.Coming[1].Swapped {
		t.Errorf("after the swap: %v, %v", g.Coming[0].Roles, g.Coming[1].Roles)
	}
}

// TestPassedMentorTrainingMakesAProvisionalMentorApprovedInOneClick: a
// member who completes qualifying training gets a provisional mentor
// profile (mentoring, capacity one, the organisation's supervisor), is
// left out of matching until a coordinator approves it on the pipeline,
// and can be proposed to a mentee after.
func TestPassedMentorTrainingMakesAProvisionalMentorApprovedInOneClick(t *testing.T) {
	env := testkit.New(t)
	fx := newWallFixture(env)
	ctx := context.Background()
	supervisor := env.NewPerson(fx.A, tenancy.RolePractitioner, tenancy.KindSupervisor)
	sp := relationships.NewProfile(fx.A.ID, supervisor.ID, []string{"supervisor"})
	mustOK(t, env.Services.Relationships.SaveProfile(ctx, fx.A.ID, env.Clock.Now(), sp))
	trainee := env.NewPerson(fx.A, tenancy.RoleMember)

	st, now := env.Services.Courses.Store, env.Clock.Now()
	c := &courses.Course{OrgID: fx.A.ID, Title: "Becoming a mentor", Currency: "gbp", QualifiesMentor: true, Status: courses.StatusPublished, CreatedAt: now, UpdatedAt: now}
	mustOK(t, st.CreateCourse(ctx, c))
	m, err := st.AddModule(ctx, fx.A.ID, c.ID, "Module", now)
	mustOK(t, err)
	l := &courses.Lesson{OrgID: fx.A.ID, CourseID: c.ID, ModuleID: m.ID, Title: "Lesson", Body: "Text", CreatedAt: now, UpdatedAt: now}
	mustOK(t, st.AddLesson(ctx, l))
	tb := env.SignIn(trainee.User)
	courseURL := "/o/" + fx.A.Slug + "/courses/" + c.ID.String()
	if p := tb.Post(courseURL+"/enrol", nil); p.Status != http.StatusOK {
		t.Fatalf("enrol = %d", p.Status)
	}
	if p := tb.Post(courseURL+"/lessons/"+l.ID.String()+"/complete", nil); p.Status != http.StatusOK {
		t.Fatalf("complete = %d", p.Status)
	}
	prof, err := env.Services.Relationships.ProfileOf(ctx, fx.A.ID, trainee.ID)
	mustOK(t, err)
	if prof.MentorStatus != relationships.MentorProvisional || prof.Capacity != 1 || !prof.Accepting || prof.Kinds != "mentor" ||
		prof.MentorSupervisorID == nil || *prof.MentorSupervisorID != supervisor.ID {
		t.Fatalf("profile after the course = %+v", prof)
	}
	if p := tb.Get("/o/" + fx.A.Slug + "/my"); !strings.Contains(p.Text("#mentor-status"), "provisional") || !strings.Contains(p.Text("#mentor-status"), supervisor.Name) {
		t.Errorf("the trainee's My support: %q", p.Text("#mentor-status"))
	}

	mentee := env.NewPerson(fx.A, tenancy.RoleMember)
	req, err := env.Services.Assessment.RecordFaceToFace(ctx, fx.A.ID, mentee.ID, fx.A.Owner.ID, now,
		assessment.Decision{Kind: "mentoring", Format: "one_to_one", Duration: "short_term", Reason: "Agreed in person"})
	mustOK(t, err)
	rk, err := env.Services.Matching.Candidates(ctx, fx.A.ID, req.ID)
	mustOK(t, err)
	excluded := ""
	for _, x := range rk.Excluded {
		if x.UserID == trainee.ID {
			excluded = x.Excluded
		}
	}
	if !strings.Contains(excluded, "waiting for a coordinator's approval") {
		t.Errorf("before approval the trainee is excluded for %q", excluded)
	}

	coordinator := env.SignIn(fx.ByRole[tenancy.RoleCoordinator].User)
	p := coordinator.Get("/o/" + fx.A.Slug + "/pipeline")
	if !strings.Contains(p.Text("#mentors"), trainee.Name) {
		t.Fatalf("the pipeline does not show the provisional mentor: %q", p.Text("#mentors"))
	}
	p = coordinator.Post("/o/"+fx.A.Slug+"/pipeline/mentors/"+trainee.ID.String()+"/approve", nil)
	if p.Status != http.StatusOK || strings.Contains(p.Text("#mentors"), trainee.Name) {
		t.Fatalf("approve = %d, pipeline still lists: %q", p.Status, p.Text("#mentors"))
	}
	if p := coordinator.NoRedirects().Post("/o/"+fx.A.Slug+"/pipeline/mentors/"+trainee.ID.String()+"/approve", nil); p.Status != http.StatusSeeOther {
		t.Errorf("approving twice = %d, want a redirect with a note", p.Status)
	}
	if n := env.Count("audit_events", "org_id = ? AND action = ? AND target = ?", fx.A.ID, matching.ActionMentorApproved, trainee.Email); n != 1 {
		t.Errorf("%d audit events of the approval, want 1", n)
	}
	prop, err := env.Services.Matching.Propose(ctx, fx.A.ID, req.ID, trainee.ID, fx.ByRole[tenancy.RoleCoordinator].ID)
	mustOK(t, err)
	if prop.PractitionerID != trainee.ID {
		t.Errorf("proposal to %s", prop.PractitionerID)
	}
	if p := tb.Get("/o/" + fx.A.Slug + "/my"); !strings.Contains(p.Text("#mentor-status"), "approved") || !strings.Contains(p.Body, "/proposals/"+prop.ID.String()) {
		t.Errorf("the approved mentor's My support: %q", p.Text("main"))
	}
}

// TestCoachingApproachIsAnOutcomeSignpostedAsTheOrganisationChooses.
func TestCoachingApproachIsAnOutcomeSignpostedAsTheOrganisationChooses(t *testing.T) {
	env := testkit.New(t)
	fx := newWallFixture(env)
	ctx := context.Background()
	answers := assessment.Answers{"situation": {"lead_coaching"}, "stance": {"questions"}, "outcome": {"choices"}, "format": {"one"}, "duration": {"short"}}
	rec, err := assessment.Score(assessment.Default(), answers)
	mustOK(t, err)
	if !rec.Explanation.CoachingApproach() || rec.Kind != assessment.KeyCoaching {
		t.Fatalf("recommendation = %+v", rec)
	}
	other, err := assessment.Score(assessment.Default(), assessment.Answers{"situation": {"growth"}, "stance": {"questions"}, "outcome": {"choices"}, "format": {"one"}, "duration": {"short"}})
	mustOK(t, err)
	if other.Explanation.CoachingApproach() {
		t.Error("growth alone counts as the coaching-approach need")
	}

	member := env.NewPerson(fx.A, tenancy.RoleMember)
	for q, a := range answers {
		_, err := env.Services.Assessment.SaveAnswer(ctx, fx.A.ID, member.ID, env.Clock.Now(), q, a)
		mustOK(t, err)
	}
	_, err = env.Services.Assessment.Submit(ctx, fx.A.ID, member.ID, env.Clock.Now())
	mustOK(t, err)
	mb := env.SignIn(member.User)
	if p := mb.Get("/o/" + fx.A.Slug + "/assessment"); !strings.Contains(p.Text("#coaching-approach"), "with a coach") {
		t.Errorf("by default the outcome signposts to a coach: %q", p.Text("#coaching-approach"))
	}

	a, err := env.Services.Assessment.Latest(ctx, fx.A.ID, member.ID)
	mustOK(t, err)
	if p := env.SignIn(fx.ByRole[tenancy.RoleCoordinator].User).Get("/o/" + fx.A.Slug + "/assessments/" + a.ID.String()); !strings.Contains(p.Text("#coaching-approach"), "coaching approach") {
		t.Errorf("the coordinator's review does not name the need: %q", p.Text("#coaching-approach"))
	}

	courseID := courseParams(env, fx, 0)["id"]
	owner := env.SignIn(fx.A.Owner.User)
	settings := map[string]string{"name": fx.A.Name, "time_zone": "Europe/London", "min_cancel_notice_hours": "24", "proposal_days": "5",
		"reminder_offsets": "24h", "coaching_approach": "course", "coaching_approach_course": "not-a-course"}
	if p := owner.Post("/o/"+fx.A.Slug+"/settings", settings); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("an unknown course = %d, want 422", p.Status)
	}
	settings["coaching_approach_course"] = courseID
	if p := owner.Post("/o/"+fx.A.Slug+"/settings", settings); p.Status != http.StatusOK {
		t.Fatalf("settings = %d", p.Status)
	}
	p := mb.Get("/o/" + fx.A.Slug + "/assessment")
	if href, _ := p.Doc().Find("#coaching-approach a").Attr("href"); href != "/o/"+fx.A.Slug+"/courses/"+courseID {
		t.Errorf("with a course chosen the outcome links to %q: %q", href, p.Text("#coaching-approach"))
	}
}

// TestCaseFromAPrivateNote: a practitioner starts a case from one of their
// own private notes (its text checked and masked like any case); another
// person's note, or a shared one, is not offered.
func TestCaseFromAPrivateNote(t *testing.T) {
	env := testkit.New(t)
	fx := newWallFixture(env)
	ctx := context.Background()
	r, _ := supervisionGroup(env, fx)
	presenter := fx.ByRole[tenancy.RoleMember]
	client := env.NewPerson(fx.A, tenancy.RoleMember)
	coaching := env.NewRelationship(fx.A, relationships.Coaching, fx.ByRole[tenancy.RolePractitioner], presenter)
	mine := &relationships.Note{AuthorID: presenter.ID, RelationshipID: coaching.ID, Visibility: relationships.Private}
	mustOK(t, env.Services.Relationships.AddNote(ctx, env.Services.NoteKeys, fx.A.ID, env.Clock.Now(), mine, "Session with "+client.Name+": stuck again."))
	theirs := &relationships.Note{AuthorID: fx.ByRole[tenancy.RolePractitioner].ID, RelationshipID: coaching.ID, Visibility: relationships.Private}
	mustOK(t, env.Services.Relationships.AddNote(ctx, env.Services.NoteKeys, fx.A.ID, env.Clock.Now(), theirs, "The practitioner's own thoughts"))
	b := env.SignIn(presenter.User)
	base := "/o/" + fx.A.Slug + "/supervision/" + r.ID.String() + "/cases"
	p := b.Get(base + "/new")
	if !strings.Contains(p.Body, "?note="+mine.ID.String()) || strings.Contains(p.Body, theirs.ID.String()) {
		t.Errorf("the notes offered are not the presenter's own private ones")
	}
	p = b.Get(base + "/new?note=" + mine.ID.String())
	if got := p.Doc().Find("#f-context").Text(); !strings.Contains(got, "stuck again") || p.Doc().Find("input[name=from_note]").Length() != 1 {
		t.Fatalf("the form does not start from the note: %q", got)
	}
	if p := b.Get(base + "/new?note=" + theirs.ID.String()); p.Status != http.StatusNotFound {
		t.Errorf("another person's note = %d, want 404", p.Status)
	}
	p = b.Post(base, map[string]string{"title": "Stuck", "question": "Why?", "context": "Session with " + client.Name + ": stuck again.", "from_note": "1"})
	masked := p.Doc().Find("#f-context").Text()
	if masked != "Session with [name]: stuck again." {
		t.Fatalf("masked context = %q", masked)
	}
	p = b.Post(base, map[string]string{"title": "Stuck", "question": "Why?", "context": masked, "from_note": "1", "stage": "confirm", "confirm": "1"})
	if p.Status != http.StatusOK || !strings.Contains(p.Text("#case"), "[name]") {
		t.Fatalf("confirming = %d", p.Status)
	}
	var fromNote []bool
	mustOK(t, env.OwnerDB.NewSelect().Table("supervision_cases").Column("from_note").Where("org_id = ?", fx.A.ID).Scan(ctx, &fromNote))
	if len(fromNote) != 1 || !fromNote[0] {
		t.Errorf("from_note = %v", fromNote)
	}
}
