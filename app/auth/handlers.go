package auth

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// Handlers serve the account pages.
type Handlers struct {
	Service  *Service
	Renderer *web.Renderer
}

// LoadViewer puts the signed-in person, if any, in the request. A session
// whose epoch is older than the account's (signed out everywhere, password
// changed) or whose account is gone counts as signed out.
func (h *Handlers) LoadViewer(c *gin.Context) error {
	s := h.Service
	u, err := s.Sessions.load(c)
	if err != nil {
		return err
	}
	id, epoch := s.Sessions.userID(c)
	if u == nil || id != u.ID || u.AuthEpoch != epoch {
		if id != uuid.Nil || u != nil {
			return s.Sessions.SignOut(c)
		}
		return nil
	}
	web.SetViewer(c, &web.Viewer{UserID: u.ID, Name: u.Name, Email: u.Email, Verified: u.Verified(), TimeZone: u.TimeZone})
	return nil
}

// RequireUser refuses anonymous requests (to the sign-in page).
func RequireUser(c *gin.Context) error {
	if web.CurrentViewer(c) == nil {
		return web.ErrUnauthenticated
	}
	return nil
}

func (h *Handlers) ShowLoginPage(c *gin.Context) error {
	if web.CurrentViewer(c) != nil {
		web.Redirect(c, safeNext(c.Query("next")))
		return nil
	}
	f := web.NewForm(nil)
	f.Set("next", c.Query("next"))
	return h.Renderer.Render(c, http.StatusOK, PageLogin, web.NewPage(c, "Sign in", gin.H{"Form": f}))
}

func (h *Handlers) SignIn(c *gin.Context) error {
	f := web.NewForm(web.PostedForm(c))
	f.Required("email", "password")
	if f.Valid() && h.Service.Passwords != nil {
		allowed, org, err := h.Service.Passwords.PasswordAllowed(c.Request.Context(), f.Get("email"))
		if err != nil {
			return err
		}
		if !allowed {
			f.Add("email", org+" signs in the people of your e-mail domain with its identity provider, not with a password here: choose \"Continue with your organisation\".")
			return h.Renderer.Render(c, http.StatusForbidden, PageLogin, web.NewPage(c, "Sign in", gin.H{"Form": f}))
		}
	}
	if f.Valid() {
		u, err := h.Service.SignIn(c.Request.Context(), f.Get("email"), f.Values.Get("password"), c.ClientIP())
		var throttled *ThrottledError
		switch {
		case errors.As(err, &throttled):
			f.Add("email", fmt.Sprintf("Too many failed attempts. Please wait %s and try again, or reset your password.", web.HumanWait(throttled.Wait)))
			return h.Renderer.Render(c, http.StatusTooManyRequests, PageLogin, web.NewPage(c, "Sign in", gin.H{"Form": f}))
		case errors.Is(err, ErrBadCredentials):
			f.Add("email", "That e-mail address and password do not match an account.")
		case errors.Is(err, ErrSuspended):
			f.Add("email", "Your organisation is suspended for now, so signing in is closed. Nothing has been deleted; your organisation's owners can ask the service's support why.")
			return h.Renderer.Render(c, http.StatusForbidden, PageLogin, web.NewPage(c, "Sign in", gin.H{"Form": f}))
		case errors.Is(err, ErrAccessRemoved):
			f.Add("email", "Your access was removed by your organisation's administrators. Please ask them if you think this is a mistake.")
			return h.Renderer.Render(c, http.StatusForbidden, PageLogin, web.NewPage(c, "Sign in", gin.H{"Form": f}))
		case err != nil:
			return err
		default:
			if err := h.Service.Sessions.SignIn(c, u); err != nil {
				return err
			}
			web.Redirect(c, safeNext(f.Get("next")))
			return nil
		}
	}
	return h.Renderer.Render(c, http.StatusUnprocessableEntity, PageLogin, web.NewPage(c, "Sign in", gin.H{"Form": f}))
}

func (h *Handlers) SignOut(c *gin.Context) error {
	if err := h.Service.Sessions.SignOut(c); err != nil {
		return err
	}
	web.AddFlash(c, "info", "You are signed out.")
	web.Redirect(c, "/")
	return nil
}

// showVerifyPage asks the person to confirm with a button: mail scanners
// that follow links must not spend the token.
func (h *Handlers) ShowVerifyPage(c *gin.Context) error {
	token := c.Param("token")
	if _, err := PeekToken(c.Request.Context(), h.Service.DB, h.Service.Clock.Now(), token, PurposeVerifyEmail); err != nil {
		if errors.Is(err, db.ErrNotFound) {
			return h.linkInvalid(c)
		}
		return err
	}
	return h.Renderer.Render(c, http.StatusOK, PageVerify, web.NewPage(c, "Confirm your e-mail", gin.H{"Token": token}))
}

