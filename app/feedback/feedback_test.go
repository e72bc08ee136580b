package feedback_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/calendar"
	"github.com/leadershiptoolbox/toolbox/app/feedback"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

type pair struct {
	org    *testkit.Org
	coach  *testkit.Person
	member *testkit.Person
	rel    *relationships.Relationship
}

func newPair(t *testing.T, env *testkit.Env) pair {
	org := env.NewOrg()
	coach := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
	member := env.NewPerson(org, tenancy.RoleMember)
	return pair{org: org, coach: coach, member: member, rel: env.NewRelationship(org, relationships.Coaching, coach, member)}
}

// completed records a completed session of the pair and returns its id.
func completed(t *testing.T, env *testkit.Env, p pair) uuid.UUID {
	t.Helper()
	start := env.Clock.Now().Add(-2 * time.Hour)
	s := &calendar.Session{ID: uuid.Must(uuid.NewV7()), OrgID: p.org.ID, RelationshipID: p.rel.ID, PractitionerID: p.coach.ID, Kind: string(p.rel.Kind),
		StartsAt: start, EndsAt: start.Add(time.Hour), BusyFrom: start, BusyTo: start.Add(time.Hour), TimeZone: "UTC",
		Status: calendar.StatusCompleted, Version: 2, Capacity: 1, CreatedAt: start, UpdatedAt: start}
	err := env.DB.InTenant(env.Ctx(), p.org.ID, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewInsert().Model(s).Exec(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(3 * time.Hour)
	return s.ID
}

func ask(t *testing.T, env *testkit.Env, p pair, sessionID uuid.UUID, members ...uuid.UUID) {
	t.Helper()
	err := env.DB.InTenant(env.Ctx(), p.org.ID, func(ctx context.Context, tx bun.Tx) error {
		return env.Services.Feedback.AskAfterSession(ctx, tx, p.org.ID, sessionID, p.rel.ID, members)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestAskedOnceAnsweredOnce: a completed session asks its member once (a
// second completion asks nobody again), by e-mail with a signed link; the
// first answer stands; "not a good fit" opens one rematch request whose
// reason does not carry the comment.
func TestAskedOnceAnsweredOnce(t *testing.T) {
	env := testkit.New(t)
	p := newPair(t, env)
	session := completed(t, env, p)
	ask(t, env, p, session, p.member.ID)
	ask(t, env, p, session, p.member.ID)
	mails := env.Emails(p.member.Email)
	if len(mails) != 1 || !strings.Contains(mails[0].Subject, "How was your session") {
		t.Fatalf("e-mails: %d", len(mails))
	}
	fs := env.Services.Feedback
	pending, err := fs.Store.Pending(env.Ctx(), p.org.ID, p.member.ID)
	if err != nil || len(pending) != 1 {
		t.Fatalf("pending: %v %v", pending, err)
	}
	f := pending[0]
	link := fs.Link(p.org.ID, f.ID)
	if !strings.Contains(mails[0].TextBody, link+"?rating=5") {
		t.Fatalf("the e-mail has no one-click rating link:\n%s", mails[0].TextBody)
	}
	sig := link[strings.LastIndex(link, "/")+1:]
	if !fs.Verify(p.org.ID, f.ID, sig) || fs.Verify(p.org.ID, uuid.Must(uuid.NewV7()), sig) || fs.Verify(env.NewOrg().ID, f.ID, sig) {
		t.Fatal("the link's signature does not bind the organisation and the request")
	}

	// Someone else cannot answer it; a bad answer is refused.
	if err := fs.Answer(env.Ctx(), p.org.ID, f.ID, p.coach.ID, feedback.Answer{Rating: 5, Fit: feedback.FitGood}); err == nil {
		t.Fatal("the practitioner answered the member's request")
	}
	if err := fs.Answer(env.Ctx(), p.org.ID, f.ID, p.member.ID, feedback.Answer{Rating: 6, Fit: feedback.FitGood}); !errors.Is(err, feedback.ErrInvalid) {
		t.Fatalf("rating 6: %v", err)
	}
	env.Clock.Advance(time.Hour)
	if err := fs.Answer(env.Ctx(), p.org.ID, f.ID, p.member.ID, feedback.Answer{Rating: 2, Fit: feedback.FitNotGood, Comment: "We do not click."}); err != nil {
		t.Fatal(err)
	}
	if err := fs.Answer(env.Ctx(), p.org.ID, f.ID, p.member.ID, feedback.Answer{Rating: 5, Fit: feedback.FitNotGood}); !errors.Is(err, feedback.ErrAnswered) {
		t.Fatalf("second answer: %v", err)
	}
	got, err := fs.Store.Get(env.Ctx(), p.org.ID, f.ID)
	if err != nil || got.Rating != 2 || got.Comment != "We do not click." || got.AnsweredAt == nil || got.RelationshipID != p.rel.ID || got.SessionID == nil || *got.SessionID != session {
		t.Fatalf("stored answer: %+v %v", got, err)
	}
	if n := env.Count("rematch_requests", "org_id = ? AND member_id = ? AND relationship_id = ?", p.org.ID, p.member.ID, p.rel.ID); n != 1 {
		t.Fatalf("%d rematch requests, want 1", n)
	}
	if n := env.Count("rematch_requests", "org_id = ? AND reason LIKE ?", p.org.ID, "%click%"); n != 0 {
		t.Fatal("the private comment went into the rematch request")
	}
}

// TestPractitionersSeeAveragesOverFiveAnswers: four answers show nothing
// to the practitioner; the fifth shows the average.
func TestPractitionersSeeAveragesOverFiveAnswers(t *testing.T) {
	env := testkit.New(t)
	p := newPair(t, env)
	fs := env.Services.Feedback
	for i, rating := range []int{5, 4, 3, 4, 2} {
		ask(t, env, p, completed(t, env, p), p.member.ID)
		pending, err := fs.Store.Pending(env.Ctx(), p.org.ID, p.member.ID)
		if err != nil || len(pending) != 1 {
			t.Fatalf("pending: %v %v", pending, err)
		}
		if err := fs.Answer(env.Ctx(), p.org.ID, pending[0].ID, p.member.ID, feedback.Answer{Rating: rating, Fit: feedback.FitGood}); err != nil {
			t.Fatal(err)
		}
		sum, err := fs.Store.Summarise(env.Ctx(), p.org.ID, &p.coach.ID)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Shown() != (i == 4) {
			t.Fatalf("after %d answers shown = %v", i+1, sum.Shown())
		}
		if i == 4 && (sum.AverageRating != 3.6 || sum.GoodFitPercent != 100) {
			t.Fatalf("summary: %+v", sum)
		}
	}
	// Another practitioner's aggregate does not include them.
	other := env.NewPerson(p.org, tenancy.RolePractitioner, tenancy.KindCoach)
	if sum, err := fs.Store.Summarise(env.Ctx(), p.org.ID, &other.ID); err != nil || sum.Answers != 0 {
		t.Fatalf("another practitioner: %+v %v", sum, err)
	}
}
