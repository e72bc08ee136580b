package pagecache

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// site is a tiny application behind the cache: /page renders a page
// with two forms, counting renders; the viewer comes from the X-User and
// X-Org headers (the tenant wall's part).
type site struct {
	t       *testing.T
	cache   *Cache
	clock   *clock.Fixed
	on      *atomic.Bool
	renders int
	engine  *gin.Engine
	// during runs inside the handler, while the page is rendered.
	during func()
}

var orgA, orgB = uuid.New(), uuid.New()
var alice = uuid.New()

func newSite(t *testing.T, maxBytes int) *site {
	gin.SetMode(gin.TestMode)
	s := &site{t: t, clock: clock.NewFixed(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)), on: new(atomic.Bool)}
	s.on.Store(true)
	s.cache = New(s.clock, s.on, maxBytes)
	r := gin.New()
	r.Use(func(c *gin.Context) {
		c.Header("X-Request-ID", uuid.NewString()) // set before the cache, per request
		if u := c.GetHeader("X-User"); u != "" {
			web.SetViewer(c, &web.Viewer{UserID: uuid.MustParse(u), Org: &web.OrgRef{ID: uuid.MustParse(c.GetHeader("X-Org"))}})
		}
	}, s.cache.Serve)
	page := func(c *gin.Context) {
		s.renders++
		if s.during != nil {
			s.during()
		}
		c.Header("Content-Type", "text/html; charset=utf-8")
		c.Header("HX-Trigger", "shown")
		fmt.Fprintf(c.Writer, `<p>render %d at %s</p><form><input type="hidden" name="form_key" value="%s"></form><form><input type="hidden" name="form_key" value="%s"></form>`,
			s.renders, c.Request.URL.RequestURI(), web.NewFormKey(), web.NewFormKey())
	}
	r.GET("/page", page)
	r.POST("/page", page)
	r.GET("/flash", func(c *gin.Context) {
		s.renders++
		http.SetCookie(c.Writer, &http.Cookie{Name: "flash", Value: "", MaxAge: -1})
		c.String(200, "with a cookie")
	})
	r.GET("/missing", func(c *gin.Context) { s.renders++; c.String(404, "not here") })
	r.GET("/big", func(c *gin.Context) { s.renders++; c.String(200, strings.Repeat("x", MaxPage+1)) })
	r.GET("/stream", func(c *gin.Context) { s.renders++; c.String(200, "part"); c.Writer.Flush() })
	s.engine = r
	return s
}

func (s *site) get(path string, header ...string) *httptest.ResponseRecorder {
	return s.do(http.MethodGet, path, header...)
}

func (s *site) do(method, path string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	req.Header.Set("X-User", alice.String())
	req.Header.Set("X-Org", orgA.String())
	req.Header.Set("Cookie", "session=abc")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	s.engine.ServeHTTP(w, req)
	return w
}

// served asks for path and reports whether the page was rendered.
func (s *site) rendered(path string, header ...string) bool {
	before := s.renders
	s.get(path, header...)
	return s.renders != before
}

var keys = regexp.MustCompile(`name="form_key" value="([0-9a-f]{32})"`)

func TestAPageIsServedAgainWithFreshFormKeys(t *testing.T) {
	s := newSite(t, 1<<20)
	first := s.get("/page")
	second := s.get("/page")
	if s.renders != 1 {
		t.Fatalf("rendered %d times, want 1", s.renders)
	}
	if keys.ReplaceAllString(first.Body.String(), "") != keys.ReplaceAllString(second.Body.String(), "") {
		t.Fatalf("served page differs:\n%s\n%s", first.Body, second.Body)
	}
	seen := map[string]bool{}
	for _, m := range append(keys.FindAllStringSubmatch(first.Body.String(), -1), keys.FindAllStringSubmatch(second.Body.String(), -1)...) {
		if seen[m[1]] {
			t.Fatalf("form key %s given twice", m[1])
		}
		seen[m[1]] = true
	}
	if len(seen) != 4 {
		t.Fatalf("%d form keys, want 4", len(seen))
	}
	if second.Header().Get("HX-Trigger") != "shown" || second.Header().Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("the handler's headers were not served again: %v", second.Header())
	}
	if second.Header().Get("X-Request-ID") == first.Header().Get("X-Request-ID") {
		t.Fatal("a header set before the cache was replayed from the first serving")
	}
	if h, m := s.cache.Stats(); h != 1 || m != 1 {
		t.Fatalf("stats: %d hits, %d misses", h, m)
	}
}

