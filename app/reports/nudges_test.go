package reports_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/calendar"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
	"github.com/leadershiptoolbox/toolbox/workers"
)

func mails(env *testkit.Env, p *testkit.Person, template string) int {
	return env.Count("emails", "to_addr = ? AND template = ?", p.Email, template)
}

// TestQuietRelationshipsAreNudgedOnce: three weeks without a session
// nudge both sides once (the scan and the task run twice); six weeks, the
// coordinators once; never before three weeks, never once a session is
// booked, never after the relationship ended.
func TestQuietRelationshipsAreNudgedOnce(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		coordinator := env.NewPerson(org, tenancy.RoleCoordinator)
		coach := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
		member, other := env.NewPerson(org, tenancy.RoleMember), env.NewPerson(org, tenancy.RoleMember)
		start := env.Clock.Now()
		rel := env.NewRelationship(org, relationships.Coaching, coach, member)
		booked := env.NewRelationship(org, relationships.Coaching, coach, other)
		// The second relationship has a session booked five weeks ahead.
		s := &calendar.Session{ID: uuid.Must(uuid.NewV7()), OrgID: org.ID, RelationshipID: booked.ID, PractitionerID: coach.ID, Kind: "coaching",
			StartsAt: start.AddDate(0, 0, 35), EndsAt: start.AddDate(0, 0, 35).Add(time.Hour), BusyFrom: start.AddDate(0, 0, 35), BusyTo: start.AddDate(0, 0, 35).Add(time.Hour),
			TimeZone: "UTC", Status: calendar.StatusScheduled, Version: 1, Capacity: 1, CreatedAt: start, UpdatedAt: start}
		insert(t, env, org.ID, s)
		svc := env.Services.Reports
		scan := func() {
			t.Helper()
			if err := svc.ScanQuiet(env.Ctx(), workers.Periodic{}); err != nil {
				t.Fatal(err)
			}
			env.RunDueTasks()
		}

		env.Clock.Set(start.AddDate(0, 0, 20)) // not yet three weeks
		scan()
		if n := mails(env, member, "quiet_nudge"); n != 0 {
			t.Fatalf("nudged early: %d", n)
		}
		env.Clock.Set(start.AddDate(0, 0, 22))
		scan()
		scan()
		for _, p := range []*testkit.Person{member, coach} {
			if n := mails(env, p, "quiet_nudge"); n != 1 {
				t.Fatalf("%d nudges to %s, want 1", n, p.Email)
			}
		}
		if n := mails(env, other, "quiet_nudge"); n != 0 {
			t.Fatal("a relationship with a session booked was nudged")
		}
		if n := mails(env, coordinator, "quiet_coordinators"); n != 0 {
			t.Fatal("the coordinator was told after three weeks")
		}
		env.Clock.Set(start.AddDate(0, 0, 43))
		scan()
		scan()
		if n := mails(env, coordinator, "quiet_coordinators"); n != 1 {
			t.Fatalf("%d coordinator nudges, want 1", n)
		}
		if n := mails(env, member, "quiet_nudge"); n != 1 {
			t.Fatalf("both sides nudged again: %d", n)
		}

		// A task recorded before the relationship ended does nothing.
		env.Clock.Set(start.AddDate(0, 0, 100))
		if err := svc.ScanQuiet(env.Ctx(), workers.Periodic{}); err != nil {
			t.Fatal(err)
		}
		err := env.DB.InTenant(env.Ctx(), org.ID, func(ctx context.Context, tx bun.Tx) error {
			_, err := tx.NewUpdate().Model((*relationships.Relationship)(nil)).Set("status = 'ended'").Where("org_id = ? AND id = ?", org.ID, rel.ID).Exec(ctx)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		before := env.Count("nudges", "relationship_id = ?", rel.ID)
		env.RunDueTasks()
		if after := env.Count("nudges", "relationship_id = ?", rel.ID); after != before || mails(env, member, "quiet_nudge") != 1 {
			t.Fatalf("%d nudges after the relationship ended", after-before)
		}
		// The other relationship's session (day 35) went by unmarked: it
		// is quiet since then, and its people were nudged in this round.
		if n := mails(env, other, "quiet_nudge"); n != 1 {
			t.Fatalf("%d nudges to the other member, want 1", n)
		}
	})
}
