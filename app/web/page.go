package web

import (
	"encoding/base64"
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// Site is what every page knows about the installation.
type Site struct {
	Name string
	// Assets are the hashed URLs every page links, resolved once (a
	// template function call per asset per page showed in profiles).
	Assets SiteAssets
	// DevOutbox shows the link to the development mail outbox (embedded
	// mode without SMTP).
	DevOutbox bool
	BaseURL   string
}

// SiteAssets are the static files of the layout.
type SiteAssets struct {
	CSS, HTMX, JS, Logo, Favicon string
}

// OrgRef is an organisation as the viewer knows it, with their role in it.
type OrgRef struct {
	ID       uuid.UUID
	Slug     string
	Name     string
	TimeZone string
	Role     string
	// IsStaff and IsAdmin are derived from Role, for navigation.
	IsStaff bool
	IsAdmin bool
}

// Viewer is the signed-in person, set by the auth middleware, with the
// organisation of the current tenant route, if any.
type Viewer struct {
	UserID   uuid.UUID
	Name     string
	Email    string
	Verified bool
	TimeZone string
	// Org is the organisation of a /o/{slug} route, nil elsewhere.
	Org *OrgRef
	// Kinds are the practitioner kinds the viewer offers in Org.
	Kinds []string
	// Orgs lists every active membership, for the switcher.
	Orgs []OrgRef
}

// Zone is the time zone to show times in: the person's own, else the
// organisation's, else UTC.
func (v *Viewer) Zone() string {
	switch {
	case v == nil:
		return "UTC"
	case v.TimeZone != "":
		return v.TimeZone
	case v.Org != nil && v.Org.TimeZone != "":
		return v.Org.TimeZone
	}
	return "UTC"
}

// Flash is a one-time message shown on the next page.
type Flash struct {
	Kind    string // success, error, info, warning
	Message string
}

// Page is the data every page template gets; Data is the page's own.
type Page struct {
	Title     string
	Site      Site
	Viewer    *Viewer
	CSRFToken string
	Flashes   []Flash
	// Nav names the active navigation item.
	Nav  string
	Data any
}

const (
	// addedFlashesKey holds the flashes this request queued (Once keeps
	// them with a form key's answer).
	addedFlashesKey = "toolbox.flashes_added"
	viewerKey       = "toolbox.viewer"
	siteKey         = "toolbox.site"
	flashName       = "flash"
)

// WithSite makes the site description available to NewPage.
func WithSite(s Site) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Set(siteKey, s)
		c.Next()
	}
}

// SetViewer records the signed-in person for this request.
func SetViewer(c *gin.Context, v *Viewer) { c.Set(viewerKey, v) }

// CurrentViewer returns the signed-in person, or nil.
func CurrentViewer(c *gin.Context) *Viewer {
	v, _ := c.Get(viewerKey)
	viewer, _ := v.(*Viewer)
	return viewer
}

// NewPage builds the data of a page, taking any pending flash messages.
func NewPage(c *gin.Context, title string, data any) Page {
	site, _ := c.Get(siteKey)
	s, _ := site.(Site)
	return Page{
		Title:     title,
		Site:      s,
		Viewer:    CurrentViewer(c),
		CSRFToken: CSRFToken(c),
		Flashes:   takeFlashes(c),
		Data:      data,
	}
}

// AddFlash queues a message for the next page this browser shows.
func AddFlash(c *gin.Context, kind, message string) {
	flashes := append(readFlashes(c), Flash{Kind: kind, Message: message})
	added, _ := c.Get(addedFlashesKey)
	as, _ := added.([]Flash)
	c.Set(addedFlashesKey, append(as, Flash{Kind: kind, Message: message}))
	b, err := json.Marshal(flashes)
	if err != nil {
		return
	}
	http.SetCookie(c.Writer, &http.Cookie{
		Name: flashName, Value: base64.RawURLEncoding.EncodeToString(b), Path: "/",
		HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: 300,
	})
}

func readFlashes(c *gin.Context) []Flash {
	raw, err := c.Cookie(flashName)
	if err != nil || raw == "" {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil {
		return nil
	}
	var flashes []Flash
	if json.Unmarshal(b, &flashes) != nil || len(flashes) > 5 {
		return nil
	}
	return flashes
}

func takeFlashes(c *gin.Context) []Flash {
	flashes := readFlashes(c)
	if flashes != nil {
		http.SetCookie(c.Writer, &http.Cookie{Name: flashName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	}
	return flashes
}
