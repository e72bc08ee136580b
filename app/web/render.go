package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	texttemplate "text/template"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/leadershiptoolbox/toolbox/app/words"
)

// Renderer holds one parsed template set per page: the layouts, every
// partial and the page itself. Sets are parsed once at start-up; a page
// that is asked for but was not found is a programming error caught by
// MustHave at wiring time.
type Renderer struct {
	pages map[string]*template.Template
	// emails hold the text and HTML bodies of outgoing mail, by name.
	emails  map[string]emailTemplates
	bufPool sync.Pool
	// shared holds the layouts and partials, for partials rendered alone.
	shared *template.Template
	// zones serves the inZone function: one time.LoadLocation per zone
	// name, not per row.
	zones *Zones
	// memo holds blocks rendered once for inputs that repeat (the site's
	// <head>, a page's body for the same few values): html/template calls
	// two or three escapers by reflection for every interpolation, a few
	// allocations each, and most of a page's allocations were those.
	memoMu sync.Mutex
	memo   map[memoKey]template.HTML
}

// memoKey names a rendered block and the inputs it was rendered from.
type memoKey struct {
	page  PageName
	block string
	key   any
}

// maxMemo bounds the memo; it starts over when full.
const maxMemo = 4096

type navKey struct {
	slug             string
	isStaff, isAdmin bool
	nav              string
}

// Memo renders block of page (or a shared partial, when page is "") once
// for each key, with the data that data returns (called only then), and
// returns the copy after that. key must be comparable and must determine
// everything the block shows: it is the caller's promise that the same key
// always renders the same HTML.
func (r *Renderer) Memo(key any, page PageName, block string, data func() any) (template.HTML, error) {
	k := memoKey{page: page, block: block, key: key}
	if html, ok := r.memoGet(k); ok {
		return html, nil
	}
	return r.memoPut(k, data())
}

func (r *Renderer) memoGet(k memoKey) (template.HTML, bool) {
	r.memoMu.Lock()
	html, ok := r.memo[k]
	r.memoMu.Unlock()
	return html, ok
}

// memoPut renders k's block with data and keeps it.
func (r *Renderer) memoPut(k memoKey, data any) (template.HTML, error) {
	set := r.shared
	if k.page != "" {
		if set = r.pages[string(k.page)]; set == nil {
			return "", fmt.Errorf("web: render unknown page %q", k.page)
		}
	}
	var b strings.Builder
	if err := set.ExecuteTemplate(&b, k.block, data); err != nil {
		return "", fmt.Errorf("web: render %s/%s: %w", k.page, k.block, err)
	}
	// html/template output, escaped as it was rendered.
	html := template.HTML(b.String())
	r.memoMu.Lock()
	if len(r.memo) >= maxMemo {
		clear(r.memo)
	}
	r.memo[k] = html
	r.memoMu.Unlock()
	return html, nil
}

// orgNav renders the "org-nav" partial for a page, once per organisation,
// role group and active item (html/template's escaping of its many links
// was a tenth of a page's CPU).
func (r *Renderer) orgNav(p Page) (template.HTML, error) {
	if p.Viewer == nil || p.Viewer.Org == nil {
		return "", nil
	}
	o := p.Viewer.Org
	k := memoKey{block: "org-nav", key: navKey{slug: o.Slug, isStaff: o.IsStaff, isAdmin: o.IsAdmin, nav: p.Nav}}
	if html, ok := r.memoGet(k); ok {
		return html, nil
	}
	return r.memoPut(k, Page{Viewer: &Viewer{Org: o}, Nav: p.Nav})
}

// headerTop is the site header up to the sign-out form (which carries the
// request's CSRF token): the brand, the organisation navigation and the
// account links, rendered once per organisation, role group, active item
// and person's name.
func (r *Renderer) headerTop(p Page) (template.HTML, error) {
	h := headerTop{Logo: p.Site.Assets.Logo, Home: "/"}
	if v := p.Viewer; v != nil {
		h.Signed, h.Name, h.Home = true, v.Name, "/home"
		if o := v.Org; o != nil {
			h.Home, h.OrgName = "/o/"+o.Slug, o.Name
			h.nav = navKey{slug: o.Slug, isStaff: o.IsStaff, isAdmin: o.IsAdmin, nav: p.Nav}
		}
	}
	k := memoKey{block: "header-top", key: h}
	if html, ok := r.memoGet(k); ok {
		return html, nil
	}
	nav, err := r.orgNav(p)
	if err != nil {
		return "", err
	}
	return r.memoPut(k, headerTopData{headerTop: h, Nav: nav})
}

