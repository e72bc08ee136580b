package relationships_test

import (
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/leadershiptoolbox/toolbox/app/calendar"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// TestRelationshipHubLeadsWithTheNextSession: the page opens on the next
// session (its place as a join link, its agenda, moving it), and each side
// sees its own way to book: the member books, the coach schedules, a
// coordinator looking on neither; both engines.
func TestRelationshipHubLeadsWithTheNextSession(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		coach := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
		member := env.NewPerson(org, tenancy.RoleMember)
		r := env.NewRelationship(org, relationships.Coaching, coach, member)
		start := env.Clock.Now().Add(48 * time.Hour).Truncate(time.Hour)
		if _, err := env.Services.Calendar.Book(env.Ctx(), org.ID, calendar.BookInput{RelationshipID: r.ID, ActorID: coach.ID, Start: start, Direct: true}); err != nil {
			t.Fatal(err)
		}
		rel := "/o/" + org.Slug + "/relationships/" + r.ID.String()
		for who, c := range map[string]struct {
			p          *testkit.Person
			book, move string
		}{
			"member": {member, "/o/" + org.Slug + "/calendar/book/" + r.ID.String(), "Move or cancel"},
			"coach":  {coach, "/o/" + org.Slug + "/calendar/new?relationship=" + r.ID.String(), "Move or cancel"},
			"owner":  {org.Owner, "", "The session"},
		} {
			page := env.SignIn(c.p.User).Get(rel)
			hub := page.Doc().Find("#next")
			if hub.Length() != 1 || page.Doc().Find("main section").First().AttrOr("id", "") != "next" {
				t.Fatalf("%s: the page does not open on the next session", who)
			}
			if !strings.Contains(hub.Text(), "Agreed: every 14 days") || !strings.Contains(hub.Find(".hub-when").Text(), start.In(londonZone(t)).Format("Mon 2 Jan 2006, 15:04")) {
				t.Errorf("%s: the hub reads %q", who, hub.Text())
			}
			var books []string
			hub.Find(".card-header a").Each(func(_ int, a *goquery.Selection) { books = append(books, a.AttrOr("href", "")) })
			if (c.book == "" && len(books) != 0) || (c.book != "" && (len(books) != 1 || books[0] != c.book)) {
				t.Errorf("%s: booking links %v, want %q", who, books, c.book)
			}
			if !strings.Contains(hub.Text(), c.move) {
				t.Errorf("%s: the next session lacks %q: %q", who, c.move, hub.Text())
			}
		}
	})
}

func londonZone(t *testing.T) *time.Location {
	t.Helper()
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return l
}
