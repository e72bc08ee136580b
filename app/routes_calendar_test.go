package app_test

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/calendar"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// calendarSlot spreads the sessions the route matrix makes, so that they
// never clash with one another.
var calendarSlot atomic.Int64

// newCalendarRelationship makes a fresh group coaching relationship in
// organisation A in which every role of the fixture takes part: the
// practitioner and coordinator on the practitioner side, the member,
// owner and admin on the member side.
func newCalendarRelationship(env *testkit.Env, fx *wallFixture) *relationships.Relationship {
	env.T.Helper()
	now := env.Clock.Now()
	var rel *relationships.Relationship
	err := env.DB.InTenant(context.Background(), fx.A.ID, func(ctx context.Context, tx bun.Tx) error {
		var err error
		rel, err = relationships.Create(ctx, tx, fx.A.ID, now, relationships.New{
			Kind: relationships.Coaching, Format: relationships.Group, Status: relationships.StatusActive,
			Practitioners: []uuid.UUID{fx.ByRole[tenancy.RolePractitioner].ID, fx.ByRole[tenancy.RoleCoordinator].ID},
			Members:       []uuid.UUID{fx.ByRole[tenancy.RoleMember].ID, fx.ByRole[tenancy.RoleOwner].ID, fx.ByRole[tenancy.RoleAdmin].ID},
			Agreement:     &relationships.Agreement{CadenceDays: 14, SessionMinutes: 60, Place: "Room 2", PractitionerAcceptedAt: &now, MemberAcceptedAt: &now},
		})
		return err
	})
	if err != nil {
		env.T.Fatalf("calendar fixture: %v", err)
	}
	return rel
}

func calendarRelationship(env *testkit.Env, fx *wallFixture) map[string]string {
	return map[string]string{"rel": newCalendarRelationship(env, fx).ID.String()}
}

func calendarSession(env *testkit.Env, fx *wallFixture) map[string]string {
	rel := newCalendarRelationship(env, fx)
	n := calendarSlot.Add(1)
	start := testkit.Epoch.Add(10*24*time.Hour + time.Duration(n)*2*time.Hour)
	ss, err := env.Services.Calendar.Book(context.Background(), fx.A.ID, calendar.BookInput{
		RelationshipID: rel.ID, ActorID: fx.ByRole[tenancy.RolePractitioner].ID, Start: start, Direct: true, Capacity: 4,
	})
	if err != nil {
		env.T.Fatalf("calendar fixture: book: %v", err)
	}
	return map[string]string{"id": ss[0].ID.String()}
}
