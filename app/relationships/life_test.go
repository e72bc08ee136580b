package relationships_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

func TestRelationshipLife(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		coach := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
		member := env.NewPerson(org, tenancy.RoleMember)
		coordinator := env.NewPerson(org, tenancy.RoleCoordinator)
		r := env.NewRelationship(org, relationships.Coaching, coach, member)
		rel := "/o/" + org.Slug + "/relationships/" + r.ID.String()
		cb, mb := env.SignIn(coach.User), env.SignIn(member.User)
		store := env.Services.Relationships

		// Editing the agreement resets both acceptances.
		if p := cb.Post(rel+"/agreement", map[string]string{"purpose": "Grow", "cadence_days": "0", "session_minutes": "60"}); p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("bad cadence = %d", p.Status)
		}
		if ag, _ := store.AgreementFor(env.Ctx(), org.ID, r.ID); !ag.Accepted() || ag.Purpose != "Grow as a leader" {
			t.Fatal("a refused edit changed the agreement")
		}
		if p := cb.Post(rel+"/agreement", map[string]string{"purpose": "Grow", "cadence_days": "21", "session_minutes": "45", "place": "Room 2"}); p.Status != http.StatusOK {
			t.Fatalf("edit agreement = %d", p.Status)
		}
		if ag, _ := store.AgreementFor(env.Ctx(), org.ID, r.ID); ag.Accepted() || ag.CadenceDays != 21 || ag.PractitionerAcceptedAt != nil {
			t.Fatalf("after edit: %+v", ag)
		}

		// Mode switches: coaching to mentoring and back, with why.
		if p := mb.Post(rel+"/mode", map[string]string{"to_kind": "mentoring", "why": "x"}); p.Status != http.StatusForbidden {
			t.Fatalf("member switching mode = %d", p.Status)
		}
		if p := cb.Post(rel+"/mode", map[string]string{"to_kind": "coaching", "why": "already"}); p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("switch to the current mode = %d", p.Status)
		}
		cb.Post(rel+"/mode", map[string]string{"to_kind": "mentoring", "why": "Needed advice on the budget process"})
		if p := cb.Get(rel); !strings.Contains(p.Body, "working as mentoring for now") {
			t.Fatal("the switch is not shown")
		}
		cb.Post(rel+"/mode", map[string]string{"to_kind": "coaching", "why": "Back to her own answers"})
		sw, _ := store.ModeSwitches(env.Ctx(), org.ID, r.ID)
		if len(sw) != 2 || sw[0].FromKind != relationships.Coaching || sw[1].ToKind != relationships.Coaching || sw[0].Why == "" {
			t.Fatalf("switches = %+v", sw)
		}

		// The member pauses with private feedback, the coach resumes, the
		// member ends it; each change records who and why.
		if p := mb.Post(rel+"/status", map[string]string{"action": "resume"}); p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("resume an active relationship = %d", p.Status)
		}
		mb.Post(rel+"/status", map[string]string{"action": "pause", "why": "Busy month", "feedback": "Feels a bit pushy"})
		if p := cb.Get(rel); strings.Contains(p.Body, "pushy") || !strings.Contains(p.Body, "Busy month") {
			t.Fatal("the practitioner sees the private feedback, or not the reason")
		}
		if p := env.SignIn(coordinator.User).Get(rel); !strings.Contains(p.Body, "pushy") {
			t.Fatal("the coordinator does not see the feedback")
		}
		cb.Post(rel+"/status", map[string]string{"action": "resume", "why": "Back"})
		mb.Post(rel+"/status", map[string]string{"action": "end", "why": "Done for now"})
		got, _ := store.Get(env.Ctx(), org.ID, r.ID)
		changes, _ := store.StatusChanges(env.Ctx(), org.ID, r.ID)
		if got.Status != relationships.StatusEnded || got.EndedAt == nil || len(changes) != 3 || changes[0].ChangedBy != member.ID || changes[1].ChangedBy != coach.ID {
			t.Fatalf("status %s, changes %+v", got.Status, changes)
		}
		// Someone outside cannot change it.
		other := env.SignIn(env.NewPerson(org, tenancy.RoleMember).User)
		if p := other.Post(rel+"/status", map[string]string{"action": "end"}); p.Status != http.StatusForbidden {
			t.Fatalf("outsider = %d", p.Status)
		}

		// Rematch: coordinators are told once; the reason stays with them.
		mb.Post(rel+"/rematch", map[string]string{"reason": "We do not click"})
		mails := env.Emails(coordinator.Email)
		if len(mails) != 1 || !strings.Contains(mails[0].Subject, "different match") || strings.Contains(mails[0].TextBody, "click") {
			t.Fatalf("coordinator e-mails = %+v", mails)
		}
		if len(env.Emails(coach.Email)) != 0 {
			t.Fatal("the practitioner was told about the rematch")
		}
		if p := env.SignIn(coordinator.User).Get("/o/" + org.Slug + "/pipeline"); !strings.Contains(p.Body, "We do not click") {
			t.Fatal("the pipeline does not show the rematch reason")
		}
	})
}

func TestGoalsKeepTheirHistory(t *testing.T) {
	env := testkit.New(t)
	org := env.NewOrg()
	coach := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
	member := env.NewPerson(org, tenancy.RoleMember)
	r := env.NewRelationship(org, relationships.Mentoring, coach, member)
	mb := env.SignIn(member.User)
	rel := "/o/" + org.Slug + "/relationships/" + r.ID.String()
	if p := mb.Post(rel+"/goals", map[string]string{"description": ""}); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("empty goal = %d", p.Status)
	}
	mb.Post(rel+"/goals", map[string]string{"description": "Speak up in meetings", "target_date": "2027-06-30"})
	goals, _ := env.Services.Relationships.Goals(env.Ctx(), org.ID, r.ID)
	if len(goals) != 1 {
		t.Fatalf("%d goals", len(goals))
	}
	g := "/o/" + org.Slug + "/goals/" + goals[0].ID.String()
	if p := mb.Post(g+"/progress", map[string]string{"progress": "150"}); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("progress 150 = %d", p.Status)
	}
	if p := env.SignIn(coach.User).Post(g+"/progress", map[string]string{"progress": "50"}); p.Status != http.StatusForbidden {
		t.Fatalf("coach recording progress = %d", p.Status)
	}
	mb.Post(g+"/progress", map[string]string{"progress": "30", "comment": "Spoke once"})
	mb.Post(g+"/milestones", map[string]string{"title": "Ask one question per meeting"})
	mb.Post(g+"/progress", map[string]string{"progress": "60", "comment": "Twice"})
	goals, _ = env.Services.Relationships.Goals(env.Ctx(), org.ID, r.ID)
	ms := goals[0].Milestones
	if len(ms) != 1 {
		t.Fatal("no milestone")
	}
	mb.Post(g+"/milestones/"+ms[0].ID.String()+"/done", nil)
	goals, _ = env.Services.Relationships.Goals(env.Ctx(), org.ID, r.ID)
	if goals[0].Progress != 60 || goals[0].Milestones[0].DoneAt == nil || len(goals[0].Updates) != 5 {
		t.Fatalf("goal = %+v, %d updates", goals[0], len(goals[0].Updates))
	}
	if goals[0].Updates[len(goals[0].Updates)-1].Kind != "created" {
		t.Fatal("history lost its first entry")
	}
}
