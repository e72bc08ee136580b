//go:build chaos

package main

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/calendar"
	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/outbox"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// TestChaosRemindersSurviveARedisThatForgot: reminders are handed to
// Redis, Redis loses everything (a restart without persistence), and a
// worker still sends every reminder, once.
func TestChaosRemindersSurviveARedisThatForgot(t *testing.T) {
	env := testkit.New(t)
	redisURL := testkit.RedisURL(t)
	rdb := testkit.RedisClient(t)
	opt, err := asynq.ParseRedisURI(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	client := asynq.NewClient(opt)
	defer client.Close()
	const sessions = 10
	for round := range chaosRounds(t) {
		// Sessions an hour and a few seconds away, by the real clock: their
		// one-hour reminders are due in a few seconds.
		now := time.Now().UTC().Truncate(time.Microsecond)
		env.Clock.Set(now)
		org := env.NewOrg()
		var people []string
		var ids []any
		for i := range sessions {
			coach := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
			member := env.NewPerson(org, tenancy.RoleMember)
			rel := env.NewRelationship(org, relationships.Coaching, coach, member)
			ss, err := env.Services.Calendar.Book(env.Ctx(), org.ID, calendar.BookInput{
				RelationshipID: rel.ID, ActorID: coach.ID, Start: now.Add(time.Hour + 10*time.Second + time.Duration(i)*time.Second), Direct: true})
			if err != nil {
				t.Fatalf("round %d: book: %v", round, err)
			}
			ids = append(ids, ss[0].ID)
			people = append(people, coach.Email, member.Email)
		}
		// Handed over to Redis, which then forgets everything.
		if _, err := outbox.NewRelay(env.DB, client, clock.System{}, env.Log).Flush(env.Ctx()); err != nil {
			t.Fatal(err)
		}
		if n := env.Count("outbox", "task_type = 'calendar:session_reminder' AND enqueued_at IS NULL"); n != 0 {
			t.Fatalf("%d reminders not handed over", n)
		}
		if err := rdb.FlushDB(env.Ctx()).Err(); err != nil {
			t.Fatal(err)
		}
		cfg := childEnv(t)
		cfg["TOOLBOX_OUTBOX_RECHECK_AFTER"] = "1s"
		worker := startProc(t, fmt.Sprintf("worker %d", round), cfg, "worker")
		waitFor(t, "every reminder", func() bool {
			return env.Count("reminder_deliveries", "session_id IN (?)", bun.In(ids)) >= 2*sessions &&
				env.Count("emails", "template = 'session_reminder' AND to_addr IN (?)", bun.In(people)) >= 2*sessions
		})
		worker.signal(t, syscall.SIGTERM)
		worker.wait(t)
		if n := env.Count("emails", "template = 'session_reminder' AND to_addr IN (?)", bun.In(people)); n != 2*sessions {
			t.Fatalf("round %d: %d reminder e-mails for %d people, want one each", round, n, 2*sessions)
		}
	}
}
