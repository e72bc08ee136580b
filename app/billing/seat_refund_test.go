package billing_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/leadershiptoolbox/toolbox/app/billing"
	"github.com/leadershiptoolbox/toolbox/app/courses"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// TestRefundingSeatsTakesBackUnstartedOnes: a refunded seat purchase
// withdraws its seats; while the seats left cover every assignment no one
// loses a seat; when they do not, seats are taken back from members who
// had not started (latest assigned first), and members who had started
// keep their place, marked kept after a refund; the outcome names both.
func TestRefundingSeatsTakesBackUnstartedOnes(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		f := fakeFrom(t, env)
		org := env.NewOrg()
		c := newPaidCourse(t, env, org, 3000)
		owner := env.SignIn(org.Owner.User)
		seats := "/o/" + org.Slug + "/billing/seats"
		ctx := context.Background()

		// buySeats buys n seats and has Stripe confirm them; it returns the
		// payment's intent.
		buySeats := func(n int) string {
			t.Helper()
			p := env.SignIn(org.Owner.User).NoRedirects().Post(seats, map[string]string{"course_id": c.ID.String(), "quantity": strconv.Itoa(n)})
			if p.Status != http.StatusSeeOther {
				t.Fatalf("buy seats = %d", p.Status)
			}
			calls := f.Calls("/v1/checkout/sessions")
			call := calls[len(calls)-1]
			pay := new(billing.Payment)
			if err := env.OwnerDB.NewSelect().Model(pay).Where("org_id = ? AND id = ?", org.ID, call.Form.Get("metadata[payment_id]")).Scan(ctx); err != nil {
				t.Fatal(err)
			}
			intent := "pi_seats_" + pay.ID.String()[:13]
			send(t, env, event("evt_seats_"+pay.ID.String(), "checkout.session.completed", sessionObject(call, *pay.CheckoutSessionID, "paid", intent, pay.AmountMinor)))
			return intent
		}
		refund := func(intent string) string {
			t.Helper()
			return send(t, env, event("evt_refund_"+intent, "charge.refunded", map[string]any{"id": "ch_" + intent, "object": "charge", "refunded": true, "payment_intent": intent}))
		}
		p1, p2, p0 := buySeats(2), buySeats(2), buySeats(1)

		var ms []*testkit.Person
		for range 4 {
			m := env.NewPerson(org, tenancy.RoleMember)
			if p := owner.Post(seats+"/assign", map[string]string{"course_id": c.ID.String(), "user_id": m.ID.String()}); p.Status != http.StatusOK {
				t.Fatalf("assign = %d", p.Status)
			}
			env.Clock.Advance(time.Minute) // assignments in a known order
			ms = append(ms, m)
		}
		o, _ := env.Services.Courses.Store.Outline(ctx, org.ID, c.ID)
		lesson := "/o/" + org.Slug + "/courses/" + c.ID.String() + "/lessons/" + o.Modules[0].Lessons[0].ID.String()
		for _, m := range []*testkit.Person{ms[0], ms[3]} {
			env.SignIn(m.User).Post(lesson+"/complete", nil)
		}
		enrolled := func(m *testkit.Person) bool {
			return env.Count("enrolments", "org_id = ? AND user_id = ? AND course_id = ?", org.ID, m.ID, c.ID) == 1
		}

		// One seat refunded, one left free: everyone keeps their seat.
		if out := refund(p0); !strings.Contains(out, "every assigned seat is still covered") {
			t.Fatalf("refund of the spare seat: %s", out)
		}
		if n := env.Count("seat_assignments", "org_id = ?", org.ID); n != 4 {
			t.Fatalf("assignments after the spare refund = %d", n)
		}

		// Two more refunded: two unstarted members, latest first, lose theirs;
		// the latest assigned had started and keeps it.
		out := refund(p2)
		if !strings.Contains(out, "taken back from members who had not started: "+ms[2].Name+", "+ms[1].Name) || strings.Contains(out, "kept by") {
			t.Fatalf("refund of two seats: %s", out)
		}
		if enrolled(ms[1]) || enrolled(ms[2]) || !enrolled(ms[0]) || !enrolled(ms[3]) {
			t.Fatalf("wrong members unassigned")
		}

		// The last two refunded: both members left had started and keep
		// their place, marked on the seats page.
		out = refund(p1)
		if !strings.Contains(out, "kept by members who had started: ") || !strings.Contains(out, ms[0].Name) || !strings.Contains(out, ms[3].Name) || strings.Contains(out, "taken back") {
			t.Fatalf("refund of the started seats: %s", out)
		}
		if n := env.Count("seat_assignments", "org_id = ? AND refund_kept_at IS NOT NULL", org.ID); n != 2 {
			t.Fatalf("kept seats = %d", n)
		}
		if n := env.Count("enrolments", "org_id = ? AND course_id = ? AND status IN (?, ?)", org.ID, c.ID, courses.EnrolActive, courses.EnrolCompleted); n != 2 {
			t.Fatalf("members who had started lost access")
		}
		p := owner.Get(seats)
		if p.Doc().Find(".badge-warning:contains('kept after a refund')").Length() != 2 || !strings.Contains(p.Body, "0 of 0 free") {
			t.Fatalf("seats page after refunds: %s", p.Text("main"))
		}
		if p := owner.Get("/o/" + org.Slug + "/billing/events"); !strings.Contains(p.Body, "kept by members who had started") {
			t.Fatalf("events page does not say who kept a seat")
		}
		m5 := env.NewPerson(org, tenancy.RoleMember)
		if p := owner.Post(seats+"/assign", map[string]string{"course_id": c.ID.String(), "user_id": m5.ID.String()}); p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("assign with no seats held = %d", p.Status)
		}
		// Buying a seat again gives a real free seat: kept ones do not use it.
		buySeats(1)
		if p := owner.Post(seats+"/assign", map[string]string{"course_id": c.ID.String(), "user_id": m5.ID.String()}); p.Status != http.StatusOK {
			t.Fatalf("assign after buying again = %d", p.Status)
		}
	})
}
