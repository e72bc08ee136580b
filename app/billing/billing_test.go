package billing_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/billing"
	"github.com/leadershiptoolbox/toolbox/app/courses"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// buy runs the checkout as the member and returns the session request
// the app sent to Stripe and the payment it recorded.
func buy(t *testing.T, env *testkit.Env, f *fakeStripe, who *testkit.Person, org *testkit.Org, c *courses.Course) (stripeCall, *billing.Payment) {
	t.Helper()
	before := len(f.Calls("/v1/checkout/sessions"))
	p := env.SignIn(who.User).NoRedirects().Post("/o/"+org.Slug+"/courses/"+c.ID.String()+"/checkout", nil)
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Header.Get("Location"), "https://checkout.stripe.com/") {
		t.Fatalf("checkout = %d, Location %q: %s", p.Status, p.Header.Get("Location"), p.Body)
	}
	calls := f.Calls("/v1/checkout/sessions")
	if len(calls) != before+1 {
		t.Fatalf("checkout sessions created = %d, want %d", len(calls), before+1)
	}
	pay := new(billing.Payment)
	if err := env.OwnerDB.NewSelect().Model(pay).Where("org_id = ? AND course_id = ?", org.ID, c.ID).OrderExpr("created_at DESC, id DESC").Limit(1).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	if pay.CheckoutURL != p.Header.Get("Location") || pay.CheckoutSessionID == nil {
		t.Fatalf("payment did not store the session: %+v", pay)
	}
	return calls[len(calls)-1], pay
}

