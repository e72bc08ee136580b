package billing_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leadershiptoolbox/toolbox/app/billing"
	"github.com/leadershiptoolbox/toolbox/app/courses"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// syncBuffer is a log destination safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestSignedEventThatCannotBeDecodedIsRetried: a correctly signed event
// whose body or object cannot be read (as after an API version change)
// is answered 500 and logged, so that Stripe retries it and someone sees
// it, and nothing is recorded; once readable, the retry is processed.
func TestSignedEventThatCannotBeDecodedIsRetried(t *testing.T) {
	f := startStripe(t)
	env := testkit.New(t, withStripe(f))
	logs := &syncBuffer{}
	env.Services.Billing.Log = slog.New(slog.NewTextHandler(logs, nil))
	org := env.NewOrg()
	member := env.NewPerson(org, tenancy.RoleMember)
	c := newPaidCourse(t, env, org, 2500)
	call, pay := buy(t, env, f, member, org, c)

	good := event("evt_undecodable", "checkout.session.completed", sessionObject(call, *pay.CheckoutSessionID, "paid", "pi_undecodable", 2500))
	cases := map[string][]byte{
		"object of another shape": []byte(strings.Replace(string(good), `"amount_total":2500`, `"amount_total":"2500 pence"`, 1)),
		"object not an object":    []byte(`{"id":"evt_undecodable","object":"event","type":"checkout.session.completed","data":{"object":[1,2]}}`),
		"body not an event":       []byte(`{"id":["evt_undecodable"]}`),
	}
	for name, body := range cases {
		status, out := deliver(t, env, body, sign(body, time.Now(), webhookSecret))
		if status != http.StatusInternalServerError {
			t.Errorf("%s: %d %s, want 500", name, status, out)
		}
	}
	if n := strings.Count(logs.String(), "stripe webhook failed"); n != len(cases) {
		t.Errorf("failures logged = %d, want %d:\n%s", n, len(cases), logs)
	}
	if n := env.Count("stripe_events", "event_id = ?", "evt_undecodable"); n != 0 {
		t.Fatalf("an undecodable event was recorded (%d rows): Stripe would not retry it", n)
	}
	send(t, env, good)
	if n := env.Count("enrolments", "org_id = ? AND user_id = ? AND status = ?", org.ID, member.ID, courses.EnrolActive); n != 1 {
		t.Fatalf("the retried event did not open the place")
	}
}

// TestWebhookRefusesTimestampsFromTheFuture: a signature dated beyond the
// tolerance ahead is refused like one dated beyond it in the past; a
// little clock skew either way is accepted.
func TestWebhookRefusesTimestampsFromTheFuture(t *testing.T) {
	f := startStripe(t)
	env := testkit.New(t, withStripe(f))
	payload := event("evt_future", "customer.created", map[string]any{"id": "cus_1", "object": "customer"})
	for _, at := range []time.Duration{10 * time.Minute, 24 * time.Hour, -10 * time.Minute} {
		if status, body := deliver(t, env, payload, sign(payload, time.Now().Add(at), webhookSecret)); status != http.StatusBadRequest {
			t.Errorf("signed %v from now: %d %s, want 400", at, status, body)
		}
	}
	if n := env.Count("stripe_events", "event_id = ?", "evt_future"); n != 0 {
		t.Fatalf("an event with a refused timestamp was recorded")
	}
	for _, at := range []time.Duration{time.Minute, -time.Minute} {
		if status, body := deliver(t, env, payload, sign(payload, time.Now().Add(at), webhookSecret)); status != http.StatusOK {
			t.Errorf("signed %v from now: %d %s, want 200", at, status, body)
		}
	}
}

// TestReconciliationAppliesRefundsLeftWaiting: a refund left deferred
// although its payment is known (as the race of issue 11 left them) is
// applied by the periodic reconciliation, once.
func TestReconciliationAppliesRefundsLeftWaiting(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		f := fakeFrom(t, env)
		org := env.NewOrg()
		member := env.NewPerson(org, tenancy.RoleMember)
		c := newPaidCourse(t, env, org, 1800)
		call, pay := buy(t, env, f, member, org, c)
		send(t, env, event("evt_rec_paid", "checkout.session.completed", sessionObject(call, *pay.CheckoutSessionID, "paid", "pi_rec", 1800)))
		// What the race left behind: the refund recorded as deferred after
		// the payment had looked for it.
		if _, err := env.OwnerDB.NewInsert().Model(&billing.StripeEvent{
			ID: pay.ID, EventID: "evt_rec_refund", Type: "charge.refunded", PaymentIntentID: ptr("pi_rec"),
			Outcome: "deferred: refund arrived before its payment", ReceivedAt: env.Clock.Now(),
		}).Exec(env.Ctx()); err != nil {
			t.Fatal(err)
		}
		// A refund whose payment never came stays waiting.
		if _, err := env.OwnerDB.NewInsert().Model(&billing.StripeEvent{
			ID: member.ID, EventID: "evt_rec_orphan", Type: "charge.refunded", PaymentIntentID: ptr("pi_nobody"),
			Outcome: "deferred: refund arrived before its payment", ReceivedAt: env.Clock.Now(),
		}).Exec(env.Ctx()); err != nil {
			t.Fatal(err)
		}
		n, err := env.Services.Billing.ReconcileRefunds(env.Ctx())
		if err != nil || n != 1 {
			t.Fatalf("reconciled = %d, %v; want 1", n, err)
		}
		if n := env.Count("payments", "id = ? AND status = ?", pay.ID, billing.PaymentRefunded); n != 1 {
			t.Fatalf("payment not refunded")
		}
		if n := env.Count("enrolments", "org_id = ? AND user_id = ? AND status = ?", org.ID, member.ID, courses.EnrolRevoked); n != 1 {
			t.Fatalf("place left open")
		}
		if n := env.Count("stripe_events", "event_id = ? AND outcome = ?", "evt_rec_refund", "refund applied when its payment arrived"); n != 1 {
			t.Fatalf("refund event not finished")
		}
		if n := env.Count("stripe_events", "event_id = ? AND outcome LIKE ?", "evt_rec_orphan", "deferred%"); n != 1 {
			t.Fatalf("a refund with no payment was touched")
		}
		if n, err := env.Services.Billing.ReconcileRefunds(env.Ctx()); err != nil || n != 0 {
			t.Fatalf("second pass = %d, %v; want 0", n, err)
		}
	})
}

func ptr(s string) *string { return &s }
