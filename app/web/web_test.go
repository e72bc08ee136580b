package web

import (
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gin-gonic/gin"

	"github.com/leadershiptoolbox/toolbox/app/db"
)

func newErrors() *Errors {
	return &Errors{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Page: func(c *gin.Context, status int, message string) {
		c.String(status, "page:"+message)
	}}
}

func serve(r http.Handler, method, path string, header map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	r.ServeHTTP(w, req)
	return w
}

func TestErrorsBecomeStatusPages(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	errs := newErrors()
	r := gin.New()
	r.Use(Recover(errs))
	cases := map[string]struct {
		err    error
		status int
	}{
		"/notfound":  {fmt.Errorf("store: %w", db.ErrNotFound), http.StatusNotFound},
		"/forbidden": {ErrForbidden, http.StatusForbidden},
		"/conflict":  {fmt.Errorf("book: %w", db.ErrConflict), http.StatusConflict},
		"/custom":    {Errorf(http.StatusUnprocessableEntity, "Pick a date."), http.StatusUnprocessableEntity},
		"/boom":      {errors.New("database on fire"), http.StatusInternalServerError},
		"/tenant":    {db.ErrNoTenant, http.StatusNotFound},
		// A driver's "no row" that no store mapped is a 404 all the same.
		"/unmapped": {fmt.Errorf("store: %w", sql.ErrNoRows), http.StatusNotFound},
	}
	for path, tc := range cases {
		r.GET(path, errs.H(func(*gin.Context) error { return tc.err }))
	}
	r.GET("/panic", func(*gin.Context) { panic("nil map") })
	r.GET("/login-needed", errs.H(func(*gin.Context) error { return ErrUnauthenticated }))
	for path, tc := range cases {
		w := serve(r, http.MethodGet, path, nil)
		if w.Code != tc.status || !strings.HasPrefix(w.Body.String(), "page:") {
			t.Errorf("%s = %d %q, want %d page", path, w.Code, w.Body.String(), tc.status)
		}
		if tc.status == 500 && strings.Contains(w.Body.String(), "on fire") {
			t.Errorf("internal error text shown to the person: %q", w.Body.String())
		}
	}
	if w := serve(r, http.MethodGet, "/panic", nil); w.Code != http.StatusInternalServerError {
		t.Errorf("panic = %d", w.Code)
	}
	if w := serve(r, http.MethodGet, "/login-needed?x=1", nil); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/login?next="+url.QueryEscape("/login-needed?x=1") {
		t.Errorf("unauthenticated = %d %q", w.Code, w.Header().Get("Location"))
	}
	if w := serve(r, http.MethodGet, "/login-needed", map[string]string{"HX-Request": "true"}); w.Header().Get("HX-Redirect") == "" {
		t.Errorf("htmx unauthenticated request got no HX-Redirect: %v", w.Header())
	}
}

func TestFragmentDecision(t *testing.T) {
	cases := []struct {
		headers map[string]string
		want    bool
	}{
		{nil, false},
		{map[string]string{"HX-Request": "true"}, true},
		{map[string]string{"HX-Request": "true", "HX-Boosted": "true"}, false},
		{map[string]string{"HX-Request": "true", "HX-History-Restore-Request": "true"}, false},
	}
	for _, tc := range cases {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		for k, v := range tc.headers {
			req.Header.Set(k, v)
		}
		if got := IsFragmentRequest(req); got != tc.want {
			t.Errorf("%v: fragment = %v", tc.headers, got)
		}
	}
}

