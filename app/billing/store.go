package billing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
)

// Store holds the billing SQL. Methods take the organisation and run in
// db.InTenant; the functions taking a bun.IDB run in the caller's
// transaction. stripe_events is the one table without a tenant (see the
// migration): its functions say so.
type Store struct {
	DB *db.DB
}

// customerTx returns the person's Stripe customer id in the organisation, or "".
func customerTx(ctx context.Context, tx bun.IDB, orgID, userID uuid.UUID) (string, error) {
	var out []StripeCustomer
	if err := tx.NewSelect().Model(&out).Where("org_id = ? AND user_id = ?", orgID, userID).Scan(ctx); err != nil {
		return "", fmt.Errorf("billing: customer of %s: %w", userID, err)
	}
	if len(out) == 0 {
		return "", nil
	}
	return out[0].CustomerID, nil
}

// Customer returns the person's Stripe customer id, or "".
func (s *Store) Customer(ctx context.Context, orgID, userID uuid.UUID) (string, error) {
	var id string
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		var err error
		id, err = customerTx(ctx, tx, orgID, userID)
		return err
	})
	return id, err
}

// SaveCustomer records a person's Stripe customer unless one was recorded
// meanwhile, and returns the one that stands.
func (s *Store) SaveCustomer(ctx context.Context, c *StripeCustomer) (string, error) {
	var id string
	err := s.DB.InTenant(ctx, c.OrgID, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(c).On("CONFLICT (org_id, user_id) DO NOTHING").Exec(ctx); err != nil {
			return fmt.Errorf("billing: record customer: %w", err)
		}
		var err error
		id, err = customerTx(ctx, tx, c.OrgID, c.UserID)
		return err
	})
	return id, err
}

// insertPayment records a payment in tx.
func insertPayment(ctx context.Context, tx bun.IDB, p *Payment) error {
	if _, err := tx.NewInsert().Model(p).Exec(ctx); err != nil {
		return fmt.Errorf("billing: record payment: %w", db.Classify(err))
	}
	return nil
}

// paymentTx loads a payment of the organisation.
func paymentTx(ctx context.Context, tx bun.IDB, orgID, id uuid.UUID) (*Payment, error) {
	p := new(Payment)
	if err := tx.NewSelect().Model(p).Where("org_id = ? AND id = ?", orgID, id).Scan(ctx); err != nil {
		return nil, fmt.Errorf("billing: payment %s: %w", id, db.Classify(err))
	}
	return p, nil
}

// openPaymentForEnrolmentTx finds the open payment of a pending enrolment.
func openPaymentForEnrolmentTx(ctx context.Context, tx bun.IDB, orgID, enrolmentID uuid.UUID) (*Payment, error) {
	var out []Payment
	err := tx.NewSelect().Model(&out).Where("org_id = ? AND enrolment_id = ? AND status = ?", orgID, enrolmentID, PaymentOpen).
		OrderExpr("created_at DESC, id DESC").Limit(1).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("billing: open payment of %s: %w", enrolmentID, err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return &out[0], nil
}

// paymentByIntentTx finds the payment an intent paid.
func paymentByIntentTx(ctx context.Context, tx bun.IDB, orgID uuid.UUID, intent string) (*Payment, error) {
	p := new(Payment)
	if err := tx.NewSelect().Model(p).Where("org_id = ? AND payment_intent_id = ?", orgID, intent).Limit(1).Scan(ctx); err != nil {
		return nil, fmt.Errorf("billing: payment for %s: %w", intent, db.Classify(err))
	}
	return p, nil
}

// SetCheckout records the Checkout Session created for a payment.
func (s *Store) SetCheckout(ctx context.Context, orgID, paymentID uuid.UUID, sessionID, url, customerID string, now time.Time) error {
	return s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewUpdate().Model((*Payment)(nil)).
			Set("checkout_session_id = ?", sessionID).Set("checkout_url = ?", url).Set("customer_id = ?", customerID).
			Set("updated_at = ?", now).Where("org_id = ? AND id = ?", orgID, paymentID).Exec(ctx)
		if err != nil {
			return fmt.Errorf("billing: record checkout of %s: %w", paymentID, err)
		}
		return nil
	})
}

// Payments lists an organisation's payments, newest first; only the
// person's own when userID is set.
func (s *Store) Payments(ctx context.Context, orgID, userID uuid.UUID) ([]Payment, error) {
	var out []Payment
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewSelect().Model(&out).Where("org_id = ?", orgID)
		if userID != uuid.Nil {
			q = q.Where("user_id = ?", userID)
		}
		return q.OrderExpr("created_at DESC, id DESC").Limit(500).Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("billing: payments: %w", err)
	}
	return out, nil
}

// Events lists the webhook events that named the organisation, newest
// first. stripe_events has no row-level security, so the org_id filter
// here is the wall.
func (s *Store) Events(ctx context.Context, orgID uuid.UUID) ([]StripeEvent, error) {
	var out []StripeEvent
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Model(&out).Where("org_id = ?", orgID).OrderExpr("received_at DESC, id DESC").Limit(200).Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("billing: events: %w", err)
	}
	return out, nil
}

