package billing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/config"
	"github.com/leadershiptoolbox/toolbox/app/courses"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/mail"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
)

// Errors the billing rules report.
var (
	// ErrNotConfigured means Stripe keys are not set.
	ErrNotConfigured = errors.New("billing: payments are not configured")
	// ErrNoSeats means every seat bought for the course is taken.
	ErrNoSeats = errors.New("billing: no free seat")
	// ErrStarted refuses to take back a seat its member has started using.
	ErrStarted = errors.New("billing: the member has started the course")
	// ErrFree refuses to take payment for a free course.
	ErrFree = errors.New("billing: the course is free")
)

// NewStripe returns a Stripe client built from the configuration, or nil
// when no secret key is set (payments are then "not configured"). With
// StripeAPIBase set (stripe-mock in demos and tests) every backend points
// there.
func NewStripe(cfg config.Config) *client.API {
	if cfg.StripeSecretKey == "" {
		return nil
	}
	backend := func(t stripe.SupportedBackend) stripe.Backend {
		bc := &stripe.BackendConfig{
			HTTPClient:        &http.Client{Timeout: 30 * time.Second},
			MaxNetworkRetries: stripe.Int64(2),
			LeveledLogger:     &stripe.LeveledLogger{Level: stripe.LevelError},
		}
		if cfg.StripeAPIBase != "" {
			bc.URL = stripe.String(strings.TrimRight(cfg.StripeAPIBase, "/"))
		}
		return stripe.GetBackendWithConfig(t, bc)
	}
	return client.New(cfg.StripeSecretKey, &stripe.Backends{
		API: backend(stripe.APIBackend), Connect: backend(stripe.ConnectBackend), Uploads: backend(stripe.UploadsBackend),
	})
}

// Service holds the billing rules.
type Service struct {
	DB      *db.DB
	Store   *Store
	Courses *courses.Store
	Tenancy *tenancy.Store
	Mail    *mail.Service
	Clock   clock.Clock
	Log     *slog.Logger
	// Stripe is nil when payments are not configured.
	Stripe        *client.API
	WebhookSecret string
	BaseURL       string
}

// Enabled reports whether payments can be taken.
func (s *Service) Enabled() bool { return s.Stripe != nil }

// Buyer is the person paying, in their organisation.
type Buyer struct {
	OrgID   uuid.UUID
	OrgSlug string
	UserID  uuid.UUID
	Name    string
	Email   string
}

// customer returns the buyer's Stripe customer, creating it once.
func (s *Service) customer(ctx context.Context, b Buyer) (string, error) {
	id, err := s.Store.Customer(ctx, b.OrgID, b.UserID)
	if err != nil || id != "" {
		return id, err
	}
	params := &stripe.CustomerParams{Email: stripe.String(b.Email), Name: stripe.String(b.Name)}
	params.AddMetadata("org_id", b.OrgID.String())
	params.AddMetadata("user_id", b.UserID.String())
	// The key is the same for every attempt to create this person's
	// customer, so a retried or concurrent request makes one customer.
	params.SetIdempotencyKey("customer-" + b.OrgID.String() + "-" + b.UserID.String())
	cus, err := s.Stripe.Customers.New(params)
	if err != nil {
		return "", fmt.Errorf("billing: create Stripe customer: %w", err)
	}
	return s.Store.SaveCustomer(ctx, &StripeCustomer{
		ID: uuid.Must(uuid.NewV7()), OrgID: b.OrgID, UserID: b.UserID, CustomerID: cus.ID, CreatedAt: s.Clock.Now(),
	})
}

// BuyCourse starts the purchase of a place on a paid course and returns
// the Checkout URL to send the person to. The pending enrolment and the
// open payment are recorded first; the session's idempotency key is
// derived from the payment, so trying again reuses it.
func (s *Service) BuyCourse(ctx context.Context, b Buyer, courseID uuid.UUID) (string, error) {
	if !s.Enabled() {
		return "", ErrNotConfigured
	}
	now := s.Clock.Now()
	var pay *Payment
	var course *courses.Course
	err := s.DB.InTenant(ctx, b.OrgID, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if course, err = s.Courses.WithTx(tx).Course(ctx, b.OrgID, courseID); err != nil {
			return err
		}
		if !course.Published() {
			return db.ErrNotFound
		}
		if course.Free() {
			return ErrFree
		}
		e, err := s.Courses.WithTx(tx).Enrol(ctx, now, course, b.UserID, courses.SourcePurchase, courses.EnrolPending)
		if err != nil {
			return err
		}
		st := s.Store.WithTx(tx)
		if pay, err = st.OpenPaymentForEnrolment(ctx, b.OrgID, e.ID); !errors.Is(err, db.ErrNotFound) {
			return err
		}
		eid := e.ID
		pay = &Payment{
			ID: uuid.Must(uuid.NewV7()), OrgID: b.OrgID, UserID: b.UserID, CourseID: course.ID, EnrolmentID: &eid,
			Kind: KindCourse, Quantity: 1, AmountMinor: e.PriceMinor, Currency: e.Currency, Status: PaymentOpen,
			CreatedAt: now, UpdatedAt: now,
		}
		return st.InsertPayment(ctx, pay)
	})
	if err != nil {
		return "", err
	}
	if pay.CheckoutURL != "" {
		return pay.CheckoutURL, nil
	}
	coursePath := s.BaseURL + "/o/" + b.OrgSlug + "/courses/" + course.ID.String()
	return s.checkout(ctx, b, pay, course.Title, coursePath+"/purchased", coursePath+"/checkout/cancelled?payment="+pay.ID.String())
}

