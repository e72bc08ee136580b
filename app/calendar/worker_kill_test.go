package calendar_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/outbox"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
	"github.com/leadershiptoolbox/toolbox/workers"
)

// TestReminderSurvivesAWorkerKilledMidway: a real worker process is
// SIGKILLed while a reminder is inside its transaction (e-mails queued,
// deliveries recorded, not committed). Asynq hands the task to a fresh
// worker, and each person gets exactly one reminder.
func TestReminderSurvivesAWorkerKilledMidway(t *testing.T) {
	env := testkit.New(t)

	// Book, by the real clock, a session whose 1-hour reminder is due now.
	now := time.Now().UTC().Truncate(time.Microsecond)
	env.Clock.Set(now.Add(-5 * time.Second))
	fx := newFixture(t, env, "")
	s := fx.book(t, env, now.Add(time.Hour-2*time.Second))
	// The package's tests share the database: find this session's task.
	var rows []struct {
		ID      string `bun:"id"`
		Payload []byte `bun:"payload"`
	}
	if err := env.DB.NewSelect().Table("outbox").Column("id", "payload").Where("task_type = ?", workers.TypeSessionReminder).Scan(env.Ctx(), &rows); err != nil {
		t.Fatal(err)
	}
	var taskID string
	for _, r := range rows {
		var p workers.SessionReminderPayload
		if json.Unmarshal(r.Payload, &p) == nil && p.SessionID == s.ID {
			if p.OffsetMinutes != 60 || taskID != "" {
				t.Fatalf("want the 1-hour reminder alone, got offset %d", p.OffsetMinutes)
			}
			taskID = r.ID
		}
	}
	if taskID == "" {
		t.Fatal("no reminder task for the session")
	}
	opt, err := asynq.ParseRedisURI(testkit.RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	client := asynq.NewClient(opt)
	defer client.Close()
	relay := outbox.NewRelay(env.DB, client, clock.System{}, env.Log)
	if _, err := relay.Flush(env.Ctx()); err != nil {
		t.Fatalf("relay: %v", err)
	}

	testkit.KillMidTaskAndRetry(t, envBlockAt, taskID, "the reminder", func() {
		if n := env.Count("reminder_deliveries", "session_id = ?", s.ID); n != 0 {
			t.Fatalf("%d deliveries visible before commit", n)
		}
	})
	for _, p := range []*testkit.Person{fx.coach, fx.member} {
		if n := env.Count("reminder_deliveries", "session_id = ? AND user_id = ?", s.ID, p.ID); n != 1 {
			t.Errorf("%d deliveries to %s, want 1", n, p.Email)
		}
		if n := env.Count("emails", "to_addr = ? AND template = 'session_reminder'", p.Email); n != 1 {
			t.Errorf("%d reminder e-mails to %s, want 1", n, p.Email)
		}
	}
}
