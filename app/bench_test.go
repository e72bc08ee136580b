package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/audit"
	"github.com/leadershiptoolbox/toolbox/app/calendar"
	"github.com/leadershiptoolbox/toolbox/app/config"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// BenchmarkTenantPage serves an organisation's dashboard to a signed-in
// member through every middleware (session, CSRF, tenant wall, row-level
// security) on PostgreSQL, without the network: the server-side cost of a
// tenant page. bench/load.sh measures the same page over HTTP with wrk.
//
// The page-rendering benchmarks run with the page cache off (rendered):
// they measure what making a page costs. BenchmarkTenantPageCached
// measures the same dashboard served again from the cache.
func BenchmarkTenantPage(b *testing.B) {
	env := testkit.New(b, rendered)
	org := env.NewOrg()
	servePages(b, env, env.SignIn(org.Owner.User), "/o/"+org.Slug, nil)
}

// BenchmarkTenantPageCached is BenchmarkTenantPage with the page cache on
// (as in production): nothing changes between requests, so every one is
// served from it after the first.
func BenchmarkTenantPageCached(b *testing.B) {
	env := testkit.New(b)
	org := env.NewOrg()
	servePages(b, env, env.SignIn(org.Owner.User), "/o/"+org.Slug, nil)
}

// rendered turns the page cache off, so that every request renders.
var rendered = testkit.WithConfig(func(c *config.Config) { c.PageCacheMB = 0 })

// BenchmarkListPages serves the list pages with full pages of rows (the
// people list, the audit log) and their htmx "more" fragments, on
// PostgreSQL and on SQLite: the cost of rendering rows.
func BenchmarkListPages(b *testing.B) {
	for _, engine := range []db.Engine{db.Postgres, db.SQLite} {
		env := testkit.New(b, testkit.OnEngine(engine), rendered)
		org := env.NewOrg()
		for range 2 * tenancy.PeoplePageSize {
			env.NewPerson(org, tenancy.RoleMember)
		}
		err := env.DB.InTenant(context.Background(), org.ID, func(ctx context.Context, tx bun.Tx) error {
			for i := range 120 {
				e := audit.Event{OrgID: org.ID, Action: audit.ActionOrgSettings, Actor: "Bench", Target: fmt.Sprint(i),
					At: env.Clock.Now().Add(-time.Duration(i) * time.Minute)}
				if err := audit.Record(ctx, tx, e); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		browser := env.SignIn(org.Owner.User)
		base := "/o/" + org.Slug
		more := map[string]string{"HX-Request": "true", "HX-Target": "people-more"}
		b.Run(engine.String()+"/people", func(b *testing.B) { servePages(b, env, browser, base+"/people", nil) })
		b.Run(engine.String()+"/people-more", func(b *testing.B) {
			servePages(b, env, browser, base+"/people?after="+uuid.Nil.String(), more)
		})
		b.Run(engine.String()+"/audit", func(b *testing.B) { servePages(b, env, browser, base+"/audit", nil) })
		b.Run(engine.String()+"/dashboard", func(b *testing.B) { servePages(b, env, browser, base, nil) })
	}
}

// servePages serves path to a signed-in browser's cookies from two
// goroutines, with allocations reported.
func servePages(b *testing.B, env *testkit.Env, browser *testkit.Browser, path string, header map[string]string) {
	cookies := browser.Cookies()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if code := serveGet(env, cookies, path, header); code != http.StatusOK {
				b.Fatalf("%s: status %d", path, code)
			}
		}
	})
}

// serveGet serves one GET of path with the cookies and headers, through
// the whole router, and returns its status.
func serveGet(env *testkit.Env, cookies []*http.Cookie, path string, header map[string]string) int {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	env.Handler.ServeHTTP(w, req)
	return w.Code
}

// BenchmarkBookingPage serves a member's booking page (a month of days
// and the first free day's times) and its htmx fragment for another day,
// for a coach open on every day of the week with a 365-day window: the
// page costs one month's slots however far the window reaches.
func BenchmarkBookingPage(b *testing.B) {
	env := testkit.New(b, rendered)
	org := env.NewOrg()
	coach := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
	member := env.NewPerson(org, tenancy.RoleMember)
	rel := env.NewRelationship(org, relationships.Coaching, coach, member)
	cal := env.Services.Calendar
	for d := time.Sunday; d <= time.Saturday; d++ {
		if err := cal.AddRule(env.Ctx(), org.ID, coach.ID, d, 8*60, 18*60); err != nil {
			b.Fatal(err)
		}
	}
	bs := calendar.DefaultBookingSettings(org.ID, coach.ID)
	bs.WindowDays = 365
	if err := cal.SaveSettings(env.Ctx(), bs); err != nil {
		b.Fatal(err)
	}
	browser := env.SignIn(member.User)
	path := "/o/" + org.Slug + "/calendar/book/" + rel.ID.String()
	day := env.Clock.Now().AddDate(0, 0, 40).Format(time.DateOnly)
	b.Run("page", func(b *testing.B) { servePages(b, env, browser, path, nil) })
	b.Run("day-fragment", func(b *testing.B) {
		servePages(b, env, browser, path+"?day="+day, map[string]string{"HX-Request": "true", "HX-Target": "booking"})
	})
}

// BenchmarkMemberPages serves a member's My support page and their
// relationship's page, with half a year of weekly sessions booked in the
// relationship: what the pages cost beside the dashboard.
func BenchmarkMemberPages(b *testing.B) {
	env := testkit.New(b, rendered)
	org := env.NewOrg()
	coach := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
	member := env.NewPerson(org, tenancy.RoleMember)
	rel := env.NewRelationship(org, relationships.Coaching, coach, member)
	_, err := env.Services.Calendar.Book(env.Ctx(), org.ID, calendar.BookInput{RelationshipID: rel.ID, ActorID: coach.ID,
		Start: testkit.Epoch.Add(24*time.Hour + 10*time.Hour), Direct: true, IntervalDays: 7, Count: 26})
	if err != nil {
		b.Fatal(err)
	}
	browser := env.SignIn(member.User)
	b.Run("my-support", func(b *testing.B) { servePages(b, env, browser, "/o/"+org.Slug+"/my", nil) })
	b.Run("relationship", func(b *testing.B) {
		servePages(b, env, browser, "/o/"+org.Slug+"/relationships/"+rel.ID.String(), nil)
	})
}
