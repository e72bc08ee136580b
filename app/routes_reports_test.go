package app_test

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/calendar"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/reports"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
	"github.com/leadershiptoolbox/toolbox/workers"
)

// fixtureReportRun is a programme report of organisation A asked for
// and not compiled yet.
func fixtureReportRun(env *testkit.Env, fx *wallFixture) map[string]string {
	run, err := env.Services.Reports.Request(env.Ctx(), fx.A.ID, fx.A.Owner.ID, reports.Params{From: "2027-01-01", To: "2027-02-28"})
	if err != nil {
		env.T.Fatalf("report fixture: %v", err)
	}
	return map[string]string{"id": run.ID.String()}
}

// fixtureSnapshot is a compiled programme report of organisation A.
func fixtureSnapshot(env *testkit.Env, fx *wallFixture) map[string]string {
	p := fixtureReportRun(env, fx)
	id := uuid.MustParse(p["id"])
	if err := env.Services.Reports.HandleCompile(env.Ctx(), workers.CompileReportPayload{OrgID: fx.A.ID, RunID: id}); err != nil {
		env.T.Fatalf("report fixture: compile: %v", err)
	}
	return map[string]string{"id": id.String(), "table": "funnel"}
}

func fixtureRelationshipTable(env *testkit.Env, fx *wallFixture) map[string]string {
	p := fixtureRelationship(env, fx)
	p["table"] = "summary"
	return p
}

// fixtureFeedback is the member's unanswered request for feedback on a
// completed session of a fresh relationship.
func fixtureFeedback(env *testkit.Env, fx *wallFixture) map[string]string {
	coach, member := fx.ByRole[tenancy.RolePractitioner], fx.ByRole[tenancy.RoleMember]
	rel := env.NewRelationship(fx.A, relationships.Coaching, coach, member)
	start := env.Clock.Now().Add(-2 * time.Hour)
	s := &calendar.Session{ID: uuid.Must(uuid.NewV7()), OrgID: fx.A.ID, RelationshipID: rel.ID, PractitionerID: coach.ID, Kind: "coaching",
		StartsAt: start, EndsAt: start.Add(time.Hour), BusyFrom: start, BusyTo: start.Add(time.Hour), TimeZone: "UTC",
		Status: calendar.StatusCompleted, Version: 2, Capacity: 1, CreatedAt: start, UpdatedAt: start}
	err := env.DB.InTenant(env.Ctx(), fx.A.ID, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(s).Exec(ctx); err != nil {
			return err
		}
		return env.Services.Feedback.AskAfterSession(ctx, tx, fx.A.ID, s.ID, rel.ID, []uuid.UUID{member.ID})
	})
	if err != nil {
		env.T.Fatalf("feedback fixture: %v", err)
	}
	var id uuid.UUID
	if err := env.OwnerDB.NewSelect().Table("feedback").Column("id").Where("session_id = ?", s.ID).Scan(env.Ctx(), &id); err != nil {
		env.T.Fatalf("feedback fixture: %v", err)
	}
	return map[string]string{"id": id.String()}
}