func TestPaidCourseFlow(t *testing.T) {
	for _, engine := range testkit.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			f := startStripe(t)
			env := testkit.New(t, testkit.OnEngine(engine), withStripe(f))
			org := env.NewOrg()
			member := env.NewPerson(org, tenancy.RoleMember)
			c := newPaidCourse(t, env, org, 4900)
			b := env.SignIn(member.User)
			base := "/o/" + org.Slug + "/courses/" + c.ID.String()

			if p := b.Get(base); !strings.Contains(p.Body, "Buy your place") || !strings.Contains(p.Body, "£49.00") {
				t.Fatalf("course page does not offer the purchase: %s", p.Text("main"))
			}
			call, pay := buy(t, env, f, member, org, c)

			// What the app sent: one customer, created with an idempotency
			// key, and a payment-mode session naming org, course, person
			// and enrolment.
			customers := f.Calls("/v1/customers")
			if len(customers) != 1 || customers[0].IdempotencyKey != "customer-"+org.ID.String()+"-"+member.ID.String() {
				t.Fatalf("customer calls = %+v", customers)
			}
			if customers[0].Form.Get("metadata[org_id]") != org.ID.String() || customers[0].Form.Get("email") != member.Email {
				t.Errorf("customer params = %v", customers[0].Form)
			}
			var e courses.Enrolment
			if err := env.OwnerDB.NewSelect().Model(&e).Where("org_id = ? AND course_id = ? AND user_id = ?", org.ID, c.ID, member.ID).Scan(context.Background()); err != nil {
				t.Fatalf("no pending enrolment recorded: %v", err)
			}
			if e.Status != courses.EnrolPending || e.PriceMinor != 4900 {
				t.Fatalf("enrolment = %s %d, want pending 4900", e.Status, e.PriceMinor)
			}
			want := map[string]string{
				"mode": "payment", "allow_promotion_codes": "true", "customer": pay.CustomerID,
				"metadata[org_id]": org.ID.String(), "metadata[course_id]": c.ID.String(), "metadata[user_id]": member.ID.String(),
				"metadata[enrolment_id]": e.ID.String(), "metadata[payment_id]": pay.ID.String(), "metadata[kind]": "course",
				"line_items[0][quantity]": "1", "line_items[0][price_data][unit_amount]": "4900", "line_items[0][price_data][currency]": "gbp",
				"success_url": env.Config.BaseURL + base + "/purchased", "cancel_url": env.Config.BaseURL + base + "/checkout/cancelled?payment=" + pay.ID.String(),
			}
			for k, v := range want {
				if got := call.Form.Get(k); got != v {
					t.Errorf("checkout %s = %q, want %q", k, got, v)
				}
			}
			if call.IdempotencyKey != "checkout-"+pay.ID.String() {
				t.Errorf("checkout idempotency key = %q", call.IdempotencyKey)
			}
			if !strings.HasPrefix(pay.CustomerID, "cus_") {
				t.Errorf("customer id stored = %q", pay.CustomerID)
			}

			// Coming back from Checkout grants nothing: the page waits.
			p := b.Get(base + "/purchased")
			if !strings.Contains(p.Body, "access opens in a moment") || p.Doc().Find(`[hx-trigger="every 2s"]`).Length() != 1 {
				t.Fatalf("success page does not wait for the webhook: %s", p.Body)
			}
			if n := env.Count("enrolments", "org_id = ? AND status = ?", org.ID, courses.EnrolActive); n != 0 {
				t.Fatalf("active enrolments before the webhook = %d", n)
			}
			if p := b.Get(base + "/lessons/" + uuid.NewString()); !strings.Contains(p.Body, "Enrol on the course first") {
				t.Fatalf("lesson opened before payment: %s", p.URL)
			}

			// The same event five times at once: one grant.
			payload := event("evt_paid_"+pay.ID.String(), "checkout.session.completed", sessionObject(call, *pay.CheckoutSessionID, "paid", "pi_"+pay.ID.String()[:8], 4900))
			var wg sync.WaitGroup
			statuses := make([]int, 5)
			for i := range 5 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					statuses[i], _ = deliver(t, env, payload, sign(payload, time.Now(), webhookSecret))
				}()
			}
			wg.Wait()
			for i, s := range statuses {
				if s != http.StatusOK {
					t.Errorf("delivery %d = %d", i, s)
				}
			}
			if n := env.Count("enrolments", "org_id = ? AND user_id = ? AND status = ?", org.ID, member.ID, courses.EnrolActive); n != 1 {
				t.Fatalf("active enrolments = %d, want 1", n)
			}
			if n := env.Count("payments", "org_id = ? AND status = ?", org.ID, billing.PaymentPaid); n != 1 {
				t.Fatalf("paid payments = %d, want 1", n)
			}
			if n := env.Count("stripe_events", "event_id = ?", "evt_paid_"+pay.ID.String()); n != 1 {
				t.Fatalf("stored events = %d, want 1", n)
			}
			if n := env.Count("emails", "to_addr = ? AND template = ?", member.Email, "course_access_open"); n != 1 {
				t.Fatalf("access e-mails = %d, want 1", n)
			}
			if p := b.HTMX(http.MethodGet, base+"/access", nil); !strings.Contains(p.Body, "Open the course") || strings.Contains(p.Body, "hx-trigger") {
				t.Fatalf("status fragment after the webhook: %s", p.Body)
			}

			// Buying again is refused; the customer is reused for another course.
			if p := b.Post(base+"/checkout", nil); p.Status != http.StatusConflict || !strings.Contains(p.Body, "already enrolled") {
				t.Fatalf("second purchase = %d", p.Status)
			}
			other := newPaidCourse(t, env, org, 1000)
			buy(t, env, f, member, org, other)
			if n := len(f.Calls("/v1/customers")); n != 1 {
				t.Fatalf("customers created = %d, want 1 (reused)", n)
			}

			// A price change does not touch the paid enrolment.
			c.PriceMinor = 9900
			if err := env.Services.Courses.Store.UpdateCourse(context.Background(), c); err != nil {
				t.Fatal(err)
			}
			if n := env.Count("enrolments", "org_id = ? AND course_id = ? AND price_minor = ?", org.ID, c.ID, 4900); n != 1 {
				t.Fatalf("price snapshot changed")
			}

			// Progress, then a refund: access revoked, progress kept.
			o, err := env.Services.Courses.Store.Outline(context.Background(), org.ID, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			lesson := o.Modules[0].Lessons[0]
			if p := b.Post(base+"/lessons/"+lesson.ID.String()+"/complete", nil); p.Status != http.StatusOK {
				t.Fatalf("complete lesson = %d", p.Status)
			}
			refund := event("evt_refund_"+pay.ID.String(), "charge.refunded", map[string]any{
				"id": "ch_1", "object": "charge", "refunded": true, "amount_refunded": 4900, "payment_intent": "pi_" + pay.ID.String()[:8],
			})
			send(t, env, refund)
			if n := env.Count("enrolments", "org_id = ? AND course_id = ? AND status = ?", org.ID, c.ID, courses.EnrolRevoked); n != 1 {
				t.Fatalf("enrolment not revoked after refund")
			}
			if n := env.Count("payments", "id = ? AND status = ? AND refunded_at IS NOT NULL", pay.ID, billing.PaymentRefunded); n != 1 {
				t.Fatalf("payment not marked refunded")
			}
			if n := env.Count("lesson_progress", "org_id = ? AND user_id = ?", org.ID, member.ID); n != 1 {
				t.Fatalf("progress lost after refund")
			}
			if p := b.Get(base + "/lessons/" + lesson.ID.String()); !strings.Contains(p.Body, "Enrol on the course first") {
				t.Fatalf("lesson still open after refund")
			}

			// Billing history: the member sees their payments, the owner all.
			if p := b.Get("/o/" + org.Slug + "/billing"); !strings.Contains(p.Body, "£49.00") || !strings.Contains(p.Body, "refunded") {
				t.Fatalf("history lacks the payment: %s", p.Text("main"))
			}
			owner := env.SignIn(org.Owner.User)
			if p := owner.Get("/o/" + org.Slug + "/billing"); !strings.Contains(p.Body, member.Name) {
				t.Fatalf("admin history lacks the member's payment")
			}
			if p := owner.Get("/o/" + org.Slug + "/billing/events"); !strings.Contains(p.Body, "evt_refund_") || !strings.Contains(p.Body, "access revoked") {
				t.Fatalf("events page lacks the refund")
			}
			// The Customer Portal opens for someone who paid.
			p = env.SignIn(member.User).NoRedirects().Post("/o/"+org.Slug+"/billing/portal", nil)
			portal := f.Calls("/v1/billing_portal/sessions")
			if p.Status != http.StatusSeeOther || len(portal) != 1 || portal[0].Form.Get("customer") != pay.CustomerID || portal[0].IdempotencyKey == "" {
				t.Fatalf("portal = %d %q, calls %+v", p.Status, p.Header.Get("Location"), portal)
			}
		})
	}
}

