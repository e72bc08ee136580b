package billing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
)

// Store holds all of the billing SQL. Each method runs in a tenant
// transaction of its own, or, on the store WithTx returns, in the
// caller's transaction. Driver errors are mapped in one place (in and
// global), so "no row" is always db.ErrNotFound. stripe_events is the one
// table without a tenant (see the migration): its methods say so.
type Store struct {
	DB *db.DB
	tx bun.IDB
}

// WithTx returns the store working inside tx.
func (s *Store) WithTx(tx bun.IDB) *Store { return &Store{DB: s.DB, tx: tx} }

// in runs fn in the caller's transaction, or else in a transaction of
// the organisation.
func (s *Store) in(ctx context.Context, orgID uuid.UUID, fn func(ctx context.Context, q bun.IDB) error) error {
	return db.In(ctx, s.DB, s.tx, orgID, fn)
}

// affected reports whether an update or delete changed a row.
func affected(res interface{ RowsAffected() (int64, error) }) bool {
	n, _ := res.RowsAffected()
	return n > 0
}

// Customer returns the person's Stripe customer id in the organisation, or "".
func (s *Store) Customer(ctx context.Context, orgID, userID uuid.UUID) (string, error) {
	var out []StripeCustomer
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(&out).Where("org_id = ? AND user_id = ?", orgID, userID).Scan(ctx)
	})
	if err != nil || len(out) == 0 {
		return "", wrap(err, "customer of %s", userID)
	}
	return out[0].CustomerID, nil
}

// SaveCustomer records a person's Stripe customer unless one was recorded
// meanwhile, and returns the one that stands.
func (s *Store) SaveCustomer(ctx context.Context, c *StripeCustomer) (string, error) {
	var id string
	err := s.in(ctx, c.OrgID, func(ctx context.Context, q bun.IDB) error {
		if _, err := q.NewInsert().Model(c).On("CONFLICT (org_id, user_id) DO NOTHING").Exec(ctx); err != nil {
			return err
		}
		var err error
		id, err = s.WithTx(q).Customer(ctx, c.OrgID, c.UserID)
		return err
	})
	return id, wrap(err, "record customer")
}

// InsertPayment records a payment.
func (s *Store) InsertPayment(ctx context.Context, p *Payment) error {
	return wrap(s.in(ctx, p.OrgID, func(ctx context.Context, q bun.IDB) error {
		_, err := q.NewInsert().Model(p).Exec(ctx)
		return err
	}), "record payment")
}

// Payment loads one payment of the organisation.
func (s *Store) Payment(ctx context.Context, orgID, id uuid.UUID) (*Payment, error) {
	p := new(Payment)
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(p).Where("org_id = ? AND id = ?", orgID, id).Scan(ctx)
	})
	if err != nil {
		return nil, wrap(err, "payment %s", id)
	}
	return p, nil
}

// OpenPaymentForEnrolment finds the open payment of a pending enrolment.
func (s *Store) OpenPaymentForEnrolment(ctx context.Context, orgID, enrolmentID uuid.UUID) (*Payment, error) {
	p := new(Payment)
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(p).Where("org_id = ? AND enrolment_id = ? AND status = ?", orgID, enrolmentID, PaymentOpen).
			OrderExpr("created_at DESC, id DESC").Limit(1).Scan(ctx)
	})
	if err != nil {
		return nil, wrap(err, "open payment of %s", enrolmentID)
	}
	return p, nil
}

// PaymentByIntent finds the payment an intent paid.
func (s *Store) PaymentByIntent(ctx context.Context, orgID uuid.UUID, intent string) (*Payment, error) {
	p := new(Payment)
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(p).Where("org_id = ? AND payment_intent_id = ?", orgID, intent).Limit(1).Scan(ctx)
	})
	if err != nil {
		return nil, wrap(err, "payment for %s", intent)
	}
	return p, nil
}

// SetCheckout records the Checkout Session created for a payment.
func (s *Store) SetCheckout(ctx context.Context, orgID, paymentID uuid.UUID, sessionID, url, customerID string, now time.Time) error {
	return wrap(s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		_, err := q.NewUpdate().Model((*Payment)(nil)).
			Set("checkout_session_id = ?", sessionID).Set("checkout_url = ?", url).Set("customer_id = ?", customerID).
			Set("updated_at = ?", now).Where("org_id = ? AND id = ?", orgID, paymentID).Exec(ctx)
		return err
	}), "record checkout of %s", paymentID)
}

