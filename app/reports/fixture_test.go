package reports_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/assessment"
	"github.com/leadershiptoolbox/toolbox/app/calendar"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// programme is a small organisation with a quarter of activity
// (2027-01-01 to 2027-03-31, Europe/London), small enough to count by
// hand. The figures the tests expect are worked out beside each part.
type programme struct {
	org     *testkit.Org
	coaches []*testkit.Person // c1 (capacity 3), c2 (capacity 6)
	mentor  *testkit.Person   // capacity 4
	members []*testkit.Person // m1 … m8
	rels    []*relationships.Relationship
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func insert(t *testing.T, env *testkit.Env, orgID uuid.UUID, models ...any) {
	t.Helper()
	err := env.DB.InTenant(env.Ctx(), orgID, func(ctx context.Context, tx bun.Tx) error {
		for _, m := range models {
			if _, err := tx.NewInsert().Model(m).Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func seedProgramme(t *testing.T, env *testkit.Env) *programme {
	t.Helper()
	p := &programme{org: env.NewOrg()}
	o := p.org
	p.coaches = []*testkit.Person{env.NewPerson(o, tenancy.RolePractitioner, tenancy.KindCoach), env.NewPerson(o, tenancy.RolePractitioner, tenancy.KindCoach)}
	p.mentor = env.NewPerson(o, tenancy.RolePractitioner, tenancy.KindMentor)
	for range 8 {
		p.members = append(p.members, env.NewPerson(o, tenancy.RoleMember))
	}
	m := p.members
	now := env.Clock.Now()
	for i, pr := range []*testkit.Person{p.coaches[0], p.coaches[1], p.mentor} {
		kinds := []string{"coach", "coach", "mentor"}[i]
		insert(t, env, o.ID, &relationships.Profile{ID: uuid.Must(uuid.NewV7()), OrgID: o.ID, UserID: pr.ID, Kinds: kinds, Capacity: []int{3, 6, 4}[i], Accepting: true, CreatedAt: now, UpdatedAt: now})
	}

	// Relationships, all started 2027-01-10 10:00: m1–m3 with c1, m4–m6
	// with c2 (coaching), m7 with the mentor (completed 2027-03-10).
	// Funnel: matched 7, active 7 (m7 was active in the period), concluded 1.
	env.Clock.Set(at("2027-01-10T10:00:00Z"))
	for i := range 6 {
		p.rels = append(p.rels, env.NewRelationship(o, relationships.Coaching, p.coaches[i/3], m[i]))
	}
	p.rels = append(p.rels, env.NewRelationship(o, relationships.Mentoring, p.mentor, m[6]))
	ended := at("2027-03-10T12:00:00Z")
	err := env.DB.InTenant(env.Ctx(), o.ID, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewUpdate().Model((*relationships.Relationship)(nil)).Set("status = ?", relationships.StatusCompleted).Set("ended_at = ?", ended).
			Where("org_id = ? AND id = ?", o.ID, p.rels[6].ID).Exec(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	env.Clock.Set(now)

	// Assessments: m1–m6 submitted in February (6), m1–m5 confirmed (5);
	// m8's was submitted in December, before the period.
	for i, who := range []*testkit.Person{m[0], m[1], m[2], m[3], m[4], m[5], m[7]} {
		sub := at("2027-02-03T10:00:00Z")
		if i == 6 {
			sub = at("2026-12-15T10:00:00Z")
		}
		a := &assessment.Assessment{ID: uuid.Must(uuid.NewV7()), OrgID: o.ID, MemberID: who.ID, Answers: assessment.Answers{}, Status: assessment.StatusSubmitted,
			RecKind: "coaching", SubmittedAt: &sub, CreatedAt: sub, UpdatedAt: sub}
		if i < 5 {
			dec := sub.Add(24 * time.Hour)
			a.Status, a.DecidedAt = assessment.StatusConfirmed, &dec
		}
		insert(t, env, o.ID, a)
	}
	// Support requests: m1–m4 in January (4: suppressed).
	for _, who := range m[:4] {
		c := at("2027-01-05T10:00:00Z")
		insert(t, env, o.ID, &assessment.Request{ID: uuid.Must(uuid.NewV7()), OrgID: o.ID, MemberID: who.ID, Kind: "coaching", Format: "one_to_one", Duration: "short_term", Status: assessment.RequestMatched, CreatedAt: c, UpdatedAt: c})
	}

	// Sessions (60 minutes, 10:00 UTC). Completed coaching: m1–m4 on
	// 15 Jan, 15 Feb and 15 Mar; m5 on 15 Jan and 15 Mar; m6 on 15 Mar,
	// and a no-show on 20 Feb. Mentoring: m7 on 1 and 8 Mar.
	// Per month: Jan coaching 5 sessions, 5 people; Feb coaching 4
	// sessions, 4 people (suppressed); Mar coaching 6, 6 people, 6 hours;
	// Mar mentoring 2 sessions, 1 person (suppressed); Jan and Feb
	// mentoring 0.
	session := func(rel int, day, status string) {
		start := at(day + "T10:00:00Z")
		r := p.rels[rel]
		pr := p.coaches[0]
		switch {
		case rel >= 6:
			pr = p.mentor
		case rel >= 3:
			pr = p.coaches[1]
		}
		s := &calendar.Session{ID: uuid.Must(uuid.NewV7()), OrgID: o.ID, RelationshipID: r.ID, PractitionerID: pr.ID, Kind: string(r.Kind),
			StartsAt: start, EndsAt: start.Add(time.Hour), BusyFrom: start, BusyTo: start.Add(time.Hour), TimeZone: "Europe/London",
			Status: status, Version: 1, Capacity: 1, CreatedAt: start, UpdatedAt: start}
		as := calendar.AttendeeAttended
		if status != calendar.StatusCompleted {
			as = calendar.AttendeeNoShow
		}
		insert(t, env, o.ID, s, &calendar.Attendee{ID: uuid.Must(uuid.NewV7()), OrgID: o.ID, SessionID: s.ID, UserID: m[min(rel, 6)].ID, Status: as, CreatedAt: start, UpdatedAt: start})
	}
	for rel := range 4 {
		session(rel, "2027-01-15", calendar.StatusCompleted)
		session(rel, "2027-02-15", calendar.StatusCompleted)
		session(rel, "2027-03-15", calendar.StatusCompleted)
	}
	session(4, "2027-01-15", calendar.StatusCompleted)
	session(4, "2027-03-15", calendar.StatusCompleted)
	session(5, "2027-03-15", calendar.StatusCompleted)
	session(5, "2027-02-20", calendar.StatusNoShow)
	session(6, "2027-03-01", calendar.StatusCompleted)
	session(6, "2027-03-08", calendar.StatusCompleted)

	// Feedback: six coaching answers (5, 4, 4, 3, 5, 3: average 4.0; five
	// good fits of six: 83%), one mentoring answer (suppressed).
	for i, rating := range []int{5, 4, 4, 3, 5, 3, 5} {
		fit := "good"
		if i == 5 {
			fit = "not_good"
		}
		ans := at("2027-03-16T10:00:00Z")
		err := env.DB.InTenant(env.Ctx(), o.ID, func(ctx context.Context, tx bun.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO feedback (id, org_id, relationship_id, author_id, rating, fit, asked_at, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				uuid.Must(uuid.NewV7()), o.ID, p.rels[i].ID, m[i].ID, rating, fit, ans, ans)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}

	// m1's relationship has a goal that moved in March: its health is
	// rhythm 24 + goals 30 → 77 of 100 (feedback not used).
	g := &relationships.Goal{ID: uuid.Must(uuid.NewV7()), OrgID: o.ID, RelationshipID: p.rels[0].ID, OwnerID: m[0].ID, Description: "Lead the team meeting", CreatedAt: now, UpdatedAt: now}
	insert(t, env, o.ID, g, &relationships.GoalUpdate{ID: uuid.Must(uuid.NewV7()), OrgID: o.ID, GoalID: g.ID, AuthorID: m[0].ID, Kind: "progress", Progress: 40, At: at("2027-03-20T10:00:00Z")})
	return p
}
