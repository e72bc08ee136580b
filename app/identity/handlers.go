package identity

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// Cookies of a sign-in under way, on /login/sso only.
const (
	flowCookie    = "sso_flow"
	pendingCookie = "sso_link"
	cookiePath    = "/login/sso"
)

// Handlers serve the sign-in through identity providers and its settings.
type Handlers struct {
	Service  *Service
	Sessions *auth.Sessions
	Renderer *web.Renderer
	// Secure marks the cookies Secure (the site is served over HTTPS).
	Secure bool
}

// RefusalMessage words an error of the sign-in for the person, with the
// status to answer with; ok is false for an unexpected error.
func RefusalMessage(err error) (msg string, status int, ok bool) {
	switch {
	case errors.Is(err, ErrNoProvider):
		return "No organisation signs in the people of that e-mail domain here. Sign in with your password, or ask your organisation's admins.", http.StatusUnprocessableEntity, true
	case errors.Is(err, ErrProviderDisabled):
		return "Your organisation has switched off signing in with its identity provider. Sign in with your password.", http.StatusForbidden, true
	case errors.Is(err, ErrProviderUnreachable):
		return "Your organisation's identity provider cannot be reached just now. Please try again in a few minutes; if it goes on, tell your organisation's admins.", http.StatusBadGateway, true
	case errors.Is(err, ErrSecretUnreadable):
		return "Your organisation's sign-in cannot be used until its admins enter the identity provider's client secret again. Sign in with your password, or ask them.", http.StatusServiceUnavailable, true
	case errors.Is(err, ErrProviderRefused):
		return "Your organisation's identity provider did not sign you in. Please start again; if it goes on, tell your organisation's admins.", http.StatusBadRequest, true
	case errors.Is(err, ErrFlowMissing), errors.Is(err, ErrFlowExpired):
		return "This sign-in was not started in this browser, or it took longer than ten minutes. Please start again.", http.StatusBadRequest, true
	case errors.Is(err, ErrBadState):
		return "The answer from the identity provider does not belong to the sign-in this browser started, so it was refused. Please start again.", http.StatusBadRequest, true
	case errors.Is(err, ErrBadNonce):
		return "The identity provider's token was not made for this sign-in, so it was refused. Please start again.", http.StatusBadRequest, true
	case errors.Is(err, ErrTokenInvalid):
		return "The identity provider's token could not be trusted (its signature, issuer, audience or expiry is wrong), so it was refused. Please start again; if it goes on, tell your organisation's admins.", http.StatusBadRequest, true
	case errors.Is(err, ErrEmailNotVerified):
		return "Your organisation's identity provider has not verified your e-mail address, so we cannot sign you in with it.", http.StatusForbidden, true
	case errors.Is(err, ErrDomainNotCovered):
		return "Your organisation's identity provider signed you in with an address outside the domains it covers here, so it was refused.", http.StatusForbidden, true
	case errors.Is(err, ErrAccessRemoved):
		return "Your access was removed by your organisation's administrators. Please ask them if you think this is a mistake.", http.StatusForbidden, true
	case errors.Is(err, ErrSuspended):
		return "Your organisation is suspended for now, so signing in is closed. Nothing has been deleted.", http.StatusForbidden, true
	}
	return "", 0, false
}

func (h *Handlers) setCookie(c *gin.Context, name, value string, maxAge int) {
	c.SetSameSite(http.SameSiteLaxMode)
	c.SetCookie(name, value, maxAge, cookiePath, "", h.Secure, true)
}

func (h *Handlers) problem(c *gin.Context, err error) error {
	msg, status, ok := RefusalMessage(err)
	if !ok {
		return err
	}
	return h.Renderer.Render(c, status, PageProblem, web.NewPage(c, "Signing in with your organisation", ProblemPage{Message: msg}))
}

// safeNext keeps a local path to go to after signing in.
func safeNext(next, fallback string) string {
	if strings.HasPrefix(next, "/") && !strings.HasPrefix(next, "//") && !strings.HasPrefix(next, "/\\") {
		return next
	}
	return fallback
}

// ShowStartPage asks for the e-mail address to sign in with (the page
// without script; the sign-in page offers the same through Lookup).
func (h *Handlers) ShowStartPage(c *gin.Context) error {
	f := web.NewForm(nil)
	f.Set("email", c.Query("email"))
	f.Set("next", c.Query("next"))
	return h.Renderer.Render(c, http.StatusOK, PageStart, web.NewPage(c, "Continue with your organisation", StartPage{Form: f}))
}

