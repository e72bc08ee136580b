package identity_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	"github.com/oauth2-proxy/mockoidc"

	"github.com/leadershiptoolbox/toolbox/app/identity"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// provider starts an OpenID provider in this process (mockoidc: discovery,
// JWKS, authorisation and token endpoints, RS256-signed ID tokens, PKCE).
func provider(t *testing.T) *mockoidc.MockOIDC {
	t.Helper()
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatalf("start the OpenID provider: %v", err)
	}
	t.Cleanup(func() { _ = m.Shutdown() })
	return m
}

// newDomain is an e-mail domain of this test alone (a domain belongs to
// one organisation only, and the package's tests share a database).
func newDomain() string { return "acme-" + uuid.NewString()[:8] + ".test" }

// configure has the organisation's owner save the provider on the
// settings page, for the domain dom.
func configure(t *testing.T, env *testkit.Env, org *testkit.Org, m *mockoidc.MockOIDC, dom string, passwords bool) {
	t.Helper()
	b := env.SignIn(org.Owner.User)
	b.Get("/o/" + org.Slug + "/settings/sign-in")
	fields := map[string]string{
		"issuer": m.Issuer(), "client_id": m.ClientID, "client_secret": m.ClientSecret,
		"domains": dom + "\r\nsecond-" + dom, "default_role": "member", "enabled": "on",
	}
	if passwords {
		fields["password_sign_in"] = "on"
	}
	p := b.Post("/o/"+org.Slug+"/settings/sign-in", fields)
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "is saved") {
		t.Fatalf("configure the provider: status %d at %s: %s", p.Status, p.URL, p.Text(".field-error"))
	}
}