// headerTop is what the top of the header shows (and its memo key).
type headerTop struct {
	Logo, Home, OrgName, Name string
	Signed                    bool
	nav                       navKey
}

type headerTopData struct {
	headerTop
	Nav template.HTML
}

type emailTemplates struct {
	text *texttemplate.Template
	html *template.Template
}

// NewRenderer parses templates from fsys: layouts/*.html, partials/*.html,
// pages/<domain>/<page>.html (named "<domain>/<page>") and emails/*.
func NewRenderer(fsys fs.FS, funcs template.FuncMap) (*Renderer, error) {
	r := &Renderer{
		pages:   map[string]*template.Template{},
		emails:  map[string]emailTemplates{},
		bufPool: sync.Pool{New: func() any { return new(bytes.Buffer) }},
		zones:   &Zones{},
		memo:    map[memoKey]template.HTML{},
	}
	allFuncs := baseFuncs()
	allFuncs["orgNav"] = r.orgNav
	// inZone shows a UTC instant in the viewer's zone.
	allFuncs["inZone"] = r.zones.In
	allFuncs["headerTop"] = r.headerTop
	// siteHead is the layout's <head> links for a site, rendered once.
	allFuncs["siteHead"] = func(s Site) (template.HTML, error) {
		return r.Memo(s, "", "site-head", func() any { return s })
	}
	for k, v := range funcs {
		allFuncs[k] = v
	}
	shared, err := template.New("").Funcs(allFuncs).ParseFS(fsys, "layouts/*.html", "partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse layouts and partials: %w", err)
	}
	r.shared = shared
	err = fs.WalkDir(fsys, "pages", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		name := strings.TrimSuffix(strings.TrimPrefix(p, "pages/"), ".html")
		set, err := shared.Clone()
		if err != nil {
			return err
		}
		if _, err := set.ParseFS(fsys, p); err != nil {
			return fmt.Errorf("web: parse page %s: %w", name, err)
		}
		if set.Lookup("content") == nil {
			return fmt.Errorf("web: page %s defines no \"content\" template", name)
		}
		r.pages[name] = set
		return nil
	})
	if err != nil {
		return nil, err
	}
	textEmails, err := fs.Glob(fsys, "emails/*.txt")
	if err != nil {
		return nil, fmt.Errorf("web: list e-mail templates: %w", err)
	}
	for _, p := range textEmails {
		name := strings.TrimSuffix(path.Base(p), ".txt")
		// The subject and plain-text body are text, not HTML: they go
		// through text/template so that "&" stays "&".
		text, err := texttemplate.New(name).Funcs(texttemplate.FuncMap(allFuncs)).ParseFS(fsys, p)
		if err != nil {
			return nil, fmt.Errorf("web: parse e-mail %s: %w", name, err)
		}
		e := emailTemplates{text: text}
		if _, err := fs.Stat(fsys, "emails/"+name+".html"); err == nil {
			if e.html, err = template.New(name).Funcs(allFuncs).ParseFS(fsys, "emails/"+name+".html"); err != nil {
				return nil, fmt.Errorf("web: parse e-mail %s (html): %w", name, err)
			}
		}
		r.emails[name] = e
	}
	return r, nil
}

// PageName names a page template, pages/<domain>/<page>.html without the
// extension. Each domain declares its pages as constants of this type, and
// the application checks them all with MustHave at start-up, so that a
// misspelt name stops the start rather than a request.
type PageName string

// MustHave fails when any of the named pages is missing, so that wiring
// (and therefore start-up) fails rather than the first request.
func (r *Renderer) MustHave(pages ...PageName) error {
	for _, p := range pages {
		if r.pages[string(p)] == nil {
			return fmt.Errorf("web: template for page %q is missing", p)
		}
	}
	return nil
}

// Zones is the renderer's zone cache, for handlers that need a viewer's
// zone as the templates see it.
func (r *Renderer) Zones() *Zones { return r.zones }

// IsFragmentRequest decides page or fragment: an htmx request that is not
// boosted and not a history restore wants the page's content alone.
func IsFragmentRequest(req *http.Request) bool {
	return req.Header.Get("HX-Request") == "true" &&
		req.Header.Get("HX-Boosted") != "true" &&
		req.Header.Get("HX-History-Restore-Request") != "true"
}

// Fragment is what an htmx fragment request gets instead of the page's
// "content" block: Block rendered with Data. Target, when set, is the
// element the request must target (HX-Target: a search swapping its
// results, a "more" link appending rows); empty matches any fragment
// request.
type Fragment struct {
	Target string
	Block  string
	Data   any
}

