package testkit

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"

	"github.com/PuerkitoBio/goquery"
)

// Browser is an HTTP client that behaves like a browser: it keeps cookies,
// follows redirects, sends the Origin header on posts, and puts the CSRF
// token of the last page it saw into forms and htmx headers.
type Browser struct {
	env    *Env
	client *http.Client
	token  string
	extra  http.Header
	// Last is the last page received.
	Last *Page
}

// Page is a response as a test sees it.
type Page struct {
	Status int
	Header http.Header
	Body   string
	// URL is where the response came from, after redirects.
	URL string
	doc *goquery.Document
}

// Doc parses the body as HTML.
func (p *Page) Doc() *goquery.Document {
	if p.doc == nil {
		p.doc, _ = goquery.NewDocumentFromReader(strings.NewReader(p.Body))
	}
	return p.doc
}

// Text is the visible text of the elements matching a selector.
func (p *Page) Text(selector string) string {
	return strings.TrimSpace(p.Doc().Find(selector).Text())
}

// Browser returns a new browser with empty cookies.
func (e *Env) Browser() *Browser {
	jar, _ := cookiejar.New(nil)
	return &Browser{env: e, client: &http.Client{Jar: jar}}
}

// NoRedirects makes the browser stop at redirects, to inspect them.
func (b *Browser) NoRedirects() *Browser {
	b.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return b
}

// SetHeader sends a header with every later request (an empty value stops
// sending it): X-Forwarded-For, to pose as a client behind a proxy.
func (b *Browser) SetHeader(name, value string) *Browser {
	if b.extra == nil {
		b.extra = http.Header{}
	}
	if value == "" {
		b.extra.Del(name)
	} else {
		b.extra.Set(name, value)
	}
	return b
}

// Get loads a page.
func (b *Browser) Get(path string) *Page {
	b.env.T.Helper()
	req, err := http.NewRequest(http.MethodGet, b.env.Server.URL+path, nil)
	if err != nil {
		b.env.T.Fatalf("testkit: GET %s: %v", path, err)
	}
	return b.do(req)
}

// Post submits a form as a browser would: with the CSRF token of the last
// page (loading the home page first if there was none) and an Origin.
func (b *Browser) Post(path string, fields map[string]string) *Page {
	b.env.T.Helper()
	form := url.Values{}
	for k, v := range fields {
		form.Set(k, v)
	}
	return b.PostValues(path, form)
}

// PostValues is Post with repeated fields.
func (b *Browser) PostValues(path string, form url.Values) *Page {
	b.env.T.Helper()
	if b.token == "" {
		b.Get("/")
	}
	if form.Get("csrf_token") == "" {
		form.Set("csrf_token", b.token)
	}
	return b.send(http.MethodPost, path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()), nil)
}

// PostRaw sends a body with a content type, CSRF header and Origin: for
// uploads and machine endpoints.
func (b *Browser) PostRaw(path, contentType string, body io.Reader) *Page {
	b.env.T.Helper()
	if b.token == "" {
		b.Get("/")
	}
	return b.send(http.MethodPost, path, contentType, body, map[string]string{"X-CSRF-Token": b.token})
}

// PostWithoutToken submits a form with no CSRF token, as a forged
// cross-site form would (but from our own origin).
func (b *Browser) PostWithoutToken(path string, fields map[string]string) *Page {
	b.env.T.Helper()
	form := url.Values{}
	for k, v := range fields {
		form.Set(k, v)
	}
	return b.send(http.MethodPost, path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()), nil)
}

// HTMX sends an htmx request (HX-Request, CSRF header), GET or POST.
func (b *Browser) HTMX(method, path string, fields map[string]string) *Page {
	b.env.T.Helper()
	if b.token == "" && method != http.MethodGet {
		b.Get("/")
	}
	form := url.Values{}
	for k, v := range fields {
		form.Set(k, v)
	}
	headers := map[string]string{"HX-Request": "true", "X-CSRF-Token": b.token}
	if method == http.MethodGet {
		u := path
		if len(form) > 0 {
			u += "?" + form.Encode()
		}
		return b.send(method, u, "", nil, headers)
	}
	return b.send(method, path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()), headers)
}

// HTMXGet sends an htmx GET that swaps into the element with id target
// (HX-Target), as a "more" link or a live search does.
func (b *Browser) HTMXGet(path, target string) *Page {
	b.env.T.Helper()
	return b.send(http.MethodGet, path, "", nil, map[string]string{"HX-Request": "true", "HX-Target": target})
}

func (b *Browser) send(method, path, contentType string, body io.Reader, headers map[string]string) *Page {
	b.env.T.Helper()
	req, err := http.NewRequest(method, b.env.Server.URL+path, body)
	if err != nil {
		b.env.T.Fatalf("testkit: %s %s: %v", method, path, err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Origin", b.env.Server.URL)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return b.do(req)
}

func (b *Browser) do(req *http.Request) *Page {
	b.env.T.Helper()
	for k, v := range b.extra {
		req.Header[k] = v
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.env.T.Fatalf("testkit: %s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		b.env.T.Fatalf("testkit: read %s: %v", req.URL.Path, err)
	}
	p := &Page{Status: resp.StatusCode, Header: resp.Header, Body: string(raw), URL: strings.TrimPrefix(resp.Request.URL.String(), b.env.Server.URL)}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		if tok, ok := p.Doc().Find(`meta[name="csrf-token"]`).Attr("content"); ok && tok != "" {
			b.token = tok
		}
	}
	b.Last = p
	return p
}

// Cookies returns the cookies the browser holds for the test server.
func (b *Browser) Cookies() []*http.Cookie {
	u, _ := url.Parse(b.env.Server.URL)
	return b.client.Jar.Cookies(u)
}
