package calendar_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/calendar"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// TestBookingHoldsToTheAgreement: a session after the agreement's end
// date is refused, for a member booking and a practitioner scheduling
// directly alike, and so is moving one there; an edited agreement
// refuses every booking until both sides accept it again; a
// relationship without an agreement still books.
func TestBookingHoldsToTheAgreement(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		fx := newFixture(t, env, "Europe/London")
		cal, rels := env.Services.Calendar, env.Services.Relationships
		now := env.Clock.Now()
		end := now.AddDate(0, 0, 10).In(time.UTC).Format(time.DateOnly)
		a, err := rels.EditAgreement(env.Ctx(), fx.org.ID, fx.rel.ID, now, relationships.Agreement{Purpose: "Grow", CadenceDays: 14, SessionMinutes: 60, EndDate: end})
		if err != nil {
			t.Fatal(err)
		}
		within, after := now.AddDate(0, 0, 3).Truncate(time.Hour), now.AddDate(0, 0, 20).Truncate(time.Hour)
		direct := func(start time.Time) error {
			_, err := cal.Book(env.Ctx(), fx.org.ID, calendar.BookInput{RelationshipID: fx.rel.ID, ActorID: fx.coach.ID, Start: start, Direct: true})
			return err
		}
		var refused *calendar.AgreementError
		// Waiting for both sides.
		if err := direct(within); !errors.As(err, &refused) || !strings.Contains(refused.Message, "waiting for both sides") {
			t.Fatalf("booked while the agreement awaits acceptance: %v", err)
		}
		if err := rels.AcceptAgreement(env.Ctx(), fx.org.ID, fx.rel.ID, relationships.SidePractitioner, now, a.UpdatedAt); err != nil {
			t.Fatal(err)
		}
		if err := direct(within); !errors.As(err, &refused) || !strings.Contains(refused.Message, "waiting for the member") {
			t.Fatalf("booked while the agreement awaits the member: %v", err)
		}
		if err := rels.AcceptAgreement(env.Ctx(), fx.org.ID, fx.rel.ID, relationships.SideMember, now, a.UpdatedAt); err != nil {
			t.Fatal(err)
		}
		if err := direct(after); !errors.As(err, &refused) || !strings.Contains(refused.Message, "The agreement ends on") {
			t.Fatalf("booked after the agreement's end: %v", err)
		}
		// A series reaching past the end is refused as a whole.
		_, err = cal.Book(env.Ctx(), fx.org.ID, calendar.BookInput{RelationshipID: fx.rel.ID, ActorID: fx.coach.ID, Start: within, Direct: true, IntervalDays: 7, Count: 3})
		if !errors.As(err, &refused) {
			t.Fatalf("a series past the end: %v", err)
		}
		if n := env.Count("calendar_sessions", "relationship_id = ?", fx.rel.ID); n != 0 {
			t.Fatalf("%d sessions were booked", n)
		}
		if err := direct(within); err != nil {
			t.Fatalf("within the agreement: %v", err)
		}
		var id = firstSession(t, env, fx)
		err = cal.Reschedule(env.Ctx(), fx.org.ID, calendar.ChangeInput{SessionID: id, ActorID: fx.coach.ID, Privileged: true, NewStart: after})
		if !errors.As(err, &refused) {
			t.Fatalf("moved past the agreement's end: %v", err)
		}

		// Without an agreement, the relationship is not held to one.
		free := env.NewRelationship(fx.org, relationships.Coaching, fx.coach, env.NewPerson(fx.org, tenancy.RoleMember))
		if _, err := env.OwnerDB.NewDelete().Table("agreements").Where("relationship_id = ?", free.ID).Exec(env.Ctx()); err != nil {
			t.Fatal(err)
		}
		if _, err := cal.Book(env.Ctx(), fx.org.ID, calendar.BookInput{RelationshipID: free.ID, ActorID: fx.coach.ID, Start: after.Add(2 * time.Hour), Direct: true}); err != nil {
			t.Fatalf("no agreement: %v", err)
		}
	})
}

func firstSession(t *testing.T, env *testkit.Env, fx *fixture) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	if err := env.OwnerDB.NewSelect().Table("calendar_sessions").Column("id").Where("relationship_id = ?", fx.rel.ID).Limit(1).Scan(env.Ctx(), &id); err != nil {
		t.Fatal(err)
	}
	return id
}
