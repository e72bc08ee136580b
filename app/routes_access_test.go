package app_test

import (
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/leadershiptoolbox/toolbox/app/ops"
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
