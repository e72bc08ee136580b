package tenancy

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/audit"
	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/logctx"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// Handlers serve sign-up, the organisation list and the tenant wall.
type Handlers struct {
	Service  *Service
	Renderer *web.Renderer
	Audit    *audit.Store
	// AuditActions are the actions the audit page filters by: audit's
	// own and those other domains record (wired in app.New).
	AuditActions []string
	// Courses lists the published courses the settings may name (the
	// coaching-approach signpost); wired in app, nil offers none.
	Courses func(ctx context.Context, orgID uuid.UUID) ([]CourseChoice, error)
}

// Tenant resolves /o/:slug to one of the signed-in person's active
// memberships. Anything else — no such organisation, not a member,
// deactivated — is the same 404, so that a URL tells nothing about
// another organisation.
func (h *Handlers) Tenant(c *gin.Context) error {
	v := web.CurrentViewer(c)
	if v == nil {
		return web.ErrUnauthenticated
	}
	slug := c.Param("slug")
	ms, err := h.Service.Store.Memberships(c.Request.Context(), v.UserID)
	if err != nil {
		return err
	}
	v.Orgs = v.Orgs[:0]
	suspended := ""
	for _, m := range ms {
		if m.Status != StatusActive {
			continue
		}
		ref := web.OrgRef{ID: m.OrgID, Slug: m.Slug, Name: m.Name, TimeZone: m.TimeZone, Role: string(m.Role),
			IsStaff: slices.Contains(Staff, m.Role), IsAdmin: slices.Contains(Admins, m.Role)}
		v.Orgs = append(v.Orgs, ref)
		if m.Slug == slug {
			if m.Suspended {
				suspended = m.Name
				continue
			}
			org := ref
			v.Org = &org
			v.Kinds = ParseKinds(m.Kinds)
		}
	}
	if suspended != "" {
		// A member learns it; anyone else gets the same 404 as ever.
		return web.Errorf(http.StatusLocked, suspended+" is suspended for now, so its pages are closed. "+
			"Nothing has been deleted, and everything comes back when it is resumed. Your organisation's owners can ask the service's support why.")
	}
	if v.Org == nil {
		return db.ErrNotFound
	}
	// Every line logged for the request from here on names the organisation.
	c.Request = c.Request.WithContext(logctx.With(c.Request.Context(), slog.String("org_id", v.Org.ID.String())))
	return nil
}

// Require lets through only the given roles in the current organisation.
func Require(roles ...Role) web.HandlerFunc {
	return func(c *gin.Context) error {
		v := web.CurrentViewer(c)
		if v == nil || v.Org == nil {
			return db.ErrNotFound
		}
		if !slices.Contains(roles, Role(v.Org.Role)) {
			return web.ErrForbidden
		}
		return nil
	}
}

// Has reports whether the viewer holds one of roles in the current
// organisation (for showing or hiding actions in pages).
func Has(v *web.Viewer, roles ...Role) bool {
	return v != nil && v.Org != nil && slices.Contains(roles, Role(v.Org.Role))
}

func (h *Handlers) renderSignup(c *gin.Context, status int, f *web.Form) error {
	return h.Renderer.Render(c, status, PageSignup, web.NewPage(c, "Set up your organisation", SignupPage{Form: f, Zones: web.TimeZones()}))
}

func (h *Handlers) ShowSignupPage(c *gin.Context) error {
	f := web.NewForm(nil)
	f.Set("time_zone", "Europe/London")
	return h.renderSignup(c, http.StatusOK, f)
}