// CancelCheckout is the person coming back from Checkout with its cancel
// link: their open payment for a course place is marked cancelled and the
// pending place dropped, so that they can buy again at once, and the
// Checkout Session is expired at Stripe so that it cannot be paid later.
// It reports whether it changed anything; calling it again, or after the
// payment was settled, does nothing. Only the payer's own payment counts:
// anyone else's id is db.ErrNotFound.
func (s *Service) CancelCheckout(ctx context.Context, orgID, userID, paymentID uuid.UUID) (bool, error) {
	var pay *Payment
	changed := false
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		st := s.Store.WithTx(tx)
		var err error
		if pay, err = st.Payment(ctx, orgID, paymentID); err != nil {
			return err
		}
		if pay.UserID != userID || pay.Kind != KindCourse {
			return db.ErrNotFound
		}
		if changed, err = st.SetStatus(ctx, orgID, pay.ID, PaymentCancelled, s.Clock.Now(), PaymentOpen); err != nil || !changed {
			return err
		}
		if pay.EnrolmentID != nil {
			_, err = s.Courses.WithTx(tx).DropPending(ctx, orgID, *pay.EnrolmentID)
		}
		return err
	})
	if err != nil || !changed {
		return changed, err
	}
	if s.Enabled() && pay.CheckoutSessionID != nil {
		// Best effort: if it fails, the session expires by itself later
		// and its webhook then finds the payment already cancelled.
		params := &stripe.CheckoutSessionExpireParams{}
		params.SetIdempotencyKey("expire-" + pay.ID.String())
		if _, err := s.Stripe.CheckoutSessions.Expire(*pay.CheckoutSessionID, params); err != nil {
			s.Log.WarnContext(ctx, "billing: expire a cancelled checkout session", "payment", pay.ID, "session", *pay.CheckoutSessionID, "err", err)
		}
	}
	return true, nil
}

// BuySeats starts the purchase of quantity seats of a course by an admin.
func (s *Service) BuySeats(ctx context.Context, b Buyer, courseID uuid.UUID, quantity int) (string, error) {
	if !s.Enabled() {
		return "", ErrNotConfigured
	}
	now := s.Clock.Now()
	var pay *Payment
	var course *courses.Course
	err := s.DB.InTenant(ctx, b.OrgID, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if course, err = s.Courses.WithTx(tx).Course(ctx, b.OrgID, courseID); err != nil {
			return err
		}
		if course.Free() {
			return ErrFree
		}
		pay = &Payment{
			ID: uuid.Must(uuid.NewV7()), OrgID: b.OrgID, UserID: b.UserID, CourseID: course.ID,
			Kind: KindSeats, Quantity: quantity, AmountMinor: course.PriceMinor * int64(quantity), Currency: course.Currency,
			Status: PaymentOpen, CreatedAt: now, UpdatedAt: now,
		}
		return s.Store.WithTx(tx).InsertPayment(ctx, pay)
	})
	if err != nil {
		return "", err
	}
	seatsPath := s.BaseURL + "/o/" + b.OrgSlug + "/billing/seats"
	return s.checkout(ctx, b, pay, course.Title+" (seats)", seatsPath+"?purchase=received", seatsPath)
}

// checkout creates the Checkout Session for a recorded payment.
func (s *Service) checkout(ctx context.Context, b Buyer, pay *Payment, name, successURL, cancelURL string) (string, error) {
	customerID, err := s.customer(ctx, b)
	if err != nil {
		return "", err
	}
	unit := pay.AmountMinor
	if pay.Quantity > 1 {
		unit = pay.AmountMinor / int64(pay.Quantity)
	}
	params := &stripe.CheckoutSessionParams{
		Mode:                stripe.String(string(stripe.CheckoutSessionModePayment)),
		Customer:            stripe.String(customerID),
		SuccessURL:          stripe.String(successURL),
		CancelURL:           stripe.String(cancelURL),
		AllowPromotionCodes: stripe.Bool(true),
		ClientReferenceID:   stripe.String(pay.ID.String()),
		LineItems: []*stripe.CheckoutSessionLineItemParams{{
			Quantity: stripe.Int64(int64(pay.Quantity)),
			PriceData: &stripe.CheckoutSessionLineItemPriceDataParams{
				Currency:    stripe.String(pay.Currency),
				UnitAmount:  stripe.Int64(unit),
				ProductData: &stripe.CheckoutSessionLineItemPriceDataProductDataParams{Name: stripe.String(name)},
			},
		}},
		PaymentIntentData: &stripe.CheckoutSessionPaymentIntentDataParams{Metadata: map[string]string{}},
	}
	for k, v := range pay.Metadata() {
		params.AddMetadata(k, v)
		params.PaymentIntentData.Metadata[k] = v
	}
	params.SetIdempotencyKey("checkout-" + pay.ID.String())
	sess, err := s.Stripe.CheckoutSessions.New(params)
	if err != nil {
		return "", fmt.Errorf("billing: create checkout session for %s: %w", pay.ID, err)
	}
	if err := s.Store.SetCheckout(ctx, pay.OrgID, pay.ID, sess.ID, sess.URL, customerID, s.Clock.Now()); err != nil {
		return "", err
	}
	return sess.URL, nil
}