// signInAt walks the whole flow as a browser: the sign-in page's
// "Continue with your organisation", the provider's authorisation
// endpoint (a real HTTP request to it) and back to the callback. tamper
// may change the callback's query. It returns the callback's answer.
func signInAt(t *testing.T, env *testkit.Env, b *testkit.Browser, email string, tamper func(url.Values)) *testkit.Page {
	t.Helper()
	b.Get("/login")
	start := b.Post("/login/sso", map[string]string{"email": email})
	if start.Status != http.StatusSeeOther && start.Status != http.StatusFound {
		t.Fatalf("start the sign-in for %s: status %d: %s", email, start.Status, start.Text("[role=alert], .field-error"))
	}
	authorize := start.Header.Get("Location")
	au, _ := url.Parse(authorize)
	q := au.Query()
	for _, k := range []string{"state", "nonce", "code_challenge"} {
		if q.Get(k) == "" {
			t.Fatalf("the authorisation request has no %s: %s", k, authorize)
		}
	}
	if q.Get("code_challenge_method") != "S256" || q.Get("login_hint") != email {
		t.Fatalf("the authorisation request should use PKCE S256 and hint %s: %s", email, authorize)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(authorize)
	if err != nil {
		t.Fatalf("the provider's authorisation endpoint: %v", err)
	}
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound {
		t.Fatalf("the provider should send the browser back: status %d, %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if back.Path != identity.CallbackPath {
		t.Fatalf("the provider sent the browser to %s, want the callback", back)
	}
	bq := back.Query()
	if tamper != nil {
		tamper(bq)
	}
	return b.Get(identity.CallbackPath + "?" + bq.Encode())
}

// claimsUser is a provider user whose ID token is changed before signing.
type claimsUser struct {
	*mockoidc.MockUser
	change func(*mockoidc.IDTokenClaims)
}

func (u claimsUser) Claims(scope []string, c *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	u.change(c)
	return u.MockUser.Claims(scope, c)
}

func setEmail(t *testing.T, env *testkit.Env, id uuid.UUID, email string) {
	t.Helper()
	if _, err := env.OwnerDB.NewRaw("UPDATE users SET email = ? WHERE id = ?", email, id).Exec(env.Ctx()); err != nil {
		t.Fatal(err)
	}
}

func colleague(sub, email string) *mockoidc.MockUser {
	return &mockoidc.MockUser{Subject: sub, Email: email, EmailVerified: true, PreferredUsername: "Nova Colleague"}
}

// A new colleague signs in with the organisation's provider: the account
// and the membership are made just in time, with the configured role, and
// the second sign-in finds the same account through the link.
func TestNewColleagueJoinsThroughTheProvider(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		m := provider(t)
		dom := newDomain()
		org := env.NewOrg()
		configure(t, env, org, m, dom, true)

		var secret []byte
		if err := env.OwnerDB.NewRaw("SELECT secret_ciphertext FROM identity_providers WHERE org_id = ?", org.ID).Scan(env.Ctx(), &secret); err != nil {
			t.Fatal(err)
		}
		if len(secret) == 0 || bytes.Contains(secret, []byte(m.ClientSecret)) {
			t.Fatalf("the client secret must be stored encrypted")
		}

		// The sign-in page offers the organisation's sign-in for its domain only.
		b := env.Browser().NoRedirects()
		if p := b.HTMXGet("/login/sso/lookup?email=nova%40"+dom, "sso"); !strings.Contains(p.Body, "Continue with your organisation") || !strings.Contains(p.Body, org.Name) {
			t.Fatalf("the lookup should offer the organisation's sign-in: %s", p.Body)
		}
		if p := b.HTMXGet("/login/sso/lookup?email=nova%40elsewhere.test", "sso"); strings.Contains(p.Body, "Continue with") {
			t.Fatalf("no offer for a domain nobody configured: %s", p.Body)
		}

		m.QueueUser(colleague("sub-nova", "Nova@"+dom))
		p := signInAt(t, env, b, "nova@"+dom, nil)
		if p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/o/"+org.Slug {
			t.Fatalf("the callback should sign in and go to the organisation: status %d to %q: %s", p.Status, p.Header.Get("Location"), p.Text("[role=alert]"))
		}
		home := b.Get("/o/" + org.Slug)
		if home.Status != http.StatusOK || !strings.Contains(home.Body, "Nova Colleague") {
			t.Fatalf("the new colleague should land in the organisation: status %d", home.Status)
		}
		if n := env.Count("memberships m JOIN users u ON u.id = m.user_id", "m.org_id = ? AND u.email = ? AND m.role = 'member' AND m.status = 'active'", org.ID, "nova@"+dom); n != 1 {
			t.Fatalf("want one active member membership for the new colleague, got %d", n)
		}
		if n := env.Count("audit_events", "org_id = ? AND action = ?", org.ID, identity.ActionJoined); n != 1 {
			t.Fatalf("the just-in-time membership should be audited once, got %d", n)
		}

		// Signed out, the same subject signs in again to the same account.
		b.Post("/logout", nil)
		m.QueueUser(colleague("sub-nova", "nova@"+dom))
		if p := signInAt(t, env, b, "nova@"+dom, nil); p.Status != http.StatusSeeOther {
			t.Fatalf("second sign-in: status %d: %s", p.Status, p.Text("[role=alert]"))
		}
		if n := env.Count("users", "email = ?", "nova@"+dom); n != 1 {
			t.Fatalf("the second sign-in must not make another account, got %d", n)
		}
		if n := env.Count("audit_events", "org_id = ? AND action = ?", org.ID, identity.ActionSignedIn); n != 1 {
			t.Fatalf("the second sign-in should be audited, got %d", n)
		}
	})
}

