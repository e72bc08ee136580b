package auth_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/config"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// TestForgedForwardedForDoesNotEscapeTheAddressLimit rotates
// X-Forwarded-For on every attempt, against different accounts: with no
// trusted proxy the header is ignored, so the attempts all count against the
// one address they really come from.
func TestForgedForwardedForDoesNotEscapeTheAddressLimit(t *testing.T) {
	env := testkit.New(t)
	clearFailures(env)
	org := env.NewOrg()
	b := env.Browser()
	b.Get("/login")
	for i := range 20 {
		b.SetHeader("X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i+1))
		p := b.Post("/login", map[string]string{"email": fmt.Sprintf("nobody-%d-%s@example.test", i, uuid.NewString()[:4]), "password": "wrong password"})
		if p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("failure %d = %d, want 422", i+1, p.Status)
		}
	}
	b.SetHeader("X-Forwarded-For", "198.51.100.200")
	if p := b.Post("/login", map[string]string{"email": org.Owner.Email, "password": "wrong password"}); p.Status != http.StatusTooManyRequests {
		t.Fatalf("21st failure from one address with a new forged header = %d, want 429", p.Status)
	}
	if n := env.Count("audit_events", "ip LIKE ?", "198.51.100.%"); n != 0 {
		t.Fatalf("the audit log recorded %d forged addresses", n)
	}
}

// TestTheHolderGetsInDuringAnAttack fails against an account from many
// addresses (behind a trusted proxy) while its holder, from an address with
// no failures, signs in with the right password; the holder is told by
// e-mail that someone is trying.
func TestTheHolderGetsInDuringAnAttack(t *testing.T) {
	env := testkit.New(t, testkit.WithConfig(func(c *config.Config) { c.TrustedProxies = []string{"127.0.0.1/32", "::1/128"} }))
	clearFailures(env)
	org := env.NewOrg()
	attacker := env.Browser()
	attacker.Get("/login")
	for addr := range 8 {
		attacker.SetHeader("X-Forwarded-For", fmt.Sprintf("198.51.100.%d", addr+1))
		for i := range 4 {
			if p := attacker.Post("/login", map[string]string{"email": org.Owner.Email, "password": "wrong password"}); p.Status != http.StatusUnprocessableEntity {
				t.Fatalf("address %d failure %d = %d, want 422", addr+1, i+1, p.Status)
			}
		}
	}
	victim := env.Browser().SetHeader("X-Forwarded-For", "203.0.113.7")
	victim.Get("/login")
	if p := victim.Post("/login", map[string]string{"email": org.Owner.Email, "password": testkit.Password}); p.Status != http.StatusOK || !strings.Contains(p.Body, org.Owner.Name) {
		t.Fatalf("the holder from a clean address during the attack: %d at %s, want signed in", p.Status, p.URL)
	}
	warned := 0
	for _, e := range env.Emails(org.Owner.Email) {
		if e.Template == "sign_in_attempts" {
			warned++
		}
	}
	if warned != 1 {
		t.Fatalf("%d warnings e-mailed for 32 failures, want 1", warned)
	}
	// One attacking address that keeps going is slowed down at once.
	attacker.SetHeader("X-Forwarded-For", "198.51.100.1")
	attacker.Post("/login", map[string]string{"email": org.Owner.Email, "password": "wrong password"})
	if p := attacker.Post("/login", map[string]string{"email": org.Owner.Email, "password": "wrong password"}); p.Status != http.StatusTooManyRequests {
		t.Fatalf("an address past its allowance against the account = %d, want 429", p.Status)
	}
	if n := env.Count("audit_events", "action = ? AND ip = ?", "auth.sign_in_failed", "198.51.100.1"); n == 0 {
		t.Fatal("the audit log does not record the address the trusted proxy named")
	}
}

// TestResetAndSignupPostsAreLimitedPerAddress sends reset requests and
// sign-ups from one address with a new forged header each time.
func TestResetAndSignupPostsAreLimitedPerAddress(t *testing.T) {
	env := testkit.New(t)
	clearFailures(env)
	b := env.Browser()
	b.Get("/password/forgot")
	for i := range 10 {
		b.SetHeader("X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i+1))
		if p := b.Post("/password/forgot", map[string]string{"email": fmt.Sprintf("x%d@example.test", i)}); p.Status != http.StatusOK {
			t.Fatalf("reset request %d = %d", i+1, p.Status)
		}
	}
	if p := b.Post("/password/forgot", map[string]string{"email": "y@example.test"}); p.Status != http.StatusTooManyRequests || p.Doc().Find(".field-error").Length() == 0 {
		t.Fatalf("11th reset request from one address = %d, want 429 with a message", p.Status)
	}
	s := env.Browser()
	s.Get("/signup")
	for i := range 21 {
		s.SetHeader("X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i+1))
		id := uuid.NewString()[:8]
		p := s.Post("/signup", map[string]string{"org_name": "Org", "slug": "limit-" + id, "time_zone": "UTC",
			"name": "N", "email": "limit-" + id + "@example.test", "password": "a long enough password"})
		want := http.StatusOK
		if i == 20 {
			want = http.StatusTooManyRequests
		}
		if p.Status != want {
			t.Fatalf("sign-up %d from one address = %d, want %d", i+1, p.Status, want)
		}
	}
}
