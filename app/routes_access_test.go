package app_test

import (
	"net/http"
	"sort"
	"strings"
	"testing"

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