// Every token or answer that is not this sign-in's is refused with a
// page that says why (never a 500), and audited; nobody is signed in.
func TestTheProvidersAnswerIsChecked(t *testing.T) {
	env := testkit.New(t)
	m := provider(t)
	dom := newDomain()
	org := env.NewOrg()
	configure(t, env, org, m, dom, true)

	cases := []struct {
		name   string
		user   mockoidc.User
		tamper func(url.Values)
		status int
		says   string
	}{
		{"wrong nonce", claimsUser{colleague("s1", "a@"+dom), func(c *mockoidc.IDTokenClaims) { c.Nonce = "not-this-sign-ins-nonce" }}, nil,
			http.StatusBadRequest, "not made for this sign-in"},
		{"expired token", claimsUser{colleague("s2", "b@"+dom), func(c *mockoidc.IDTokenClaims) {
			c.IssuedAt = jwt.NewNumericDate(time.Now().Add(-2 * time.Hour))
			c.ExpiresAt = jwt.NewNumericDate(time.Now().Add(-time.Hour))
		}}, nil, http.StatusBadRequest, "could not be trusted"},
		{"token for another client", claimsUser{colleague("s3", "c@"+dom), func(c *mockoidc.IDTokenClaims) { c.Audience = jwt.ClaimStrings{"another-client"} }}, nil,
			http.StatusBadRequest, "could not be trusted"},
		{"token from another issuer", claimsUser{colleague("s4", "d@"+dom), func(c *mockoidc.IDTokenClaims) { c.Issuer = "https://impostor.example" }}, nil,
			http.StatusBadRequest, "could not be trusted"},
		{"wrong state", colleague("s5", "e@"+dom), func(q url.Values) { q.Set("state", "forged") }, http.StatusBadRequest, "does not belong to the sign-in"},
		{"address not verified", &mockoidc.MockUser{Subject: "s6", Email: "f@" + dom, EmailVerified: false}, nil, http.StatusForbidden, "has not verified your e-mail"},
		{"address outside the domains", colleague("s7", "g@elsewhere.test"), nil, http.StatusForbidden, "outside the domains"},
		{"the provider says no", colleague("s8", "h@"+dom), func(q url.Values) { q.Del("code"); q.Set("error", "access_denied") }, http.StatusBadRequest, "did not sign you in"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := env.Count("audit_events", "org_id = ? AND action = ?", org.ID, identity.ActionRefused)
			m.QueueUser(tc.user)
			b := env.Browser().NoRedirects()
			p := signInAt(t, env, b, "someone@"+dom, tc.tamper)
			if p.Status != tc.status || !strings.Contains(p.Body, tc.says) {
				t.Fatalf("want %d saying %q, got %d: %s", tc.status, tc.says, p.Status, p.Text("[role=alert]"))
			}
			if home := b.Get("/home"); home.Status != http.StatusSeeOther {
				t.Fatalf("nobody may be signed in after a refusal: /home answered %d", home.Status)
			}
			if n := env.Count("audit_events", "org_id = ? AND action = ?", org.ID, identity.ActionRefused); n != before+1 {
				t.Fatalf("the refusal should be audited: %d refusals, was %d", n, before)
			}
		})
	}
	if n := env.Count("users", "email LIKE ?", "%@"+dom); n != 0 {
		t.Fatalf("no refused sign-in may make an account, got %d", n)
	}

	t.Run("no sign-in under way", func(t *testing.T) {
		p := env.Browser().Get(identity.CallbackPath + "?code=x&state=y")
		if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "not started in this browser") {
			t.Fatalf("a callback without its flow: want 400, got %d", p.Status)
		}
	})
	t.Run("a secret sealed with a key no longer configured", func(t *testing.T) {
		if _, err := env.OwnerDB.NewRaw("UPDATE identity_providers SET secret_key_id = 'retired' WHERE org_id = ?", org.ID).Exec(env.Ctx()); err != nil {
			t.Fatal(err)
		}
		defer env.OwnerDB.NewRaw("UPDATE identity_providers SET secret_key_id = 'k0' WHERE org_id = ?", org.ID).Exec(env.Ctx())
		b := env.Browser()
		b.Get("/login/sso")
		p := b.Post("/login/sso", map[string]string{"email": "someone@" + dom})
		if p.Status != http.StatusServiceUnavailable || !strings.Contains(p.Body, "client secret again") {
			t.Fatalf("want 503 asking the admins for the secret again, got %d", p.Status)
		}
	})
	t.Run("a domain not configured", func(t *testing.T) {
		b := env.Browser()
		b.Get("/login/sso")
		p := b.Post("/login/sso", map[string]string{"email": "someone@elsewhere.test"})
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "No organisation signs in") {
			t.Fatalf("want 422 for a domain no organisation covers, got %d", p.Status)
		}
	})
}

