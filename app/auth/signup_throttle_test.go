package auth_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/config"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// TestSignupsPerAddressFollowTheSetting: TOOLBOX_SIGNUPS_PER_HOUR bounds
// the organisations set up from one address in an hour; the one over the
// bound is refused with a 429 that says when to try again, and creates
// nothing.
func TestSignupsPerAddressFollowTheSetting(t *testing.T) {
	env := testkit.New(t, testkit.WithConfig(func(c *config.Config) { c.SignupsPerHour = 2 }))
	signup := func() (*testkit.Page, string) {
		b := env.Browser()
		b.Get("/signup")
		slug := "flood-" + uuid.NewString()[:8]
		return b.Post("/signup", map[string]string{"org_name": "Flood Coaching", "slug": slug, "time_zone": "Europe/Paris",
			"name": "Fay Founder", "email": slug + "@example.test", "password": "a long enough password"}), slug
	}
	for range 2 {
		if p, slug := signup(); p.Status != http.StatusOK || p.URL != "/o/"+slug {
			t.Fatalf("a sign-up within the bound = %d at %s", p.Status, p.URL)
		}
	}
	p, slug := signup()
	if p.Status != http.StatusTooManyRequests || !strings.Contains(p.Text("main"), "Too many organisations") {
		t.Fatalf("the third sign-up with a bound of 2 = %d: %s", p.Status, p.Text("main"))
	}
	if n := env.Count("organisations", "slug = ?", slug); n != 0 {
		t.Fatalf("the refused sign-up created %d organisations", n)
	}
}
