// Package app assembles the application: Build (services.go) is its one
// constructor; it wires the domain services, builds the HTTP engine with
// its middleware and error pages around the route table of routes.go
// (every route one line, with the role group that admits it), and the
// task mux of tasks.go.
package app

import (
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/leadershiptoolbox/toolbox/app/config"
	"github.com/leadershiptoolbox/toolbox/app/web"
	"github.com/leadershiptoolbox/toolbox/static"
	"github.com/leadershiptoolbox/toolbox/templates"
)

// NewAssets hashes the embedded static files.
func NewAssets() (*web.Assets, error) {
	return web.NewAssets(static.FS)
}

// NewRenderer parses the embedded templates with the asset URL function.
func NewRenderer(assets *web.Assets) (*web.Renderer, error) {
	return NewRendererFS(templates.FS, assets)
}

// NewRendererFS is NewRenderer over another template tree (tests).
func NewRendererFS(fsys fs.FS, assets *web.Assets) (*web.Renderer, error) {
	return web.NewRenderer(fsys, template.FuncMap{"asset": assets.URL})
}

// newEngine builds the HTTP handler.
func newEngine(d *App) (*gin.Engine, error) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.RedirectTrailingSlash = true
	r.ContextWithFallback = true
	if err := web.TrustProxies(r, d.Config.TrustedProxies); err != nil {
		return nil, config.Invalid{Err: fmt.Errorf("TOOLBOX_TRUSTED_PROXIES: %w", err)}
	}

	site := web.Site{Name: "Leadership Toolbox", DevOutbox: d.Config.DevOutbox(), BaseURL: d.Config.BaseURL}
	for dst, name := range map[*string]string{
		&site.Assets.CSS: "css/app.css", &site.Assets.HTMX: "vendor/htmx/htmx.min.js", &site.Assets.JS: "js/app.js",
		&site.Assets.Logo: "img/logo.svg", &site.Assets.Favicon: "img/favicon.svg",
	} {
		u, err := d.Assets.URL(name)
		if err != nil {
			return nil, err
		}
		*dst = u
	}
	errs := &web.Errors{Log: d.Log}
	errs.Page = func(c *gin.Context, status int, message string) {
		page := web.NewPage(c, http.StatusText(status), gin.H{"Heading": headingFor(status), "Message": message})
		if err := d.Renderer.Render(c, status, pageErrorStatus, page); err != nil {
			d.Log.Error("render error page", "err", err)
			c.String(status, message)
		}
	}
	if err := d.Renderer.MustHave(pages()...); err != nil {
		return nil, err
	}

	https := strings.HasPrefix(d.Config.BaseURL, "https://")
	r.Use(
		web.AssignRequestID(),
		d.Metrics.Requests(),
		web.AccessLog(d.Log),
		web.Recover(errs),
		web.SecurityHeaders(https),
		web.WithSite(site),
		limitBody(8<<20),
		web.ReadInput(errs),
	)
	r.NoRoute(func(c *gin.Context) { errs.Handle(c, web.Errorf(http.StatusNotFound, "We could not find that page.")) })
	var pages []string // the patterns of every GET route, once mounted
	r.NoMethod(func(c *gin.Context) {
		// A form's posting address opened as a page: typed in, or the
		// address bar's after a refused post without JavaScript. Send the
		// person to the page the form lives on, the nearest address above
		// that is one, rather than answering 405.
		if m := c.Request.Method; m == http.MethodGet || m == http.MethodHead {
			if page, ok := pageAbove(pages, c.Request.URL.Path); ok {
				c.Redirect(http.StatusSeeOther, page)
				return
			}
		}
		errs.Handle(c, web.Errorf(http.StatusMethodNotAllowed, "That action is not available here."))
	})
	mountRoutes(r, newHandlers(d), errs)
	for _, rt := range r.Routes() {
		if rt.Method == http.MethodGet {
			pages = append(pages, rt.Path)
		}
	}
	return r, nil
}

// pageAbove is the nearest address above path (dropping its last
// segments one at a time) that a GET route of patterns serves.
func pageAbove(patterns []string, path string) (string, bool) {
	if !strings.HasPrefix(path, "/") || strings.HasPrefix(path, "//") || strings.ContainsAny(path, "\\\x00") {
		return "", false
	}
	for p := strings.TrimSuffix(path, "/"); strings.Count(p, "/") > 1; {
		p = p[:strings.LastIndex(p, "/")]
		for _, pattern := range patterns {
			if routeMatches(pattern, p) {
				return p, true
			}
		}
	}
	return "", false
}

// routeMatches says whether path fits pattern's segments (":name" fits
// any one non-empty segment; patterns here have no wildcards that match
// more than one).
func routeMatches(pattern, path string) bool {
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(ps) != len(xs) {
		return false
	}
	for i := range ps {
		switch {
		case strings.HasPrefix(ps[i], ":"):
			if xs[i] == "" {
				return false
			}
		case strings.HasPrefix(ps[i], "*"):
			return false
		case ps[i] != xs[i]:
			return false
		}
	}
	return true
}

// limitBody caps request bodies (the largest legitimate one is a 1 MB CSV
// upload), before the CSRF check parses forms.
func limitBody(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Body != nil {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		}
		c.Next()
	}
}

func headingFor(status int) string {
	switch status {
	case http.StatusNotFound:
		return "Page not found"
	case http.StatusForbidden:
		return "Not allowed"
	case http.StatusConflict:
		return "Changed in the meantime"
	case http.StatusUnprocessableEntity:
		return "Please check what you entered"
	case http.StatusBadRequest:
		return "Bad request"
	case http.StatusMethodNotAllowed:
		return "Not available"
	case http.StatusLocked:
		return "This organisation is suspended"
	case http.StatusServiceUnavailable:
		return "Back in a moment"
	default:
		return "Something went wrong"
	}
}
