package mail_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/mail"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
	"github.com/leadershiptoolbox/toolbox/workers"
)

func TestMain(m *testing.M) { testkit.Main(m) }

type countingSender struct{ sent []string }

func (c *countingSender) Send(_ context.Context, e *mail.Email) error {
	c.sent = append(c.sent, e.To)
	return nil
}

func TestQueuedMailIsDeliveredOnceEvenIfTheTaskRunsTwice(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		sender := &countingSender{}
		svc := env.Services.Mail
		svc.Sender = sender
		env.Tx(func(ctx context.Context, tx bun.Tx) error {
			_, err := svc.Queue(ctx, tx, mail.Message{To: "once@example.test", Template: "verify_email", Data: map[string]any{"Name": "Ann & Bo", "Link": "http://x/verify/abc"}})
			return err
		})
		emails := env.Emails("once@example.test")
		if len(emails) != 1 || emails[0].Status != mail.StatusQueued {
			t.Fatalf("queued: %+v", emails)
		}
		if emails[0].TextBody == "" || !strings.Contains(emails[0].TextBody, "Ann & Bo") {
			t.Fatalf("text body is HTML-escaped or empty: %q", emails[0].TextBody)
		}
		if !strings.Contains(emails[0].HTMLBody, "Ann &amp; Bo") {
			t.Fatalf("html body not escaped: %q", emails[0].HTMLBody)
		}
		task := workers.SendEmailPayload{EmailID: emails[0].ID}
		for range 2 {
			if err := svc.HandleSendEmail(context.Background(), task); err != nil {
				t.Fatal(err)
			}
		}
		if len(sender.sent) != 1 {
			t.Fatalf("sent %d times, want once", len(sender.sent))
		}
		if got := env.Emails("once@example.test")[0]; got.Status != mail.StatusSent || got.SentAt == nil {
			t.Fatalf("after delivery: %+v", got)
		}
	})
}

func TestDedupeKeyQueuesOnce(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		for i := range 3 {
			env.Tx(func(ctx context.Context, tx bun.Tx) error {
				isNew, err := env.Services.Mail.Queue(ctx, tx, mail.Message{To: "dedupe@example.test", Template: "verify_email",
					Data: map[string]any{"Name": "A", "Link": "L"}, DedupeKey: "dedupe-test-" + env.Engine.String()})
				if isNew != (i == 0) {
					t.Errorf("call %d: new = %v", i, isNew)
				}
				return err
			})
		}
		if n := len(env.Emails("dedupe@example.test")); n != 1 {
			t.Fatalf("%d e-mails, want 1", n)
		}
		if ran := env.RunDueTasks(); ran != 1 {
			t.Fatalf("ran %d tasks, want 1", ran)
		}
		if got := env.Emails("dedupe@example.test")[0]; got.Status != mail.StatusKept {
			t.Fatalf("without SMTP the mail is kept for the outbox page: %q", got.Status)
		}
	})
}

func TestUndecodablePayloadIsNotRetried(t *testing.T) {
	env := testkit.New(t)
	err := workers.Handle(env.Services.Mail.HandleSendEmail)(context.Background(), asynq.NewTask(workers.TypeSendEmail, []byte("{not json")))
	if err == nil || !errors.Is(err, asynq.SkipRetry) {
		t.Fatalf("err = %v, want SkipRetry", err)
	}
}

// senderFunc adapts a function to mail.Sender.
type senderFunc func(ctx context.Context, e *mail.Email) error

func (f senderFunc) Send(ctx context.Context, e *mail.Email) error { return f(ctx, e) }

func queueOne(t *testing.T, env *testkit.Env, to string) mail.Email {
	t.Helper()
	env.Tx(func(ctx context.Context, tx bun.Tx) error {
		_, err := env.Services.Mail.Queue(ctx, tx, mail.Message{To: to, Template: "verify_email", Data: map[string]any{"Name": "A", "Link": "L"}})
		return err
	})
	return env.Emails(to)[0]
}

