package ops

import (
	"errors"
	"net/http"
	"net/http/pprof"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/outbox"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// Handlers serve the console.
type Handlers struct {
	Service  *Service
	Sessions *auth.Sessions
	Renderer *web.Renderer
}

// RequireOperator admits operators who gave their password recently.
// Anyone else, organisation owners included, gets the same 404 as an
// unknown page: the console's existence is nobody else's business. An
// operator whose sign-in is older than RecentSignIn is signed out and
// asked to sign in again.
func (h *Handlers) RequireOperator(c *gin.Context) error {
	v := web.CurrentViewer(c)
	if v == nil {
		return web.ErrUnauthenticated
	}
	ok, err := h.Service.Store.IsOperator(c.Request.Context(), v.UserID)
	if err != nil {
		return err
	}
	if !ok {
		return db.ErrNotFound
	}
	at := h.Sessions.SignedInAt(c)
	if at.IsZero() || h.Service.Clock.Now().Sub(at) > RecentSignIn {
		if err := h.Sessions.SignOut(c); err != nil {
			return err
		}
		web.AddFlash(c, "info", "The operator's console needs a recent sign-in: please sign in again.")
		web.Redirect(c, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
		c.Abort()
		return nil
	}
	return nil
}

func (h *Handlers) actor(c *gin.Context) Actor {
	v := web.CurrentViewer(c)
	return Actor{UserID: v.UserID, Email: v.Email, IP: c.ClientIP()}
}

// ShowOrgsPage is the console's home: organisations with their totals,
// searched, sorted and paged.
func (h *Handlers) ShowOrgsPage(c *gin.Context) error {
	f := OrgFilter{Query: c.Query("q"), Sort: OrgSort(c.DefaultQuery("sort", string(SortName)))}
	f.Page, _ = strconv.Atoi(c.Query("page"))
	f.Page = max(f.Page, 0)
	orgs, more, err := h.Service.Store.Orgs(c.Request.Context(), f, h.Service.Clock.Now())
	if err != nil {
		return err
	}
	pageLink := func(p int) string {
		q := url.Values{"q": {f.Query}, "sort": {string(f.Sort)}, "page": {strconv.Itoa(p)}}
		return "/ops?" + q.Encode()
	}
	data := gin.H{"Orgs": orgs, "Filter": f, "Sorts": Sorts}
	if more {
		data["Next"] = pageLink(f.Page + 1)
	}
	if f.Page > 0 {
		data["Prev"] = pageLink(f.Page - 1)
	}
	return h.Renderer.Render(c, http.StatusOK, PageOrgs, web.NewPage(c, "Operator's console", data))
}

func orgID(c *gin.Context) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return uuid.Nil, db.ErrNotFound
	}
	return id, nil
}

