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
	r.NoMethod(func(c *gin.Context) {
		errs.Handle(c, web.Errorf(http.StatusMethodNotAllowed, "That action is not available here."))
	})
	mountRoutes(r, newHandlers(d), errs)
	return r, nil
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
