package mail

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// Outbox serves the development mail outbox pages. They are mounted only
// in the embedded mode without SMTP, where they are how a newcomer reads
// the verification and invitation links.
type Outbox struct {
	Mail     *Service
	Renderer *web.Renderer
}

func (o *Outbox) ShowOutboxPage(c *gin.Context) error {
	emails, err := o.Mail.Recent(c.Request.Context(), 200)
	if err != nil {
		return err
	}
	return o.Renderer.Render(c, http.StatusOK, PageOutbox, web.NewPage(c, "Mail outbox", gin.H{"Emails": emails}))
}

func (o *Outbox) ShowEmailPage(c *gin.Context) error {
	e, err := o.load(c)
	if err != nil {
		return err
	}
	return o.Renderer.Render(c, http.StatusOK, PageEmail, web.NewPage(c, e.Subject, gin.H{"Email": e}))
}

func (o *Outbox) DownloadICS(c *gin.Context) error {
	e, err := o.load(c)
	if err != nil {
		return err
	}
	if e.ICS == "" {
		return db.ErrNotFound
	}
	c.Data(http.StatusOK, "text/calendar; charset=utf-8", []byte(e.ICS))
	return nil
}

func (o *Outbox) load(c *gin.Context) (*Email, error) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return nil, err
	}
	return o.Mail.Get(c.Request.Context(), id)
}