// TestRenderAndDoneDecidePageOrFragment: Render answers a fragment
// request with the fragment it targets, else the content block, and a
// plain request with the page; Done answers htmx in place and a plain
// post with a redirect carrying the flash; RedirectAway leaves the site
// by HX-Redirect even from a boosted request.
func TestRenderAndDoneDecidePageOrFragment(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	fsys := fstest.MapFS{
		"layouts/base.html":  {Data: []byte(`{{define "base"}}<html>{{template "content" .}}</html>{{end}}`)},
		"partials/none.html": {Data: []byte(`{{define "none"}}{{end}}`)},
		"pages/x/list.html":  {Data: []byte(`{{define "content"}}list:{{.}}{{end}}{{define "rows"}}rows:{{.}}{{end}}{{define "results"}}results:{{.}}{{end}}`)},
	}
	rd, err := NewRenderer(fsys, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := gin.New()
	errs := newErrors()
	r.GET("/list", errs.H(func(c *gin.Context) error {
		return rd.Render(c, http.StatusOK, "x/list", "page", Fragment{Target: "more", Block: "rows", Data: "r"},
			Fragment{Target: "search", Block: "results", Data: "s"})
	}))
	r.POST("/save", errs.H(func(c *gin.Context) error {
		return Done(c, "/list", Flash{Kind: "success", Message: "Saved."}, func() error {
			return rd.RenderBlock(c, http.StatusOK, "x/list", "rows", "in place")
		})
	}))
	r.POST("/away", func(c *gin.Context) { RedirectAway(c, "https://pay.example/") })
	htmx := map[string]string{"HX-Request": "true"}
	for _, tc := range []struct {
		method, path string
		headers      map[string]string
		status       int
		body         string
	}{
		{http.MethodGet, "/list", nil, http.StatusOK, "<html>list:page</html>"},
		{http.MethodGet, "/list", htmx, http.StatusOK, "list:page"},
		{http.MethodGet, "/list", map[string]string{"HX-Request": "true", "HX-Target": "more"}, http.StatusOK, "rows:r"},
		{http.MethodGet, "/list", map[string]string{"HX-Request": "true", "HX-Target": "search"}, http.StatusOK, "results:s"},
		{http.MethodGet, "/list", map[string]string{"HX-Request": "true", "HX-Boosted": "true", "HX-Target": "more"}, http.StatusOK, "<html>list:page</html>"},
		{http.MethodPost, "/save", htmx, http.StatusOK, "rows:in place"},
		{http.MethodPost, "/save", nil, http.StatusSeeOther, ""},
	} {
		w := serve(r, tc.method, tc.path, tc.headers)
		if w.Code != tc.status || w.Body.String() != tc.body && tc.body != "" {
			t.Errorf("%s %s %v = %d %q, want %d %q", tc.method, tc.path, tc.headers, w.Code, w.Body.String(), tc.status, tc.body)
		}
	}
	w := serve(r, http.MethodPost, "/save", nil)
	if w.Header().Get("Location") != "/list" || !strings.Contains(w.Header().Get("Set-Cookie"), "=") {
		t.Errorf("plain post: Location %q, Set-Cookie %q (want the flash)", w.Header().Get("Location"), w.Header().Get("Set-Cookie"))
	}
	if w := serve(r, http.MethodPost, "/save", htmx); w.Header().Get("Set-Cookie") != "" {
		t.Errorf("htmx post left a flash for a later page: %q", w.Header().Get("Set-Cookie"))
	}
	for _, h := range []map[string]string{htmx, {"HX-Request": "true", "HX-Boosted": "true"}} {
		if w := serve(r, http.MethodPost, "/away", h); w.Code != http.StatusNoContent || w.Header().Get("HX-Redirect") != "https://pay.example/" {
			t.Errorf("away %v = %d, HX-Redirect %q", h, w.Code, w.Header().Get("HX-Redirect"))
		}
	}
	if w := serve(r, http.MethodPost, "/away", nil); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "https://pay.example/" {
		t.Errorf("away, plain = %d %q", w.Code, w.Header().Get("Location"))
	}
}

func TestRendererRefusesAPageWithoutContent(t *testing.T) {
	fsys := fstest.MapFS{
		"layouts/base.html":    {Data: []byte(`{{define "base"}}<html>{{template "content" .}}</html>{{end}}`)},
		"partials/empty.html":  {Data: []byte(`{{define "nothing"}}{{end}}`)},
		"pages/x/broken.html":  {Data: []byte(`{{define "notcontent"}}x{{end}}`)},
		"emails/hello.txt":     {Data: []byte(`{{define "subject"}}Hi{{end}}{{define "text"}}Tom & Jerry{{end}}`)},
		"emails/.keep.unknown": {Data: nil},
	}
	if _, err := NewRenderer(fsys, nil); err == nil || !strings.Contains(err.Error(), "x/broken") {
		t.Fatalf("NewRenderer = %v, want an error naming the page", err)
	}
	delete(fsys, "pages/x/broken.html")
	fsys["pages/x/ok.html"] = &fstest.MapFile{Data: []byte(`{{define "content"}}ok{{end}}`)}
	r, err := NewRenderer(fsys, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.MustHave("x/ok", "x/missing"); err == nil {
		t.Fatal("MustHave accepted a missing page")
	}
	_, text, _, err := r.RenderEmail("hello", nil)
	if err != nil || text != "Tom & Jerry" {
		t.Fatalf("plain-text e-mail = %q, %v (must not be HTML-escaped)", text, err)
	}
}

func TestFormValidation(t *testing.T) {
	f := NewForm(url.Values{"email": {"not an address"}, "zone": {"Mars/Olympus"}, "name": {"  "}, "kind": {"wizard"}})
	f.Required("name")
	f.Email("email")
	f.TimeZone("zone")
	f.OneOf("kind", "mentor", "coach")
	for _, field := range []string{"name", "email", "zone", "kind"} {
		if f.Error(field) == "" {
			t.Errorf("no error for %s", field)
		}
	}
	ok := NewForm(url.Values{"email": {"Ann@Example.org"}, "zone": {"Europe/London"}})
	if got := ok.Email("email"); got != "ann@example.org" || !ok.Valid() {
		t.Fatalf("good e-mail: %q %v", got, ok.Errors)
	}
}

func FuzzForm(f *testing.F) {
	f.Add("a@b.c", "Europe/London", "x")
	f.Add("", "", "")
	f.Fuzz(func(t *testing.T, email, zone, name string) {
		form := NewForm(url.Values{"email": {email}, "zone": {zone}, "name": {name}})
		form.Required("name")
		form.MaxLength("name", 10)
		form.Email("email")
		form.TimeZone("zone")
		_ = form.Valid()
	})
}
