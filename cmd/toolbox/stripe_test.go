package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/billing"
	"github.com/leadershiptoolbox/toolbox/app/config"
	"github.com/leadershiptoolbox/toolbox/app/courses"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

const demoSecret = "whsec_demo_secret"

// pendingPurchase records what a checkout with stripe-mock leaves behind:
// a pending enrolment on a paid course and its open payment with a
// checkout session.
func pendingPurchase(t *testing.T, env *testkit.Env, org *testkit.Org, member *testkit.Person) (*courses.Course, *billing.Payment) {
	t.Helper()
	ctx := context.Background()
	now := env.Clock.Now()
	c := &courses.Course{OrgID: org.ID, Title: "Demo mentor training", Currency: "gbp", PriceMinor: 2500, QualifiesMentor: true,
		Status: courses.StatusPublished, CreatedAt: now, UpdatedAt: now}
	if err := env.Services.Courses.Store.CreateCourse(ctx, c); err != nil {
		t.Fatal(err)
	}
	session := "cs_test_" + uuid.NewString()[:8]
	pay := &billing.Payment{ID: uuid.Must(uuid.NewV7()), OrgID: org.ID, UserID: member.ID, CourseID: c.ID, Kind: billing.KindCourse,
		Quantity: 1, AmountMinor: 2500, Currency: "gbp", Status: billing.PaymentOpen, CheckoutSessionID: &session,
		CheckoutURL: "https://checkout.example/" + session, CustomerID: "cus_demo", CreatedAt: now, UpdatedAt: now}
	err := env.DB.InTenant(ctx, org.ID, func(ctx context.Context, tx bun.Tx) error {
		e, err := env.Services.Courses.Store.WithTx(tx).Enrol(ctx, now, c, member.ID, courses.SourcePurchase, courses.EnrolPending)
		if err != nil {
			return err
		}
		pay.EnrolmentID = &e.ID
		_, err = tx.NewInsert().Model(pay).Exec(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return c, pay
}

// TestStripeSimulatorDrivesTheRunningApp plays Stripe's part against the
// app served by an httptest server: the pending checkout is listed, a
// simulated payment opens the course, sending it again is refused, a
// simulated refund closes it; a wrong secret or slug says what is wrong.
func TestStripeSimulatorDrivesTheRunningApp(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		ctx := context.Background()
		org := env.NewOrg()
		member := env.NewPerson(org, tenancy.RoleMember)
		c, pay := pendingPurchase(t, env, org, member)
		cfg := env.Config
		cfg.BaseURL = env.Server.URL
		sim := &stripeSimulator{DB: env.DB, Config: cfg, Client: env.Server.Client(), Now: time.Now}

		var out bytes.Buffer
		if err := sim.pending(ctx, org.Slug, &out); err != nil || !strings.Contains(out.String(), pay.ID.String()) ||
			!strings.Contains(out.String(), c.Title) || !strings.Contains(out.String(), "£25.00") {
			t.Fatalf("pending = %v: %s", err, out.String())
		}

		// The app refuses events signed with another secret.
		wrong := *sim
		wrong.Config.StripeWebhookSecret = "whsec_other"
		if err := wrong.send(ctx, org.Slug, pay.ID, billing.SimulatePaid, &out); err == nil || !strings.Contains(err.Error(), "400") {
			t.Fatalf("wrong secret: %v", err)
		}
		unset := *sim
		unset.Config.StripeWebhookSecret = ""
		if err := unset.send(ctx, org.Slug, pay.ID, billing.SimulatePaid, &out); err == nil || !strings.Contains(err.Error(), "TOOLBOX_STRIPE_WEBHOOK_SECRET") {
			t.Fatalf("no secret: %v", err)
		}
		if err := sim.send(ctx, "no-such-org", pay.ID, billing.SimulatePaid, &out); err == nil || !strings.Contains(err.Error(), "no-such-org") {
			t.Fatalf("unknown slug: %v", err)
		}
		if err := sim.send(ctx, org.Slug, uuid.Must(uuid.NewV7()), billing.SimulatePaid, &out); err == nil || !strings.Contains(err.Error(), "has no payment") {
			t.Fatalf("unknown payment: %v", err)
		}
		if n := env.Count("enrolments", "org_id = ? AND user_id = ? AND status = ?", org.ID, member.ID, courses.EnrolPending); n != 1 {
			t.Fatalf("a refused event changed the enrolment")
		}

		out.Reset()
		if err := sim.send(ctx, org.Slug, pay.ID, billing.SimulatePaid, &out); err != nil || !strings.Contains(out.String(), "access granted") {
			t.Fatalf("simulate payment = %v: %s", err, out.String())
		}
		if n := env.Count("enrolments", "org_id = ? AND user_id = ? AND status = ?", org.ID, member.ID, courses.EnrolActive); n != 1 {
			t.Fatalf("the simulated payment did not open the course")
		}
		if n := env.Count("payments", "id = ? AND status = ? AND payment_intent_id = ?", pay.ID, billing.PaymentPaid, billing.SimulatedIntent(pay)); n != 1 {
			t.Fatalf("payment not marked paid with the simulated intent")
		}
		if err := sim.send(ctx, org.Slug, pay.ID, billing.SimulatePaid, &out); err == nil || !strings.Contains(err.Error(), "is paid") {
			t.Fatalf("a second simulated payment: %v", err)
		}
		out.Reset()
		if err := sim.pending(ctx, org.Slug, &out); err != nil || !strings.Contains(out.String(), "no checkout") {
			t.Fatalf("pending after payment = %v: %s", err, out.String())
		}

		out.Reset()
		if err := sim.send(ctx, org.Slug, pay.ID, billing.SimulateRefund, &out); err != nil || !strings.Contains(out.String(), "access revoked") {
			t.Fatalf("simulate refund = %v: %s", err, out.String())
		}
		if n := env.Count("enrolments", "org_id = ? AND user_id = ? AND status = ?", org.ID, member.ID, courses.EnrolRevoked); n != 1 {
			t.Fatalf("the simulated refund did not close the course")
		}
		if n := env.Count("stripe_events", "org_id = ? AND event_id LIKE ?", org.ID, "evt_sim_%"); n != 2 {
			t.Fatalf("simulated events recorded = %d, want 2", n)
		}
	}, testkit.WithConfig(func(c *config.Config) { c.StripeWebhookSecret = demoSecret }))
}

// TestStripeCommandLine refuses bad command lines with the usage, before
// touching any configuration.
func TestStripeCommandLine(t *testing.T) {
	for _, args := range [][]string{
		{"stripe"},
		{"stripe", "bogus", "--org", "x"},
		{"stripe", "pending"},
		{"stripe", "simulate-payment", "--org", "x"},
		{"stripe", "simulate-refund", "--org", "x", "--payment", "not-a-uuid"},
		{"stripe", "pending", "--org", "x", "--unknown"},
	} {
		var out, errOut bytes.Buffer
		if code := run(args, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "simulate-payment --org SLUG --payment ID") {
			t.Errorf("%v = %d: %s", args, code, errOut.String())
		}
	}
	var out, errOut bytes.Buffer
	if run([]string{"help"}, &out, &errOut); !strings.Contains(out.String(), "stripe simulate-payment") {
		t.Errorf("help does not mention the stripe commands")
	}
}
