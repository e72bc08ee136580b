package feedback_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/calendar"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
	"github.com/leadershiptoolbox/toolbox/workers"
)

// booked records a scheduled session of the pair, with the member booked
// in, that started an hour ago.
func booked(t *testing.T, env *testkit.Env, p pair) uuid.UUID {
	t.Helper()
	now := env.Clock.Now()
	start := now.Add(-time.Hour)
	s := &calendar.Session{ID: uuid.Must(uuid.NewV7()), OrgID: p.org.ID, RelationshipID: p.rel.ID, PractitionerID: p.coach.ID, Kind: string(p.rel.Kind),
		StartsAt: start, EndsAt: start.Add(time.Hour), BusyFrom: start, BusyTo: start.Add(time.Hour), TimeZone: "UTC",
		Status: calendar.StatusScheduled, Version: 1, Capacity: 1, CreatedAt: now, UpdatedAt: now}
	a := &calendar.Attendee{ID: uuid.Must(uuid.NewV7()), OrgID: p.org.ID, SessionID: s.ID, UserID: p.member.ID, Status: calendar.AttendeeBooked, CreatedAt: now, UpdatedAt: now}
	err := env.DB.InTenant(env.Ctx(), p.org.ID, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(s).Exec(ctx); err != nil {
			return err
		}
		_, err := tx.NewInsert().Model(a).Exec(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return s.ID
}

// TestCompletedSessionAsksThroughTheOutbox: marking a session completed
// (twice, and its task run twice) asks the member once, by e-mail and on
// My support, where one click on a rating answers; a session marked as a
// no-show asks nobody.
func TestCompletedSessionAsksThroughTheOutbox(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		p := newPair(t, env)
		cal := env.Services.Calendar
		missed := booked(t, env, p)
		if err := cal.MarkAttendance(env.Ctx(), p.org.ID, missed, calendar.StatusNoShow, nil); err != nil {
			t.Fatal(err)
		}
		held := booked(t, env, p)
		for range 2 {
			if err := cal.MarkAttendance(env.Ctx(), p.org.ID, held, calendar.StatusCompleted, nil); err != nil {
				t.Fatal(err)
			}
		}
		if n := env.Count("outbox", "task_type = ?", "feedback:ask"); n != 2 {
			t.Fatalf("%d feedback tasks recorded, want 2 (one per marking)", n)
		}
		if n := env.Count("feedback", "org_id = ?", p.org.ID); n != 0 {
			t.Fatal("feedback asked in the request, not by the task")
		}
		env.RunDueTasks()
		// The task delivered once more asks nobody again.
		if err := env.Services.Feedback.HandleAskFeedback(env.Ctx(), workers.AskFeedbackPayload{OrgID: p.org.ID, SessionID: held}); err != nil {
			t.Fatal(err)
		}
		if n := env.Count("feedback", "org_id = ? AND author_id = ?", p.org.ID, p.member.ID); n != 1 {
			t.Fatalf("%d requests, want 1", n)
		}
		if n := env.Count("feedback", "org_id = ? AND session_id = ?", p.org.ID, missed); n != 0 {
			t.Fatal("a missed session asked for feedback")
		}
		if n := env.Count("feedback", "org_id = ? AND author_id = ?", p.org.ID, p.coach.ID); n != 0 {
			t.Fatal("the practitioner was asked")
		}
		if mails := env.Emails(p.member.Email); len(mails) != 1 || !strings.Contains(mails[0].Subject, "How was your session") {
			t.Fatalf("%d e-mails", len(mails))
		}

		b := env.SignIn(p.member.User)
		my := b.Get("/o/" + p.org.Slug + "/my")
		forms := my.Doc().Find("#feedback-card form")
		if forms.Length() != 1 {
			t.Fatalf("%d feedback forms on My support, want 1", forms.Length())
		}
		action, _ := forms.Attr("action")
		if forms.Find(`button[name="rating"]`).Length() != 5 {
			t.Fatal("the card has no five one-click ratings")
		}
		page := b.Post(action, map[string]string{"rating": "4", "fit": "good"})
		if page.Status != 200 || !strings.Contains(page.Body, "your feedback is recorded") {
			t.Fatalf("answer from the card: %d\n%s", page.Status, page.Body)
		}
		if n := env.Count("feedback", "org_id = ? AND author_id = ? AND rating = 4 AND answered_at IS NOT NULL", p.org.ID, p.member.ID); n != 1 {
			t.Fatal("the one-click answer was not recorded")
		}
		if b.Get("/o/"+p.org.Slug+"/my").Doc().Find("#feedback-card").Length() != 0 {
			t.Fatal("the answered request is still on My support")
		}
	})
}
