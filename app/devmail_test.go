package app_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/leadershiptoolbox/toolbox/app/config"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// TestDevOutboxServesOnlyTheEmbeddedModeOnThisMachine: /dev/mail shows
// reset links and invitations, so it must never reach a real deployment.
func TestDevOutboxServesOnlyTheEmbeddedModeOnThisMachine(t *testing.T) {
	from := func(env *testkit.Env, peer string) int {
		req := httptest.NewRequest(http.MethodGet, "/dev/mail", nil)
		req.RemoteAddr = peer
		req.Header.Set("X-Forwarded-For", "127.0.0.1")
		w := httptest.NewRecorder()
		env.Handler.ServeHTTP(w, req)
		return w.Code
	}
	t.Run("PostgreSQL without SMTP", func(t *testing.T) {
		env := testkit.New(t)
		if p := env.Browser().Get("/dev/mail"); p.Status != http.StatusNotFound {
			t.Fatalf("/dev/mail on PostgreSQL = %d, want 404", p.Status)
		}
	})
	t.Run("embedded", func(t *testing.T) {
		env := testkit.New(t, testkit.OnEngine(db.SQLite))
		if p := env.Browser().Get("/dev/mail"); p.Status != http.StatusOK {
			t.Fatalf("/dev/mail from this machine = %d, want 200", p.Status)
		}
		if got := from(env, "[::1]:5555"); got != http.StatusOK {
			t.Fatalf("/dev/mail from ::1 = %d, want 200", got)
		}
		for _, peer := range []string{"203.0.113.5:4000", "[2001:db8::1]:4000", "10.0.0.2:1"} {
			if got := from(env, peer); got != http.StatusNotFound {
				t.Fatalf("/dev/mail from %s claiming 127.0.0.1 = %d, want 404", peer, got)
			}
		}
	})
	t.Run("embedded under https", func(t *testing.T) {
		env := testkit.New(t, testkit.OnEngine(db.SQLite), testkit.WithConfig(func(c *config.Config) { c.BaseURL = "https://toolbox.example" }))
		if got := from(env, "127.0.0.1:5555"); got != http.StatusNotFound {
			t.Fatalf("/dev/mail with an https base URL = %d, want 404", got)
		}
	})
	t.Run("PostgreSQL switched on", func(t *testing.T) {
		env := testkit.New(t, testkit.WithConfig(func(c *config.Config) { c.DevMail = true }))
		if p := env.Browser().Get("/dev/mail"); p.Status != http.StatusOK {
			t.Fatalf("/dev/mail switched on = %d, want 200", p.Status)
		}
		if got := from(env, "198.51.100.9:80"); got != http.StatusNotFound {
			t.Fatalf("/dev/mail switched on, from another machine = %d, want 404", got)
		}
	})
}
