package billing_test

import (
	"strings"
	"testing"

	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// TestReceiptsFromChargeSucceeded: charge.succeeded puts the charge's
// receipt link on the payment whether it arrives after the checkout's
// completion or before it, links that are not Stripe https pages are
// ignored, and the billing history links the receipt for the person and
// for admins.
func TestReceiptsFromChargeSucceeded(t *testing.T) {
	for _, engine := range testkit.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			f := startStripe(t)
			env := testkit.New(t, testkit.OnEngine(engine), withStripe(f))
			org := env.NewOrg()
			c := newPaidCourse(t, env, org, 2000)
			charge := func(id, intent, url string) map[string]any {
				return map[string]any{"id": id, "object": "charge", "paid": true, "payment_intent": intent, "receipt_url": url}
			}

			// After the completion.
			m1 := env.NewPerson(org, tenancy.RoleMember)
			call, pay := buy(t, env, f, m1, org, c)
			send(t, env, event("evt_r1_paid", "checkout.session.completed", sessionObject(call, *pay.CheckoutSessionID, "paid", "pi_r1", 2000)))
			if out := send(t, env, event("evt_r1_bad", "charge.succeeded", charge("ch_r1", "pi_r1", "javascript:alert(1)"))); !strings.Contains(out, "no receipt link") {
				t.Fatalf("a non-https receipt link: %s", out)
			}
			receipt1 := "https://pay.stripe.com/receipts/r1"
			if out := send(t, env, event("evt_r1_charge", "charge.succeeded", charge("ch_r1", "pi_r1", receipt1))); !strings.Contains(out, "receipt recorded") {
				t.Fatalf("receipt after the completion: %s", out)
			}
			if n := env.Count("payments", "id = ? AND receipt_url = ?", pay.ID, receipt1); n != 1 {
				t.Fatalf("receipt link not stored")
			}

			// Before the completion.
			m2 := env.NewPerson(org, tenancy.RoleMember)
			call2, pay2 := buy(t, env, f, m2, org, c)
			receipt2 := "https://pay.stripe.com/receipts/r2"
			if out := send(t, env, event("evt_r2_charge", "charge.succeeded", charge("ch_r2", "pi_r2", receipt2))); !strings.Contains(out, "deferred") {
				t.Fatalf("receipt before the completion: %s", out)
			}
			if n := env.Count("payments", "id = ? AND receipt_url = ''", pay2.ID); n != 1 {
				t.Fatalf("receipt stored on an unpaid payment")
			}
			send(t, env, event("evt_r2_paid", "checkout.session.completed", sessionObject(call2, *pay2.CheckoutSessionID, "paid", "pi_r2", 2000)))
			if n := env.Count("payments", "id = ? AND receipt_url = ?", pay2.ID, receipt2); n != 1 {
				t.Fatalf("deferred receipt not applied when the payment arrived")
			}
			if n := env.Count("stripe_events", "event_id = ? AND outcome = ?", "evt_r2_charge", "receipt recorded when its payment arrived"); n != 1 {
				t.Fatalf("deferred receipt event not finished")
			}

			// The history links them: each person their own, admins all.
			p := env.SignIn(m1.User).Get("/o/" + org.Slug + "/billing")
			if p.Doc().Find(`a[href="`+receipt1+`"]`).Length() != 1 || strings.Contains(p.Body, receipt2) {
				t.Fatalf("member's history receipts: %s", p.Text("main"))
			}
			p = env.SignIn(org.Owner.User).Get("/o/" + org.Slug + "/billing")
			if p.Doc().Find(`a[href="`+receipt1+`"]`).Length() != 1 || p.Doc().Find(`a[href="`+receipt2+`"]`).Length() != 1 {
				t.Fatalf("admin's history receipts: %s", p.Text("main"))
			}
		})
	}
}