// ShowOrgPage shows one organisation: totals, suspension, its open
// tasks, support access, and, while the operator's support access is
// open, its people (names, addresses, roles: never notes or case
// material). Reading it under support access is itself recorded.
func (h *Handlers) ShowOrgPage(c *gin.Context) error {
	id, err := orgID(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	now := h.Service.Clock.Now()
	org, err := h.Service.Store.Org(ctx, id, now)
	if err != nil {
		return err
	}
	tasks, err := outbox.Open(ctx, h.Service.DB, id, 100)
	if err != nil {
		return err
	}
	history, err := h.Service.Store.SupportHistory(ctx, id, 10)
	if err != nil {
		return err
	}
	data := gin.H{"Org": org, "Tasks": tasks, "History": history, "MaxHours": int(MaxSupportAccess.Hours()), "Form": web.NewForm(nil)}
	a := h.actor(c)
	access, err := h.Service.Store.ActiveSupport(ctx, id, a.UserID, now)
	switch {
	case errors.Is(err, db.ErrNotFound):
	case err != nil:
		return err
	default:
		people, err := h.Service.Tenancy.People(ctx, id, tenancy.PeopleFilter{})
		if err != nil {
			return err
		}
		data["Access"], data["People"] = access, people
		if err := h.Service.Store.Record(ctx, Event{ActorID: &a.UserID, Actor: a.Email, Action: ActionSupportReadPage, OrgID: &id,
			Target: org.Slug, Detail: "people list under support access", IP: a.IP, At: now}); err != nil {
			return err
		}
	}
	return h.Renderer.Render(c, http.StatusOK, PageOrg, web.NewPage(c, org.Name, data))
}

// Suspend suspends an organisation, for a reason.
func (h *Handlers) Suspend(c *gin.Context) error {
	id, err := orgID(c)
	if err != nil {
		return err
	}
	if _, err := h.Service.Store.Org(c.Request.Context(), id, h.Service.Clock.Now()); err != nil {
		return err
	}
	reason := web.NewForm(web.PostedForm(c)).Get("reason")
	if reason == "" {
		web.AddFlash(c, "error", "Say why the organisation is suspended: its owners can read it in their audit log.")
	} else if err := h.Service.Suspend(c.Request.Context(), h.actor(c), id, reason); err != nil {
		return err
	} else {
		web.AddFlash(c, "success", "The organisation is suspended. Its tasks wait until it is resumed.")
	}
	web.Redirect(c, "/ops/orgs/"+id.String())
	return nil
}

// Resume ends an organisation's suspension.
func (h *Handlers) Resume(c *gin.Context) error {
	id, err := orgID(c)
	if err != nil {
		return err
	}
	if _, err := h.Service.Store.Org(c.Request.Context(), id, h.Service.Clock.Now()); err != nil {
		return err
	}
	if err := h.Service.Resume(c.Request.Context(), h.actor(c), id); err != nil {
		return err
	}
	web.AddFlash(c, "success", "The organisation is resumed. Its waiting tasks go to the queue now.")
	web.Redirect(c, "/ops/orgs/"+id.String())
	return nil
}

// StartSupport opens support access to an organisation.
func (h *Handlers) StartSupport(c *gin.Context) error {
	id, err := orgID(c)
	if err != nil {
		return err
	}
	if _, err := h.Service.Store.Org(c.Request.Context(), id, h.Service.Clock.Now()); err != nil {
		return err
	}
	f := web.NewForm(web.PostedForm(c))
	hours, _ := strconv.Atoi(f.Get("hours"))
	if _, err := h.Service.StartSupport(c.Request.Context(), h.actor(c), id, f.Get("reason"), hours); err != nil {
		if strings.HasPrefix(err.Error(), "ops: support access") {
			web.AddFlash(c, "error", "Support access needs a reason and lasts 1 to "+strconv.Itoa(int(MaxSupportAccess.Hours()))+" hours.")
			web.Redirect(c, "/ops/orgs/"+id.String())
			return nil
		}
		return err
	}
	web.AddFlash(c, "success", "Support access is open, and recorded in the organisation's audit log.")
	web.Redirect(c, "/ops/orgs/"+id.String())
	return nil
}

// EndSupport closes the operator's support access.
func (h *Handlers) EndSupport(c *gin.Context) error {
	id, err := orgID(c)
	if err != nil {
		return err
	}
	if err := h.Service.EndSupport(c.Request.Context(), h.actor(c), id); err != nil {
		return err
	}
	web.AddFlash(c, "success", "Support access is closed.")
	web.Redirect(c, "/ops/orgs/"+id.String())
	return nil
}

// ShowWorkPage shows background work across organisations: the outbox
// (waiting, the oldest due, failures with their errors), e-mail that
// failed with its reason, and Stripe events that changed nothing.
func (h *Handlers) ShowWorkPage(c *gin.Context) error {
	ctx := c.Request.Context()
	lag, err := outbox.ReadLag(ctx, h.Service.DB, h.Service.Clock.Now())
	if err != nil {
		return err
	}
	failures, err := outbox.Failures(ctx, h.Service.DB, 100)
	if err != nil {
		return err
	}
	emails, err := h.Service.Mail.Failed(ctx, 100)
	if err != nil {
		return err
	}
	events, err := h.Service.Billing.UnresolvedEvents(ctx, 100)
	if err != nil {
		return err
	}
	return h.Renderer.Render(c, http.StatusOK, PageWork, web.NewPage(c, "Background work", gin.H{
		"Lag": lag, "Failures": failures, "Emails": emails, "Events": events,
	}))
}

// RetryTask records a failed task again.
func (h *Handlers) RetryTask(c *gin.Context) error {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return db.ErrNotFound
	}
	newID, err := h.Service.RetryTask(c.Request.Context(), h.actor(c), id)
	switch {
	case errors.Is(err, outbox.ErrNotRetriable):
		web.AddFlash(c, "error", "Only a task that failed for good can be retried; this one is still open.")
	case err != nil:
		return err
	default:
		web.AddFlash(c, "success", "The task is recorded again as "+newID.String()+".")
	}
	web.Redirect(c, "/ops/work")
	return nil
}

// ShowAuditPage is the platform audit log.
func (h *Handlers) ShowAuditPage(c *gin.Context) error {
	events, err := h.Service.Store.Events(c.Request.Context(), 200)
	if err != nil {
		return err
	}
	ops, err := h.Service.Store.Operators(c.Request.Context())
	if err != nil {
		return err
	}
	return h.Renderer.Render(c, http.StatusOK, PageAudit, web.NewPage(c, "Platform audit log", gin.H{"Events": events, "Operators": ops}))
}

// Profile serves Go's profiler (net/http/pprof) under /ops/debug/pprof.
// Each profile read is recorded: a CPU profile holds a process for its
// duration.
func (h *Handlers) Profile(c *gin.Context) {
	name := strings.TrimPrefix(c.Param("name"), "/")
	a := h.actor(c)
	if name != "" {
		_ = h.Service.Store.Record(c.Request.Context(), Event{ActorID: &a.UserID, Actor: a.Email, Action: ActionProfiled, Target: name, IP: a.IP, At: h.Service.Clock.Now()})
	}
	switch name {
	case "":
		pprof.Index(c.Writer, c.Request)
	case "cmdline":
		pprof.Cmdline(c.Writer, c.Request)
	case "profile":
		pprof.Profile(c.Writer, c.Request)
	case "symbol":
		pprof.Symbol(c.Writer, c.Request)
	case "trace":
		pprof.Trace(c.Writer, c.Request)
	default:
		pprof.Handler(name).ServeHTTP(c.Writer, c.Request)
	}
}