func TestWebhookRefusesBadSignaturesAndChangesNothing(t *testing.T) {
	f := startStripe(t)
	env := testkit.New(t, withStripe(f))
	org := env.NewOrg()
	member := env.NewPerson(org, tenancy.RoleMember)
	c := newPaidCourse(t, env, org, 2000)
	call, pay := buy(t, env, f, member, org, c)
	payload := event("evt_bad", "checkout.session.completed", sessionObject(call, *pay.CheckoutSessionID, "paid", "pi_bad", 2000))
	tampered := []byte(strings.Replace(string(payload), `"amount_total":2000`, `"amount_total":1`, 1))

	cases := map[string]struct {
		body   []byte
		header string
	}{
		"tampered body":  {tampered, sign(payload, time.Now(), webhookSecret)},
		"old timestamp":  {payload, sign(payload, time.Now().Add(-10*time.Minute), webhookSecret)},
		"missing header": {payload, ""},
		"wrong secret":   {payload, sign(payload, time.Now(), "whsec_other")},
		"garbage header": {payload, "t=abc,v1=zz"},
	}
	for name, tc := range cases {
		status, body := deliver(t, env, tc.body, tc.header)
		if status != http.StatusBadRequest || !strings.Contains(body, `"error"`) {
			t.Errorf("%s: %d %s, want 400 JSON", name, status, body)
		}
	}
	big := make([]byte, 70<<10)
	if status, _ := deliver(t, env, big, sign(big, time.Now(), webhookSecret)); status != http.StatusBadRequest {
		t.Errorf("oversized body = %d, want 400", status)
	}
	if n := env.Count("stripe_events", "event_id = ?", "evt_bad"); n != 0 {
		t.Fatalf("events stored from bad deliveries: %d", n)
	}
	if n := env.Count("enrolments", "org_id = ? AND status = ?", org.ID, courses.EnrolPending); n != 1 {
		t.Fatalf("the pending enrolment changed")
	}
}

func TestWebhookWithoutSecretRefusesEverything(t *testing.T) {
	env := testkit.New(t)
	payload := event("evt_x", "checkout.session.completed", map[string]any{"id": "cs_1"})
	if status, _ := deliver(t, env, payload, sign(payload, time.Now(), "")); status != http.StatusBadRequest {
		t.Fatalf("webhook without a configured secret = %d, want 400", status)
	}
}

