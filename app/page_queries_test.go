package app_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/calendar"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// queryCounter counts the statements sent to the database while on.
type queryCounter struct {
	mu sync.Mutex
	on bool
	n  int
}

func (q *queryCounter) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	return ctx
}
func (q *queryCounter) AfterQuery(context.Context, *bun.QueryEvent) {
	q.mu.Lock()
	if q.on {
		q.n++
	}
	q.mu.Unlock()
}

// count serves path twice to the browser's cookies (the first fills the
// caches) and returns the statements of the second.
func (q *queryCounter) count(t *testing.T, env *testkit.Env, b *testkit.Browser, path string) int {
	t.Helper()
	for i := range 2 {
		q.mu.Lock()
		q.on, q.n = i == 1, 0
		q.mu.Unlock()
		if code := serveGet(env, b.Cookies(), path, nil); code != http.StatusOK {
			t.Fatalf("%s: status %d", path, code)
		}
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.on = false
	return q.n
}

// TestPageQueriesDoNotGrowWithTheOrganisation: the statements a page
// sends depend on what it shows, not on how many people, relationships
// and sessions the organisation holds (issue 16): each page is counted on
// a small organisation, then again after it grew.
func TestPageQueriesDoNotGrowWithTheOrganisation(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		coach := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
		member := env.NewPerson(org, tenancy.RoleMember)
		rel := env.NewRelationship(org, relationships.Coaching, coach, member)
		book := func(rel *relationships.Relationship, hour, count int) {
			_, err := env.Services.Calendar.Book(env.Ctx(), org.ID, calendar.BookInput{RelationshipID: rel.ID, ActorID: coach.ID,
				Start: testkit.Epoch.Add(24*time.Hour + time.Duration(hour)*time.Hour), Direct: true, IntervalDays: 7, Count: count})
			if err != nil {
				t.Fatal(err)
			}
		}
		book(rel, 10, 4)
		q := &queryCounter{}
		env.DB.WatchQueries(q)
		base := "/o/" + org.Slug
		pages := []struct {
			who  *testkit.Browser
			path string
		}{
			{env.SignIn(member.User), base},
			{env.SignIn(member.User), base + "/my"},
			{env.SignIn(member.User), base + "/relationships/" + rel.ID.String()},
			{env.SignIn(coach.User), base + "/my"},
			{env.SignIn(org.Owner.User), base},
			{env.SignIn(org.Owner.User), base + "/people"},
			{env.SignIn(org.Owner.User), base + "/audit"},
		}
		small := make([]int, len(pages))
		for i, p := range pages {
			small[i] = q.count(t, env, p.who, p.path)
		}
		// The organisation grows: forty more members, each in a
		// relationship with the same coach, and more sessions in the
		// member's own relationship.
		for i := range 40 {
			other := env.NewPerson(org, tenancy.RoleMember)
			if i%4 == 0 {
				env.NewRelationship(org, relationships.Coaching, coach, other)
			}
		}
		_ = env.NewPerson(org, tenancy.RoleCoordinator)
		book(env.NewRelationship(org, relationships.Coaching, coach, env.NewPerson(org, tenancy.RoleMember)), 14, 20)
		for i, p := range pages {
			if got := q.count(t, env, p.who, p.path); got > small[i] {
				t.Errorf("%s: %d statements on the grown organisation, %d on the small one", p.path, got, small[i])
			}
		}
	})
}