// PortalURL opens the Stripe Customer Portal for the person, returning
// to returnURL. It is "" when the person has never paid (no customer).
func (s *Service) PortalURL(ctx context.Context, orgID, userID uuid.UUID, returnURL string) (string, error) {
	if !s.Enabled() {
		return "", ErrNotConfigured
	}
	customerID, err := s.Store.Customer(ctx, orgID, userID)
	if err != nil || customerID == "" {
		return "", err
	}
	params := &stripe.BillingPortalSessionParams{Customer: stripe.String(customerID), ReturnURL: stripe.String(returnURL)}
	// A portal session is cheap and short-lived: the key protects the
	// client's own retries of this one request.
	params.SetIdempotencyKey("portal-" + uuid.Must(uuid.NewV7()).String())
	sess, err := s.Stripe.BillingPortalSessions.New(params)
	if err != nil {
		return "", fmt.Errorf("billing: open customer portal: %w", err)
	}
	return sess.URL, nil
}

// Assign gives a free seat of a course to a member, who is enrolled at
// once without paying.
func (s *Service) Assign(ctx context.Context, orgID, courseID, userID, by uuid.UUID) error {
	now := s.Clock.Now()
	return s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		st := s.Store.WithTx(tx)
		free, err := st.FreeSeats(ctx, orgID, courseID)
		if err != nil {
			return err
		}
		if free <= 0 {
			return ErrNoSeats
		}
		c, err := s.Courses.WithTx(tx).Course(ctx, orgID, courseID)
		if err != nil {
			return err
		}
		e, err := s.Courses.WithTx(tx).Enrol(ctx, now, c, userID, courses.SourceSeat, courses.EnrolActive)
		if err != nil {
			return err
		}
		byID := by
		a := &SeatAssignment{ID: uuid.Must(uuid.NewV7()), OrgID: orgID, CourseID: courseID, UserID: userID, EnrolmentID: e.ID, AssignedBy: &byID, AssignedAt: now}
		err = st.InsertAssignment(ctx, a)
		if errors.Is(err, db.ErrConflict) {
			return courses.ErrAlreadyEnrolled
		}
		return err
	})
}

// Unassign takes a seat back and frees it, as long as the member has not
// started the course.
func (s *Service) Unassign(ctx context.Context, orgID, assignmentID uuid.UUID) error {
	return s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		st := s.Store.WithTx(tx)
		a, err := st.Assignment(ctx, orgID, assignmentID)
		if err != nil {
			return err
		}
		err = s.Courses.WithTx(tx).DeleteUnstarted(ctx, orgID, a.EnrolmentID)
		switch {
		case errors.Is(err, db.ErrConflict):
			return ErrStarted
		case err != nil && !errors.Is(err, db.ErrNotFound):
			return err
		}
		return st.DeleteAssignment(ctx, orgID, a.ID)
	})
}

// SeatPools summarises an organisation's seats per course.
func (s *Service) SeatPools(ctx context.Context, orgID uuid.UUID) ([]SeatPool, error) {
	seats, as, err := s.Store.Seats(ctx, orgID)
	if err != nil {
		return nil, err
	}
	list, err := s.Courses.Courses(ctx, orgID, true)
	if err != nil {
		return nil, err
	}
	assigned := make([]uuid.UUID, len(as))
	for i, a := range as {
		assigned[i] = a.UserID
	}
	names, err := s.Tenancy.Names(ctx, orgID, assigned)
	if err != nil {
		return nil, err
	}
	var out []SeatPool
	for _, c := range list {
		pool := SeatPool{Course: c}
		for _, st := range seats {
			if st.CourseID == c.ID && st.RevokedAt == nil {
				pool.Purchased += st.Quantity
			}
		}
		for _, a := range as {
			if a.CourseID == c.ID {
				if a.RefundKeptAt == nil {
					pool.Assigned++
				}
				row := AssignmentRow{SeatAssignment: a, Name: names[a.UserID]}
				if e, err := s.Courses.Enrolment(ctx, orgID, c.ID, a.UserID); err == nil {
					row.Started = e.Started()
				}
				pool.Assignments = append(pool.Assignments, row)
			}
		}
		if pool.Purchased > 0 || pool.Assigned > 0 || !c.Free() {
			out = append(out, pool)
		}
	}
	return out, nil
}
