package billing_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/leadershiptoolbox/toolbox/app/billing"
	"github.com/leadershiptoolbox/toolbox/app/courses"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// TestPaymentsAndTheirRefundsAtTheSameInstant sends each purchase's
// checkout.session.completed and its charge.refunded at once, twenty
// purchases together, on PostgreSQL: whichever is processed first, every
// purchase ends refunded with its place closed and no refund left waiting.
// Half the charges carry the organisation in their metadata and half do
// not, so both ways of finding the organisation race.
func TestPaymentsAndTheirRefundsAtTheSameInstant(t *testing.T) {
	const pairs = 20
	f := startStripe(t)
	env := testkit.New(t, withStripe(f), testkit.WithPool(2*pairs+5))
	org := env.NewOrg()
	c := newPaidCourse(t, env, org, 1200)
	var payloads [][]byte
	var pays []*billing.Payment
	for i := range pairs {
		m := env.NewPerson(org, tenancy.RoleMember)
		call, pay := buy(t, env, f, m, org, c)
		intent := fmt.Sprintf("pi_race_%d_%s", i, pay.ID.String()[:8])
		charge := map[string]any{"id": fmt.Sprintf("ch_race_%d", i), "object": "charge", "refunded": true, "payment_intent": intent}
		if i%2 == 0 {
			charge["metadata"] = map[string]string{"org_id": org.ID.String()}
		}
		payloads = append(payloads,
			event(fmt.Sprintf("evt_race_paid_%d", i), "checkout.session.completed", sessionObject(call, *pay.CheckoutSessionID, "paid", intent, 1200)),
			event(fmt.Sprintf("evt_race_refund_%d", i), "charge.refunded", charge))
		pays = append(pays, pay)
	}

	start := make(chan struct{})
	var wg sync.WaitGroup
	statuses := make([]int, len(payloads))
	for i, p := range payloads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			statuses[i], _ = deliver(t, env, p, sign(p, time.Now(), webhookSecret))
		}()
	}
	close(start)
	wg.Wait()
	for i, s := range statuses {
		if s != http.StatusOK {
			t.Errorf("delivery %d = %d", i, s)
		}
	}
	for i, pay := range pays {
		if n := env.Count("payments", "id = ? AND status = ?", pay.ID, billing.PaymentRefunded); n != 1 {
			t.Errorf("purchase %d: payment not refunded", i)
		}
		if n := env.Count("enrolments", "org_id = ? AND id = ? AND status = ?", org.ID, *pay.EnrolmentID, courses.EnrolRevoked); n != 1 {
			t.Errorf("purchase %d: place left open", i)
		}
	}
	if n := env.Count("stripe_events", "type = ? AND outcome LIKE ?", "charge.refunded", "deferred%"); n != 0 {
		t.Errorf("%d refunds left deferred", n)
	}
}
