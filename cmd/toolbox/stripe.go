package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/billing"
	"github.com/leadershiptoolbox/toolbox/app/config"
	"github.com/leadershiptoolbox/toolbox/app/courses"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
)

const stripeUsage = `usage:
  toolbox stripe pending --org SLUG                        list the checkouts waiting for their payment
  toolbox stripe simulate-payment --org SLUG --payment ID  send the app a signed checkout.session.completed for it
  toolbox stripe simulate-refund --org SLUG --payment ID   send the app a signed charge.refunded for a paid one

For demos with stripe-mock, which never calls the app back. The events are
signed with TOOLBOX_STRIPE_WEBHOOK_SECRET and posted to the running app at
TOOLBOX_BASE_URL/webhooks/stripe. See docs/billing.md.
`

// usageError is a mistake in the command line: the usage is printed.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// runStripe runs `toolbox stripe …`.
func runStripe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{"stripe needs pending, simulate-payment or simulate-refund"}
	}
	sub := args[0]
	fs := flag.NewFlagSet("stripe "+sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	slug := fs.String("org", "", "the organisation's slug")
	payment := fs.String("payment", "", "the payment's id (see toolbox stripe pending)")
	if err := fs.Parse(args[1:]); err != nil {
		return usageError{err.Error()}
	}
	if *slug == "" {
		return usageError{"--org is required"}
	}
	var typ string
	switch sub {
	case "pending":
	case "simulate-payment":
		typ = billing.SimulatePaid
	case "simulate-refund":
		typ = billing.SimulateRefund
	default:
		return usageError{fmt.Sprintf("unknown stripe command %q", sub)}
	}
	var payID uuid.UUID
	if typ != "" {
		var err error
		if payID, err = uuid.Parse(*payment); err != nil {
			return usageError{"--payment needs a payment id (toolbox stripe pending lists them)"}
		}
	}
	cfg, _, d, err := openForCommand(ctx, stderr)
	if err != nil {
		return err
	}
	defer d.Close()
	sim := &stripeSimulator{DB: d, Config: cfg, Client: &http.Client{Timeout: 30 * time.Second}, Now: time.Now}
	if typ == "" {
		return sim.pending(ctx, *slug, stdout)
	}
	return sim.send(ctx, *slug, payID, typ, stdout)
}

// stripeSimulator plays Stripe's part towards a running app.
type stripeSimulator struct {
	DB     *db.DB
	Config config.Config
	Client *http.Client
	// Now is the signing time: real time, which the webhook checks.
	Now func() time.Time
}

func (s *stripeSimulator) org(ctx context.Context, slug string) (*tenancy.Organisation, error) {
	org, err := tenancy.NewStore(s.DB).OrgBySlug(ctx, slug)
	if errors.Is(err, db.ErrNotFound) {
		return nil, fmt.Errorf("no organisation has the slug %q", slug)
	}
	return org, err
}

// pending lists the organisation's checkouts waiting for their payment.
func (s *stripeSimulator) pending(ctx context.Context, slug string, stdout io.Writer) error {
	org, err := s.org(ctx, slug)
	if err != nil {
		return err
	}
	list, err := (&billing.Store{DB: s.DB}).Open(ctx, org.ID)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		fmt.Fprintf(stdout, "no checkout of %s is waiting for its payment\n", slug)
		return nil
	}
	cs := &courses.Store{DB: s.DB}
	for _, p := range list {
		title := p.CourseID.String()
		if c, err := cs.Course(ctx, org.ID, p.CourseID); err == nil {
			title = c.Title
		}
		if p.Kind == billing.KindSeats {
			title = fmt.Sprintf("%s (%d seats)", title, p.Quantity)
		}
		fmt.Fprintf(stdout, "%s  %s  %-10s  %s  %s\n", p.ID, p.CreatedAt.UTC().Format("2006-01-02 15:04"), p.Status, p.Amount(), title)
	}
	return nil
}

// send posts the simulated event for a payment to the app and says what
// the app made of it.
func (s *stripeSimulator) send(ctx context.Context, slug string, payID uuid.UUID, typ string, stdout io.Writer) error {
	if s.Config.StripeWebhookSecret == "" {
		return configError{errors.New("TOOLBOX_STRIPE_WEBHOOK_SECRET: not set; the app refuses webhooks without it, so set the same value for both")}
	}
	org, err := s.org(ctx, slug)
	if err != nil {
		return err
	}
	pay, err := (&billing.Store{DB: s.DB}).Payment(ctx, org.ID, payID)
	if errors.Is(err, db.ErrNotFound) {
		return fmt.Errorf("%s has no payment %s (toolbox stripe pending lists them)", slug, payID)
	}
	if err != nil {
		return err
	}
	now := s.Now()
	payload, err := billing.SimulatedEvent(pay, typ, now)
	if err != nil {
		return err
	}
	status, body, err := billing.SendEvent(ctx, s.Client, s.Config.BaseURL, s.Config.StripeWebhookSecret, payload, now)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("the app answered %d: %s (is TOOLBOX_STRIPE_WEBHOOK_SECRET the same for both?)", status, body)
	}
	fmt.Fprintf(stdout, "sent %s for payment %s to %s/webhooks/stripe: %s\n", typ, pay.ID, s.Config.BaseURL, oneLine(body))
	return nil
}
