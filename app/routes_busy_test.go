package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/leadershiptoolbox/toolbox/app/busy"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// ownCalendar is a calendar the wall fixture's practitioner connected:
// its refresh and disconnection admit that practitioner alone.
// Each call replaces the ones before (a practitioner has at most
// busy.MaxCalendars).
func ownCalendar(env *testkit.Env, fx *wallFixture) map[string]string {
	coach := fx.ByRole[tenancy.RolePractitioner].ID
	have, err := env.Services.Busy.Calendars(env.Ctx(), fx.A.ID, coach)
	if err != nil {
		env.T.Fatal(err)
	}
	for _, c := range have {
		if err := env.Services.Busy.Disconnect(env.Ctx(), fx.A.ID, coach, c.ID); err != nil {
			env.T.Fatal(err)
		}
	}
	c, err := env.Services.Busy.Connect(env.Ctx(), fx.A.ID, coach, busy.ConnectInput{
		Kind: busy.KindICS, Credentials: busy.Credentials{URL: "https://calendar.example.test/private-secret/basic.ics"}})
	if err != nil {
		env.T.Fatal(err)
	}
	return map[string]string{"id": c.ID.String()}
}

// TestOwnCalendarsAreTheirPractitionersAlone: a colleague, even an
// admin, neither sees another practitioner's calendars on their own page
// nor refreshes or disconnects them (403); the secret address is never
// shown, not even to its practitioner.
func TestOwnCalendarsAreTheirPractitionersAlone(t *testing.T) {
	env := testkit.New(t)
	fx := newWallFixture(env)
	id := ownCalendar(env, fx)["id"]
	coach := env.SignIn(fx.ByRole[tenancy.RolePractitioner].User)
	page := coach.Get("/o/" + fx.A.Slug + "/calendar/connected")
	if page.Status != http.StatusOK || !strings.Contains(page.Body, "calendar.example.test") {
		t.Fatalf("the practitioner's page = %d, want their calendar listed", page.Status)
	}
	if strings.Contains(page.Body, "private-secret") {
		t.Error("the page shows the secret address")
	}
	if !strings.Contains(page.Body, "never store titles") {
		t.Error("the page does not say that only busy times are kept")
	}
	admin := env.SignIn(fx.ByRole[tenancy.RoleAdmin].User).NoRedirects()
	if p := admin.Get("/o/" + fx.A.Slug + "/calendar/connected"); strings.Contains(p.Body, "calendar.example.test") {
		t.Error("an admin's own page lists the practitioner's calendar")
	}
	for _, action := range []string{"refresh", "delete"} {
		if p := admin.Post("/o/"+fx.A.Slug+"/calendar/connected/"+id+"/"+action, nil); p.Status != http.StatusForbidden {
			t.Errorf("an admin's %s of a practitioner's calendar = %d, want 403", action, p.Status)
		}
	}
	if n := env.Count("external_calendars", "id = ?", id); n != 1 {
		t.Errorf("the calendar is gone after a colleague's attempts (%d rows)", n)
	}
	// A bad address is answered with the form again, and nothing stored.
	bad := coach.Post("/o/"+fx.A.Slug+"/calendar/connected", map[string]string{"kind": "ics", "url": "ftp://example.test/x.ics"})
	if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.Body, "https://") {
		t.Errorf("a bad address = %d, want 422 with the form", bad.Status)
	}
	if n := env.Count("external_calendars", "org_id = ?", fx.A.ID); n != 1 {
		t.Errorf("%d calendars after a refused form, want 1", n)
	}
}