func (h *Handlers) Verify(c *gin.Context) error {
	u, err := h.Service.Verify(c.Request.Context(), c.Param("token"))
	if errors.Is(err, db.ErrNotFound) {
		return h.linkInvalid(c)
	}
	if err != nil {
		return err
	}
	if v := web.CurrentViewer(c); v != nil && v.UserID == u.ID {
		// A privilege change: a verified person may invite others.
		if err := h.Service.Sessions.Rotate(c, u); err != nil {
			return err
		}
	}
	web.AddFlash(c, "success", "Thank you: your e-mail address is confirmed.")
	web.Redirect(c, "/home")
	return nil
}

func (h *Handlers) ResendVerification(c *gin.Context) error {
	v := web.CurrentViewer(c)
	ctx := c.Request.Context()
	u, err := UserByID(ctx, h.Service.DB, v.UserID)
	if err != nil {
		return err
	}
	if !u.Verified() {
		if err := h.Service.SendVerification(ctx, h.Service.DB, u); err != nil {
			return err
		}
	}
	web.AddFlash(c, "info", "We sent a new confirmation link to "+u.Email+".")
	web.Redirect(c, backTo(c, "/home"))
	return nil
}

func (h *Handlers) ShowForgotPage(c *gin.Context) error {
	return h.Renderer.Render(c, http.StatusOK, PageForgot, web.NewPage(c, "Reset your password", gin.H{"Form": web.NewForm(nil)}))
}

func (h *Handlers) RequestReset(c *gin.Context) error {
	f := web.NewForm(web.PostedForm(c))
	f.Required("email")
	email := f.Email("email")
	if !f.Valid() {
		return h.Renderer.Render(c, http.StatusUnprocessableEntity, PageForgot, web.NewPage(c, "Reset your password", gin.H{"Form": f}))
	}
	var throttled *ThrottledError
	if err := h.Service.Throttle(c.Request.Context(), ThrottleReset, c.ClientIP()); errors.As(err, &throttled) {
		f.Add("email", "Too many reset requests came from your network in the last hour. Please try again in "+web.HumanWait(throttled.Wait)+".")
		return h.Renderer.Render(c, http.StatusTooManyRequests, PageForgot, web.NewPage(c, "Reset your password", gin.H{"Form": f}))
	} else if err != nil {
		return err
	}
	if err := h.Service.RequestReset(c.Request.Context(), email); err != nil {
		return err
	}
	return h.Renderer.Render(c, http.StatusOK, PageForgot, web.NewPage(c, "Reset your password", gin.H{"Form": f, "Sent": true}))
}

func (h *Handlers) ShowResetPage(c *gin.Context) error {
	token := c.Param("token")
	if _, err := PeekToken(c.Request.Context(), h.Service.DB, h.Service.Clock.Now(), token, PurposeResetPassword); err != nil {
		if errors.Is(err, db.ErrNotFound) {
			return h.linkInvalid(c)
		}
		return err
	}
	return h.Renderer.Render(c, http.StatusOK, PageReset, web.NewPage(c, "Choose a new password", gin.H{"Form": web.NewForm(nil), "Token": token}))
}

func (h *Handlers) ResetPassword(c *gin.Context) error {
	token := c.Param("token")
	f := web.NewForm(web.PostedForm(c))
	f.Required("password")
	if p := passwordProblem(f.Values.Get("password"), ""); p != "" && f.Get("password") != "" {
		f.Add("password", p)
	}
	if !f.Valid() {
		return h.Renderer.Render(c, http.StatusUnprocessableEntity, PageReset, web.NewPage(c, "Choose a new password", gin.H{"Form": f, "Token": token}))
	}
	u, err := h.Service.ResetPassword(c.Request.Context(), token, f.Values.Get("password"))
	if errors.Is(err, db.ErrNotFound) {
		return h.linkInvalid(c)
	}
	if err != nil {
		return err
	}
	if err := h.Service.Sessions.SignIn(c, u); err != nil {
		return err
	}
	web.AddFlash(c, "success", "Your password is changed, every other session of yours is signed out, and your calendar subscription address no longer works (make a new one on the subscription page).")
	web.Redirect(c, "/home")
	return nil
}

func (h *Handlers) linkInvalid(c *gin.Context) error {
	return h.Renderer.Render(c, http.StatusNotFound, PageLinkInvalid, web.NewPage(c, "Link no longer valid", nil))
}

// safeNext keeps redirects on this site (see web.LocalPath).
func safeNext(next string) string { return web.SafeNext(next, "/home") }

// backTo returns to the page the form was on, if it was ours.
func backTo(c *gin.Context, fallback string) string {
	ref, err := url.Parse(c.Request.Referer())
	if err != nil || ref.Path == "" {
		return fallback
	}
	return safeNext(ref.RequestURI())
}
