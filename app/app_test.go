package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

func TestHomePageRendersWithLayoutAndAssets(t *testing.T) {
	env := testkit.New(t)
	p := env.Browser().Get("/")
	if p.Status != http.StatusOK {
		t.Fatalf("GET / = %d", p.Status)
	}
	if h1 := p.Text("h1"); h1 == "" {
		t.Fatal("home page has no h1")
	}
	css, ok := p.Doc().Find(`link[rel="stylesheet"]`).Attr("href")
	if !ok || !strings.HasPrefix(css, "/static/css/app.") {
		t.Fatalf("stylesheet link = %q", css)
	}
	asset := env.Browser().Get(css)
	if asset.Status != http.StatusOK || !strings.Contains(asset.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("asset %s: status %d cache %q", css, asset.Status, asset.Header.Get("Cache-Control"))
	}
	if !strings.Contains(asset.Header.Get("Content-Type"), "text/css") {
		t.Fatalf("asset content type %q", asset.Header.Get("Content-Type"))
	}
	for _, sel := range []string{`script[src^="/static/vendor/htmx/htmx.min."]`, `script[src^="/static/js/app."]`, `meta[name="csrf-token"]`} {
		if p.Doc().Find(sel).Length() != 1 {
			t.Errorf("home page lacks %s", sel)
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	env := testkit.New(t)
	p := env.Browser().Get("/")
	csp := p.Header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP allows unsafe code: %q", csp)
	}
	if p.Header.Get("X-Content-Type-Options") != "nosniff" || p.Header.Get("Referrer-Policy") == "" || p.Header.Get("X-Request-ID") == "" {
		t.Errorf("missing headers: %v", p.Header)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	env := testkit.New(t)
	for _, path := range []string{"/healthz", "/readyz"} {
		if p := env.Browser().Get(path); p.Status != http.StatusOK {
			t.Errorf("GET %s = %d %s", path, p.Status, p.Body)
		}
	}
}

func TestUnknownPageIs404Page(t *testing.T) {
	env := testkit.New(t)
	p := env.Browser().Get("/no/such/page")
	if p.Status != http.StatusNotFound || p.Text("h1") != "Page not found" {
		t.Fatalf("GET unknown = %d, h1 %q", p.Status, p.Text("h1"))
	}
}

func TestFragmentOrPageIsDecidedByHTMXHeaders(t *testing.T) {
	env := testkit.New(t)
	b := env.Browser()
	full := b.Get("/login")
	frag := b.HTMX(http.MethodGet, "/login", nil)
	if !strings.Contains(full.Body, "<html") || strings.Contains(frag.Body, "<html") {
		t.Fatalf("page vs fragment: full has html=%v, fragment has html=%v", strings.Contains(full.Body, "<html"), strings.Contains(frag.Body, "<html"))
	}
	for _, p := range []*testkit.Page{full, frag} {
		if vary := strings.Join(p.Header.Values("Vary"), ","); !strings.Contains(vary, "HX-Request") {
			t.Fatalf("Vary = %q, want it to name HX-Request", vary)
		}
	}
	// Boosted navigation and history restores get the whole page.
	for _, h := range []string{"HX-Boosted", "HX-History-Restore-Request"} {
		req, _ := http.NewRequest(http.MethodGet, env.Server.URL+"/login", nil)
		req.Header.Set("HX-Request", "true")
		req.Header.Set(h, "true")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body [64 << 10]byte
		n, _ := resp.Body.Read(body[:])
		resp.Body.Close()
		if !strings.Contains(string(body[:n]), "<!doctype html>") {
			t.Errorf("%s request did not get the whole page", h)
		}
	}
}

func TestPostWithoutCSRFTokenIsRefusedAndChangesNothing(t *testing.T) {
	env := testkit.New(t)
	b := env.Browser()
	b.Get("/signup")
	before := env.Count("organisations", "slug = ?", "forged")
	p := b.PostWithoutToken("/signup", map[string]string{
		"org_name": "Forged", "slug": "forged", "time_zone": "UTC", "name": "X", "email": "x@example.test", "password": "long enough password",
	})
	if p.Status != http.StatusForbidden {
		t.Fatalf("POST without token = %d", p.Status)
	}
	if after := env.Count("organisations", "slug = ?", "forged"); after != before {
		t.Fatal("forged post created an organisation")
	}
}

// The audit page filters by the actions every domain records, not only
// the audit package's own.
func TestAuditFilterKnowsOtherDomainsActions(t *testing.T) {
	env := testkit.New(t)
	org := env.NewOrg()
	b := env.SignIn(org.Owner.User)
	for _, action := range []string{"calendar.scheduled_directly", "courses.enrolment_granted", "auth.sign_in"} {
		if p := b.Get("/o/" + org.Slug + "/audit?action=" + action); p.Status != http.StatusOK {
			t.Errorf("filter by %s = %d", action, p.Status)
		}
	}
	if p := b.Get("/o/" + org.Slug + "/audit?action=made.up"); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("filter by an unknown action = %d, want 422", p.Status)
	}
}

// The organisation navigation is cached per organisation, role group and
// active item: each role still sees its own links (counted in the bar,
// nav.org-nav; the phone's menu repeats them).
func TestNavigationFollowsTheRole(t *testing.T) {
	env := testkit.New(t)
	org := env.NewOrg()
	member := env.NewPerson(org, tenancy.RoleMember)
	for range 2 { // the second round is served from the cache
		admin := env.SignIn(org.Owner.User).Get("/o/" + org.Slug)
		mine := env.SignIn(member.User).Get("/o/" + org.Slug)
		if admin.Doc().Find(`nav.org-nav a[href$="/audit"]`).Length() != 1 {
			t.Fatal("the owner's navigation lacks the audit log")
		}
		if mine.Doc().Find(`nav a[href$="/audit"]`).Length() != 0 || mine.Doc().Find(`nav a[href$="/pipeline"]`).Length() != 0 {
			t.Fatal("a member's navigation shows staff links")
		}
		if mine.Doc().Find(`nav.org-nav a.active[href="/o/`+org.Slug+`"]`).Length() != 1 {
			t.Fatal("the dashboard is not marked as the current page")
		}
	}
}
