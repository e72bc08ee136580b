package auth_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

func sessionCookie(p *testkit.Page) string {
	for _, c := range (&http.Response{Header: p.Header}).Cookies() {
		if c.Name == "session" {
			return c.Value
		}
	}
	return ""
}

// clearFailures forgets failed sign-ins: every test of the package signs
// in from the same address.
func clearFailures(env *testkit.Env) {
	env.T.Cleanup(func() {
		if _, err := env.OwnerDB.NewDelete().Table("auth_failures").Where("1 = 1").Exec(context.Background()); err != nil {
			env.T.Error(err)
		}
	})
}

func TestSignupFlowEndToEnd(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		b := env.Browser()
		b.Get("/signup")
		email := "founder-" + uuid.NewString()[:8] + "@example.test"
		slug := "acme-" + uuid.NewString()[:8]
		p := b.Post("/signup", map[string]string{"org_name": "Acme Coaching", "slug": slug, "time_zone": "Europe/Paris",
			"name": "Fay Founder", "email": email, "password": "a long enough password"})
		if p.Status != http.StatusOK || p.URL != "/o/"+slug {
			t.Fatalf("sign-up = %d at %s", p.Status, p.URL)
		}
		if p.Doc().Find(".banner").Length() != 1 {
			t.Fatal("no verification banner for an unverified account")
		}
		if inv := b.Post("/o/"+slug+"/invitations", map[string]string{"email": "x@example.test", "role": "member"}); inv.Status != http.StatusForbidden {
			t.Fatalf("unverified invite = %d", inv.Status)
		}
		link := env.LastLink(email, "Confirm your e-mail")
		if confirm := b.Get(link); confirm.Status != http.StatusOK || env.Count("users", "email = ? AND verified_at IS NOT NULL", email) != 0 {
			t.Fatal("GET of the link must not spend it")
		}
		done := b.Post(link, nil)
		if done.Status != http.StatusOK || done.Doc().Find(".banner").Length() != 0 {
			t.Fatalf("after confirming = %d, banner still there: %v", done.Status, done.Doc().Find(".banner").Length() != 0)
		}
		if again := env.Browser().Post(link, nil); again.Status != http.StatusNotFound {
			t.Fatalf("reused verification link = %d", again.Status)
		}
		if inv := b.Post("/o/"+slug+"/invitations", map[string]string{"email": "x@example.test", "role": "member"}); inv.Status != http.StatusOK {
			t.Fatalf("verified invite = %d", inv.Status)
		}
	})
}

func TestSignupValidation(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		b := env.Browser()
		b.Get("/signup")
		good := func() map[string]string {
			return map[string]string{"org_name": "Org", "slug": "fresh-" + uuid.NewString()[:8], "time_zone": "UTC",
				"name": "N", "email": uuid.NewString()[:8] + "@example.test", "password": "a long enough password"}
		}
		cases := map[string]func(map[string]string){
			"reserved slug":  func(f map[string]string) { f["slug"] = "admin" },
			"bad characters": func(f map[string]string) { f["slug"] = "Acme_Inc!" },
			"double hyphen":  func(f map[string]string) { f["slug"] = "a--b" },
			"taken slug":     func(f map[string]string) { f["slug"] = org.Slug },
			"short password": func(f map[string]string) { f["password"] = "short" },
			"bad zone":       func(f map[string]string) { f["time_zone"] = "Nowhere/Never" },
		}
		for name, edit := range cases {
			f := good()
			edit(f)
			p := b.Post("/signup", f)
			if p.Status != http.StatusUnprocessableEntity || p.Doc().Find(".field-error").Length() == 0 {
				t.Errorf("%s: status %d, want 422 with a message", name, p.Status)
			}
			if n := env.Count("organisations", "slug = ?", f["slug"]); name != "taken slug" && n != 0 {
				t.Errorf("%s created an organisation", name)
			}
		}
	})
}

// TestSignupAnswersTheSameForAnExistingAddress: signing up with an
// address that has an account answers exactly as a new address does (a
// 303 to the new organisation's address, no field error, an empty body),
// makes nothing, and e-mails the holder instead.
func TestSignupAnswersTheSameForAnExistingAddress(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		clearFailures(env)
		org := env.NewOrg()
		post := func(email string) (*testkit.Page, string) {
			b := env.Browser().NoRedirects()
			b.Get("/signup")
			slug := "same-" + uuid.NewString()[:8]
			return b.Post("/signup", map[string]string{"org_name": "Same Answer", "slug": slug, "time_zone": "UTC",
				"name": "N", "email": email, "password": "a long enough password"}), slug
		}
		fresh, freshSlug := post("new-" + uuid.NewString()[:8] + "@example.test")
		taken, takenSlug := post(strings.ToUpper(org.Owner.Email))
		for _, c := range []struct {
			p    *testkit.Page
			slug string
		}{{fresh, freshSlug}, {taken, takenSlug}} {
			if c.p.Status != http.StatusSeeOther || c.p.Header.Get("Location") != "/o/"+c.slug {
				t.Errorf("sign-up answered %d to %q, want 303 to /o/%s", c.p.Status, c.p.Header.Get("Location"), c.slug)
			}
		}
		if fresh.Body != strings.ReplaceAll(taken.Body, takenSlug, freshSlug) || fresh.Header.Get("Content-Type") != taken.Header.Get("Content-Type") {
			t.Errorf("the answers differ:\n%q\n%q", fresh.Body, taken.Body)
		}
		if env.Count("organisations", "slug = ?", takenSlug) != 0 {
			t.Error("an organisation was made for an address that has an account")
		}
		if len(env.Emails(org.Owner.Email)) == 0 || env.Emails(org.Owner.Email)[len(env.Emails(org.Owner.Email))-1].Subject != "Someone tried to sign up with your address" {
			t.Error("the holder of the address was not told")
		}
	})
}

