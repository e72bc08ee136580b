package auth

import (
	"context"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/web"
)

func (h *Handlers) renderAccount(c *gin.Context, status int, profile, password *web.Form) error {
	return h.renderAccountWith(c, status, profile, password, nil)
}

func (h *Handlers) renderAccountWith(c *gin.Context, status int, profile, password, email *web.Form) error {
	v := web.CurrentViewer(c)
	if email == nil {
		email = web.NewForm(nil)
	}
	if profile == nil {
		profile = web.NewForm(nil)
		profile.Set("name", v.Name)
		profile.Set("time_zone", v.TimeZone)
	}
	if password == nil {
		password = web.NewForm(nil)
	}
	return h.Renderer.Render(c, status, PageAccount, web.NewPage(c, "Your account", gin.H{
		"Profile": profile, "Password": password, "Email": email, "Zones": web.TimeZones(),
	}))
}

func (h *Handlers) ShowAccountPage(c *gin.Context) error {
	return h.renderAccount(c, http.StatusOK, nil, nil)
}

func (h *Handlers) UpdateProfile(c *gin.Context) error {
	f := web.NewForm(web.PostedForm(c))
	f.Required("name")
	f.MaxLength("name", 120)
	f.TimeZone("time_zone")
	if !f.Valid() {
		return h.renderAccount(c, http.StatusUnprocessableEntity, f, nil)
	}
	if err := h.Service.Store.UpdateProfile(c.Request.Context(), web.CurrentViewer(c).UserID, f.Get("name"), f.Get("time_zone")); err != nil {
		return err
	}
	web.AddFlash(c, "success", "Your profile is saved.")
	web.Redirect(c, "/account")
	return nil
}

func (h *Handlers) ChangePassword(c *gin.Context) error {
	v := web.CurrentViewer(c)
	f := web.NewForm(web.PostedForm(c))
	f.Required("current_password", "new_password")
	if p := passwordProblem(f.Values.Get("new_password"), v.Email); p != "" && f.Get("new_password") != "" {
		f.Add("new_password", p)
	}
	if f.Valid() {
		u, err := h.Service.ChangePassword(c.Request.Context(), v.UserID, f.Values.Get("current_password"), f.Values.Get("new_password"))
		switch {
		case errors.Is(err, ErrBadCredentials):
			f.Add("current_password", "That is not your current password.")
		case err != nil:
			return err
		default:
			// The epoch moved: this session is renewed, every other one ends.
			if err := h.Service.Sessions.SignIn(c, u); err != nil {
				return err
			}
			web.AddFlash(c, "success", "Your password is changed. Your other sessions are signed out.")
			web.Redirect(c, "/account")
			return nil
		}
	}
	return h.renderAccount(c, http.StatusUnprocessableEntity, nil, f)
}

func (h *Handlers) SignOutEverywhere(c *gin.Context) error {
	v := web.CurrentViewer(c)
	ctx := c.Request.Context()
	if err := h.Service.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		return h.Service.EndEverywhere(ctx, tx, v.UserID)
	}); err != nil {
		return err
	}
	if err := h.Service.Sessions.SignOut(c); err != nil {
		return err
	}
	web.AddFlash(c, "info", "You are signed out on every device, and your calendar subscription address no longer works: make a new one on the calendar's subscription page.")
	web.Redirect(c, "/login")
	return nil
}