// SetStatus moves a payment to status from one of the statuses in from,
// and reports whether it did (the status is the guard against doing
// something twice).
func (s *Store) SetStatus(ctx context.Context, orgID, id uuid.UUID, status string, now time.Time, from ...string) (bool, error) {
	changed := false
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		res, err := q.NewUpdate().Model((*Payment)(nil)).Set("status = ?", status).Set("updated_at = ?", now).
			Where("org_id = ? AND id = ? AND status IN (?)", orgID, id, bun.In(from)).Exec(ctx)
		if err == nil {
			changed = affected(res)
		}
		return err
	})
	return changed, wrap(err, "mark %s %s", id, status)
}

// MarkPaid marks a payment paid by intent, for amount (0 keeps the
// recorded amount), unless it was paid or refunded already.
func (s *Store) MarkPaid(ctx context.Context, orgID, id uuid.UUID, intent *string, amount int64, now time.Time) (bool, error) {
	changed := false
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		u := q.NewUpdate().Model((*Payment)(nil)).Set("status = ?", PaymentPaid).Set("paid_at = ?", now).Set("updated_at = ?", now).
			Set("payment_intent_id = ?", intent).
			Where("org_id = ? AND id = ? AND status IN (?)", orgID, id, bun.In([]string{PaymentOpen, PaymentProcessing, PaymentExpired, PaymentFailed, PaymentCancelled}))
		if amount > 0 {
			u = u.Set("amount_minor = ?", amount)
		}
		res, err := u.Exec(ctx)
		if err == nil {
			changed = affected(res)
		}
		return err
	})
	return changed, wrap(err, "mark %s paid", id)
}

// MarkRefunded marks a payment refunded, unless it was already.
func (s *Store) MarkRefunded(ctx context.Context, orgID, id uuid.UUID, now time.Time) (bool, error) {
	changed := false
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		res, err := q.NewUpdate().Model((*Payment)(nil)).Set("status = ?", PaymentRefunded).Set("refunded_at = ?", now).Set("updated_at = ?", now).
			Where("org_id = ? AND id = ? AND status <> ?", orgID, id, PaymentRefunded).Exec(ctx)
		if err == nil {
			changed = affected(res)
		}
		return err
	})
	return changed, wrap(err, "mark %s refunded", id)
}

// SetEnrolment records the enrolment a payment opened.
func (s *Store) SetEnrolment(ctx context.Context, orgID, paymentID, enrolmentID uuid.UUID) error {
	return wrap(s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		_, err := q.NewUpdate().Model((*Payment)(nil)).Set("enrolment_id = ?", enrolmentID).Where("org_id = ? AND id = ?", orgID, paymentID).Exec(ctx)
		return err
	}), "link %s to its enrolment", paymentID)
}

// SetReceipt records a payment's receipt link, on pay too, when it is a
// new one ("" is none).
func (s *Store) SetReceipt(ctx context.Context, pay *Payment, url string, now time.Time) error {
	if url == "" || url == pay.ReceiptURL {
		return nil
	}
	err := s.in(ctx, pay.OrgID, func(ctx context.Context, q bun.IDB) error {
		_, err := q.NewUpdate().Model((*Payment)(nil)).Set("receipt_url = ?", url).Set("updated_at = ?", now).
			Where("org_id = ? AND id = ?", pay.OrgID, pay.ID).Exec(ctx)
		return err
	})
	if err != nil {
		return wrap(err, "record receipt of %s", pay.ID)
	}
	pay.ReceiptURL = url
	return nil
}

// Payments lists an organisation's payments, newest first; only the
// person's own when userID is set.
func (s *Store) Payments(ctx context.Context, orgID, userID uuid.UUID) ([]Payment, error) {
	var out []Payment
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		sel := q.NewSelect().Model(&out).Where("org_id = ?", orgID)
		if userID != uuid.Nil {
			sel = sel.Where("user_id = ?", userID)
		}
		return sel.OrderExpr("created_at DESC, id DESC").Limit(500).Scan(ctx)
	})
	return out, wrap(err, "payments")
}

// PaymentsPageSize is how many payments one page of the organisation's
// billing history shows.
const PaymentsPageSize = 50