func TestAChangeDropsOnlyItsOrganisationsPages(t *testing.T) {
	s := newSite(t, 1<<20)
	s.get("/page")
	s.cache.Changed(orgB)
	if s.rendered("/page") {
		t.Fatal("another organisation's change dropped the page")
	}
	s.cache.Changed(orgA)
	if !s.rendered("/page") {
		t.Fatal("the organisation's change did not drop its page")
	}
	s.cache.Changed(uuid.Nil)
	if !s.rendered("/page") {
		t.Fatal("a change of no organisation did not drop the page")
	}
	if s.rendered("/page") {
		t.Fatal("not served from the cache once things were quiet again")
	}
}

func TestAPageIsServedWithinItsMinuteOnly(t *testing.T) {
	s := newSite(t, 1<<20)
	s.get("/page")
	s.clock.Advance(30 * time.Second)
	if s.rendered("/page") {
		t.Fatal("rendered again within the same minute")
	}
	s.clock.Advance(30 * time.Second)
	if !s.rendered("/page") {
		t.Fatal("served from the cache in the next minute")
	}
}

func TestWhatShapesAResponseIsPartOfItsKey(t *testing.T) {
	s := newSite(t, 1<<20)
	s.get("/page")
	for _, h := range [][]string{
		{"Cookie", "session=other"},
		{"HX-Request", "true"},
		{"HX-Target", "list"},
		{"Accept", "application/json"},
		{"X-User", uuid.NewString()},
	} {
		if !s.rendered("/page", h...) {
			t.Errorf("%s: %s served the page made for another request", h[0], h[1])
		}
	}
	if !s.rendered("/page?after=2") {
		t.Error("another query string served the same page")
	}
}

func TestWhatIsNotKept(t *testing.T) {
	s := newSite(t, 1<<20)
	for _, path := range []string{"/flash", "/missing", "/big", "/stream"} {
		s.get(path)
		if !s.rendered(path) {
			t.Errorf("%s was kept", path)
		}
	}
	s.do(http.MethodPost, "/page")
	before := s.renders
	s.do(http.MethodPost, "/page")
	if s.renders == before {
		t.Error("a POST was answered from the cache")
	}
	// A write while the page is being made: what it shows may be older.
	s2 := newSite(t, 1<<20)
	s2.during = func() { s2.cache.Changed(orgA) }
	s2.get("/page")
	s2.during = nil
	if !s2.rendered("/page") {
		t.Error("a page rendered across a change was kept")
	}
}

func TestNothingIsServedWhileTheChangeFeedIsDown(t *testing.T) {
	s := newSite(t, 1<<20)
	s.get("/page")
	s.on.Store(false)
	if !s.rendered("/page") || !s.rendered("/page") {
		t.Fatal("served from the cache while the change feed was down")
	}
}

func TestTheCacheKeepsToItsSize(t *testing.T) {
	s := newSite(t, 4000) // room for a few pages of ~600 bytes
	for i := range 20 {
		s.get(fmt.Sprintf("/page?n=%d", i))
	}
	if s.cache.bytes > 4000 || s.cache.lru.Len() == 0 || s.cache.lru.Len() >= 20 {
		t.Fatalf("%d bytes in %d pages", s.cache.bytes, s.cache.lru.Len())
	}
	if s.rendered("/page?n=19") {
		t.Fatal("the latest page was evicted")
	}
	if !s.rendered("/page?n=0") {
		t.Fatal("the oldest page was kept past the size")
	}
}

func TestAnOffCacheIsNil(t *testing.T) {
	if New(clock.System{}, new(atomic.Bool), 0) != nil {
		t.Fatal("a cache of 0 bytes is not off")
	}
}
