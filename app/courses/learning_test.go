package courses_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/courses"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// myCourse finds a course's entry on the person's own page.
func myCourse(p *testkit.Page, title string) *goquery.Selection {
	return p.Doc().Find("li").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return strings.TrimSpace(s.Find("a").First().Text()) == title
	})
}

// TestMyPageShowsCourseProgress: the person's own page lists their
// courses with a progress bar that follows their steps, marks completed
// ones, says when a place waits for its payment, leaves out closed ones
// and other people's, and invites them to the catalogue when there is
// none.
func TestMyPageShowsCourseProgress(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		o := newCourse(t, env, org, true)
		member := env.NewPerson(org, tenancy.RoleMember)
		other := env.NewPerson(org, tenancy.RoleMember)
		my := "/o/" + org.Slug + "/my"
		b := env.SignIn(member.User)

		if p := b.Get(my); p.Status != http.StatusOK || !strings.Contains(p.Body, "You are not enrolled on a course") {
			t.Fatalf("my page without courses = %d: %s", p.Status, p.Text("main"))
		}
		base := "/o/" + org.Slug + "/courses/" + o.Course.ID.String()
		b.Post(base+"/enrol", nil)
		if p := b.Get(my); myCourse(p, o.Course.Title).Find(`progress[value="0"][max="3"]`).Length() != 1 {
			t.Fatalf("no empty progress bar after enrolling: %s", p.Text("main"))
		}
		lessons := o.Lessons()
		b.Post(base+"/lessons/"+lessons[0].ID.String()+"/complete", nil)
		p := b.Get(my)
		entry := myCourse(p, o.Course.Title)
		if entry.Find(`progress[value="1"][max="3"]`).Length() != 1 || !strings.Contains(entry.Text(), "1 of 3 steps") {
			t.Fatalf("progress after one lesson: %s", entry.Text())
		}
		if href, _ := entry.Find("a").Attr("href"); href != base {
			t.Fatalf("entry links to %q", href)
		}
		b.Post(base+"/lessons/"+lessons[1].ID.String()+"/complete", nil)
		b.Post(base+"/quizzes/"+o.Modules[0].Quiz.ID.String(), answers(o.Modules[0].Quiz, true))
		entry = myCourse(b.Get(my), o.Course.Title)
		if entry.Find(`progress[value="3"][max="3"]`).Length() != 1 || !strings.Contains(entry.Text(), "Completed") {
			t.Fatalf("completed course: %s", entry.Text())
		}

		// Someone else sees none of it.
		if p := env.SignIn(other.User).Get(my); myCourse(p, o.Course.Title).Length() != 0 {
			t.Fatalf("another member sees the course on their page")
		}

		// A place waiting for its payment, and a closed one.
		now := env.Clock.Now()
		paid := &courses.Course{OrgID: org.ID, Title: "Paid course", Currency: "gbp", PriceMinor: 1000, Status: courses.StatusPublished, CreatedAt: now, UpdatedAt: now}
		closed := &courses.Course{OrgID: org.ID, Title: "Closed course", Currency: "gbp", PriceMinor: 1000, Status: courses.StatusPublished, CreatedAt: now, UpdatedAt: now}
		for _, c := range []*courses.Course{paid, closed} {
			if err := env.Services.Courses.Store.CreateCourse(context.Background(), c); err != nil {
				t.Fatal(err)
			}
		}
		err := env.DB.InTenant(context.Background(), org.ID, func(ctx context.Context, tx bun.Tx) error {
			st := env.Services.Courses.Store.WithTx(tx)
			if _, err := st.Enrol(ctx, now, paid, member.ID, courses.SourcePurchase, courses.EnrolPending); err != nil {
				return err
			}
			e, err := st.Enrol(ctx, now, closed, member.ID, courses.SourcePurchase, courses.EnrolActive)
			if err != nil {
				return err
			}
			_, err = st.Revoke(ctx, now, org.ID, e.ID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		p = b.Get(my)
		if e := myCourse(p, "Paid course"); !strings.Contains(e.Text(), "waiting for the payment") || e.Find("progress").Length() != 0 {
			t.Fatalf("pending place: %q", e.Text())
		}
		if myCourse(p, "Closed course").Length() != 0 {
			t.Fatalf("a closed place is listed")
		}
	})
}