// PaymentsPage is one page of an organisation's payments, newest first:
// those older than the payment before (from the start when uuid.Nil), and
// whether older ones follow. Keyset paging on (created_at, id), so a page
// reads one page of the index however many payments there are.
func (s *Store) PaymentsPage(ctx context.Context, orgID, before uuid.UUID) (page []Payment, more bool, err error) {
	err = s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		sel := q.NewSelect().Model(&page).Where("org_id = ?", orgID)
		if before != uuid.Nil {
			sel = sel.Where("(created_at, id) < (SELECT b.created_at, b.id FROM payments AS b WHERE b.org_id = ? AND b.id = ?)", orgID, before)
		}
		return sel.OrderExpr("created_at DESC, id DESC").Limit(PaymentsPageSize + 1).Scan(ctx)
	})
	if len(page) > PaymentsPageSize {
		page, more = page[:PaymentsPageSize], true
	}
	return page, more, wrap(err, "page of payments")
}

// Open lists the organisation's payments whose checkout was started and
// not settled (open or waiting for a delayed method), oldest first.
func (s *Store) Open(ctx context.Context, orgID uuid.UUID) ([]Payment, error) {
	var out []Payment
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(&out).
			Where("org_id = ? AND status IN (?) AND checkout_session_id IS NOT NULL", orgID, bun.In([]string{PaymentOpen, PaymentProcessing})).
			OrderExpr("created_at, id").Scan(ctx)
	})
	return out, wrap(err, "open payments")
}

// Seats lists the seat batches and assignments of an organisation.
func (s *Store) Seats(ctx context.Context, orgID uuid.UUID) ([]Seat, []SeatAssignment, error) {
	var seats []Seat
	var as []SeatAssignment
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		if err := q.NewSelect().Model(&seats).Where("org_id = ?", orgID).OrderExpr("created_at, id").Scan(ctx); err != nil {
			return err
		}
		return q.NewSelect().Model(&as).Where("org_id = ?", orgID).OrderExpr("assigned_at, id").Scan(ctx)
	})
	if err != nil {
		return nil, nil, wrap(err, "seats")
	}
	return seats, as, nil
}

// AddSeats records the seats a payment bought, once.
func (s *Store) AddSeats(ctx context.Context, seat *Seat) error {
	return wrap(s.in(ctx, seat.OrgID, func(ctx context.Context, q bun.IDB) error {
		_, err := q.NewInsert().Model(seat).On("CONFLICT (org_id, payment_id) DO NOTHING").Exec(ctx)
		return err
	}), "add seats")
}

// WithdrawSeats withdraws the seats a refunded payment bought, and
// reports how many seats the course's assignments lack now (0 when the
// seats left cover them) with, when some lack, the assignments that use a
// seat held (not kept after a refund), the latest assigned first.
func (s *Store) WithdrawSeats(ctx context.Context, orgID, paymentID, courseID uuid.UUID, now time.Time) (int, []SeatAssignment, error) {
	lacking := 0
	var held []SeatAssignment
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		if _, err := q.NewUpdate().Model((*Seat)(nil)).Set("revoked_at = ?", now).
			Where("org_id = ? AND payment_id = ? AND revoked_at IS NULL", orgID, paymentID).Exec(ctx); err != nil {
			return err
		}
		free, err := s.WithTx(q).FreeSeats(ctx, orgID, courseID)
		if err != nil || free >= 0 {
			return err
		}
		lacking = -free
		return q.NewSelect().Model(&held).Where("org_id = ? AND course_id = ? AND refund_kept_at IS NULL", orgID, courseID).
			OrderExpr("assigned_at DESC, id DESC").Scan(ctx)
	})
	if err != nil {
		return 0, nil, wrap(err, "withdraw seats of %s", paymentID)
	}
	return lacking, held, nil
}

// FreeSeats counts the unassigned seats of a course, locking the course's
// seat rows (db.ForUpdate) so that two assignments cannot both take the
// last seat.
func (s *Store) FreeSeats(ctx context.Context, orgID, courseID uuid.UUID) (int, error) {
	var seats []Seat
	var assigned int64
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		if err := db.ForUpdate(q.NewSelect().Model(&seats).Where("org_id = ? AND course_id = ? AND revoked_at IS NULL", orgID, courseID)).Scan(ctx); err != nil {
			return err
		}
		// Seats kept after a refund are outside the seats held.
		var err error
		assigned, err = q.NewSelect().Model((*SeatAssignment)(nil)).Where("org_id = ? AND course_id = ? AND refund_kept_at IS NULL", orgID, courseID).Count(ctx)
		return err
	})
	if err != nil {
		return 0, wrap(err, "seats of %s", courseID)
	}
	total := 0
	for _, st := range seats {
		total += st.Quantity
	}
	return total - int(assigned), nil
}

