package app_test

import (
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/leadershiptoolbox/toolbox/app/calendar"
	"github.com/leadershiptoolbox/toolbox/app/ops"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// routesOf lists the matrix's routes of one access, sorted.
func routesOf(a access) []string {
	var keys []string
	for k, r := range routeMatrix {
		if r.access == a {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// sentToSignIn reports whether p is the redirect to the sign-in page that
// RequireUser answers an anonymous visitor with (signing out also leads to
// /login, but without a page to come back to).
func sentToSignIn(p *testkit.Page) bool {
	return p.Status == http.StatusSeeOther && strings.HasPrefix(p.Header.Get("Location"), "/login?next=")
}

// TestRoutesOutsideOrganisations tries every route the matrix marks
// public, machine or signedIn: anonymous visitors reach public and machine
// routes and are sent to sign in by signedIn ones, which then admit any
// signed-in person (one without an organisation of their own included).
// A signed-in route marked public in the matrix fails here, as does a
// public one mounted behind the sign-in.
func TestRoutesOutsideOrganisations(t *testing.T) {
	env := testkit.New(t)
	fx := newWallFixture(env)
	anonymous := env.Browser().NoRedirects()
	for _, a := range []access{public, machine, signedIn} {
		for _, key := range routesOf(a) {
			method, pattern, _ := strings.Cut(key, " ")
			rule := routeMatrix[key]
			path := fillPath(pattern, fx.A.Slug, rule.params0(env, fx))
			t.Run(key, func(t *testing.T) {
				p := request(anonymous, method, path)
				switch {
				case a == signedIn && !sentToSignIn(p):
					t.Errorf("anonymous %s = %d (Location %q), want a redirect to sign in", key, p.Status, p.Header.Get("Location"))
				case a != signedIn && (sentToSignIn(p) || p.Status == http.StatusForbidden || p.Status >= 500):
					t.Errorf("anonymous %s = %d (Location %q), want it admitted", key, p.Status, p.Header.Get("Location"))
				}
				if a != signedIn {
					return
				}
				// A fresh person each time: some of these routes sign the
				// person out everywhere or delete the account.
				for _, u := range []*testkit.Person{env.NewPerson(fx.A, tenancy.RoleMember), {User: env.NewUser()}} {
					p := request(env.SignIn(u.User).NoRedirects(), method, path)
					if sentToSignIn(p) || p.Status == http.StatusForbidden || p.Status == http.StatusNotFound || p.Status >= 500 {
						t.Errorf("signed-in %s = %d (Location %q), want it admitted", key, p.Status, p.Header.Get("Location"))
					}
				}
			})
		}
	}
}

// opsRequest sends method to path as b: a form post with its CSRF token
// and Origin, or a DELETE from the same origin as asynqmon sends it.
func opsRequest(env *testkit.Env, b *testkit.Browser, method, path string) *testkit.Page {
	env.T.Helper()
	if method != http.MethodDelete {
		return request(b, method, path)
	}
	req, _ := http.NewRequest(method, env.Server.URL+path, nil)
	req.Header.Set("Origin", env.Server.URL)
	for _, c := range b.Cookies() {
		req.AddCookie(c)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		env.T.Fatalf("%s %s: %v", method, path, err)
	}
	resp.Body.Close()
	return &testkit.Page{Status: resp.StatusCode, Header: resp.Header}
}

// TestOperatorRoutesRefuseEveryoneElse tries every operator route of the
// matrix: anonymous visitors are sent to sign in; every role of an
// organisation (its owner included), another organisation's admin and a
// person without any organisation get 404; an operator is admitted, and
// an operator whose sign-in is older than ops.RecentSignIn is signed out
// and sent to sign in again.
func TestOperatorRoutesRefuseEveryoneElse(t *testing.T) {
	env := testkit.New(t)
	fx := newWallFixture(env)
	anonymous := env.Browser().NoRedirects()
	others := map[string]*testkit.Browser{"other organisation's admin": env.SignIn(fx.BAdmin.User).NoRedirects(),
		"person without organisation": env.SignIn(env.NewUser()).NoRedirects()}
	for role, p := range fx.ByRole {
		others[string(role)] = env.SignIn(p.User).NoRedirects()
	}
	opB := env.SignIn(newOperator(env).User).NoRedirects()
	keys := routesOf(operator)
	if len(keys) < 10 {
		t.Fatalf("only %d operator routes in the matrix", len(keys))
	}
	for _, key := range keys {
		method, pattern, _ := strings.Cut(key, " ")
		rule := routeMatrix[key]
		t.Run(key, func(t *testing.T) {
			path := fillPath(pattern, fx.A.Slug, rule.params0(env, fx))
			if p := opsRequest(env, anonymous, method, path); !sentToSignIn(p) {
				t.Errorf("anonymous %s = %d (Location %q), want a redirect to sign in", key, p.Status, p.Header.Get("Location"))
			}
			for who, b := range others {
				if p := opsRequest(env, b, method, path); p.Status != http.StatusNotFound {
					t.Errorf("%s %s = %d, want 404", who, key, p.Status)
				}
			}
			p := opsRequest(env, opB, method, fillPath(pattern, fx.A.Slug, rule.params0(env, fx)))
			if sentToSignIn(p) || p.Status == http.StatusForbidden || p.Status == http.StatusNotFound || p.Status >= 500 {
				t.Errorf("operator %s = %d (Location %q), want it admitted", key, p.Status, p.Header.Get("Location"))
			}
		})
	}

	// A day later the same session is not enough.
	env.Clock.Advance(ops.RecentSignIn + time.Minute)
	p := opB.Get("/ops")
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Header.Get("Location"), "/login?next=%2Fops") {
		t.Fatalf("stale operator GET /ops = %d (Location %q), want sign in again", p.Status, p.Header.Get("Location"))
	}
	if p := opB.Get("/home"); !sentToSignIn(p) {
		t.Errorf("the stale operator session was not ended: /home = %d", p.Status)
	}
}

// roleColumns are the role columns of docs/roles.md's tables, in order.
var roleColumns = []tenancy.Role{tenancy.RoleOwner, tenancy.RoleAdmin, tenancy.RoleCoordinator, tenancy.RolePractitioner, tenancy.RoleMember}

// roleTable reads the markdown table of docs/roles.md under heading:
// each row's cells, the role columns (the last five) as yes or no.
func roleTable(t *testing.T, heading string) (rows [][]string, admits []map[tenancy.Role]bool) {
	t.Helper()
	raw, err := os.ReadFile("../docs/roles.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(raw), "\n## "+heading+"\n")
	if !ok {
		t.Fatalf("docs/roles.md has no section %q", heading)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	for _, line := range strings.Split(section, "\n") {
		if !strings.HasPrefix(line, "|") || strings.HasPrefix(line, "| ---") {
			continue
		}
		var cells []string
		for _, c := range strings.Split(strings.Trim(line, "|"), "|") {
			cells = append(cells, strings.Trim(strings.TrimSpace(c), "`"))
		}
		if len(cells) < len(roleColumns)+1 {
			t.Fatalf("docs/roles.md: row %q has too few cells", line)
		}
		if cells[len(cells)-1] == "member" {
			continue // the header
		}
		yes := map[tenancy.Role]bool{}
		for i, r := range roleColumns {
			switch cells[len(cells)-len(roleColumns)+i] {
			case "✓":
				yes[r] = true
			case "–":
			default:
				t.Fatalf("docs/roles.md: row %q: a role cell is neither ✓ nor –", line)
			}
		}
		rows, admits = append(rows, cells), append(admits, yes)
	}
	if len(rows) == 0 {
		t.Fatalf("docs/roles.md: no rows under %q", heading)
	}
	return rows, admits
}

// TestRoleTable asserts docs/roles.md: each page of its "Pages" table
// admits exactly the roles ticked (a person of every role of the wall
// fixture asks for it; sessions and relationships are ones they take no
// part in), the route matrix admits them too, and each role's menu shows
// exactly the entries ticked in its "Menu" table. Members are prompted
// to take the needs assessment; practitioners are not.
func TestRoleTable(t *testing.T) {
	env := testkit.New(t)
	fx := newWallFixture(env)
	coach, member := env.NewPerson(fx.A, tenancy.RolePractitioner, tenancy.KindCoach), env.NewPerson(fx.A, tenancy.RoleMember)
	rel := env.NewRelationship(fx.A, relationships.Coaching, coach, member)
	ss, err := env.Services.Calendar.Book(env.Ctx(), fx.A.ID, calendar.BookInput{RelationshipID: rel.ID, ActorID: coach.ID,
		Start: testkit.Epoch.Add(5*24*time.Hour + 10*time.Hour), Direct: true})
	if err != nil {
		t.Fatal(err)
	}
	params := map[string]string{"userID": member.ID.String(), "id": rel.ID.String()}
	browsers := map[tenancy.Role]*testkit.Browser{}
	for _, r := range roleColumns {
		browsers[r] = env.SignIn(fx.ByRole[r].User).NoRedirects()
	}
	rows, admits := roleTable(t, "Pages")
	for i, row := range rows {
		key := row[1]
		rule, ok := routeMatrix[key]
		if !ok {
			t.Errorf("docs/roles.md lists %q, which is not a route", key)
			continue
		}
		p := params
		if strings.Contains(key, "/calendar/sessions/") {
			p = map[string]string{"id": ss[0].ID.String()}
		}
		_, pattern, _ := strings.Cut(key, " ")
		path := fillPath(pattern, fx.A.Slug, p)
		for _, r := range roleColumns {
			page := browsers[r].Get(path)
			admitted := page.Status == http.StatusOK
			refused := page.Status == http.StatusForbidden || page.Status == http.StatusNotFound
			switch {
			case admits[i][r] && !admitted:
				t.Errorf("%s (%s) as %s = %d, docs/roles.md says admitted", row[0], path, r, page.Status)
			case !admits[i][r] && !refused:
				t.Errorf("%s (%s) as %s = %d, docs/roles.md says refused", row[0], path, r, page.Status)
			}
			if admits[i][r] && !slices.Contains(rule.roles, r) {
				t.Errorf("routeMatrix does not admit %s to %s, which docs/roles.md ticks", r, key)
			}
		}
	}
	rows, admits = roleTable(t, "Menu")
	for _, r := range roleColumns {
		var got, want []string
		browsers[r].Get("/o/" + fx.A.Slug).Doc().Find(`nav[aria-label="Organisation"] a`).Each(func(_ int, s *goquery.Selection) {
			got = append(got, strings.TrimSpace(s.Text()))
		})
		for i, row := range rows {
			if admits[i][r] {
				want = append(want, row[0])
			}
		}
		sort.Strings(got)
		sort.Strings(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s's menu = %q, docs/roles.md says %q", r, got, want)
		}
	}
	// Fresh people: the pages above started an assessment for each role.
	prompt := `a.btn[href="/o/` + fx.A.Slug + `/assessment"]`
	for role, want := range map[tenancy.Role]int{tenancy.RolePractitioner: 0, tenancy.RoleMember: 1} {
		p := env.SignIn(env.NewPerson(fx.A, role, tenancy.KindCoach).User).Get("/o/" + fx.A.Slug + "/my")
		if n := p.Doc().Find(prompt).Length(); n != want {
			t.Errorf("%s's My support has %d buttons to take the needs assessment, want %d", role, n, want)
		}
	}
}
