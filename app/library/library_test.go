package library_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/library"
	"github.com/leadershiptoolbox/toolbox/app/markdown"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

func TestStarterContentIsCompleteAndRenders(t *testing.T) {
	items, err := library.Starter()
	if err != nil {
		t.Fatal(err)
	}
	perCategory := map[string]int{}
	agendas := map[string]bool{}
	reading := 0
	for _, a := range items {
		if a.Kind == library.KindAgenda {
			agendas[a.AgendaKind] = true
			continue
		}
		reading++
		perCategory[a.Category]++
		html := string(markdown.Render(a.Body))
		if !strings.Contains(html, "<p>") || strings.Contains(html, "<!-- raw HTML omitted -->") {
			t.Errorf("%s renders badly: %.200s", a.Slug, html)
		}
	}
	if reading < 20 {
		t.Errorf("%d starter articles and tools, want at least 20", reading)
	}
	for _, c := range library.Categories {
		if perCategory[c.Key] < 3 {
			t.Errorf("category %s has %d starter items, want at least 3", c.Key, perCategory[c.Key])
		}
	}
	for _, k := range library.AgendaKinds {
		if !agendas[k.Key] {
			t.Errorf("no starter agenda for %s", k.Label)
		}
	}
}

// signUp creates an organisation through the sign-up form, as a new
// customer does, and returns its slug and the owner's browser.
func signUp(t *testing.T, env *testkit.Env) (string, *testkit.Browser, uuid.UUID) {
	t.Helper()
	b := env.Browser()
	b.Get("/signup")
	slug := "lib-" + strings.ToLower(uuid.NewString()[:8])
	p := b.Post("/signup", map[string]string{"org_name": "Library Org", "slug": slug, "time_zone": "Europe/London",
		"name": "Olive Owner", "email": slug + "@example.test", "password": "a long enough password"})
	if p.Status != http.StatusOK {
		t.Fatalf("sign up = %d", p.Status)
	}
	org, err := env.Services.Tenancy.Store.OrgBySlug(context.Background(), slug)
	if err != nil {
		t.Fatal(err)
	}
	return slug, b, org.ID
}

func TestANewOrganisationStartsWithTheStarterLibrary(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		slug, owner, orgID := signUp(t, env)
		items, _ := library.Starter()
		if n := env.Count("library_articles", "org_id = ? AND starter_key IS NOT NULL AND status = ?", orgID, library.StatusPublished); n != len(items) {
			t.Fatalf("new organisation has %d starter items, want %d", n, len(items))
		}
		res, err := env.Services.Library.Store.Articles(context.Background(), orgID, library.ListQuery{PerPage: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range res.Items {
			p := owner.Get("/o/" + slug + "/library/" + a.ID.String())
			if p.Status != http.StatusOK || p.Text("#article h1") != a.Title || p.Text("#article .lesson-body") == "" {
				t.Errorf("%s: status %d, title %q", a.Slug, p.Status, p.Text("#article h1"))
			}
		}
		// Seeding again (the command for existing organisations) adds nothing.
		if n, err := env.Services.Library.SeedStarter(context.Background(), orgID); err != nil || n != 0 {
			t.Fatalf("second seeding added %d (%v)", n, err)
		}
	})
}

func TestAnOrganisationFromBeforeTheLibraryIsSeededOnItsFirstVisit(t *testing.T) {
	env := testkit.New(t)
	org := env.NewOrg() // inserted directly: no sign-up hook ran
	if n := env.Count("library_articles", "org_id = ?", org.ID); n != 0 {
		t.Fatalf("builder organisation already has %d items", n)
	}
	items, _ := library.Starter()
	p := env.SignIn(env.NewPerson(org, tenancy.RoleMember).User).Get("/o/" + org.Slug + "/library")
	if p.Status != http.StatusOK || p.Text("#library-count") != fmt.Sprintf("%d items", len(items)) {
		t.Fatalf("first visit = %d: %s", p.Status, p.Text("#library-count"))
	}
}