// OrgByIntent finds the organisation whose payment an intent paid, across
// organisations (a refund names only the intent). On Postgres it goes
// through a narrow SECURITY DEFINER function.
func (s *Store) OrgByIntent(ctx context.Context, intent string) (uuid.UUID, error) {
	if intent == "" {
		return uuid.Nil, db.ErrNotFound
	}
	if s.DB.Engine == db.Postgres {
		var org *uuid.UUID
		if err := s.DB.NewRaw("SELECT payment_org_by_intent(?)", intent).Scan(ctx, &org); err != nil {
			return uuid.Nil, fmt.Errorf("billing: organisation of %s: %w", intent, err)
		}
		if org == nil {
			return uuid.Nil, db.ErrNotFound
		}
		return *org, nil
	}
	var org uuid.UUID
	err := s.DB.NewSelect().Model((*Payment)(nil)).Column("org_id").Where("payment_intent_id = ?", intent).Limit(1).Scan(ctx, &org)
	if errors.Is(err, sql.ErrNoRows) {
		return uuid.Nil, db.ErrNotFound
	}
	if err != nil {
		return uuid.Nil, fmt.Errorf("billing: organisation of %s: %w", intent, err)
	}
	return org, nil
}

// claimEvent stores an event id in tx. It reports false when the event
// was stored before: a concurrent delivery waits on the unique index
// until the first one commits (or rolls back, and then takes over).
func claimEvent(ctx context.Context, tx bun.IDB, e *StripeEvent) (bool, error) {
	res, err := tx.NewInsert().Model(e).On("CONFLICT (event_id) DO NOTHING").Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("billing: store event %s: %w", e.EventID, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

func finishEvent(ctx context.Context, tx bun.IDB, id uuid.UUID, outcome string, now time.Time) error {
	_, err := tx.NewUpdate().Model((*StripeEvent)(nil)).Set("outcome = ?", outcome).Set("processed_at = ?", now).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("billing: record event outcome: %w", err)
	}
	return nil
}

// deferredRefundsTx finds refunds that arrived before their payment.
func deferredRefundsTx(ctx context.Context, tx bun.IDB, intent string) ([]StripeEvent, error) {
	var out []StripeEvent
	err := tx.NewSelect().Model(&out).Where("payment_intent_id = ? AND type = ? AND outcome = ?", intent, "charge.refunded", outcomeDeferredRefund).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("billing: deferred refunds of %s: %w", intent, err)
	}
	return out, nil
}

// Seats lists the seat batches and assignments of an organisation.
func (s *Store) Seats(ctx context.Context, orgID uuid.UUID) ([]Seat, []SeatAssignment, error) {
	var seats []Seat
	var as []SeatAssignment
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewSelect().Model(&seats).Where("org_id = ?", orgID).OrderExpr("created_at, id").Scan(ctx); err != nil {
			return err
		}
		return tx.NewSelect().Model(&as).Where("org_id = ?", orgID).OrderExpr("assigned_at, id").Scan(ctx)
	})
	if err != nil {
		return nil, nil, fmt.Errorf("billing: seats: %w", err)
	}
	return seats, as, nil
}

// freeSeatsTx counts the unassigned seats of a course, locking the
// course's seat rows on Postgres so that two assignments cannot both take
// the last seat (SQLite's write lock does the same).
func freeSeatsTx(ctx context.Context, tx bun.IDB, engine db.Engine, orgID, courseID uuid.UUID) (int, error) {
	var seats []Seat
	q := tx.NewSelect().Model(&seats).Where("org_id = ? AND course_id = ? AND revoked_at IS NULL", orgID, courseID)
	if engine == db.Postgres {
		q = q.For("UPDATE")
	}
	if err := q.Scan(ctx); err != nil {
		return 0, fmt.Errorf("billing: seats of %s: %w", courseID, err)
	}
	total := 0
	for _, s := range seats {
		total += s.Quantity
	}
	// Seats kept after a refund are outside the seats held.
	n, err := tx.NewSelect().Model((*SeatAssignment)(nil)).Where("org_id = ? AND course_id = ? AND refund_kept_at IS NULL", orgID, courseID).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("billing: assigned seats of %s: %w", courseID, err)
	}
	return total - int(n), nil
}

// Payment loads one payment of the organisation.
func (s *Store) Payment(ctx context.Context, orgID, id uuid.UUID) (*Payment, error) {
	var p *Payment
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		var err error
		p, err = paymentTx(ctx, tx, orgID, id)
		return err
	})
	return p, err
}

// Open lists the organisation's payments whose checkout was started and
// not settled (open or waiting for a delayed method), oldest first.
func (s *Store) Open(ctx context.Context, orgID uuid.UUID) ([]Payment, error) {
	var out []Payment
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Model(&out).
			Where("org_id = ? AND status IN (?) AND checkout_session_id IS NOT NULL", orgID, bun.In([]string{PaymentOpen, PaymentProcessing})).
			OrderExpr("created_at, id").Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("billing: open payments: %w", err)
	}
	return out, nil
}
