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
		if p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/home" {
			t.Errorf("sign-in with next=%q: %d to %q, want 303 to /home", next, p.Status, p.Header.Get("Location"))
		}
		again := b.Get("/login?next=" + url.QueryEscape(next))
		if again.Header.Get("Location") != "/home" {
			t.Errorf("signed in, /login?next=%q goes to %q, want /home", next, again.Header.Get("Location"))
		}
	}
	b := env.Browser().NoRedirects()
	b.Get("/login")
	if p := b.Post("/login", map[string]string{"email": org.Owner.Email, "password": testkit.Password, "next": "/account?tab=1"}); p.Header.Get("Location") != "/account?tab=1" {
		t.Errorf("a local next goes to %q", p.Header.Get("Location"))
	}
}