func TestExpiredAndFailedCheckoutsDropThePendingPlace(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		f := fakeFrom(t, env)
		org := env.NewOrg()
		c := newPaidCourse(t, env, org, 1500)

		// Expired.
		m1 := env.NewPerson(org, tenancy.RoleMember)
		call, pay := buy(t, env, f, m1, org, c)
		send(t, env, event("evt_exp", "checkout.session.expired", sessionObject(call, *pay.CheckoutSessionID, "unpaid", "", 0)))
		if n := env.Count("enrolments", "org_id = ? AND user_id = ?", org.ID, m1.ID); n != 0 {
			t.Fatalf("expired checkout left the pending enrolment")
		}
		if n := env.Count("payments", "id = ? AND status = ?", pay.ID, billing.PaymentExpired); n != 1 {
			t.Fatalf("payment not marked expired")
		}

		// A delayed method that fails: completed (unpaid) then async failed.
		m2 := env.NewPerson(org, tenancy.RoleMember)
		call, pay = buy(t, env, f, m2, org, c)
		send(t, env, event("evt_unpaid", "checkout.session.completed", sessionObject(call, *pay.CheckoutSessionID, "unpaid", "pi_slow2", 1500)))
		if n := env.Count("enrolments", "org_id = ? AND user_id = ? AND status = ?", org.ID, m2.ID, courses.EnrolPending); n != 1 {
			t.Fatalf("unpaid completion changed the pending enrolment")
		}
		send(t, env, event("evt_failed", "checkout.session.async_payment_failed", sessionObject(call, *pay.CheckoutSessionID, "unpaid", "pi_slow2", 1500)))
		if n := env.Count("enrolments", "org_id = ? AND user_id = ?", org.ID, m2.ID); n != 0 {
			t.Fatalf("failed payment left the pending enrolment")
		}
		if n := env.Count("payments", "id = ? AND status = ?", pay.ID, billing.PaymentFailed); n != 1 {
			t.Fatalf("payment not marked failed")
		}

		// A delayed method that succeeds.
		m3 := env.NewPerson(org, tenancy.RoleMember)
		call, pay = buy(t, env, f, m3, org, c)
		send(t, env, event("evt_unpaid3", "checkout.session.completed", sessionObject(call, *pay.CheckoutSessionID, "unpaid", "pi_slow3", 1500)))
		send(t, env, event("evt_ok3", "checkout.session.async_payment_succeeded", sessionObject(call, *pay.CheckoutSessionID, "paid", "pi_slow3", 1500)))
		if n := env.Count("enrolments", "org_id = ? AND user_id = ? AND status = ?", org.ID, m3.ID, courses.EnrolActive); n != 1 {
			t.Fatalf("async success did not open the place")
		}
	})
}

// fakeFrom starts stripe-mock and rebuilds env's billing client to use it.
func fakeFrom(t *testing.T, env *testkit.Env) *fakeStripe {
	f := startStripe(t)
	cfg := env.Config
	cfg.StripeSecretKey, cfg.StripeWebhookSecret, cfg.StripeAPIBase = "sk_test_123", webhookSecret, f.URL
	env.Services.Billing.Stripe = billing.NewStripe(cfg)
	env.Services.Billing.WebhookSecret = webhookSecret
	return f
}

func TestRefundBeforeItsPaymentIsAppliedWhenThePaymentArrives(t *testing.T) {
	f := startStripe(t)
	env := testkit.New(t, withStripe(f))
	org := env.NewOrg()
	member := env.NewPerson(org, tenancy.RoleMember)
	c := newPaidCourse(t, env, org, 1500)
	call, pay := buy(t, env, f, member, org, c)

	body := send(t, env, event("evt_r_first", "charge.refunded", map[string]any{"id": "ch_9", "object": "charge", "refunded": true, "payment_intent": "pi_early"}))
	if !strings.Contains(body, "deferred") {
		t.Fatalf("early refund outcome: %s", body)
	}
	send(t, env, event("evt_paid_late", "checkout.session.completed", sessionObject(call, *pay.CheckoutSessionID, "paid", "pi_early", 1500)))
	if n := env.Count("enrolments", "org_id = ? AND user_id = ? AND status = ?", org.ID, member.ID, courses.EnrolRevoked); n != 1 {
		t.Fatalf("refund that came first was not applied")
	}
	if n := env.Count("payments", "id = ? AND status = ?", pay.ID, billing.PaymentRefunded); n != 1 {
		t.Fatalf("payment not refunded")
	}
	if n := env.Count("emails", "to_addr = ?", member.Email); n != 0 {
		t.Fatalf("access e-mail sent for a refunded payment")
	}
}

