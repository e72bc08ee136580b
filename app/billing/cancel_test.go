package billing_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/leadershiptoolbox/toolbox/app/billing"
	"github.com/leadershiptoolbox/toolbox/app/courses"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// TestCancelFromCheckoutDropsThePendingPlace: Checkout's cancel link marks
// the person's open payment cancelled, drops the pending place and expires
// the session at Stripe, once; the person can buy again at once; someone
// else's cancel link changes nothing; the old session's expiry webhook
// later breaks nothing, and if the old session was paid after all, the
// new pending place opens.
func TestCancelFromCheckoutDropsThePendingPlace(t *testing.T) {
	for _, engine := range testkit.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			f := startStripe(t)
			env := testkit.New(t, testkit.OnEngine(engine), withStripe(f))
			org := env.NewOrg()
			member := env.NewPerson(org, tenancy.RoleMember)
			other := env.NewPerson(org, tenancy.RoleMember)
			c := newPaidCourse(t, env, org, 3000)
			base := "/o/" + org.Slug + "/courses/" + c.ID.String()
			b := env.SignIn(member.User)

			call, pay := buy(t, env, f, member, org, c)
			cancel := strings.TrimPrefix(call.Form.Get("cancel_url"), env.Config.BaseURL)
			if cancel != base+"/checkout/cancelled?payment="+pay.ID.String() {
				t.Fatalf("cancel URL = %q", call.Form.Get("cancel_url"))
			}
			// Someone else's cancel link changes nothing.
			_, otherPay := buy(t, env, f, other, org, c)
			if p := b.Get(base + "/checkout/cancelled?payment=" + otherPay.ID.String()); p.Status != http.StatusOK || strings.Contains(p.Body, "You cancelled the payment") {
				t.Fatalf("cancelling another person's payment = %d", p.Status)
			}
			if n := env.Count("payments", "id = ? AND status = ?", otherPay.ID, billing.PaymentOpen); n != 1 {
				t.Fatalf("another person's payment changed")
			}

			p := b.Get(cancel)
			if p.Status != http.StatusOK || !strings.HasSuffix(p.URL, base) || !strings.Contains(p.Body, "You cancelled the payment") || !strings.Contains(p.Body, "Buy your place") {
				t.Fatalf("cancel = %d at %s: %s", p.Status, p.URL, p.Text("main"))
			}
			if n := env.Count("payments", "id = ? AND status = ?", pay.ID, billing.PaymentCancelled); n != 1 {
				t.Fatalf("payment not marked cancelled")
			}
			if n := env.Count("enrolments", "org_id = ? AND user_id = ?", org.ID, member.ID); n != 0 {
				t.Fatalf("pending place kept after the cancel")
			}
			expire := f.Calls("/v1/checkout/sessions/" + *pay.CheckoutSessionID + "/expire")
			if len(expire) != 1 || expire[0].IdempotencyKey != "expire-"+pay.ID.String() {
				t.Fatalf("session expiry calls = %+v", expire)
			}
			// Again: nothing more happens.
			if p := b.Get(cancel); p.Status != http.StatusOK || strings.Contains(p.Body, "You cancelled the payment") {
				t.Fatalf("second cancel = %d", p.Status)
			}
			if n := len(f.Calls("/v1/checkout/sessions/" + *pay.CheckoutSessionID + "/expire")); n != 1 {
				t.Fatalf("session expired %d times", n)
			}
			if p := b.Get(base + "/checkout/cancelled?payment=not-an-id"); p.Status != http.StatusOK {
				t.Fatalf("cancel with a bad id = %d", p.Status)
			}

			// Buy again at once: a new place and a new session.
			_, pay2 := buy(t, env, f, member, org, c)
			if pay2.ID == pay.ID || *pay2.CheckoutSessionID == *pay.CheckoutSessionID {
				t.Fatalf("the second purchase reused the cancelled one")
			}
			if n := env.Count("enrolments", "org_id = ? AND user_id = ? AND status = ?", org.ID, member.ID, courses.EnrolPending); n != 1 {
				t.Fatalf("no pending place for the second purchase")
			}

			// The old session's expiry arrives later: nothing breaks.
			body := send(t, env, event("evt_expired_after_cancel", "checkout.session.expired", sessionObject(call, *pay.CheckoutSessionID, "unpaid", "", 0)))
			if !strings.Contains(body, "cancelled") {
				t.Fatalf("expiry after cancel outcome: %s", body)
			}
			if n := env.Count("payments", "id = ? AND status = ?", pay.ID, billing.PaymentCancelled); n != 1 {
				t.Fatalf("expiry changed the cancelled payment")
			}
			if n := env.Count("payments", "id = ? AND status = ?", pay2.ID, billing.PaymentOpen); n != 1 {
				t.Fatalf("expiry of the old session touched the new payment")
			}
			if n := env.Count("enrolments", "org_id = ? AND user_id = ? AND status = ?", org.ID, member.ID, courses.EnrolPending); n != 1 {
				t.Fatalf("expiry of the old session dropped the new pending place")
			}

			// The old session paid after all (another tab): the place opens.
			send(t, env, event("evt_paid_after_cancel", "checkout.session.completed", sessionObject(call, *pay.CheckoutSessionID, "paid", "pi_after_cancel", 3000)))
			if n := env.Count("enrolments", "org_id = ? AND user_id = ? AND status = ?", org.ID, member.ID, courses.EnrolActive); n != 1 {
				t.Fatalf("paying the cancelled session did not open the place")
			}
		})
	}
}