func sendTask(e mail.Email) workers.SendEmailPayload {
	return workers.SendEmailPayload{EmailID: e.ID}
}

// TestDeliveredMessageIsMarkedSentWhileTheWorkerStops: the server accepts
// the message just as the worker's shutdown cancels the task; the row is
// still recorded as sent, so the next worker does not send it again.
func TestDeliveredMessageIsMarkedSentWhileTheWorkerStops(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		svc := env.Services.Mail
		ctx, cancel := context.WithCancel(context.Background())
		svc.Sender = senderFunc(func(context.Context, *mail.Email) error { cancel(); return nil })
		e := queueOne(t, env, "stopping-"+env.Engine.String()+"@example.test")
		if err := svc.HandleSendEmail(ctx, sendTask(e)); err != nil {
			t.Fatalf("delivered, yet: %v", err)
		}
		if got := env.Emails(e.To)[0]; got.Status != mail.StatusSent {
			t.Fatalf("delivered while stopping, left %q", got.Status)
		}
	})
}

// TestARunThatFindsTheMessageBeingSentDoesNotReportDone: a message
// claimed by a live worker is not given up by another run of its task
// (which used to return success, and the message was lost when the first
// worker died); once the claim lapses, the run takes it over.
func TestARunThatFindsTheMessageBeingSentDoesNotReportDone(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		svc := env.Services.Mail
		sent := 0
		svc.Sender = senderFunc(func(context.Context, *mail.Email) error { sent++; return nil })
		e := queueOne(t, env, "claimed-"+env.Engine.String()+"@example.test")
		if _, err := env.DB.NewUpdate().Model((*mail.Email)(nil)).Set("status = ?", mail.StatusSending).Set("claimed_at = ?", env.Clock.Now()).
			Set("claim_token = 'another-worker'").Where("id = ?", e.ID).Exec(env.Ctx()); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
		defer cancel()
		if err := svc.HandleSendEmail(ctx, sendTask(e)); err == nil {
			t.Fatal("a run that found the message being sent by another worker reported it done")
		}
		if sent != 0 {
			t.Fatalf("sent %d times under another worker's live claim", sent)
		}
		env.Clock.Advance(time.Minute) // the other worker stopped renewing its claim
		if err := svc.HandleSendEmail(context.Background(), sendTask(e)); err != nil {
			t.Fatal(err)
		}
		if got := env.Emails(e.To)[0]; sent != 1 || got.Status != mail.StatusSent {
			t.Fatalf("after the claim lapsed: sent %d times, %q", sent, got.Status)
		}
	})
}

// TestSweepRequeuesMessagesLeftSending: a message left "sending" by a
// worker that died, whose task is gone too, gets a new task and goes out.
func TestSweepRequeuesMessagesLeftSending(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		svc := env.Services.Mail
		e := queueOne(t, env, "stuck-"+env.Engine.String()+"@example.test")
		env.RunDueTasks()
		if _, err := env.DB.NewUpdate().Model((*mail.Email)(nil)).Set("status = ?", mail.StatusSending).Set("claimed_at = ?", env.Clock.Now()).
			Where("id = ?", e.ID).Exec(env.Ctx()); err != nil {
			t.Fatal(err)
		}
		if n, err := svc.Sweep(env.Ctx()); err != nil || n != 0 {
			t.Fatalf("swept a message under a live claim: %d %v", n, err)
		}
		env.Clock.Advance(10 * time.Minute)
		if n, err := svc.Sweep(env.Ctx()); err != nil || n != 1 {
			t.Fatalf("sweep: %d %v, want 1", n, err)
		}
		if ran := env.RunDueTasks(); ran != 1 {
			t.Fatalf("ran %d tasks, want the new send", ran)
		}
		if got := env.Emails(e.To)[0]; got.Status != mail.StatusKept {
			t.Fatalf("after the sweep: %q", got.Status)
		}
	})
}
