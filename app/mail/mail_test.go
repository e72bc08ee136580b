package mail_test

import (
	"context"
	"errors"
	"strings"
	"testing"

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
		task := asynq.NewTask(workers.TypeSendEmail, workers.NewSendEmailTask(emails[0].ID, emails[0].ID).Payload)
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
	err := env.Services.Mail.HandleSendEmail(context.Background(), asynq.NewTask(workers.TypeSendEmail, []byte("{not json")))
	if err == nil || !errors.Is(err, asynq.SkipRetry) {
		t.Fatalf("err = %v, want SkipRetry", err)
	}
}