// Lookup answers the sign-in page, as the person types their address:
// "Continue with your organisation" when its domain has a provider.
func (h *Handlers) Lookup(c *gin.Context) error {
	email := strings.TrimSpace(c.Query("email"))
	var offer *Offer
	if strings.Contains(email, "@") && len(email) <= 254 {
		var err error
		offer, err = h.Service.OfferFor(c.Request.Context(), email)
		if err != nil && !errors.Is(err, ErrNoProvider) {
			return err
		}
	}
	c.Header("Cache-Control", "no-store")
	return h.Renderer.RenderBlock(c, http.StatusOK, PageStart, "sso", web.NewPage(c, "", StartPage{Offer: offer, Email: email, Next: c.Query("next")}))
}

// Start sends the person to their organisation's provider.
func (h *Handlers) Start(c *gin.Context) error {
	f := web.NewForm(web.PostedForm(c))
	f.Required("email")
	email := f.Email("email")
	if f.Valid() {
		to, flow, err := h.Service.Begin(c.Request.Context(), email, f.Get("next"))
		if err == nil {
			raw, err := h.Service.SealFlow(flow)
			if err != nil {
				return err
			}
			h.setCookie(c, flowCookie, raw, int(flowTTL.Seconds()))
			web.RedirectAway(c, to)
			return nil
		}
		msg, status, ok := RefusalMessage(err)
		if !ok {
			return err
		}
		f.Add("email", msg)
		return h.Renderer.Render(c, status, PageStart, web.NewPage(c, "Continue with your organisation", StartPage{Form: f}))
	}
	return h.Renderer.Render(c, http.StatusUnprocessableEntity, PageStart, web.NewPage(c, "Continue with your organisation", StartPage{Form: f}))
}

// Callback is where the provider sends the person back.
func (h *Handlers) Callback(c *gin.Context) error {
	raw, _ := c.Cookie(flowCookie)
	h.setCookie(c, flowCookie, "", -1) // a flow is used once, whatever happens
	if raw == "" {
		return h.problem(c, ErrFlowMissing)
	}
	flow, err := h.Service.OpenFlow(raw)
	if err != nil {
		return h.problem(c, err)
	}
	out, err := h.Service.Finish(c.Request.Context(), flow, c.Request.URL.Query(), c.ClientIP())
	if err != nil {
		return h.problem(c, err)
	}
	if out.Pending != nil {
		sealed, err := h.Service.SealPending(out.Pending)
		if err != nil {
			return err
		}
		h.setCookie(c, pendingCookie, sealed, int(flowTTL.Seconds()))
		web.Redirect(c, "/login/sso/link")
		return nil
	}
	return h.signIn(c, out)
}

func (h *Handlers) signIn(c *gin.Context, out *Outcome) error {
	if err := h.Sessions.SignIn(c, out.User); err != nil {
		return err
	}
	if out.Joined {
		web.AddFlash(c, "success", "Welcome! Your organisation's identity provider signed you in, and you are now a member.")
	}
	web.Redirect(c, safeNext(out.Next, "/o/"+out.OrgSlug))
	return nil
}

// ShowLinkPage asks the holder of an existing account for its password
// before their organisation's provider may sign them in to it.
func (h *Handlers) ShowLinkPage(c *gin.Context) error {
	pl, err := h.pending(c)
	if err != nil {
		return h.problem(c, err)
	}
	return h.renderLink(c, http.StatusOK, pl, web.NewForm(nil))
}

func (h *Handlers) renderLink(c *gin.Context, status int, pl *PendingLink, f *web.Form) error {
	return h.Renderer.Render(c, status, PageLink, web.NewPage(c, "Link your account", LinkPage{Form: f, Email: pl.Email}))
}

func (h *Handlers) pending(c *gin.Context) (*PendingLink, error) {
	raw, _ := c.Cookie(pendingCookie)
	if raw == "" {
		return nil, ErrFlowMissing
	}
	pl, err := h.Service.OpenPending(raw)
	if err != nil {
		return nil, err
	}
	if h.Service.Clock.Now().After(pl.Expires) {
		return nil, ErrFlowExpired
	}
	return pl, nil
}