func TestSearchFindsWordsWithAndWithoutAccents(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		admin := env.SignIn(org.Owner.User)
		base := "/o/" + org.Slug + "/library"
		admin.Get(base) // seeds the starter content
		p := admin.Post(base, map[string]string{"title": "Café conversations and résumé reviews", "summary": "Naïve questions welcome.",
			"kind": "article", "category": "trust", "tags": "Coöperation, Zürich", "body": "Meet at the **crêperie** in Zürich.", "publish": "1"})
		if p.Status != http.StatusOK {
			t.Fatalf("create = %d: %s", p.Status, p.Text(".form-errors"))
		}
		member := env.SignIn(env.NewPerson(org, tenancy.RoleMember).User)
		for q, want := range map[string]string{
			"difficult conversation":  "Challenging conversation planner",
			"DIFFICULT Conversations": "Challenging conversation planner",
			"cafe":                    "Café conversations",
			"CAFÉ":                    "Café conversations",
			"resume":                  "Café conversations",
			"résumé":                  "Café conversations",
			"creperie zurich":         "Café conversations",
			"naive":                   "Café conversations",
			"trust equation":          "The trust equation worksheet",
		} {
			got := member.Get(base + "?q=" + url.QueryEscape(q)).Text("#library-items")
			if !strings.Contains(got, want) {
				t.Errorf("search %q did not find %q: %s", q, want, got)
			}
		}
		if got := member.Get(base + "?q=zzyzx+quokka"); got.Text("#library-items") != "" || !strings.Contains(got.Text("main"), "Nothing found") {
			t.Errorf("nonsense search found: %s", got.Text("#library-items"))
		}
		// Filters: a tag, a topic, a type.
		if got := member.Get(base + "?tag=cooperation").Text("#library-items"); !strings.Contains(got, "Café conversations") || strings.Contains(got, "Team charter") {
			t.Errorf("tag filter: %s", got)
		}
		got := member.Get(base + "?category=teamwork&kind=tool").Text("#library-items")
		if !strings.Contains(got, "Team charter template") || strings.Contains(got, "How teams develop") || strings.Contains(got, "trust equation") {
			t.Errorf("topic and type filter: %s", got)
		}
		// Lists are paged: twelve to a page.
		first := member.Get(base)
		if n := first.Doc().Find(".library-item").Length(); n != 12 {
			t.Errorf("first page has %d items, want 12", n)
		}
		next, ok := first.Doc().Find(`a[rel="next"]`).Attr("href")
		if !ok {
			t.Fatal("no next page link")
		}
		second := member.Get(next)
		if second.Doc().Find(".library-item").Length() == 0 || second.Text("#library-items") == first.Text("#library-items") {
			t.Error("second page is empty or repeats the first")
		}
	})
}

func TestArticleMarkdownIsSanitised(t *testing.T) {
	env := testkit.New(t)
	org := env.NewOrg()
	admin := env.SignIn(org.Owner.User)
	p := admin.Post("/o/"+org.Slug+"/library", map[string]string{"title": "Hostile", "summary": "Tries to run script.",
		"kind": "article", "category": "teamwork", "body": testkit.HostileMarkdown, "publish": "1"})
	if p.Status != http.StatusOK {
		t.Fatalf("create = %d", p.Status)
	}
	body, _ := p.Doc().Find("#article .lesson-body").Html()
	testkit.CheckSanitised(t, body)
}

func TestDraftsAndHiddenItemsAreForAdmins(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		admin := env.SignIn(org.Owner.User)
		base := "/o/" + org.Slug + "/library"
		draft := admin.Post(base, map[string]string{"title": "Unfinished thoughts", "summary": "Not yet.", "kind": "article", "category": "leadership", "body": "Draft"})
		if draft.Status != http.StatusOK || !strings.Contains(draft.Text("#article"), "Draft") {
			t.Fatalf("draft = %d", draft.Status)
		}
		member := env.SignIn(env.NewPerson(org, tenancy.RoleMember).User)
		if p := member.Get(draft.URL[strings.Index(draft.URL, "/o/"):]); p.Status != http.StatusNotFound {
			t.Errorf("member reads a draft: %d", p.Status)
		}
		if strings.Contains(member.Get(base+"?q=unfinished").Text("#library-items"), "Unfinished") {
			t.Error("a draft is found by a member's search")
		}
		// Hide a starter item: it leaves members' lists and pages.
		planner := findID(t, env, org.ID, "challenging-conversation-planner")
		if p := admin.Post(base+"/"+planner.String()+"/status", map[string]string{"status": "hidden"}); p.Status != http.StatusOK {
			t.Fatalf("hide = %d", p.Status)
		}
		if p := member.Get(base + "/" + planner.String()); p.Status != http.StatusNotFound {
			t.Errorf("member reads a hidden item: %d", p.Status)
		}
		if strings.Contains(member.Get(base+"?q=difficult+conversation").Text("#library-items"), "planner") {
			t.Error("a hidden item is found by a member's search")
		}
		// An admin edits a starter item.
		p := admin.Post(base+"/"+planner.String()+"/edit", map[string]string{"title": "Our conversation planner", "summary": "Edited.",
			"kind": "tool", "category": "conversations", "body": "Our own text.", "slug": "challenging-conversation-planner"})
		if p.Status != http.StatusOK || p.Text("#article h1") != "Our conversation planner" {
			t.Fatalf("edit = %d %q", p.Status, p.Text("#article h1"))
		}
		if p := member.Post(base+"/"+planner.String()+"/status", map[string]string{"status": "published"}); p.Status != http.StatusForbidden {
			t.Errorf("member publishes: %d", p.Status)
		}
	})
}

