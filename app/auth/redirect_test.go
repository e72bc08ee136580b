package auth_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// TestSignInNeverRedirectsOffSite signs in with next= targets that browsers
// normalise into another origin (the tab of "/%09/evil.example" is dropped,
// leaving "//evil.example").
func TestSignInNeverRedirectsOffSite(t *testing.T) {
	env := testkit.New(t)
	clearFailures(env)
	org := env.NewOrg()
	for _, next := range []string{"/\t/evil.example", "/%09/evil.example", "/\n/evil.example", "/\\evil.example", "/%5C%5Cevil.example"} {
		b := env.Browser().NoRedirects()
		b.Get("/login?next=" + url.QueryEscape(next))
		p := b.Post("/login", map[string]string{"email": org.Owner.Email, "password": testkit.Password, "next": next})
		// Control characters are refused outright (422, 400); the rest
		// lands on /home.
		if loc := p.Header.Get("Location"); (p.Status != http.StatusSeeOther || loc != "/home") && (p.Status < 400 || loc != "") {
			t.Errorf("sign-in with next=%q: %d to %q, want 303 to /home or a refusal", next, p.Status, loc)
		}
		again := b.Get("/login?next=" + url.QueryEscape(next))
		if loc := again.Header.Get("Location"); loc != "/home" && (again.Status < 400 || loc != "") {
			t.Errorf("signed in, /login?next=%q: %d to %q, want /home or a refusal", next, again.Status, loc)
		}
	}
	b := env.Browser().NoRedirects()
	b.Get("/login")
	if p := b.Post("/login", map[string]string{"email": org.Owner.Email, "password": testkit.Password, "next": "/account?tab=1"}); p.Header.Get("Location") != "/account?tab=1" {
		t.Errorf("a local next goes to %q", p.Header.Get("Location"))
	}
}