func (h *Handlers) SignUp(c *gin.Context) error {
	v := web.CurrentViewer(c)
	f := web.NewForm(web.PostedForm(c))
	f.Required("org_name", "slug", "time_zone")
	f.MaxLength("org_name", 120)
	f.TimeZone("time_zone")
	slug := strings.ToLower(f.Get("slug"))
	if slug != "" {
		if p := SlugProblem(slug); p != "" {
			f.Add("slug", p)
		}
	}
	in := SignupInput{OrgName: f.Get("org_name"), Slug: slug, TimeZone: f.Get("time_zone"), IP: c.ClientIP()}
	if v != nil {
		in.UserID = v.UserID
	} else {
		f.Required("name", "email", "password")
		f.MaxLength("name", 120)
		in.Name, in.Email, in.Password = f.Get("name"), f.Email("email"), f.Values.Get("password")
		if in.Password != "" {
			if len(in.Password) < 10 {
				f.Add("password", "Use at least 10 characters.")
			} else if len(in.Password) > 200 {
				f.Add("password", "Use at most 200 characters.")
			}
		}
	}
	if !f.Valid() {
		return h.renderSignup(c, http.StatusUnprocessableEntity, f)
	}
	var throttled *auth.ThrottledError
	if err := h.Service.Auth.Throttle(c.Request.Context(), auth.ThrottleSignup, c.ClientIP()); errors.As(err, &throttled) {
		f.Add("org_name", "Too many organisations were set up from your network in the last hour. Please try again in "+web.HumanWait(throttled.Wait)+".")
		return h.renderSignup(c, http.StatusTooManyRequests, f)
	} else if err != nil {
		return err
	}
	org, user, err := h.Service.SignUp(c.Request.Context(), in)
	switch {
	case errors.Is(err, ErrSlugTaken):
		f.Add("slug", "Another organisation already uses this address. Please choose another.")
	case errors.Is(err, ErrEmailTaken):
		// The answer must not tell whether an address has an account: it
		// is the redirect a new account gets (the password was hashed all
		// the same), without the sign-in; the holder gets an e-mail.
		if err := h.Service.Auth.TellAboutSignupAttempt(c.Request.Context(), in.Email); err != nil {
			return err
		}
		web.AddFlash(c, "info", "Please check your e-mail: we sent a message to "+in.Email+" with what to do next.")
		web.Redirect(c, "/o/"+slug)
		return nil
	case err != nil:
		return err
	}
	if !f.Valid() {
		return h.renderSignup(c, http.StatusUnprocessableEntity, f)
	}
	if v == nil {
		if err := h.Service.Auth.Sessions.SignIn(c, user); err != nil {
			return err
		}
		web.AddFlash(c, "success", "Welcome! Your organisation is ready. We sent a confirmation link to "+user.Email+".")
	} else {
		web.AddFlash(c, "success", "Your new organisation is ready.")
	}
	web.Redirect(c, "/o/"+org.Slug)
	return nil
}

// checkSlug answers the sign-up form's live slug check (htmx).
func (h *Handlers) CheckSlug(c *gin.Context) error {
	slug := strings.ToLower(strings.TrimSpace(c.Query("slug")))
	msg, ok := "", false
	if slug != "" {
		if p := SlugProblem(slug); p != "" {
			msg = p
		} else if taken, err := h.Service.Store.SlugTaken(c.Request.Context(), slug); err != nil {
			return err
		} else if taken {
			msg = "Another organisation already uses this address."
		} else {
			msg, ok = "Available: your address will be /o/"+slug, true
		}
	}
	return h.Renderer.RenderBlock(c, http.StatusOK, PageSignup, "slug-status", gin.H{"Message": msg, "OK": ok})
}

func (h *Handlers) ShowHomePage(c *gin.Context) error {
	v := web.CurrentViewer(c)
	ms, err := h.Service.Store.Memberships(c.Request.Context(), v.UserID)
	if err != nil {
		return err
	}
	var active []ViewerMembership
	for _, m := range ms {
		if m.Status == StatusActive {
			active = append(active, m)
		}
	}
	if len(active) == 1 && c.Query("stay") == "" {
		web.Redirect(c, "/o/"+url.PathEscape(active[0].Slug))
		return nil
	}
	return h.Renderer.Render(c, http.StatusOK, PageHome, web.NewPage(c, "Your organisations", HomePage{Memberships: active}))
}

func (h *Handlers) ShowDashboardPage(c *gin.Context) error {
	v := web.CurrentViewer(c)
	counts, err := h.Service.Store.CountByRole(c.Request.Context(), v.Org.ID)
	if err != nil {
		return err
	}
	d := dashboard{Org: *v.Org, Verified: v.Verified, IsAdmin: Has(v, Admins...), IsStaff: Has(v, Staff...), IsPractitioner: len(v.Kinds) > 0}
	for _, rc := range counts {
		d.People += rc.Count
		switch rc.Role {
		case RolePractitioner:
			d.Practitioners = rc.Count
		case RoleMember:
			d.Members = rc.Count
		}
	}
	page := web.NewPage(c, v.Org.Name, nil)
	page.Nav = "dashboard"
	// The body depends on nothing but d: rendered once per distinct d.
	body, err := h.Renderer.Memo(d, PageDashboard, "dashboard-body", func() any { return d })
	if err != nil {
		return err
	}
	page.Data = body
	return h.Renderer.Render(c, http.StatusOK, PageDashboard, page)
}

// dashboard is everything the dashboard's body shows, and so the key of
// its rendered copy.
type dashboard struct {
	Org                              web.OrgRef
	Verified                         bool
	IsAdmin, IsStaff, IsPractitioner bool
	People, Practitioners, Members   int
}

func actorOf(c *gin.Context) Actor {
	v := web.CurrentViewer(c)
	return Actor{UserID: v.UserID, Role: Role(v.Org.Role), IP: c.ClientIP()}
}

func orgPath(c *gin.Context, rest string) string {
	return "/o/" + url.PathEscape(web.CurrentViewer(c).Org.Slug) + rest
}