// findID finds an item by its slug.
func findID(t *testing.T, env *testkit.Env, orgID uuid.UUID, slug string) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	if err := env.OwnerDB.NewSelect().Table("library_articles").Column("id").Where("org_id = ? AND slug = ?", orgID, slug).Scan(context.Background(), &id); err != nil {
		t.Fatalf("find %s: %v", slug, err)
	}
	return id
}

func TestHelpfulVoteIsOnePerPerson(t *testing.T) {
	env := testkit.New(t)
	org := env.NewOrg()
	member := env.NewPerson(org, tenancy.RoleMember)
	b := env.SignIn(member.User)
	b.Get("/o/" + org.Slug + "/library")
	id := findID(t, env, org.ID, "team-charter-template")
	path := "/o/" + org.Slug + "/library/" + id.String()
	b.Get(path)
	b.Post(path+"/vote", map[string]string{"helpful": "yes"})
	b.Post(path+"/vote", map[string]string{"helpful": "yes"})
	p := b.HTMX(http.MethodPost, path+"/vote", map[string]string{"helpful": "no"})
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "0 found it helpful, 1 did not") {
		t.Fatalf("htmx vote = %d: %s", p.Status, p.Body)
	}
	if n := env.Count("library_votes", "org_id = ? AND article_id = ? AND user_id = ?", org.ID, id, member.ID); n != 1 {
		t.Fatalf("%d votes of one person", n)
	}
	if n := env.Count("library_votes", "org_id = ? AND article_id = ? AND helpful = ?", org.ID, id, false); n != 1 {
		t.Fatal("the changed vote was not kept")
	}
}

func TestFilesAreSmallTypedAndDownloadable(t *testing.T) {
	env := testkit.New(t)
	org := env.NewOrg()
	admin := env.SignIn(org.Owner.User)
	base := "/o/" + org.Slug + "/library"
	admin.Get(base + "/new")
	post := func(name string, data []byte) *testkit.Page {
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		for k, v := range map[string]string{"title": "Charter as a document " + name, "summary": "To print.", "kind": "tool", "category": "teamwork", "publish": "1"} {
			w.WriteField(k, v)
		}
		fw, _ := w.CreateFormFile("file", name)
		fw.Write(data)
		w.Close()
		return admin.PostRaw(base, w.FormDataContentType(), &body)
	}
	if p := post("run.exe", []byte("MZ")); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Attach a PDF") {
		t.Fatalf("an executable was accepted: %d", p.Status)
	}
	if p := post("huge.pdf", bytes.Repeat([]byte("x"), library.MaxFileBytes+1)); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("an oversized file was accepted: %d", p.Status)
	}
	p := post("charter.pdf", []byte("%PDF-1.4 charter"))
	if p.Status != http.StatusOK {
		t.Fatalf("upload = %d: %s", p.Status, p.Text(".form-errors"))
	}
	link, ok := p.Doc().Find(`a[href$="/file"]`).Attr("href")
	if !ok {
		t.Fatal("no download link")
	}
	member := env.SignIn(env.NewPerson(org, tenancy.RoleMember).User)
	d := member.Get(link)
	if d.Status != http.StatusOK || d.Body != "%PDF-1.4 charter" || d.Header.Get("Content-Type") != "application/pdf" ||
		!strings.Contains(d.Header.Get("Content-Disposition"), `attachment; filename=charter.pdf`) {
		t.Fatalf("download = %d %q %v", d.Status, d.Body, d.Header)
	}
}
