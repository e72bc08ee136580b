package library

import (
	"errors"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/markdown"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// FormPage is the data of the article form.
type FormPage struct {
	Slug        string
	Article     *Article // nil for a new item
	Form        *web.Form
	Categories  []Category
	Kinds       []Kind
	AgendaKinds []AgendaKind
	Preview     template.HTML
	File        *File
}

func articleForm(a *Article) *web.Form {
	f := web.NewForm(nil)
	f.Set("kind", string(KindArticle))
	f.Set("category", CatLeadership)
	if a != nil {
		for k, v := range map[string]string{"title": a.Title, "slug": a.Slug, "kind": string(a.Kind), "category": a.Category,
			"agenda_kind": a.AgendaKind, "summary": a.Summary, "body": a.Body, "tags": strings.ReplaceAll(a.Tags, ",", ", "), "link_url": a.LinkURL} {
			f.Set(k, v)
		}
	}
	return f
}

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// slugOf makes a slug from a title: "Trust & confidence" -> "trust-confidence".
func slugOf(title string) string {
	s := strings.ReplaceAll(Fold(title), " ", "-")
	if len(s) > 80 {
		s = strings.TrimRight(s[:80], "-")
	}
	return s
}

// readArticleForm checks the posted fields and copies them onto a.
func readArticleForm(f *web.Form, a *Article) {
	f.Required("title", "summary", "kind", "category")
	f.MaxLength("title", 160)
	f.MaxLength("summary", 400)
	f.MaxLength("body", 40000)
	f.MaxLength("tags", 300)
	f.OneOf("kind", string(KindArticle), string(KindTool), string(KindAgenda))
	f.OneOf("category", CategoryKeys()...)
	slug := f.Get("slug")
	if slug == "" {
		slug = slugOf(f.Get("title"))
	}
	if !slugPattern.MatchString(slug) || len(slug) > 80 {
		f.Add("slug", "Use lower-case letters, digits and hyphens, such as team-charter.")
	}
	kind := Kind(f.Get("kind"))
	agenda := f.Get("agenda_kind")
	if kind == KindAgenda && AgendaKindLabel(agenda) == "" {
		f.Add("agenda_kind", "Choose the kind of session this agenda is for.")
	}
	if kind != KindAgenda {
		agenda = ""
	}
	link := f.Get("link_url")
	if link != "" {
		u, err := url.Parse(link)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(link) > 500 {
			f.Add("link_url", "Enter a web address starting with https://.")
		}
	}
	a.Title, a.Slug, a.Kind, a.Category, a.AgendaKind = f.Get("title"), slug, kind, f.Get("category"), agenda
	a.Summary, a.Body, a.Tags, a.LinkURL = f.Get("summary"), f.Values.Get("body"), strings.Join(SplitTags(f.Get("tags")), ","), link
}

// allowedFileTypes are the files an admin may attach, by extension.
var allowedFileTypes = map[string]string{
	".pdf": "application/pdf", ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	".odt": "application/vnd.oasis.opendocument.text", ".txt": "text/plain; charset=utf-8", ".csv": "text/csv; charset=utf-8",
	".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
}

// readUpload reads the optional uploaded file; the content type comes
// from the extension, never from what the browser claims.
func readUpload(c *gin.Context, f *web.Form) *File {
	fh, err := c.FormFile("file")
	if err != nil {
		return nil
	}
	ext := strings.ToLower(path.Ext(fh.Filename))
	ctype, ok := allowedFileTypes[ext]
	switch {
	case !ok:
		f.Add("file", "Attach a PDF, Word, Excel, PowerPoint, OpenDocument, text, CSV or image file.")
		return nil
	case fh.Size > MaxFileBytes:
		f.Add("file", "The file is too large (at most 2 MB).")
		return nil
	}
	r, err := fh.Open()
	if err != nil {
		f.Add("file", "The file could not be read; please try again.")
		return nil
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil || len(data) > MaxFileBytes {
		f.Add("file", "The file could not be read; please try again.")
		return nil
	}
	name := path.Base(strings.ReplaceAll(fh.Filename, "\\", "/"))
	return &File{Name: name, ContentType: ctype, Size: len(data), Data: data}
}

func (h *Handlers) renderForm(c *gin.Context, status int, a *Article, f *web.Form) error {
	v := web.CurrentViewer(c)
	p := FormPage{Slug: v.Org.Slug, Article: a, Form: f, Categories: Categories, Kinds: Kinds, AgendaKinds: AgendaKinds}
	if body := f.Values.Get("body"); body != "" {
		p.Preview = markdown.Render(body)
	}
	if a != nil {
		fi, err := h.Service.Store.FileInfo(c.Request.Context(), v.Org.ID, a.ID)
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return err
		}
		p.File = fi
	}
	title := "New library item"
	if a != nil {
		title = "Edit " + a.Title
	}
	page := web.NewPage(c, title, p)
	page.Nav = "library"
	return h.Renderer.Render(c, status, PageForm, page)
}

// ShowNewArticle shows the empty form (admins).
func (h *Handlers) ShowNewArticle(c *gin.Context) error {
	return h.renderForm(c, http.StatusOK, nil, articleForm(nil))
}

func postedArticleForm(c *gin.Context) *web.Form {
	if c.ContentType() == "multipart/form-data" {
		if err := c.Request.ParseMultipartForm(MaxFileBytes + 1<<20); err == nil {
			return web.NewForm(c.Request.PostForm)
		}
	}
	return web.NewForm(web.PostedForm(c))
}

// save validates the form, stores the item and its file, and shows it.
func (h *Handlers) save(c *gin.Context, existing *Article) error {
	v := web.CurrentViewer(c)
	ctx := c.Request.Context()
	f := postedArticleForm(c)
	a := &Article{OrgID: v.Org.ID, Status: StatusDraft}
	if existing != nil {
		copied := *existing
		a = &copied
	}
	readArticleForm(f, a)
	file := readUpload(c, f)
	if f.Get("preview") != "" || !f.Valid() {
		status := http.StatusUnprocessableEntity
		if f.Valid() {
			status = http.StatusOK
		}
		return h.renderForm(c, status, existing, f)
	}
	now := h.Service.Clock.Now()
	a.UpdatedAt, a.UpdatedBy = now, &v.UserID
	var err error
	if existing == nil {
		a.CreatedAt, a.CreatedBy = now, &v.UserID
		if f.Get("publish") != "" {
			a.Status, a.PublishedAt = StatusPublished, &now
		}
		err = h.Service.Store.Create(ctx, a)
	} else {
		err = h.Service.Store.Update(ctx, a)
	}
	if errors.Is(err, db.ErrConflict) {
		f.Add("slug", "Another item already uses this short name.")
		return h.renderForm(c, http.StatusConflict, existing, f)
	}
	if err != nil {
		return err
	}
	switch {
	case file != nil:
		file.OrgID, file.ArticleID, file.CreatedAt = v.Org.ID, a.ID, now
		if err := h.Service.Store.PutFile(ctx, file); err != nil {
			return err
		}
	case f.Get("remove_file") != "":
		if err := h.Service.Store.RemoveFile(ctx, v.Org.ID, a.ID); err != nil {
			return err
		}
	}
	web.AddFlash(c, "success", "Saved.")
	web.Redirect(c, articlePath(v, a.ID))
	return nil
}

// CreateArticle adds an item (admins): a draft, or published at once.
func (h *Handlers) CreateArticle(c *gin.Context) error { return h.save(c, nil) }

func (h *Handlers) loadForAdmin(c *gin.Context) (*Article, error) {
	v := web.CurrentViewer(c)
	id, err := web.IDParam(c, "id")
	if err != nil {
		return nil, err
	}
	return h.Service.Store.Article(c.Request.Context(), v.Org.ID, id)
}

// ShowEditArticle shows an item's form (admins).
func (h *Handlers) ShowEditArticle(c *gin.Context) error {
	a, err := h.loadForAdmin(c)
	if err != nil {
		return err
	}
	return h.renderForm(c, http.StatusOK, a, articleForm(a))
}

// UpdateArticle saves an item (admins).
func (h *Handlers) UpdateArticle(c *gin.Context) error {
	a, err := h.loadForAdmin(c)
	if err != nil {
		return err
	}
	return h.save(c, a)
}

// SetStatus publishes, hides, or returns an item to draft (admins).
func (h *Handlers) SetStatus(c *gin.Context) error {
	a, err := h.loadForAdmin(c)
	if err != nil {
		return err
	}
	v := web.CurrentViewer(c)
	status := Status(web.PostedForm(c).Get("status"))
	if !slices.Contains([]Status{StatusDraft, StatusPublished, StatusHidden}, status) {
		return web.Errorf(http.StatusUnprocessableEntity, "Choose publish, hide or draft.")
	}
	if err := h.Service.Store.SetStatus(c.Request.Context(), v.Org.ID, a.ID, v.UserID, status, h.Service.Clock.Now()); err != nil {
		return err
	}
	msg := map[Status]string{StatusPublished: "Published: everyone in the organisation can read it.",
		StatusHidden: "Hidden: only admins see it now.", StatusDraft: "Back to draft."}[status]
	web.AddFlash(c, "success", msg)
	web.Redirect(c, articlePath(v, a.ID))
	return nil
}