func TestWebhookCannotReachAnotherOrganisationsData(t *testing.T) {
	f := startStripe(t)
	env := testkit.New(t, withStripe(f))
	a, b := env.NewOrg(), env.NewOrg()
	member := env.NewPerson(a, tenancy.RoleMember)
	c := newPaidCourse(t, env, a, 1500)
	call, pay := buy(t, env, f, member, a, c)

	// The metadata names organisation B, with A's payment and enrolment.
	forged := sessionObject(call, *pay.CheckoutSessionID, "paid", "pi_forged", 1500)
	forged["metadata"].(map[string]string)["org_id"] = b.ID.String()
	body := send(t, env, event("evt_forged", "checkout.session.completed", forged))
	if !strings.Contains(body, "unknown payment") {
		t.Fatalf("forged event outcome: %s", body)
	}
	// An organisation that does not exist, and no metadata at all.
	ghost := sessionObject(call, "cs_ghost", "paid", "pi_ghost", 1500)
	ghost["metadata"].(map[string]string)["org_id"] = uuid.NewString()
	if body := send(t, env, event("evt_ghost", "checkout.session.completed", ghost)); !strings.Contains(body, "unknown organisation") {
		t.Fatalf("unknown org outcome: %s", body)
	}
	if body := send(t, env, event("evt_other", "customer.created", map[string]any{"id": "cus_1"})); !strings.Contains(body, "not used") {
		t.Fatalf("unused type outcome: %s", body)
	}
	if n := env.Count("enrolments", "org_id = ? AND status = ?", a.ID, courses.EnrolPending); n != 1 {
		t.Fatalf("organisation A's enrolment changed")
	}
	if n := env.Count("payments", "org_id = ? AND status = ?", a.ID, billing.PaymentPaid); n != 0 {
		t.Fatalf("a payment was granted")
	}
	if n := env.Count("stripe_events", "event_id IN (?, ?, ?) AND processed_at IS NOT NULL", "evt_forged", "evt_ghost", "evt_other"); n != 3 {
		t.Fatalf("events not recorded with their outcome: %d", n)
	}
	if n := env.Count("stripe_events", "event_id = ? AND org_id IS NULL", "evt_ghost"); n != 1 {
		t.Fatalf("unknown organisation stored on the event")
	}
}

func TestPaidCourseWithoutStripeKeys(t *testing.T) {
	env := testkit.New(t)
	org := env.NewOrg()
	member := env.NewPerson(org, tenancy.RoleMember)
	c := newPaidCourse(t, env, org, 1500)
	base := "/o/" + org.Slug + "/courses/" + c.ID.String()
	b := env.SignIn(member.User)
	if p := b.Get(base); !strings.Contains(p.Body, "Payments are not configured") || strings.Contains(p.Body, "Buy your place") {
		t.Fatalf("course page without keys: %s", p.Text("main"))
	}
	if p := b.Post(base+"/checkout", nil); !strings.Contains(p.Body, "Payments are not configured") {
		t.Fatalf("checkout without keys did not explain")
	}
	if n := env.Count("enrolments", "org_id = ?", org.ID); n != 0 {
		t.Fatalf("checkout without keys recorded an enrolment")
	}
	owner := env.SignIn(org.Owner.User)
	if p := owner.Post(base+"/grant", map[string]string{"user_id": member.ID.String()}); p.Status != http.StatusOK || !strings.Contains(p.Body, "Place granted") {
		t.Fatalf("grant = %d %s", p.Status, p.Text("main"))
	}
	if n := env.Count("enrolments", "org_id = ? AND user_id = ? AND source = ? AND status = ?", org.ID, member.ID, courses.SourceGrant, courses.EnrolActive); n != 1 {
		t.Fatalf("grant did not enrol")
	}
	if n := env.Count("audit_events", "org_id = ? AND action = ? AND target = ?", org.ID, courses.ActionEnrolmentGranted, member.Email); n != 1 {
		t.Fatalf("grant not audited")
	}
	if p := owner.Post(base+"/grant", map[string]string{"user_id": member.ID.String()}); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "already enrolled") {
		t.Fatalf("second grant = %d", p.Status)
	}
	if p := b.Get(base); !strings.Contains(p.Body, "Start the first lesson") {
		t.Fatalf("granted member cannot start")
	}
}