// ConfirmLink checks the account's password, links it and signs in.
func (h *Handlers) ConfirmLink(c *gin.Context) error {
	pl, err := h.pending(c)
	if err != nil {
		return h.problem(c, err)
	}
	f := web.NewForm(web.PostedForm(c))
	f.Required("password")
	if !f.Valid() {
		return h.renderLink(c, http.StatusUnprocessableEntity, pl, f)
	}
	out, err := h.Service.Confirm(c.Request.Context(), pl, f.Values.Get("password"), c.ClientIP())
	var throttled *auth.ThrottledError
	switch {
	case errors.As(err, &throttled):
		f.Add("password", fmt.Sprintf("Too many failed attempts. Please wait %s and try again, or reset your password.", web.HumanWait(throttled.Wait)))
		return h.renderLink(c, http.StatusTooManyRequests, pl, f)
	case errors.Is(err, ErrWrongPassword):
		f.Add("password", "That is not the password of this account.")
		return h.renderLink(c, http.StatusUnprocessableEntity, pl, f)
	case err != nil:
		return h.problem(c, err)
	}
	h.setCookie(c, pendingCookie, "", -1)
	return h.signIn(c, out)
}

// ShowSettingsPage shows the organisation's provider to its admins.
func (h *Handlers) ShowSettingsPage(c *gin.Context) error {
	return h.renderSettings(c, http.StatusOK, nil)
}

func (h *Handlers) renderSettings(c *gin.Context, status int, f *web.Form) error {
	v := web.CurrentViewer(c)
	st, err := h.Service.SettingsOf(c.Request.Context(), v.Org.ID)
	if err != nil {
		return err
	}
	if f == nil {
		f = web.NewForm(nil)
		f.Set("issuer", st.Issuer)
		f.Set("client_id", st.ClientID)
		f.Set("domains", strings.Join(st.Domains, "\n"))
		f.Set("default_role", st.DefaultRole)
		if st.Enabled {
			f.Set("enabled", "on")
		}
		if st.PasswordSignIn {
			f.Set("password_sign_in", "on")
		}
	}
	page := web.NewPage(c, "Sign-in with your identity provider", SettingsPage{
		Form: f, HasSecret: st.HasSecret, Configured: st.Issuer != "", RedirectURI: h.Service.RedirectURI(),
		Roles: tenancy.ProviderRoles, Slug: v.Org.Slug,
	})
	page.Nav = "settings"
	return h.Renderer.Render(c, status, PageSettings, page)
}

// SaveSettings stores the organisation's provider.
func (h *Handlers) SaveSettings(c *gin.Context) error {
	v := web.CurrentViewer(c)
	f := web.NewForm(web.PostedForm(c))
	f.Required("issuer", "client_id", "domains", "default_role")
	issuer := f.WebURL("issuer", true)
	f.MaxLength("client_id", 200)
	f.MaxLength("client_secret", 500)
	doms, problem := ParseDomains(f.Get("domains"))
	if problem != "" {
		f.Add("domains", problem)
	}
	role := f.Get("default_role")
	if role != "" && !slices.Contains(tenancy.ProviderRoles, tenancy.Role(role)) {
		f.Add("default_role", "Choose one of the roles offered.")
	}
	if !f.Valid() {
		return h.renderSettings(c, http.StatusUnprocessableEntity, f)
	}
	err := h.Service.Configure(c.Request.Context(), v.Org.ID, v.UserID, c.ClientIP(), Input{
		Issuer: strings.TrimRight(issuer, "/"), ClientID: f.Get("client_id"), Secret: f.Values.Get("client_secret"),
		DefaultRole: role, Domains: doms, Enabled: f.Get("enabled") != "", PasswordSignIn: f.Get("password_sign_in") != "",
	})
	var taken *DomainTakenError
	switch {
	case errors.As(err, &taken):
		f.Add("domains", fmt.Sprintf("%s already signs in people of another organisation: a domain belongs to one organisation only.", taken.Domain))
	case errors.Is(err, ErrSecretRequired), errors.Is(err, ErrSecretUnreadable):
		f.Add("client_secret", "Enter the client secret your identity provider gave you.")
	case errors.Is(err, ErrProviderUnreachable):
		f.Add("issuer", "We could not read this provider's discovery document ("+trim(issuer, 100)+"/.well-known/openid-configuration). Check the address, which must be the issuer exactly as the provider names it.")
	case err != nil:
		return err
	}
	if !f.Valid() {
		return h.renderSettings(c, http.StatusUnprocessableEntity, f)
	}
	web.AddFlash(c, "success", "Sign-in with your identity provider is saved.")
	web.Redirect(c, "/o/"+v.Org.Slug+"/settings/sign-in")
	return nil
}
