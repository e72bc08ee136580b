package account

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/leadershiptoolbox/toolbox/app/audit"
	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/personaldata"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// Handlers serve the personal-data routes.
type Handlers struct {
	Service  *Service
	Sessions *auth.Sessions
	Renderer *web.Renderer
	// Refusal turns an eraser's refusal into a message for the person, or
	// "" when the error is not a refusal.
	Refusal func(error) string
}

func (h *Handlers) ExportData(c *gin.Context) error {
	v := web.CurrentViewer(c)
	data, err := h.Service.Export(c.Request.Context(), v.UserID)
	if err != nil {
		return err
	}
	if h.Service.Audit != nil {
		h.Service.Audit.RecordEverywhere(c.Request.Context(), v.UserID, audit.ActionDataExported, c.ClientIP())
	}
	var buf bytes.Buffer
	if err := personaldata.WriteZIP(&buf, data.ExportedAt, data.Parts); err != nil {
		return err
	}
	c.Header("Content-Disposition", fmt.Sprintf("attachment; filename=%q", "leadership-toolbox-data-"+data.ExportedAt.Format("2006-01-02")+".zip"))
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/zip", buf.Bytes())
	return nil
}

func (h *Handlers) renderDelete(c *gin.Context, status int, f *web.Form) error {
	return h.Renderer.Render(c, status, PageDelete, web.NewPage(c, "Delete your account", gin.H{"Form": f}))
}

func (h *Handlers) ShowDeletePage(c *gin.Context) error {
	return h.renderDelete(c, http.StatusOK, web.NewForm(nil))
}

func (h *Handlers) DeleteAccount(c *gin.Context) error {
	v := web.CurrentViewer(c)
	if err := c.Request.ParseForm(); err != nil {
		return web.ErrBadRequest
	}
	f := web.NewForm(c.Request.PostForm)
	f.Required("password")
	if !f.Valid() {
		return h.renderDelete(c, http.StatusUnprocessableEntity, f)
	}
	err := h.Service.Delete(c.Request.Context(), v.UserID, f.Values.Get("password"))
	switch {
	case errors.Is(err, ErrWrongPassword):
		f.Add("password", "That is not your password.")
		return h.renderDelete(c, http.StatusUnprocessableEntity, f)
	case err != nil:
		if msg := h.Refusal(err); msg != "" {
			f.Add("password", msg)
			return h.renderDelete(c, http.StatusUnprocessableEntity, f)
		}
		return err
	}
	if err := h.Sessions.SignOut(c); err != nil {
		return err
	}
	web.AddFlash(c, "info", "Your account is deleted. Thank you for using Leadership Toolbox.")
	web.Redirect(c, "/")
	return nil
}