// Someone who already has a password account with the address must give
// its password once before the provider signs them in to it: the
// provider's word alone does not take over an account.
func TestAnExistingPasswordAccountIsLinkedOnlyWithItsPassword(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		m := provider(t)
		dom := newDomain()
		org := env.NewOrg()
		configure(t, env, org, m, dom, true)
		u := env.NewUser()
		setEmail(t, env, u.ID, "kim@"+dom)

		b := env.Browser().NoRedirects()
		m.QueueUser(colleague("sub-kim", "kim@"+dom))
		p := signInAt(t, env, b, "kim@"+dom, nil)
		if p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/login/sso/link" {
			t.Fatalf("an existing account should be asked for its password: %d to %q", p.Status, p.Header.Get("Location"))
		}
		if n := env.Count("identity_links", "org_id = ? AND user_id = ?", org.ID, u.ID); n != 0 {
			t.Fatalf("nothing may be linked before the password, got %d", n)
		}
		if home := b.Get("/home"); home.Status != http.StatusSeeOther {
			t.Fatalf("not signed in before the password: /home answered %d", home.Status)
		}
		b.Get("/login/sso/link")
		if p := b.Post("/login/sso/link", map[string]string{"password": "not the password"}); p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("a wrong password: want 422, got %d", p.Status)
		}
		p = b.Post("/login/sso/link", map[string]string{"password": testkit.Password})
		if p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/o/"+org.Slug {
			t.Fatalf("the right password links and signs in: %d to %q", p.Status, p.Header.Get("Location"))
		}
		if n := env.Count("identity_links", "org_id = ? AND user_id = ?", org.ID, u.ID); n != 1 {
			t.Fatalf("want the account linked once, got %d", n)
		}
		if n := env.Count("memberships", "org_id = ? AND user_id = ? AND status = 'active'", org.ID, u.ID); n != 1 {
			t.Fatalf("the linked account joins the organisation, got %d memberships", n)
		}
		if n := env.Count("audit_events", "org_id = ? AND action = ?", org.ID, identity.ActionLinked); n != 1 {
			t.Fatalf("the link should be audited, got %d", n)
		}
		if n := env.Count("users", "email = ?", "kim@"+dom); n != 1 {
			t.Fatalf("no second account, got %d", n)
		}
		// From now on the provider signs them in directly.
		b.Post("/logout", nil)
		m.QueueUser(colleague("sub-kim", "kim@"+dom))
		if p := signInAt(t, env, b, "kim@"+dom, nil); p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/o/"+org.Slug {
			t.Fatalf("a linked account signs in directly: %d to %q", p.Status, p.Header.Get("Location"))
		}
	})
}

// Password sign-in switched off for the provider's domains: people of
// those domains are sent to the provider; the owners keep their password.
func TestPasswordSignInCanBeSwitchedOffForTheDomains(t *testing.T) {
	env := testkit.New(t)
	m := provider(t)
	dom := newDomain()
	org := env.NewOrg()
	member := env.NewPerson(org, "member")
	owner := org.Owner
	setEmail(t, env, owner.ID, "boss@"+dom)
	setEmail(t, env, member.ID, "lee@"+dom)
	owner.Email, member.Email = "boss@"+dom, "lee@"+dom
	configure(t, env, org, m, dom, false)

	b := env.Browser()
	b.Get("/login")
	p := b.Post("/login", map[string]string{"email": "lee@" + dom, "password": testkit.Password})
	if p.Status != http.StatusForbidden || !strings.Contains(p.Body, "Continue with your organisation") {
		t.Fatalf("password sign-in is off for the domain: want 403, got %d", p.Status)
	}
	if lookup := b.HTMXGet("/login/sso/lookup?email=lee%40"+dom, "sso"); !strings.Contains(lookup.Body, "Password sign-in is switched off") {
		t.Fatalf("the sign-in page should say password sign-in is off: %s", lookup.Body)
	}
	if home := b.Get("/home"); !strings.HasPrefix(home.URL, "/login") {
		t.Fatalf("the member must not be signed in, landed on %s", home.URL)
	}
	env.SignIn(owner.User) // the owners keep their password (fails the test otherwise)
}

// The settings page refuses what it cannot use, with the form again.
func TestProviderSettingsAreChecked(t *testing.T) {
	env := testkit.New(t)
	m := provider(t)
	dom := newDomain()
	org, other := env.NewOrg(), env.NewOrg()
	configure(t, env, org, m, dom, true)
	b := env.SignIn(other.Owner.User)
	path := "/o/" + other.Slug + "/settings/sign-in"
	b.Get(path)
	good := map[string]string{"issuer": m.Issuer(), "client_id": "c", "client_secret": "s", "domains": "other.test", "default_role": "member", "enabled": "on"}
	for _, tc := range []struct {
		field, value, says string
	}{
		{"domains", dom, "another organisation"},
		{"domains", "not a domain", "is not an e-mail domain"},
		{"issuer", "http://issuer.example", "https://"},
		{"issuer", m.Issuer() + "/nothing-here", "discovery document"},
		{"default_role", "owner", "roles offered"},
		{"client_secret", "", "client secret"},
	} {
		fields := map[string]string{}
		for k, v := range good {
			fields[k] = v
		}
		fields[tc.field] = tc.value
		p := b.Post(path, fields)
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, tc.says) {
			t.Errorf("%s=%q: want 422 saying %q, got %d: %s", tc.field, tc.value, tc.says, p.Status, p.Text(".field-error"))
		}
	}
	if n := env.Count("identity_providers", "org_id = ?", other.ID); n != 0 {
		t.Fatalf("a refused form changes nothing, got %d providers", n)
	}
}
