package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/leadershiptoolbox/toolbox/app/assessment"
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
