package library

import (
	"errors"
	"fmt"
	"html/template"
	"mime"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/markdown"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// Page names this package renders; app's start-up check lists them.
const (
	PageIndex     web.PageName = "library/index"
	PageArticle   web.PageName = "library/article"
	PageForm      web.PageName = "library/form"
	PageAgenda    web.PageName = "library/agenda"
	PageFramework web.PageName = "library/framework"
)

// Handlers serve the library. Every route lives under /o/:slug; the
// route table says which role group reaches each one, and the handlers
// check relationship and session participation themselves.
type Handlers struct {
	Service  *Service
	Renderer *web.Renderer
}

func isAdmin(v *web.Viewer) bool { return tenancy.Has(v, tenancy.Admins...) }

func libraryPath(v *web.Viewer) string { return "/o/" + v.Org.Slug + "/library" }

func articlePath(v *web.Viewer, id uuid.UUID) string { return libraryPath(v) + "/" + id.String() }

// IndexPage is the data of the library's list.
type IndexPage struct {
	Slug       string
	Query      ListQuery
	Page       Results
	Categories []Category
	Kinds      []Kind
	IsAdmin    bool
	// Prev and Next are the links to the neighbouring pages, if any.
	Prev, Next string
}

// indexPage builds the list page's view: pure, from the query and its
// results.
func indexPage(slug string, q ListQuery, page Results, admin bool) IndexPage {
	p := IndexPage{Slug: slug, Query: q, Page: page, Categories: Categories, Kinds: Kinds, IsAdmin: admin}
	link := func(n int) string {
		v := url.Values{}
		for k, val := range map[string]string{"q": q.Search, "category": q.Category, "tag": q.Tag, "kind": string(q.Kind)} {
			if val != "" {
				v.Set(k, val)
			}
		}
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		if len(v) == 0 {
			return "/o/" + slug + "/library"
		}
		return "/o/" + slug + "/library?" + v.Encode()
	}
	if page.Page > 1 {
		p.Prev = link(page.Page - 1)
	}
	if page.Page < page.Pages {
		p.Next = link(page.Page + 1)
	}
	return p
}

// ShowLibrary lists, filters and searches the library.
func (h *Handlers) ShowLibrary(c *gin.Context) error {
	v := web.CurrentViewer(c)
	ctx := c.Request.Context()
	if err := h.Service.ensureStarter(ctx, v.Org.ID); err != nil {
		return err
	}
	pageNo, _ := strconv.Atoi(c.Query("page"))
	search := c.Query("q")
	if len(search) > 200 {
		search = search[:200]
	}
	q := ListQuery{Search: search, Category: c.Query("category"), Tag: c.Query("tag"), Kind: Kind(c.Query("kind")),
		WithUnpublished: isAdmin(v), Page: pageNo, PerPage: 12}
	res, err := h.Service.Store.Articles(ctx, v.Org.ID, q)
	if err != nil {
		return err
	}
	page := web.NewPage(c, "Library", indexPage(v.Org.Slug, q, res, isAdmin(v)))
	page.Nav = "library"
	return h.Renderer.Render(c, http.StatusOK, PageIndex, page)
}

// loadReadable loads the article of the path if the viewer may read it.
func (h *Handlers) loadReadable(c *gin.Context) (*Article, error) {
	v := web.CurrentViewer(c)
	id, err := web.IDParam(c, "id")
	if err != nil {
		return nil, err
	}
	a, err := h.Service.Store.Article(c.Request.Context(), v.Org.ID, id)
	if err != nil {
		return nil, err
	}
	if !CanRead(a, isAdmin(v)) {
		return nil, fmt.Errorf("library: %s is not published: %w", id, db.ErrNotFound)
	}
	return a, nil
}

// ArticlePage is the data of an article's page.
type ArticlePage struct {
	Slug      string
	Article   *Article
	Body      template.HTML
	File      *File
	Tally     Tally
	IsAdmin   bool
	ShareInto []RelationshipRef
	Share     *web.Form
	Message   string
}

func (h *Handlers) renderArticle(c *gin.Context, status int, a *Article, share *web.Form, message string) error {
	v := web.CurrentViewer(c)
	ctx := c.Request.Context()
	p := ArticlePage{Slug: v.Org.Slug, Article: a, Body: markdown.Render(a.Body), IsAdmin: isAdmin(v), Share: share, Message: message}
	if p.Share == nil {
		p.Share = web.NewForm(nil)
	}
	f, err := h.Service.Store.FileInfo(ctx, v.Org.ID, a.ID)
	switch {
	case err == nil:
		p.File = f
	case !errors.Is(err, db.ErrNotFound):
		return err
	}
	if p.Tally, err = h.Service.Store.Tally(ctx, v.Org.ID, a.ID, v.UserID); err != nil {
		return err
	}
	if a.Published() && a.Kind != KindAgenda && tenancy.Has(v, tenancy.Practitioners...) {
		if p.ShareInto, err = h.Service.Relationships.Led(ctx, v.Org.ID, v.UserID); err != nil {
			return err
		}
	}
	page := web.NewPage(c, a.Title, p)
	page.Nav = "library"
	return h.Renderer.Render(c, status, PageArticle, page)
}

// ShowArticle shows one article, tool or agenda template.
func (h *Handlers) ShowArticle(c *gin.Context) error {
	a, err := h.loadReadable(c)
	if err != nil {
		return err
	}
	return h.renderArticle(c, http.StatusOK, a, nil, "")
}

// Vote records the viewer's "helpful?" answer; an htmx request gets the
// voting block back.
func (h *Handlers) Vote(c *gin.Context) error {
	a, err := h.loadReadable(c)
	if err != nil {
		return err
	}
	v := web.CurrentViewer(c)
	f := web.NewForm(web.PostedForm(c))
	f.Required("helpful")
	f.OneOf("helpful", "yes", "no")
	if !f.Valid() {
		return web.Errorf(http.StatusUnprocessableEntity, "Choose yes or no.")
	}
	ctx := c.Request.Context()
	if err := h.Service.Store.Vote(ctx, v.Org.ID, a.ID, v.UserID, f.Get("helpful") == "yes", h.Service.Clock.Now()); err != nil {
		return err
	}
	return web.Done(c, articlePath(v, a.ID), web.Flash{Kind: "success", Message: "Thank you for your answer."}, func() error {
		t, err := h.Service.Store.Tally(ctx, v.Org.ID, a.ID, v.UserID)
		if err != nil {
			return err
		}
		page := web.NewPage(c, a.Title, ArticlePage{Slug: v.Org.Slug, Article: a, Tally: t})
		return h.Renderer.RenderBlock(c, http.StatusOK, PageArticle, "library-vote", page)
	})
}

// DownloadFile sends an article's file as an attachment.
func (h *Handlers) DownloadFile(c *gin.Context) error {
	a, err := h.loadReadable(c)
	if err != nil {
		return err
	}
	f, err := h.Service.Store.File(c.Request.Context(), a.OrgID, a.ID)
	if err != nil {
		return err
	}
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, f.ContentType, f.Data)
	return nil
}

