package calendar_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// TestFeedEndsWithPasswordResetAndSignOutEverywhere: a feed address that
// leaked with a session stops working when its holder takes back control.
func TestFeedEndsWithPasswordResetAndSignOutEverywhere(t *testing.T) {
	env := testkit.New(t)
	fx := newFixture(t, env, "")
	feed := func() string {
		token, err := env.Services.Calendar.RegenerateFeed(env.Ctx(), fx.member.ID)
		if err != nil {
			t.Fatal(err)
		}
		path := strings.TrimPrefix(env.Services.Calendar.FeedURL(token), env.Config.BaseURL)
		if p := env.Browser().Get(path); p.Status != http.StatusOK {
			t.Fatalf("fresh feed = %d", p.Status)
		}
		return path
	}
	path := feed()
	b := env.SignIn(fx.member.User)
	b.Get("/account")
	if p := b.Post("/account/sessions/end", nil); !strings.Contains(p.Body, "subscription address") {
		t.Errorf("signing out everywhere does not say the feed address ended")
	}
	if p := env.Browser().Get(path); p.Status != http.StatusNotFound {
		t.Fatalf("feed after signing out everywhere = %d, want 404", p.Status)
	}
	path = feed()
	r := env.Browser()
	r.Get("/password/forgot")
	r.Post("/password/forgot", map[string]string{"email": fx.member.Email})
	if p := r.Post(env.LastLink(fx.member.Email, "password"), map[string]string{"password": "a brand new password"}); p.Status != http.StatusOK {
		t.Fatalf("reset = %d", p.Status)
	}
	if p := env.Browser().Get(path); p.Status != http.StatusNotFound {
		t.Fatalf("feed after a password reset = %d, want 404", p.Status)
	}
}
