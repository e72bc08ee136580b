package app_test

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/calendar"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/supervision"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// supervisionGroup is a fresh supervision group of organisation A: the
// wall fixture's practitioner supervises, its member and one more make
// the cohort, with four weekly group sessions.
func supervisionGroup(env *testkit.Env, fx *wallFixture) (*relationships.Relationship, []calendar.Session) {
	env.T.Helper()
	other := env.NewPerson(fx.A, tenancy.RoleMember)
	r := env.NewRelationship(fx.A, relationships.Supervision, fx.ByRole[tenancy.RolePractitioner], fx.ByRole[tenancy.RoleMember], other)
	// The practitioner leads many fixtures' sessions: each group's series
	// (four weeks) starts after the one before it ends, far from the
	// others' sessions.
	n := env.Count("calendar_sessions", "practitioner_id = ?", fx.ByRole[tenancy.RolePractitioner].ID)
	start := env.Clock.Now().Add(400 * 24 * time.Hour).Truncate(time.Hour).Add(time.Duration(n) * 7 * 24 * time.Hour)
	ss, err := env.Services.Calendar.Book(context.Background(), fx.A.ID, calendar.BookInput{
		RelationshipID: r.ID, ActorID: fx.ByRole[tenancy.RolePractitioner].ID, Start: start, Direct: true,
		IntervalDays: 7, Count: 4, Capacity: 3,
	})
	mustOK(env.T, err)
	return r, ss
}

func fixtureSupervisionGroup(env *testkit.Env, fx *wallFixture) map[string]string {
	r, _ := supervisionGroup(env, fx)
	return map[string]string{"id": r.ID.String()}
}

// fixtureSupervisionCase is a case the wall fixture's member brought to a
// fresh supervision group.
func fixtureSupervisionCase(env *testkit.Env, fx *wallFixture) map[string]string {
	r, _ := supervisionGroup(env, fx)
	c, chk, err := env.Services.Supervision.BringCase(context.Background(), fx.A.ID, r.ID, fx.ByRole[tenancy.RoleMember].ID,
		supervision.Draft{Title: "A quiet team lead", Context: "A team lead who avoids conflict.", Question: "What am I missing?"})
	mustOK(env.T, err)
	if chk != nil {
		env.T.Fatalf("the fixture's case was refused for identifiers: %+v", chk.Found)
	}
	return map[string]string{"id": c.ID.String()}
}

// provisionalMentor is a fresh member whom qualifying training made a
// provisional mentor.
func provisionalMentor(env *testkit.Env, fx *wallFixture) map[string]string {
	trainee := env.NewPerson(fx.A, tenancy.RoleMember)
	mustOK(env.T, env.DB.InTenant(context.Background(), fx.A.ID, func(ctx context.Context, tx bun.Tx) error {
		return env.Services.Relationships.MarkTrainedMentor(ctx, tx, fx.A.ID, trainee.ID, env.Clock.Now())
	}))
	return map[string]string{"userID": trainee.ID.String()}
}