// Render writes page with data: the whole page; or, for an htmx fragment
// request, the first of fragments it asks for, else the page's "content"
// block. It is the one place that decides.
func (r *Renderer) Render(c *gin.Context, status int, page PageName, data any, fragments ...Fragment) error {
	block := "base"
	if IsFragmentRequest(c.Request) {
		block = "content"
		target := c.GetHeader("HX-Target")
		for _, f := range fragments {
			if f.Target == "" || f.Target == target {
				return r.RenderBlock(c, status, page, f.Block, f.Data)
			}
		}
	}
	return r.RenderBlock(c, status, page, block, data)
}

// RefusedHeader carries the real status (422, 409) of a refused form
// answered to htmx with 200.
const RefusedHeader = "X-Refused-Status"

// RenderBlock writes one named block of a page (a table body, a form) for
// htmx swaps that target part of a page.
func (r *Renderer) RenderBlock(c *gin.Context, status int, page PageName, block string, data any) error {
	set := r.pages[string(page)]
	if set == nil {
		return fmt.Errorf("web: render unknown page %q", page)
	}
	buf := r.bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer r.bufPool.Put(buf)
	// Render into a buffer first so that a template error becomes a clean
	// 500 page instead of half a page.
	if err := set.ExecuteTemplate(buf, block, data); err != nil {
		return fmt.Errorf("web: render %s/%s: %w", page, block, err)
	}
	h := c.Writer.Header()
	h.Add("Vary", "HX-Request")
	if c.Request.Header.Get("HX-Request") == "true" && (status == http.StatusUnprocessableEntity || status == http.StatusConflict) {
		// A refused form (or a time taken meanwhile) is shown to htmx as
		// a 200 that says what it was: the browser logs every 4xx answer
		// to a script's request as a console error, and a person who
		// mistyped a date has met no error of the page. Without htmx the
		// status stays as it is.
		h.Set(RefusedHeader, strconv.Itoa(status))
		status = http.StatusOK
	}
	if c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead && c.Request.Header.Get("HX-Request") == "true" {
		// A page rendered in answer to a post (a refused form, a
		// conflict) lives at an address only a post reaches: htmx would
		// put it in the address bar (boosted forms push their URL), and a
		// reload would GET it and find 405. The address bar keeps the
		// page the form was on, which a reload shows afresh.
		h.Set("HX-Push-Url", "false")
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-store")
	}
	c.Status(status)
	_, err := c.Writer.Write(buf.Bytes())
	return err
}

// RenderEmail executes the "subject" and "text" blocks of
// emails/<name>.txt and, when emails/<name>.html exists, its "html" block.
func (r *Renderer) RenderEmail(name string, data any) (subject, text, html string, err error) {
	e, ok := r.emails[name]
	if !ok {
		return "", "", "", fmt.Errorf("web: unknown e-mail template %q", name)
	}
	var b strings.Builder
	exec := func(block string) (string, error) {
		b.Reset()
		if err := e.text.ExecuteTemplate(&b, block, data); err != nil {
			return "", fmt.Errorf("web: render e-mail %s/%s: %w", name, block, err)
		}
		return strings.TrimSpace(b.String()), nil
	}
	if subject, err = exec("subject"); err != nil {
		return
	}
	if text, err = exec("text"); err != nil {
		return
	}
	if e.html != nil {
		b.Reset()
		if err = e.html.ExecuteTemplate(&b, "html", data); err != nil {
			return "", "", "", fmt.Errorf("web: render e-mail %s/html: %w", name, err)
		}
		html = b.String()
	}
	return
}

func baseFuncs() template.FuncMap {
	return template.FuncMap{
		"fmtDate":     func(t time.Time) string { return t.Format("Mon 2 Jan 2006") },
		"fmtTime":     func(t time.Time) string { return t.Format("15:04") },
		"fmtDateTime": func(t time.Time) string { return t.Format("Mon 2 Jan 2006, 15:04 MST") },
		"isoTime":     func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		// formKey is a fresh key for a form's FormKeyField (see Once).
		"formKey": NewFormKey,
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("dict: odd number of arguments")
			}
			m := make(map[string]any, len(kv)/2)
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
		// say shows a stored code as words ("one_to_one": "one to one");
		// title does the same with a capital first letter. Both come
		// from the words package, the one place codes are put in words.
		"say":   func(code any) string { return words.Say(fmt.Sprint(code)) },
		"title": func(code any) string { return words.Title(fmt.Sprint(code)) },
		"percent": func(done, total int) int {
			if total <= 0 {
				return 0
			}
			return done * 100 / total
		},
	}
}
