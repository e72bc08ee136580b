package app_test

import (
	"bytes"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
	"github.com/leadershiptoolbox/toolbox/app/web"
	"github.com/leadershiptoolbox/toolbox/templates"
)

var (
	fieldName    = regexp.MustCompile(`\bname="([a-z][a-z0-9_]*)"`)
	textareaTag  = regexp.MustCompile(`(?s)<textarea\b[^>]*>`)
	htmlTemplate = regexp.MustCompile(`\.html$`)
)

// templateFields lists every form field name the templates use, and which
// of them are textareas.
func templateFields(t *testing.T) (all, textareas []string) {
	seen, multi := map[string]bool{}, map[string]bool{}
	err := fs.WalkDir(templates.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !htmlTemplate.MatchString(path) {
			return err
		}
		b, err := fs.ReadFile(templates.FS, path)
		if err != nil {
			return err
		}
		for _, m := range fieldName.FindAllSubmatch(b, -1) {
			seen[string(m[1])] = true
		}
		for _, tag := range textareaTag.FindAll(b, -1) {
			if m := fieldName.FindSubmatch(tag); m != nil {
				multi[string(m[1])] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for k := range seen {
		all = append(all, k)
	}
	for k := range multi {
		textareas = append(textareas, k)
	}
	sort.Strings(all)
	sort.Strings(textareas)
	return all, textareas
}

// TestEveryTextareaMayHoldLineBreaks keeps web's list of multi-line fields
// in step with the templates: a textarea whose field refused line breaks
// would refuse every paragraph typed into it.
func TestEveryTextareaMayHoldLineBreaks(t *testing.T) {
	_, textareas := templateFields(t)
	if len(textareas) == 0 {
		t.Fatal("found no textarea in the templates")
	}
	for _, name := range textareas {
		if !web.MultiLine(name) {
			t.Errorf("textarea %q is not in web's multiLineFields", name)
		}
	}
}

// TestNULInEveryFieldAndQueryIsRefusedNever500 sends, to every route of the
// matrix as a person it admits, a NUL byte in each form field the
// templates know, one field at a time (posts), and in the query (every
// route): the answer is a refusal or a page, never a 500.
func TestNULInEveryFieldAndQueryIsRefusedNever500(t *testing.T) {
	env := testkit.New(t)
	fx := newWallFixture(env)
	fields, _ := templateFields(t)
	fields = append(fields, "x", "id", "password", "email", "name")
	var keys []string
	for k := range routeMatrix {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		rule := routeMatrix[key]
		method, pattern, _ := strings.Cut(key, " ")
		if rule.access == machine {
			continue
		}
		role := tenancy.RoleOwner
		if rule.access == tenant && !slices.Contains(rule.roles, role) {
			role = rule.roles[0]
		}
		b := env.SignIn(fx.ByRole[role].User).NoRedirects()
		path := fillPath(pattern, fx.A.Slug, rule.params0(env, fx))
		query := url.Values{}
		for _, f := range fields {
			query.Set(f, "ok\x00ok")
		}
		if p := b.Get(path + "?" + query.Encode()); p.Status != http.StatusBadRequest {
			t.Errorf("GET %s with NUL in the query = %d, want 400", key, p.Status)
		}
		if method == http.MethodGet || method == http.MethodHead {
			continue
		}
		for _, value := range []string{"ok\x00ok", "line\r\nInjected: 1"} {
			all := url.Values{}
			for _, f := range fields {
				all.Set(f, value)
				if p := b.PostValues(path, url.Values{f: {value}}); p.Status >= 500 {
					t.Errorf("%s with %q in %s = %d", key, value, f, p.Status)
				}
			}
			if p := b.PostValues(path, all); p.Status >= 500 {
				t.Errorf("%s with %q in every field = %d", key, value, p.Status)
			}
		}
	}
}

// TestNULBesideTheField shows the refusal beside the field it is in.
func TestNULBesideTheField(t *testing.T) {
	env := testkit.New(t)
	org := env.NewOrg()
	b := env.SignIn(org.Owner.User)
	b.Get("/account")
	p := b.Post("/account/profile", map[string]string{"name": "Ann\x00", "time_zone": "Europe/London"})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Text(".field-error"), "control character") {
		t.Fatalf("NUL in a name = %d (%q), want 422 with the message beside the field", p.Status, p.Text(".field-error"))
	}
	p = b.Post("/account/profile", map[string]string{"name": "Ann\r\nBcc: x@example.test", "time_zone": "Europe/London"})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Text(".field-error"), "one line") {
		t.Fatalf("CR/LF in a name = %d (%q), want 422", p.Status, p.Text(".field-error"))
	}
	if q := b.Get("/o/" + org.Slug + "/people?q=%00"); q.Status != http.StatusBadRequest || !strings.Contains(q.Body, "NUL") {
		t.Fatalf("NUL in a query = %d, want 400 with a page that says why", q.Status)
	}
}

// TestOversizedBodyIs413 posts 9 MB, as a form and as an upload: the
// answer is the 413 page, not the CSRF refusal of a token that was never
// read.
func TestOversizedBodyIs413(t *testing.T) {
	env := testkit.New(t)
	org := env.NewOrg()
	b := env.SignIn(org.Owner.User)
	b.Get("/o/" + org.Slug + "/invitations")
	big := strings.Repeat("a", 9<<20)
	p := b.PostValues("/login", url.Values{"email": {big}})
	if p.Status != http.StatusRequestEntityTooLarge || !strings.Contains(p.Body, "too large") {
		t.Fatalf("9 MB form = %d, want 413 with a page", p.Status)
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, _ := w.CreateFormFile("file", "people.csv")
	part.Write([]byte(big))
	w.Close()
	if p := b.PostRaw("/o/"+org.Slug+"/invitations/upload", w.FormDataContentType(), &body); p.Status != http.StatusRequestEntityTooLarge {
		t.Fatalf("9 MB upload = %d, want 413", p.Status)
	}
}
