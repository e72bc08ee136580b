package app_test

import (
	"context"

	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/assessment"
	"github.com/leadershiptoolbox/toolbox/app/matching"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// Roles of the wall fixture that take part in its relationships: the
// practitioner and the member (other roles look on, or are turned away).
var (
	bothSides        = []tenancy.Role{tenancy.RolePractitioner, tenancy.RoleMember}
	practitionerSide = []tenancy.Role{tenancy.RolePractitioner}
	memberSide       = []tenancy.Role{tenancy.RoleMember}
	// groupSessionChangers cancel and move the route matrix's group
	// session: its practitioner side and the admins (its plain member may
	// only give up a seat; docs/group-permissions.md).
	groupSessionChangers = []tenancy.Role{tenancy.RoleOwner, tenancy.RoleAdmin, tenancy.RoleCoordinator, tenancy.RolePractitioner}
)

// must stops the test on err and returns v.
func must[T any](env *testkit.Env) func(T, error) T {
	return func(v T, err error) T {
		env.T.Helper()
		if err != nil {
			env.T.Fatal(err)
		}
		return v
	}
}

func submittedAssessment(env *testkit.Env, fx *wallFixture) map[string]string {
	ctx, store, member := context.Background(), env.Services.Assessment, env.NewPerson(fx.A, tenancy.RoleMember)
	for q, a := range map[string]string{"situation": "growth", "stance": "questions", "outcome": "choices", "format": "one", "duration": "ongoing"} {
		must[*assessment.Assessment](env)(store.SaveAnswer(ctx, fx.A.ID, member.ID, env.Clock.Now(), q, []string{a}))
	}
	a := must[*assessment.Assessment](env)(store.Submit(ctx, fx.A.ID, member.ID, env.Clock.Now()))
	return map[string]string{"id": a.ID.String()}
}

func fixtureRelationship(env *testkit.Env, fx *wallFixture) map[string]string {
	r := env.NewRelationship(fx.A, relationships.Coaching, fx.ByRole[tenancy.RolePractitioner], fx.ByRole[tenancy.RoleMember])
	return map[string]string{"id": r.ID.String()}
}

func newGoal(env *testkit.Env, fx *wallFixture) *relationships.Goal {
	r := env.NewRelationship(fx.A, relationships.Coaching, fx.ByRole[tenancy.RolePractitioner], fx.ByRole[tenancy.RoleMember])
	g := &relationships.Goal{RelationshipID: r.ID, OwnerID: fx.ByRole[tenancy.RoleMember].ID, Description: "Lead the team meeting"}
	if err := env.Services.Relationships.CreateGoal(context.Background(), fx.A.ID, env.Clock.Now(), g); err != nil {
		env.T.Fatal(err)
	}
	return g
}

func fixtureGoal(env *testkit.Env, fx *wallFixture) map[string]string {
	return map[string]string{"id": newGoal(env, fx).ID.String()}
}

// fixtureNote is a shared note by the fixture's member, which its
// practitioner reads but may not change.
func fixtureNote(env *testkit.Env, fx *wallFixture) map[string]string {
	r := env.NewRelationship(fx.A, relationships.Coaching, fx.ByRole[tenancy.RolePractitioner], fx.ByRole[tenancy.RoleMember])
	n := &relationships.Note{AuthorID: fx.ByRole[tenancy.RoleMember].ID, RelationshipID: r.ID, Visibility: relationships.Shared}
	if err := env.Services.Relationships.AddNote(context.Background(), env.Services.NoteKeys, fx.A.ID, env.Clock.Now(), n, "Shared thoughts"); err != nil {
		env.T.Fatal(err)
	}
	return map[string]string{"id": n.ID.String()}
}

func fixtureMilestone(env *testkit.Env, fx *wallFixture) map[string]string {
	g := newGoal(env, fx)
	m := must[*relationships.Milestone](env)(env.Services.Relationships.AddMilestone(context.Background(), fx.A.ID, g.ID, g.OwnerID, env.Clock.Now(), "First meeting", ""))
	return map[string]string{"id": g.ID.String(), "milestone": m.ID.String()}
}

func newRequest(env *testkit.Env, fx *wallFixture, member uuid.UUID) *assessment.Request {
	return must[*assessment.Request](env)(env.Services.Assessment.RecordFaceToFace(context.Background(), fx.A.ID, member, fx.A.Owner.ID, env.Clock.Now(),
		assessment.Decision{Kind: "coaching", Format: "one_to_one", Duration: "ongoing", Reason: "Agreed in person"}))
}

func fixtureRequest(env *testkit.Env, fx *wallFixture) map[string]string {
	return map[string]string{"id": newRequest(env, fx, env.NewPerson(fx.A, tenancy.RoleMember).ID).ID.String()}
}

// practitionerProfile gives the fixture's practitioner a coaching profile
// with room for everyone the route tests propose.
func practitionerProfile(env *testkit.Env, fx *wallFixture) {
	p := relationships.NewProfile(fx.A.ID, fx.ByRole[tenancy.RolePractitioner].ID, []string{"coach", "mentor"})
	p.Capacity = 100000 // the calendar's fixtures give this practitioner many relationships too
	if err := env.Services.Relationships.SaveProfile(context.Background(), fx.A.ID, env.Clock.Now(), p); err != nil {
		env.T.Fatal(err)
	}
}

func selfSelectionRequest(env *testkit.Env, fx *wallFixture) map[string]string {
	settings := fx.A.Settings
	settings.SelfSelection = true
	if _, err := env.OwnerDB.NewUpdate().Model((*tenancy.Organisation)(nil)).Set("settings = ?", settings).Where("id = ?", fx.A.ID).Exec(context.Background()); err != nil {
		env.T.Fatal(err)
	}
	practitionerProfile(env, fx)
	return map[string]string{"id": newRequest(env, fx, fx.ByRole[tenancy.RoleMember].ID).ID.String()}
}

func fixtureProposal(env *testkit.Env, fx *wallFixture) map[string]string {
	practitionerProfile(env, fx)
	r := newRequest(env, fx, env.NewPerson(fx.A, tenancy.RoleMember).ID)
	p := must[*matching.Proposal](env)(env.Services.Matching.Propose(context.Background(), fx.A.ID, r.ID, fx.ByRole[tenancy.RolePractitioner].ID, fx.A.Owner.ID))
	return map[string]string{"id": p.ID.String()}
}

// newGroup is a fresh group of organisation A: the fixture's practitioner
// with the fixture's member and one more.
func newGroup(env *testkit.Env, fx *wallFixture) (*relationships.Relationship, *testkit.Person) {
	other := env.NewPerson(fx.A, tenancy.RoleMember)
	return env.NewRelationship(fx.A, relationships.Coaching, fx.ByRole[tenancy.RolePractitioner], fx.ByRole[tenancy.RoleMember], other), other
}

func fixtureGroup(env *testkit.Env, fx *wallFixture) map[string]string {
	r, _ := newGroup(env, fx)
	return map[string]string{"id": r.ID.String()}
}

// fixtureGroupMember is a fresh group and one of its members (not the
// fixture's own member).
func fixtureGroupMember(env *testkit.Env, fx *wallFixture) map[string]string {
	r, other := newGroup(env, fx)
	return map[string]string{"id": r.ID.String(), "userID": other.ID.String()}
}

// fixtureRematch is a fresh open rematch request of the fixture's member
// about a fresh relationship.
func fixtureRematch(env *testkit.Env, fx *wallFixture) map[string]string {
	r := env.NewRelationship(fx.A, relationships.Coaching, fx.ByRole[tenancy.RolePractitioner], fx.ByRole[tenancy.RoleMember])
	rm := must[*matching.Rematch](env)(env.Services.Matching.RequestRematch(context.Background(), fx.A.ID, fx.ByRole[tenancy.RoleMember].ID, &r.ID, "Private reason"))
	return map[string]string{"id": rm.ID.String()}
}
