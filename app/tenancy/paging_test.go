package tenancy_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/audit"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// listRows reads the rows of a page of a list, or of the rows an htmx
// "more" request returns (table rows alone, read inside a table): each
// row's key (the text of its cell keyCell, 1-based) and the "more" link.
func listRows(t *testing.T, body, rowsID, moreID string, keyCell int) (keys []string, more string) {
	t.Helper()
	if !strings.Contains(body, "<html") {
		body = `<table><tbody id="` + rowsID + `">` + body + `</tbody></table>`
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	doc.Find("#" + rowsID + " > tr").Each(func(_ int, tr *goquery.Selection) {
		if id, _ := tr.Attr("id"); id == moreID {
			return
		}
		keys = append(keys, strings.TrimSpace(tr.Find("td").Eq(keyCell-1).Text()))
	})
	plain, _ := doc.Find("#" + moreID + " a").Attr("href")
	htmx, _ := doc.Find("#" + moreID + " a").Attr("hx-get")
	if plain != htmx {
		t.Fatalf("the more link's plain (%q) and htmx (%q) addresses differ", plain, htmx)
	}
	return keys, plain
}

// TestPeoplePagesShowEveryoneOnceWhilePeopleJoin walks the people list
// page by page, by the plain "More people" links and by the htmx ones in
// turn, while people join between pages (sorting before and after the
// page being read): everyone there at the start is shown exactly once,
// and nobody twice.
func TestPeoplePagesShowEveryoneOnceWhilePeopleJoin(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		start := map[string]bool{org.Owner.Email: true}
		for range 2*tenancy.PeoplePageSize + 7 {
			start[env.NewPerson(org, tenancy.RoleMember).Email] = true
		}
		b := env.SignIn(org.Owner.User)
		seen := map[string]int{}
		emails, more := listRows(t, b.Get("/o/"+org.Slug+"/people").Body, "people-rows", "people-more", 2)
		pages := 1
		for {
			if len(emails) > tenancy.PeoplePageSize {
				t.Fatalf("page %d shows %d people, more than a page", pages, len(emails))
			}
			for _, e := range emails {
				seen[e]++
			}
			if more == "" {
				break
			}
			// Joiners meanwhile: "Person …" names sort among the others;
			// one early in the order, one late.
			early := env.NewUser()
			env.AddMember(org, early, tenancy.RoleMember)
			if _, err := env.OwnerDB.NewUpdate().Table("users").Set("name = ?", "Aaron "+early.Name).Where("id = ?", early.ID).Exec(env.Ctx()); err != nil {
				t.Fatal(err)
			}
			env.NewPerson(org, tenancy.RoleMember)
			pages++
			if pages%2 == 0 {
				p := b.HTMXGet(more, "people-more")
				if p.Status != 200 || strings.Contains(p.Body, "<html") {
					t.Fatalf("htmx more = %d, want rows alone", p.Status)
				}
				emails, more = listRows(t, p.Body, "people-rows", "people-more", 2)
			} else {
				emails, more = listRows(t, b.Get(more).Body, "people-rows", "people-more", 2)
			}
			if pages > 10 {
				t.Fatal("the list never ends")
			}
		}
		if pages < 3 {
			t.Fatalf("%d pages for %d people", pages, len(start))
		}
		onceEach(t, start, seen)
	})
}

// TestAuditPagesShowEveryEventOnceWhileEventsAreRecorded walks the audit
// log newest first, page by page, through the store and through the
// htmx "Older events" rows, while events are recorded between pages (new
// ones, and old ones dated inside the pages still to read); events share
// timestamps, so that the order's tie-break on id is exercised. Every
// event there at the start is read exactly once, none twice.
func TestAuditPagesShowEveryEventOnceWhileEventsAreRecorded(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		ctx := env.Ctx()
		base := env.Clock.Now().Add(-time.Hour)
		record := func(at time.Time, target string) uuid.UUID {
			id := uuid.Must(uuid.NewV7())
			err := env.DB.InTenant(ctx, org.ID, func(ctx context.Context, tx bun.Tx) error {
				return audit.Record(ctx, tx, audit.Event{ID: id, OrgID: org.ID, Action: audit.ActionOrgSettings, Target: target, At: at})
			})
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		start := map[uuid.UUID]bool{}
		for i := range 130 {
			// Three events a minute: equal times, ordered by id.
			start[record(base.Add(-time.Duration(i/3)*time.Minute), "start")] = true
		}
		var existing []audit.Event
		if err := env.OwnerDB.NewSelect().Model(&existing).Where("org_id = ?", org.ID).Scan(ctx); err != nil {
			t.Fatal(err)
		}
		for _, e := range existing {
			start[e.ID] = true
		}
		store := &audit.Store{DB: env.DB}
		seen := map[uuid.UUID]int{}
		filter := audit.Filter{Limit: 50}
		for pages := 1; ; pages++ {
			events, more, err := store.List(ctx, org.ID, filter)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range events {
				seen[e.ID]++
			}
			if !more {
				break
			}
			filter.Before = events[len(events)-1].ID
			record(env.Clock.Now(), "new")                          // newer than every page
			start[record(base.Add(-40*time.Minute), "late")] = true // dated inside the pages still to read
			if pages > 10 {
				t.Fatal("the log never ends")
			}
		}
		onceEach(t, start, seen)

		// The page: the first 50 rows, then the htmx "Older events" rows
		// (the rows alone, with the next link) until the end.
		b := env.SignIn(org.Owner.User)
		page := b.Get("/o/" + org.Slug + "/audit")
		keys, more := listRows(t, page.Body, "audit-rows", "audit-more", 4)
		total := len(keys)
		for more != "" {
			p := b.HTMXGet(more, "audit-more")
			if p.Status != 200 || strings.Contains(p.Body, "<html") {
				t.Fatalf("htmx older events = %d, want rows alone", p.Status)
			}
			keys, more = listRows(t, p.Body, "audit-rows", "audit-more", 4)
			total += len(keys)
		}
		if want := env.Count("audit_events", "org_id = ?", org.ID); total != want {
			t.Fatalf("the pages showed %d events, the log holds %d", total, want)
		}
	})
}

// onceEach fails unless every key of start was seen exactly once and no
// key was seen twice.
func onceEach[K comparable](t *testing.T, start map[K]bool, seen map[K]int) {
	t.Helper()
	for k := range start {
		if seen[k] != 1 {
			t.Errorf("%v seen %d times, want once", k, seen[k])
		}
	}
	for k, n := range seen {
		if n > 1 {
			t.Errorf("%v seen %d times", k, n)
		}
	}
}
