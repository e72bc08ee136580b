package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/hours"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// hoursEntry is a fresh manual entry of the matrix's practitioner.
func hoursEntry(env *testkit.Env, fx *wallFixture) map[string]string {
	now := env.Clock.Now()
	e := &hours.Entry{ID: uuid.Must(uuid.NewV7()), OrgID: fx.A.ID, UserID: fx.ByRole[tenancy.RolePractitioner].ID, Log: hours.LogCoaching,
		Client: "Outside client", Format: hours.Individual, GroupSize: 1, Paid: true, FirstOn: now, LastOn: now, Minutes: 60, CreatedAt: now}
	if err := env.Services.Hours.Store.AddEntry(env.Ctx(), e); err != nil {
		env.T.Fatal(err)
	}
	return map[string]string{"id": e.ID.String()}
}

// hoursClient is a fresh relationship of the matrix's practitioner and
// member (the practitioner's client).
func hoursClient(env *testkit.Env, fx *wallFixture) map[string]string {
	r := env.NewRelationship(fx.A, relationships.Coaching, fx.ByRole[tenancy.RolePractitioner], fx.ByRole[tenancy.RoleMember])
	return map[string]string{"rel": r.ID.String()}
}

// hoursRecord is a fresh supervision record of the coordinator, naming
// the matrix's practitioner as supervisor.
func hoursRecord(env *testkit.Env, fx *wallFixture) map[string]string {
	now := env.Clock.Now()
	sup := fx.ByRole[tenancy.RolePractitioner].ID
	r := &hours.Record{ID: uuid.Must(uuid.NewV7()), OrgID: fx.A.ID, SuperviseeID: fx.ByRole[tenancy.RoleCoordinator].ID, SupervisorID: &sup,
		SupervisorName: "P", Format: hours.Individual, Minutes: 60, HeldAt: now, Themes: "Endings", CreatedAt: now}
	if err := env.Services.Hours.Store.AddRecord(env.Ctx(), r); err != nil {
		env.T.Fatal(err)
	}
	return map[string]string{"id": r.ID.String()}
}

// TestHoursLogsAreTheirOwnersAlone: an admin opening the hours pages sees
// their own (empty) logs, never a practitioner's entries or supervision;
// the programme report has no word of them either.
func TestHoursLogsAreTheirOwnersAlone(t *testing.T) {
	env := testkit.New(t)
	fx := newWallFixture(env)
	hoursEntry(env, fx)
	hoursRecord(env, fx)
	coach := env.SignIn(fx.ByRole[tenancy.RolePractitioner].User)
	if p := coach.Get("/o/" + fx.A.Slug + "/hours"); p.Status != http.StatusOK || !strings.Contains(p.Body, "Outside client") {
		t.Fatalf("the practitioner does not see their own entry: %d", p.Status)
	}
	if p := coach.Get("/o/" + fx.A.Slug + "/hours/signoff"); !strings.Contains(p.Body, "Endings") {
		t.Fatalf("the named supervisor does not see the record to sign off")
	}
	for _, role := range []tenancy.Role{tenancy.RoleOwner, tenancy.RoleAdmin} {
		b := env.SignIn(fx.ByRole[role].User)
		for _, path := range []string{"/hours", "/hours/print", "/hours/coaching.csv", "/hours/supervision", "/hours/supervision.csv", "/hours/signoff", "/reports/programme"} {
			p := b.Get("/o/" + fx.A.Slug + path)
			if p.Status != http.StatusOK {
				t.Errorf("%s %s = %d", role, path, p.Status)
			}
			if strings.Contains(p.Body, "Outside client") || strings.Contains(p.Body, "Endings") {
				t.Errorf("%s read a practitioner's log at %s", role, path)
			}
		}
	}
}