func TestSeatFlow(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		f := fakeFrom(t, env)
		org := env.NewOrg()
		c := newPaidCourse(t, env, org, 3000)
		owner := env.SignIn(org.Owner.User)
		seats := "/o/" + org.Slug + "/billing/seats"

		if p := owner.Post(seats, map[string]string{"course_id": c.ID.String(), "quantity": "0"}); p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("zero seats = %d", p.Status)
		}
		p := env.SignIn(org.Owner.User).NoRedirects().Post(seats, map[string]string{"course_id": c.ID.String(), "quantity": "2"})
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Header.Get("Location"), "https://checkout.stripe.com/") {
			t.Fatalf("buy seats = %d %s", p.Status, p.Body)
		}
		calls := f.Calls("/v1/checkout/sessions")
		call := calls[len(calls)-1]
		for k, v := range map[string]string{"line_items[0][quantity]": "2", "line_items[0][price_data][unit_amount]": "3000", "metadata[kind]": "seats", "metadata[org_id]": org.ID.String()} {
			if call.Form.Get(k) != v {
				t.Errorf("seat checkout %s = %q, want %q", k, call.Form.Get(k), v)
			}
		}
		pay := new(billing.Payment)
		if err := env.OwnerDB.NewSelect().Model(pay).Where("org_id = ? AND kind = ?", org.ID, billing.KindSeats).Scan(context.Background()); err != nil {
			t.Fatal(err)
		}
		if pay.AmountMinor != 6000 {
			t.Errorf("seat payment amount = %d", pay.AmountMinor)
		}
		m1, m2, m3 := env.NewPerson(org, tenancy.RoleMember), env.NewPerson(org, tenancy.RoleMember), env.NewPerson(org, tenancy.RoleMember)
		assign := func(m *testkit.Person) *testkit.Page {
			return owner.Post(seats+"/assign", map[string]string{"course_id": c.ID.String(), "user_id": m.ID.String()})
		}
		if p := assign(m1); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "no free seat") {
			t.Fatalf("assign before payment = %d", p.Status)
		}
		send(t, env, event("evt_seats", "checkout.session.completed", sessionObject(call, *pay.CheckoutSessionID, "paid", "pi_seats", 6000)))
		if n := env.Count("seats", "org_id = ? AND course_id = ? AND quantity = 2", org.ID, c.ID); n != 1 {
			t.Fatalf("seats not added")
		}
		for _, m := range []*testkit.Person{m1, m2} {
			if p := assign(m); p.Status != http.StatusOK {
				t.Fatalf("assign = %d %s", p.Status, p.Text("main"))
			}
		}
		if p := assign(m3); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "no free seat") {
			t.Fatalf("third seat of two = %d", p.Status)
		}
		if n := env.Count("enrolments", "org_id = ? AND course_id = ? AND source = ? AND status = ?", org.ID, c.ID, courses.SourceSeat, courses.EnrolActive); n != 2 {
			t.Fatalf("seat enrolments = %d", n)
		}
		// m1 starts; m2 does not: m2's seat can be taken back, m1's cannot.
		o, _ := env.Services.Courses.Store.Outline(context.Background(), org.ID, c.ID)
		b1 := env.SignIn(m1.User)
		b1.Post("/o/"+org.Slug+"/courses/"+c.ID.String()+"/lessons/"+o.Modules[0].Lessons[0].ID.String()+"/complete", nil)
		var as []billing.SeatAssignment
		if err := env.OwnerDB.NewSelect().Model(&as).Where("org_id = ?", org.ID).Scan(context.Background()); err != nil {
			t.Fatal(err)
		}
		for _, a := range as {
			p := owner.Post(seats+"/"+a.ID.String()+"/unassign", nil)
			switch a.UserID {
			case m1.ID:
				if p.Status != http.StatusConflict {
					t.Errorf("taking back a started seat = %d, want 409", p.Status)
				}
			case m2.ID:
				if p.Status != http.StatusOK {
					t.Errorf("taking back an unused seat = %d", p.Status)
				}
			}
		}
		if n := env.Count("enrolments", "org_id = ? AND user_id = ?", org.ID, m2.ID); n != 0 {
			t.Fatalf("unassigned member still enrolled")
		}
		if p := assign(m3); p.Status != http.StatusOK {
			t.Fatalf("freed seat not reusable: %d", p.Status)
		}
	})
}