// Assignment loads one seat assignment.
func (s *Store) Assignment(ctx context.Context, orgID, id uuid.UUID) (*SeatAssignment, error) {
	a := new(SeatAssignment)
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(a).Where("org_id = ? AND id = ?", orgID, id).Scan(ctx)
	})
	if err != nil {
		return nil, wrap(err, "seat assignment %s", id)
	}
	return a, nil
}

// InsertAssignment records a seat given to a member; a member holding one
// already is db.ErrConflict.
func (s *Store) InsertAssignment(ctx context.Context, a *SeatAssignment) error {
	return wrap(s.in(ctx, a.OrgID, func(ctx context.Context, q bun.IDB) error {
		_, err := q.NewInsert().Model(a).Exec(ctx)
		return err
	}), "assign seat")
}

// DeleteAssignment frees a seat.
func (s *Store) DeleteAssignment(ctx context.Context, orgID, id uuid.UUID) error {
	return wrap(s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		_, err := q.NewDelete().Model((*SeatAssignment)(nil)).Where("org_id = ? AND id = ?", orgID, id).Exec(ctx)
		return err
	}), "free seat %s", id)
}

// KeepAssignment marks a seat kept by a member who had started when the
// seats behind it were refunded.
func (s *Store) KeepAssignment(ctx context.Context, orgID, id uuid.UUID, now time.Time) error {
	return wrap(s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		_, err := q.NewUpdate().Model((*SeatAssignment)(nil)).Set("refund_kept_at = ?", now).Where("org_id = ? AND id = ?", orgID, id).Exec(ctx)
		return err
	}), "keep seat %s", id)
}

// wrap says what the store was doing; nil stays nil.
func wrap(err error, format string, args ...any) error {
	return db.Wrap(err, "billing", format, args...)
}

// The webhook's side of the store: stripe_events, the one table without a
// tenant (see the migration), and the lock and lookups that place an
// event in its organisation.

// global runs fn in the caller's transaction, or else with no tenant
// (stripe_events, the SECURITY DEFINER lookups), and says what was being
// done (db.Wrap maps the driver's error).
func (s *Store) global(ctx context.Context, fn func(ctx context.Context, q bun.IDB) error, format string, args ...any) error {
	var q bun.IDB = s.DB
	if s.tx != nil {
		q = s.tx
	}
	return db.Wrap(fn(ctx, q), "billing", format, args...)
}

// OrgByIntent finds the organisation whose payment an intent paid, across
// organisations (a refund names only the intent). On Postgres it goes
// through a narrow SECURITY DEFINER function.
func (s *Store) OrgByIntent(ctx context.Context, intent string) (uuid.UUID, error) {
	if intent == "" {
		return uuid.Nil, db.ErrNotFound
	}
	var org *uuid.UUID
	err := s.global(ctx, func(ctx context.Context, q bun.IDB) error {
		var err error
		if s.DB.Engine == db.Postgres {
			err = q.NewRaw("SELECT payment_org_by_intent(?)", intent).Scan(ctx, &org)
		} else {
			err = q.NewSelect().Model((*Payment)(nil)).Column("org_id").Where("payment_intent_id = ?", intent).Limit(1).Scan(ctx, &org)
		}
		if err == nil && org == nil {
			err = db.ErrNotFound
		}
		return err
	}, "organisation of %s", intent)
	if err != nil {
		return uuid.Nil, err
	}
	return *org, nil
}

// ClaimEvent claims an event for the caller's transaction, in the
// organisation orgID (uuid.Nil when it names none we know), and reports
// false when the event was stored before. First it takes the lock of the
// payment the event is about, so that a payment and its refund never pass
// each other unseen; then, for an event found by its payment intent, it
// checks under that lock that the payment still belongs to orgID
// (errOrgMoved when its grant moved it meanwhile); then it stores the
// event id, once: a concurrent delivery waits on the unique index until
// the first one commits (or rolls back, and then takes over). Only inside
// a transaction.
func (s *Store) ClaimEvent(ctx context.Context, e *StripeEvent, sub subject, orgID uuid.UUID) (bool, error) {
	if s.tx == nil {
		return false, fmt.Errorf("billing: claim event %s outside a transaction", e.EventID)
	}
	if sub.lock != "" {
		if err := s.LockPayment(ctx, sub.lock); err != nil {
			return false, err
		}
	}
	if sub.byIntent {
		found, err := s.OrgByIntent(ctx, sub.intent)
		switch {
		case err == nil && found != orgID:
			return false, errOrgMoved{to: found}
		case err != nil && !errors.Is(err, db.ErrNotFound):
			return false, err
		}
	}
	claimed := false
	err := s.global(ctx, func(ctx context.Context, q bun.IDB) error {
		res, err := q.NewInsert().Model(e).On("CONFLICT (event_id) DO NOTHING").Exec(ctx)
		if err == nil {
			claimed = affected(res)
		}
		return err
	}, "store event %s", e.EventID)
	return claimed, err
}

