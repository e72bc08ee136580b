package app_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// BenchmarkTenantPage serves an organisation's dashboard to a signed-in
// member through every middleware (session, CSRF, tenant wall, row-level
// security) on PostgreSQL, without the network: the server-side cost of a
// tenant page. bench/load.sh measures the same page over HTTP with wrk.
func BenchmarkTenantPage(b *testing.B) {
	env := testkit.New(b)
	org := env.NewOrg()
	browser := env.SignIn(org.Owner.User)
	cookies := browser.Cookies()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest(http.MethodGet, "/o/"+org.Slug, nil)
			for _, c := range cookies {
				req.AddCookie(c)
			}
			w := httptest.NewRecorder()
			env.Handler.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				b.Fatalf("status %d", w.Code)
			}
		}
	})
}