func TestSignInRotatesTheSession(t *testing.T) {
	env := testkit.New(t)
	org := env.NewOrg()
	b := env.Browser().NoRedirects()
	b.Get("/login")
	first := b.Post("/login", map[string]string{"email": org.Owner.Email, "password": testkit.Password})
	second := b.Post("/login", map[string]string{"email": org.Owner.Email, "password": testkit.Password})
	s1, s2 := sessionCookie(first), sessionCookie(second)
	if s1 == "" || s2 == "" || s1 == s2 {
		t.Fatalf("session cookies %q then %q: want two different tokens", s1, s2)
	}
	// The old token is dead.
	req, _ := http.NewRequest(http.MethodGet, env.Server.URL+"/account", nil)
	req.AddCookie(&http.Cookie{Name: "session", Value: s1})
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("old session token still works: %d", resp.StatusCode)
	}
}

func TestFailedSignInsAreThrottled(t *testing.T) {
	env := testkit.New(t)
	clearFailures(env)
	org := env.NewOrg()
	b := env.Browser()
	b.Get("/login")
	try := func(password string) int {
		return b.Post("/login", map[string]string{"email": org.Owner.Email, "password": password}).Status
	}
	for i := range 5 {
		if got := try("wrong password"); got != http.StatusUnprocessableEntity {
			t.Fatalf("failure %d = %d, want 422", i+1, got)
		}
	}
	if got := try(testkit.Password); got != http.StatusTooManyRequests {
		t.Fatalf("6th attempt right after 5 failures = %d, want 429 (even with the right password)", got)
	}
	env.Clock.Advance(time.Second)
	if got := try("wrong password"); got != http.StatusUnprocessableEntity {
		t.Fatalf("after waiting 1 s = %d, want 422", got)
	}
	if got := try("wrong password"); got != http.StatusTooManyRequests {
		t.Fatalf("7th attempt at once = %d, want 429 (delay doubled)", got)
	}
	env.Clock.Advance(2 * time.Second)
	if got := try(testkit.Password); got != http.StatusOK {
		t.Fatalf("right password after the delay = %d", got)
	}
	if env.Count("audit_events", "org_id = ? AND action = ?", org.ID, "auth.sign_in_failed") != 6 {
		t.Fatal("failed sign-ins not in the audit log")
	}
}

func TestHundredFailuresAnHourIsTheHardCap(t *testing.T) {
	env := testkit.New(t)
	clearFailures(env)
	org := env.NewOrg()
	now := env.Clock.Now()
	for i := range 100 {
		row := map[string]any{"id": uuid.Must(uuid.NewV7()), "key": "pair:" + org.Owner.Email + "|127.0.0.1", "at": now.Add(-10*time.Minute + time.Duration(i)*time.Second)}
		if _, err := env.OwnerDB.NewInsert().Model(&row).TableExpr("auth_failures").Exec(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	b := env.Browser()
	b.Get("/login")
	env.Clock.Advance(15 * time.Minute) // longer than any growing delay
	if p := b.Post("/login", map[string]string{"email": org.Owner.Email, "password": testkit.Password}); p.Status != http.StatusTooManyRequests {
		t.Fatalf("at 100 failures in the hour = %d, want 429", p.Status)
	}
	env.Clock.Advance(time.Hour)
	if p := b.Post("/login", map[string]string{"email": org.Owner.Email, "password": testkit.Password}); p.Status != http.StatusOK {
		t.Fatalf("after the hour = %d", p.Status)
	}
}

func TestPasswordResetLinks(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		b := env.Browser()
		b.Get("/password/forgot")
		nobody := "nobody-" + uuid.NewString()[:6] + "@example.test"
		unknown := b.Post("/password/forgot", map[string]string{"email": nobody})
		known := b.Post("/password/forgot", map[string]string{"email": org.Owner.Email})
		if unknown.Status != known.Status || strings.ReplaceAll(unknown.Text("main"), nobody, "X") != strings.ReplaceAll(known.Text("main"), org.Owner.Email, "X") {
			t.Fatal("reset answers differ for known and unknown addresses")
		}
		link := env.LastLink(org.Owner.Email, "")
		if p := b.Post(link, map[string]string{"password": "a brand new password"}); p.Status != http.StatusOK {
			t.Fatalf("reset = %d", p.Status)
		}
		if p := env.Browser().Post(link, map[string]string{"password": "yet another password"}); p.Status != http.StatusNotFound {
			t.Fatalf("reused reset link = %d, want 404", p.Status)
		}

		b2 := env.Browser()
		b2.Get("/password/forgot")
		b2.Post("/password/forgot", map[string]string{"email": org.Owner.Email})
		expiring := env.LastLink(org.Owner.Email, "")
		env.Clock.Advance(time.Hour + time.Second)
		if p := b2.Get(expiring); p.Status != http.StatusNotFound {
			t.Fatalf("expired reset link page = %d", p.Status)
		}
		if p := b2.Post(expiring, map[string]string{"password": "yet another password"}); p.Status != http.StatusNotFound {
			t.Fatalf("expired reset link = %d, want 404", p.Status)
		}
	})
}
