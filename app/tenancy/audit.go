package tenancy

import (
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/audit"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

func (h *Handlers) auditActions() []string {
	if len(h.AuditActions) > 0 {
		return h.AuditActions
	}
	return audit.Actions
}

// nextPage is the query string of the next page of a keyset-paged list:
// this request's filters with param set to the last row's key, or "" when
// no more rows follow.

func nextPage(c *gin.Context, more bool, param string, last func() string) string {
	if !more {
		return ""
	}
	q := c.Request.URL.Query()
	q.Set(param, last())
	return "?" + q.Encode()
}

func (h *Handlers) ShowAuditPage(c *gin.Context) error {
	v := web.CurrentViewer(c)
	loc, err := h.Renderer.Zones().Load(v.Zone())
	if err != nil {
		loc = time.UTC
	}
	f := web.NewForm(c.Request.URL.Query())
	filter := audit.Filter{Actor: f.Get("actor"), Limit: 50}
	if a := f.Get("action"); a != "" {
		if !slices.Contains(h.auditActions(), a) {
			f.Add("action", "Choose one of the actions offered.")
		} else {
			filter.Action = a
		}
	}
	day := func(name string) time.Time {
		raw := f.Get(name)
		if raw == "" {
			return time.Time{}
		}
		t, err := time.ParseInLocation("2006-01-02", raw, loc)
		if err != nil {
			f.Add(name, "Enter a date such as 2027-03-01.")
			return time.Time{}
		}
		return t
	}
	filter.From = day("from")
	if to := day("to"); !to.IsZero() {
		filter.To = to.AddDate(0, 0, 1)
	}
	if raw := f.Get("before"); raw != "" {
		if filter.Before, err = uuid.Parse(raw); err != nil {
			f.Add("before", "bad page")
		}
	}
	status := http.StatusOK
	var events []audit.Event
	more := false
	if f.Valid() {
		if events, more, err = h.Audit.List(c.Request.Context(), v.Org.ID, filter); err != nil {
			return err
		}
	} else {
		status = http.StatusUnprocessableEntity
	}
	data := AuditPage{Form: f, Events: events, Actions: h.auditActions(), Slug: v.Org.Slug, Zone: v.Zone(),
		Older: nextPage(c, more, "before", func() string { return events[len(events)-1].ID.String() })}
	page := web.NewPage(c, "Audit log", data)
	page.Nav = "audit"
	return h.Renderer.Render(c, status, PageAudit, page, web.Fragment{Target: "audit-more", Block: "audit-rows", Data: data})
}
