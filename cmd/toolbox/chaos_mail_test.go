//go:build chaos

package main

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/mail"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
	"github.com/leadershiptoolbox/toolbox/workers"
)

// queueEmails records n e-mails (with their tasks) as a request would.
func queueEmails(t *testing.T, env *testkit.Env, prefix string, n int) []string {
	t.Helper()
	// The worker runs on the system clock.
	env.Clock.Set(time.Now())
	var to []string
	for i := range n {
		addr := fmt.Sprintf("%s-%d@example.test", prefix, i)
		to = append(to, addr)
		env.Tx(func(ctx context.Context, tx bun.Tx) error {
			_, err := env.Services.Mail.Queue(ctx, tx, mail.Message{To: addr, Template: "verify_email",
				Data: map[string]any{"Name": "Chaos", "Link": "http://toolbox.test/verify/x"}})
			return err
		})
	}
	return to
}

// emailRows loads the rows of the given recipients.
func emailRows(t *testing.T, env *testkit.Env, to []string) []mail.Email {
	t.Helper()
	var rows []mail.Email
	if err := env.OwnerDB.NewSelect().Model(&rows).Where("to_addr IN (?)", bun.In(to)).Scan(env.Ctx()); err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(to) {
		t.Fatalf("%d rows for %d recipients", len(rows), len(to))
	}
	return rows
}

// checkEveryEmailArrived: each message reached the server at least once
// and at most twice (one duplicate, from a worker that died after the
// server accepted but before it could record it), and every row is sent.
func checkEveryEmailArrived(t *testing.T, env *testkit.Env, smtp *smtpServer, to []string) {
	t.Helper()
	accepted := smtp.Accepted()
	for _, e := range emailRows(t, env, to) {
		n := accepted[messageID(e.ID)]
		if n < 1 || n > 2 {
			t.Errorf("%s: accepted %d times by the SMTP server, want 1 (2 at most)", e.To, n)
		}
		if e.Status != mail.StatusSent || e.SentAt == nil {
			t.Errorf("%s: left %q", e.To, e.Status)
		}
	}
}

// waitForMail waits until every row is sent, or until nothing is left to
// do (queues idle twice in a row), whichever comes first.
func waitForMail(t *testing.T, env *testkit.Env, to []string) {
	t.Helper()
	inspector := newInspector(t)
	idle := 0
	waitFor(t, "the e-mails to be delivered", func() bool {
		// What the passing of time would do: retries (a dead worker's
		// recovered tasks wait 15-45 s) run now.
		for q := range workers.Queues {
			_, _ = inspector.RunAllRetryTasks(q)
		}
		sent := 0
		for _, e := range emailRows(t, env, to) {
			if e.Status == mail.StatusSent {
				sent++
			}
		}
		if sent == len(to) {
			return true
		}
		if queuesIdle(t, inspector) && env.Count("outbox", "done_at IS NULL AND enqueued_at IS NULL") == 0 {
			idle++
		} else {
			idle = 0
		}
		return idle >= 20
	})
}

// deliverWithAFreshWorker starts a worker with the SMTP server at full
// speed, waits for the e-mails and checks every one arrived; it reports
// whether they did.
func deliverWithAFreshWorker(t *testing.T, env *testkit.Env, smtp *smtpServer, to []string) bool {
	t.Helper()
	smtp.setDelay(0)
	second := startProc(t, "second worker", smtp.env(childEnv(t)), "worker")
	waitForMail(t, env, to)
	checkEveryEmailArrived(t, env, smtp, to)
	second.signal(t, syscall.SIGTERM)
	second.wait(t)
	return !t.Failed()
}

// TestChaosMailSurvivesAWorkerKilledMidSend: a worker is SIGKILLed while
// the (slow) SMTP server holds the messages it was sending; a fresh worker
// delivers every one of them, at most one duplicate each, none stuck.
func TestChaosMailSurvivesAWorkerKilledMidSend(t *testing.T) {
	env := testkit.New(t)
	rdb := testkit.RedisClient(t)
	for round := range chaosRounds(t) {
		smtp := startSMTP(t)
		smtp.setDelay(10 * time.Minute)
		to := queueEmails(t, env, fmt.Sprintf("killed-%d", round), 20)
		first := startProc(t, "first worker", smtp.env(childEnv(t)), "worker")
		select {
		case <-smtp.holding:
		case <-time.After(2 * time.Minute):
			t.Fatalf("no message reached the SMTP server; worker output:\n%s", first.out.String())
		}
		time.Sleep(200 * time.Millisecond) // let the others reach it too
		first.signal(t, os.Kill)
		first.wait(t)
		// Asynq recovers a dead worker's tasks once their lease has
		// expired (30 s, plus 30 s for clock skew): expire them now.
		leaseKey := "asynq:{" + workers.QueueCritical + "}:lease"
		members, err := rdb.ZRange(env.Ctx(), leaseKey, 0, -1).Result()
		if err != nil || len(members) == 0 {
			t.Fatalf("the killed worker's leases: %v %v", members, err)
		}
		for _, m := range members {
			rdb.ZAdd(env.Ctx(), leaseKey, redis.Z{Score: 1, Member: m})
		}
		if !deliverWithAFreshWorker(t, env, smtp, to) {
			return
		}
	}
}

// TestChaosMailSurvivesAStopWithASlowSMTPServer: a worker is stopped
// (SIGTERM, short shutdown timeout) while a slow SMTP server holds its
// messages; the messages it delivered are recorded as sent, the others
// are delivered by the next worker.
func TestChaosMailSurvivesAStopWithASlowSMTPServer(t *testing.T) {
	env := testkit.New(t)
	for round := range chaosRounds(t) {
		smtp := startSMTP(t)
		smtp.setDelay(3 * time.Second)
		to := queueEmails(t, env, fmt.Sprintf("stopped-%d", round), 8)
		cfg := smtp.env(childEnv(t))
		cfg["TOOLBOX_SHUTDOWN_TIMEOUT"] = "1s"
		first := startProc(t, "first worker", cfg, "worker")
		for range to {
			select {
			case <-smtp.holding:
			case <-time.After(2 * time.Minute):
				t.Fatalf("the messages did not reach the SMTP server; worker output:\n%s", first.out.String())
			}
		}
		first.signal(t, syscall.SIGTERM)
		if code := first.wait(t); code != 0 {
			t.Errorf("the stopped worker exited with %d", code)
		}
		if !deliverWithAFreshWorker(t, env, smtp, to) {
			return
		}
	}
}
