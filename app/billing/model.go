// Package billing sells course places and seats through Stripe: one
// Stripe customer per person per organisation, Checkout Sessions for
// payments, the webhook that grants (and after a refund revokes) access,
// seats an admin buys and hands out, billing history and the Customer
// Portal.
//
// Access is granted by the webhook alone, never by the browser coming
// back from Checkout: the success page only waits for it.
package billing

import (
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/courses"
)

// Payment kinds.
const (
	KindCourse = "course"
	KindSeats  = "seats"
)

// Payment statuses.
const (
	PaymentOpen       = "open"       // checkout started
	PaymentProcessing = "processing" // completed, waiting for a delayed method
	PaymentPaid       = "paid"
	PaymentFailed     = "failed"
	PaymentExpired    = "expired"
	PaymentRefunded   = "refunded"
	// PaymentCancelled: the person came back from Checkout with its cancel
	// link; the pending place was dropped.
	PaymentCancelled = "cancelled"
)

// Payment is one checkout: a person's place on a course, or seats.
type Payment struct {
	bun.BaseModel `bun:"table:payments"`

	ID                uuid.UUID  `bun:"id,pk,type:uuid"`
	OrgID             uuid.UUID  `bun:"org_id,type:uuid"`
	UserID            uuid.UUID  `bun:"user_id,type:uuid"`
	CourseID          uuid.UUID  `bun:"course_id,type:uuid"`
	EnrolmentID       *uuid.UUID `bun:"enrolment_id,type:uuid"`
	Kind              string     `bun:"kind"`
	Quantity          int        `bun:"quantity"`
	AmountMinor       int64      `bun:"amount_minor"`
	Currency          string     `bun:"currency"`
	Status            string     `bun:"status"`
	CheckoutSessionID *string    `bun:"checkout_session_id"`
	CheckoutURL       string     `bun:"checkout_url"`
	PaymentIntentID   *string    `bun:"payment_intent_id"`
	CustomerID        string     `bun:"customer_id"`
	ReceiptURL        string     `bun:"receipt_url"`
	PaidAt            *time.Time `bun:"paid_at"`
	RefundedAt        *time.Time `bun:"refunded_at"`
	CreatedAt         time.Time  `bun:"created_at"`
	UpdatedAt         time.Time  `bun:"updated_at"`
}

// Amount shows the amount for people.
func (p *Payment) Amount() string { return courses.FormatMoney(p.AmountMinor, p.Currency) }

// Metadata is what a payment's Checkout Session (and its payment
// intent) carries, so that the webhook finds the payment again and can
// check that everything it names belongs together.
func (p *Payment) Metadata() map[string]string {
	meta := map[string]string{
		"kind": p.Kind, "org_id": p.OrgID.String(), "course_id": p.CourseID.String(),
		"user_id": p.UserID.String(), "payment_id": p.ID.String(),
	}
	if p.EnrolmentID != nil {
		meta["enrolment_id"] = p.EnrolmentID.String()
	}
	if p.Kind == KindSeats {
		meta["quantity"] = strconv.Itoa(p.Quantity)
	}
	return meta
}

// PaymentRow is a payment with the course title and the payer's name.
type PaymentRow struct {
	Payment
	CourseTitle string `bun:"course_title"`
	Name        string `bun:"name"`
}

// StripeCustomer links a person in an organisation to their Stripe customer.
type StripeCustomer struct {
	bun.BaseModel `bun:"table:stripe_customers"`

	ID         uuid.UUID `bun:"id,pk,type:uuid"`
	OrgID      uuid.UUID `bun:"org_id,type:uuid"`
	UserID     uuid.UUID `bun:"user_id,type:uuid"`
	CustomerID string    `bun:"customer_id"`
	CreatedAt  time.Time `bun:"created_at"`
}

// Seat is a batch of seats bought in one payment.
type Seat struct {
	bun.BaseModel `bun:"table:seats"`

	ID        uuid.UUID  `bun:"id,pk,type:uuid"`
	OrgID     uuid.UUID  `bun:"org_id,type:uuid"`
	CourseID  uuid.UUID  `bun:"course_id,type:uuid"`
	PaymentID uuid.UUID  `bun:"payment_id,type:uuid"`
	Quantity  int        `bun:"quantity"`
	RevokedAt *time.Time `bun:"revoked_at"`
	CreatedAt time.Time  `bun:"created_at"`
}

// SeatAssignment gives one seat to a member.
type SeatAssignment struct {
	bun.BaseModel `bun:"table:seat_assignments"`

	ID          uuid.UUID  `bun:"id,pk,type:uuid"`
	OrgID       uuid.UUID  `bun:"org_id,type:uuid"`
	CourseID    uuid.UUID  `bun:"course_id,type:uuid"`
	UserID      uuid.UUID  `bun:"user_id,type:uuid"`
	EnrolmentID uuid.UUID  `bun:"enrolment_id,type:uuid"`
	AssignedBy  *uuid.UUID `bun:"assigned_by,type:uuid"`
	AssignedAt  time.Time  `bun:"assigned_at"`
	// RefundKeptAt is set when the seats behind this one were refunded
	// but the member had started, so they kept their place; such a seat
	// no longer counts against the seats the organisation holds.
	RefundKeptAt *time.Time `bun:"refund_kept_at"`
}

// StripeEvent is a webhook event as received, with what came of it.
type StripeEvent struct {
	bun.BaseModel `bun:"table:stripe_events"`

	ID              uuid.UUID  `bun:"id,pk,type:uuid"`
	EventID         string     `bun:"event_id"`
	Type            string     `bun:"type"`
	OrgID           *uuid.UUID `bun:"org_id,type:uuid"`
	PaymentIntentID *string    `bun:"payment_intent_id"`
	Outcome         string     `bun:"outcome"`
	ReceivedAt      time.Time  `bun:"received_at"`
	ProcessedAt     *time.Time `bun:"processed_at"`
	// ReceiptURL is kept from a charge.succeeded that came before its
	// payment was known.
	ReceiptURL string `bun:"receipt_url"`
}

// SeatPool is what an organisation holds of one course's seats.
type SeatPool struct {
	Course    courses.Course
	Purchased int
	// Assigned counts the assignments that use a seat held (not those
	// kept after a refund).
	Assigned    int
	Assignments []AssignmentRow
}

// Free is the number of seats left to assign.
func (p SeatPool) Free() int { return p.Purchased - p.Assigned }

// AssignmentRow is an assignment with the member's name.
type AssignmentRow struct {
	SeatAssignment
	Name    string `bun:"name"`
	Started bool   `bun:"-"`
}