// Share shares the article into one of the viewer's relationships.
func (h *Handlers) Share(c *gin.Context) error {
	a, err := h.loadReadable(c)
	if err != nil {
		return err
	}
	v := web.CurrentViewer(c)
	f := web.NewForm(web.PostedForm(c))
	f.Required("relationship")
	f.MaxLength("note", 500)
	relID, perr := uuid.Parse(f.Get("relationship"))
	if perr != nil {
		f.Add("relationship", "Choose one of the relationships offered.")
	}
	if !f.Valid() {
		return h.renderArticle(c, http.StatusUnprocessableEntity, a, f, "")
	}
	err = h.Service.ShareInto(c.Request.Context(), v.Org.ID, a.ID, relID, v.UserID, f.Get("note"))
	switch {
	case errors.Is(err, ErrAlreadyShared):
		f.Add("relationship", "You have already shared this there.")
		return h.renderArticle(c, http.StatusConflict, a, f, "")
	case errors.Is(err, ErrNotPractitioner):
		return web.ErrForbidden
	case errors.Is(err, ErrNotPublished):
		return web.Errorf(http.StatusUnprocessableEntity, "Only published items can be shared.")
	case err != nil:
		return err
	}
	web.AddFlash(c, "success", "Shared. It now appears on the relationship's page.")
	web.Redirect(c, "/o/"+v.Org.Slug+"/relationships/"+relID.String()+"#library")
	return nil
}

// Unshare takes a shared article out of a relationship.
func (h *Handlers) Unshare(c *gin.Context) error {
	v := web.CurrentViewer(c)
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	sh, err := h.Service.Unshare(c.Request.Context(), v.Org.ID, id, v.UserID)
	if errors.Is(err, ErrNotPractitioner) {
		return web.ErrForbidden
	}
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", "No longer shared.")
	web.Redirect(c, "/o/"+v.Org.Slug+"/relationships/"+sh.RelationshipID.String()+"#library")
	return nil
}