// LockPayment serialises, until the end of the transaction, everything
// about one payment (key: its payment intent, or its checkout session
// before it has one). Only inside a transaction.
func (s *Store) LockPayment(ctx context.Context, key string) error {
	if s.tx == nil {
		return fmt.Errorf("billing: lock payment %s outside a transaction", key)
	}
	return db.LockKey(ctx, s.tx, "stripe-payment:"+key)
}

// FinishEvent records what came of an event (no tenant).
func (s *Store) FinishEvent(ctx context.Context, id uuid.UUID, outcome string, now time.Time) error {
	return s.global(ctx, func(ctx context.Context, q bun.IDB) error {
		_, err := q.NewUpdate().Model((*StripeEvent)(nil)).Set("outcome = ?", outcome).Set("processed_at = ?", now).Where("id = ?", id).Exec(ctx)
		return err
	}, "record event outcome")
}

// WaitingEvents lists the events of a type left with outcome, oldest
// first, for all payment intents (no tenant).
func (s *Store) WaitingEvents(ctx context.Context, typ, outcome string) ([]StripeEvent, error) {
	var out []StripeEvent
	err := s.global(ctx, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(&out).Where("type = ? AND outcome = ?", typ, outcome).
			Where("payment_intent_id IS NOT NULL").Limit(500).OrderExpr("received_at, id").Scan(ctx)
	}, "%s events left %q", typ, outcome)
	return out, err
}

// TakeWaiting returns the events of a type left waiting (with outcome
// waiting) for one payment intent, oldest first, and records done as
// what came of them (no tenant).
func (s *Store) TakeWaiting(ctx context.Context, intent, typ, waiting, done string, now time.Time) ([]StripeEvent, error) {
	var out []StripeEvent
	err := s.global(ctx, func(ctx context.Context, q bun.IDB) error {
		err := q.NewSelect().Model(&out).Where("type = ? AND outcome = ? AND payment_intent_id = ?", typ, waiting, intent).
			OrderExpr("received_at, id").Scan(ctx)
		if err != nil || len(out) == 0 {
			return err
		}
		ids := make([]uuid.UUID, len(out))
		for i, ev := range out {
			ids[i] = ev.ID
		}
		_, err = q.NewUpdate().Model((*StripeEvent)(nil)).Set("outcome = ?", done).Set("processed_at = ?", now).
			Where("id IN (?)", bun.In(ids)).Exec(ctx)
		return err
	}, "%s events left %q", typ, waiting)
	return out, err
}

// Events lists the webhook events that named the organisation, newest
// first. stripe_events has no row-level security, so the org_id filter
// here is the wall.
func (s *Store) Events(ctx context.Context, orgID uuid.UUID) ([]StripeEvent, error) {
	var out []StripeEvent
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(&out).Where("org_id = ?", orgID).OrderExpr("received_at DESC, id DESC").Limit(200).Scan(ctx)
	})
	return out, wrap(err, "events")
}

// UnresolvedEvents lists the Stripe events, newest first, that changed
// nothing: of a kind we do not use, or naming an organisation or payment
// we do not know (stripe_events is read across organisations: it is not
// behind row-level security). Events whose processing failed are not
// recorded at all; Stripe sends them again and the log says why.
func (s *Store) UnresolvedEvents(ctx context.Context, limit int) ([]StripeEvent, error) {
	var out []StripeEvent
	err := s.global(ctx, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(&out).
			Where("outcome IN (?, ?, ?, ?) OR processed_at IS NULL", outcomeIgnored, outcomeUnknownOrg, outcomeUnknownPayment, outcomeNoReceipt).
			OrderExpr("received_at DESC, id DESC").Limit(int64(limit)).Scan(ctx)
	}, "list unresolved Stripe events")
	if err != nil {
		return nil, err
	}
	return out, nil
}
