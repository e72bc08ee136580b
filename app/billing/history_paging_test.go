package billing_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/billing"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// TestBillingHistoryPagesShowEveryPaymentOnceWhilePaymentsArrive walks an
// admin's billing history by its "Older payments" links while new payments
// arrive between pages: every payment there at the start is shown exactly
// once, each page holds at most a page of payments, and each payer is
// named (names are read for the page's payers only).
func TestBillingHistoryPagesShowEveryPaymentOnceWhilePaymentsArrive(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		course := newPaidCourse(t, env, org, 1000)
		payers := []*testkit.Person{env.NewPerson(org, tenancy.RoleMember), env.NewPerson(org, tenancy.RoleMember), env.NewPerson(org, tenancy.RoleMember)}
		n := 0
		addPayment := func() string {
			n++
			// Amounts tell the payments apart on the page; some share a
			// creation time, so the keyset's tie-break on id is exercised.
			amount := int64(10000 + n)
			at := env.Clock.Now().Add(time.Duration(n/3) * time.Minute)
			payer := payers[n%len(payers)]
			err := env.DB.InTenant(context.Background(), org.ID, func(ctx context.Context, tx bun.Tx) error {
				_, err := tx.NewInsert().Model(&billing.Payment{ID: uuid.Must(uuid.NewV7()), OrgID: org.ID, UserID: payer.ID, CourseID: course.ID,
					Kind: billing.KindSeats, Quantity: 1, AmountMinor: amount, Currency: "gbp", Status: billing.PaymentPaid, CreatedAt: at, UpdatedAt: at}).Exec(ctx)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return fmt.Sprintf("£%d.%02d", amount/100, amount%100)
		}
		start := map[string]bool{}
		for range 2*billing.PaymentsPageSize + 5 {
			start[addPayment()] = true
		}
		b := env.SignIn(org.Owner.User)
		amountRe := regexp.MustCompile(`£1\d\d\.\d\d`)
		olderRe := regexp.MustCompile(`href="(/o/[^"]+/billing\?before=[0-9a-f-]+)"`)
		seen := map[string]int{}
		path := "/o/" + org.Slug + "/billing"
		for pages := 1; ; pages++ {
			if pages > 10 {
				t.Fatal("the history never ends")
			}
			page := b.Get(path)
			if page.Status != 200 {
				t.Fatalf("GET %s: %d", path, page.Status)
			}
			amounts := amountRe.FindAllString(page.Body, -1)
			if len(amounts) > billing.PaymentsPageSize {
				t.Fatalf("page %d shows %d payments, more than a page", pages, len(amounts))
			}
			for _, a := range amounts {
				seen[a]++
			}
			for _, p := range payers {
				if !regexp.MustCompile(regexp.QuoteMeta(p.Name)).MatchString(page.Body) {
					t.Errorf("page %d does not name the payer %s", pages, p.Name)
				}
			}
			addPayment() // a payment arrives between pages: newer than any shown
			m := olderRe.FindStringSubmatch(page.Body)
			if m == nil {
				break
			}
			path = m[1]
		}
		for a := range start {
			if seen[a] != 1 {
				t.Errorf("payment %s shown %d times, want once", a, seen[a])
			}
		}
		if bad := b.Get("/o/" + org.Slug + "/billing?before=not-an-id"); bad.Status != 200 {
			t.Errorf("a malformed cursor: %d, want the first page", bad.Status)
		}
	})
}
