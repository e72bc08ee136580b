package billing

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/stripe/stripe-go/v76"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/courses"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/mail"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
)

// Outcomes recorded on stripe_events.
const (
	outcomeDuplicate       = "duplicate: processed before"
	outcomeIgnored         = "acknowledged: event type not used"
	outcomeUnknownOrg      = "unknown organisation"
	outcomeUnknownPayment  = "unknown payment: metadata does not match a payment of this organisation"
	outcomeGranted         = "access granted"
	outcomeSeatsAdded      = "seats added"
	outcomeAlreadyDone     = "already granted"
	outcomeAwaiting        = "awaiting a delayed payment method"
	outcomeFailed          = "payment failed: pending place dropped"
	outcomeExpired         = "checkout expired: pending place dropped"
	outcomeRefunded        = "refunded: access revoked, progress kept"
	outcomeSeatsRefunded   = "refunded: seats withdrawn"
	outcomePartialRefund   = "partial refund: access kept"
	outcomeDeferredRefund  = "deferred: refund arrived before its payment"
	outcomeLateRefund      = "refund applied when its payment arrived"
	outcomeNotPaid         = "not paid: nothing granted"
	outcomeReceipt         = "receipt recorded"
	outcomeNoReceipt       = "acknowledged: no receipt link in the charge"
	outcomeDeferredReceipt = "deferred: receipt kept until its payment arrives"
	outcomeLateReceipt     = "receipt recorded when its payment arrived"
)

// One method per kind of event, each read top to bottom: say what the
// event is about, then (in record) claim it once inside a transaction of
// its organisation that holds the payment's lock, apply it through the
// store, and record the outcome.

// SessionCompleted is checkout.session.completed: paid (or nothing to
// pay) grants access; otherwise a delayed method is on its way.
func (s *Service) SessionCompleted(ctx context.Context, ev stripe.Event, cs *stripe.CheckoutSession) (string, error) {
	return s.record(ctx, ev, aboutSession(cs), func(ctx context.Context, w *eventTx) (string, error) {
		pay, outcome, err := s.sessionPayment(ctx, w, cs)
		if pay == nil {
			return outcome, err
		}
		switch cs.PaymentStatus {
		case stripe.CheckoutSessionPaymentStatusPaid, stripe.CheckoutSessionPaymentStatusNoPaymentRequired:
			return s.grant(ctx, w, pay, cs)
		}
		if _, err := w.store.SetStatus(ctx, pay.OrgID, pay.ID, PaymentProcessing, w.now, PaymentOpen); err != nil {
			return "", err
		}
		return outcomeAwaiting, nil
	})
}

// SessionPaidLater is checkout.session.async_payment_succeeded: the
// delayed method paid, access opens.
func (s *Service) SessionPaidLater(ctx context.Context, ev stripe.Event, cs *stripe.CheckoutSession) (string, error) {
	return s.record(ctx, ev, aboutSession(cs), func(ctx context.Context, w *eventTx) (string, error) {
		pay, outcome, err := s.sessionPayment(ctx, w, cs)
		if pay == nil {
			return outcome, err
		}
		return s.grant(ctx, w, pay, cs)
	})
}

// SessionClosed is checkout.session.async_payment_failed or
// checkout.session.expired: an unsettled payment fails or expires and its
// pending place is dropped.
func (s *Service) SessionClosed(ctx context.Context, ev stripe.Event, cs *stripe.CheckoutSession) (string, error) {
	return s.record(ctx, ev, aboutSession(cs), func(ctx context.Context, w *eventTx) (string, error) {
		pay, outcome, err := s.sessionPayment(ctx, w, cs)
		if pay == nil {
			return outcome, err
		}
		status, outcome := PaymentFailed, outcomeFailed
		if ev.Type == "checkout.session.expired" {
			status, outcome = PaymentExpired, outcomeExpired
		}
		changed, err := w.store.SetStatus(ctx, pay.OrgID, pay.ID, status, w.now, PaymentOpen, PaymentProcessing)
		if err != nil {
			return "", err
		}
		if !changed {
			return outcomeNotPaid + " (payment already settled: " + pay.Status + ")", nil
		}
		if pay.EnrolmentID != nil {
			if _, err := w.courses.DropPending(ctx, pay.OrgID, *pay.EnrolmentID); err != nil {
				return "", err
			}
		}
		if pay.Kind == KindSeats {
			outcome = status + ": no seats added"
		}
		return outcome, nil
	})
}

// ChargeRefunded is charge.refunded: a full refund withdraws what the
// payment bought; a refund that comes before its payment waits on its
// event row, for the grant (or the reconciliation) to apply.
func (s *Service) ChargeRefunded(ctx context.Context, ev stripe.Event, ch *stripe.Charge) (string, error) {
	return s.record(ctx, ev, aboutCharge(ch, ""), func(ctx context.Context, w *eventTx) (string, error) {
		intent := chargeIntent(ch)
		if w.org == nil {
			if ch.Refunded && intent != "" {
				return outcomeDeferredRefund, nil
			}
			return outcomeUnknownOrg, nil
		}
		if intent == "" {
			return outcomeUnknownPayment, nil
		}
		pay, err := w.store.PaymentByIntent(ctx, w.org.ID, intent)
		if errors.Is(err, db.ErrNotFound) {
			if ch.Refunded {
				return outcomeDeferredRefund, nil
			}
			return outcomePartialRefund, nil
		}
		if err != nil {
			return "", err
		}
		if err := w.store.SetReceipt(ctx, pay, receiptURL(ch), w.now); err != nil {
			return "", err
		}
		if !ch.Refunded {
			return outcomePartialRefund, nil
		}
		return s.refund(ctx, w, pay)
	})
}

// ChargeSucceeded is charge.succeeded: its receipt link goes on the
// payment, for the billing history, or waits for the payment.
func (s *Service) ChargeSucceeded(ctx context.Context, ev stripe.Event, ch *stripe.Charge) (string, error) {
	url := receiptURL(ch)
	return s.record(ctx, ev, aboutCharge(ch, url), func(ctx context.Context, w *eventTx) (string, error) {
		intent := chargeIntent(ch)
		switch {
		case url == "":
			return outcomeNoReceipt, nil
		case w.org == nil && intent != "":
			return outcomeDeferredReceipt, nil
		case w.org == nil:
			return outcomeNoReceipt, nil
		case intent == "":
			return outcomeUnknownPayment, nil
		}
		pay, err := w.store.PaymentByIntent(ctx, w.org.ID, intent)
		if errors.Is(err, db.ErrNotFound) {
			return outcomeDeferredReceipt, nil
		}
		if err != nil {
			return "", err
		}
		if err := w.store.SetReceipt(ctx, pay, url, w.now); err != nil {
			return "", err
		}
		return outcomeReceipt, nil
	})
}

// Ignore records an event of a kind billing does not use.
func (s *Service) Ignore(ctx context.Context, ev stripe.Event) (string, error) {
	return s.record(ctx, ev, subject{}, func(context.Context, *eventTx) (string, error) { return outcomeIgnored, nil })
}

// subject is what an event is about.
type subject struct {
	// orgID is the organisation the event's metadata names: a hint, to be
	// checked.
	orgID uuid.UUID
	// intent is the payment intent the event names, if any.
	intent string
	// lock serialises everything about one payment: its intent, or its
	// checkout session when it has none yet.
	lock string
	// byIntent: the payment is found by its intent (a charge), so the
	// organisation of that payment wins over the metadata.
	byIntent bool
	// receipt is a charge's receipt link, kept on the event row until its
	// payment is known.
	receipt string
}

func aboutSession(cs *stripe.CheckoutSession) subject {
	sub := subject{lock: cs.ID}
	sub.orgID, _ = uuid.Parse(cs.Metadata["org_id"])
	if cs.PaymentIntent != nil && cs.PaymentIntent.ID != "" {
		sub.intent, sub.lock = cs.PaymentIntent.ID, cs.PaymentIntent.ID
	}
	return sub
}

func aboutCharge(ch *stripe.Charge, receipt string) subject {
	sub := subject{intent: chargeIntent(ch), byIntent: true, receipt: receipt}
	if sub.intent != "" {
		sub.orgID, _ = uuid.Parse(ch.Metadata["org_id"])
		sub.lock = sub.intent
	}
	return sub
}

func chargeIntent(ch *stripe.Charge) string {
	if ch.PaymentIntent == nil {
		return ""
	}
	return ch.PaymentIntent.ID
}

// eventTx is one event's transaction: the store and the other domains'
// functions work in tx; org is nil when the event names no organisation
// we know.
type eventTx struct {
	tx      bun.IDB
	store   *Store
	courses *courses.Store
	org     *tenancy.Organisation
	now     time.Time
}

// errOrgMoved rolls an event's transaction back when, under the payment's
// lock, the payment turns out to belong to another organisation than the
// one the transaction was opened for (its grant committed meanwhile).
type errOrgMoved struct{ to uuid.UUID }

func (e errOrgMoved) Error() string {
	return "billing: the payment belongs to organisation " + e.to.String()
}

// record processes a verified event exactly once: the event row is
// claimed (INSERT … ON CONFLICT DO NOTHING on its unique id) in the same
// transaction as the work it causes, so a second delivery, concurrent or
// later, finds the row and does nothing. The transaction is scoped to the
// event's organisation, and holds the payment's lock before it reads
// anything, so a payment and its refund sent at the same instant are
// applied one after the other, each seeing what the other did. Every
// object the event names is looked up within that organisation, so one
// organisation's event cannot touch another's data.
func (s *Service) record(ctx context.Context, ev stripe.Event, sub subject, apply func(ctx context.Context, w *eventTx) (string, error)) (string, error) {
	orgID := sub.orgID
	if sub.byIntent {
		found, err := s.Store.OrgByIntent(ctx, sub.intent)
		switch {
		case err == nil:
			orgID = found
		case !errors.Is(err, db.ErrNotFound):
			return "", err
		}
	}
	// At most one move: once a payment has an intent, its organisation
	// does not change.
	for range 2 {
		outcome, err := s.recordIn(ctx, ev, sub, orgID, apply)
		var moved errOrgMoved
		if errors.As(err, &moved) {
			orgID = moved.to
			continue
		}
		if err != nil {
			return "", fmt.Errorf("billing: event %s (%s): %w", ev.ID, ev.Type, err)
		}
		if outcome == outcomeUnknownOrg || outcome == outcomeUnknownPayment {
			s.Log.WarnContext(ctx, "stripe event names nothing we know; recorded for the operator", "event", ev.ID, "type", ev.Type, "outcome", outcome)
		}
		return outcome, nil
	}
	return "", fmt.Errorf("billing: event %s (%s): its payment's organisation keeps changing", ev.ID, ev.Type)
}

// recordIn is record's transaction in orgID (none when uuid.Nil or
// unknown).
func (s *Service) recordIn(ctx context.Context, ev stripe.Event, sub subject, orgID uuid.UUID, apply func(ctx context.Context, w *eventTx) (string, error)) (string, error) {
	var org *tenancy.Organisation
	if orgID != uuid.Nil {
		o, err := s.Tenancy.OrgByID(ctx, orgID)
		switch {
		case errors.Is(err, db.ErrNotFound):
		case err != nil:
			return "", err
		case o.SuspendedAt != nil:
			// Nothing is recorded: Stripe sends the event again later, and
			// it is applied once the organisation is resumed.
			return "", tenancy.ErrSuspended
		default:
			org = o
		}
	}
	now := s.Clock.Now()
	row := &StripeEvent{ID: uuid.Must(uuid.NewV7()), EventID: ev.ID, Type: string(ev.Type), ReceivedAt: now, ReceiptURL: sub.receipt}
	if sub.intent != "" {
		row.PaymentIntentID = &sub.intent
	}
	if org != nil {
		row.OrgID = &org.ID
	}
	outcome := ""
	work := func(ctx context.Context, tx bun.Tx) error {
		w := &eventTx{tx: tx, store: s.Store.WithTx(tx), courses: s.Courses.WithTx(tx), org: org, now: now}
		claimed, err := w.store.ClaimEvent(ctx, row, sub, orgID)
		if err != nil || !claimed {
			outcome = outcomeDuplicate
			return err
		}
		if outcome, err = apply(ctx, w); err != nil {
			return err
		}
		return w.store.FinishEvent(ctx, row.ID, outcome, now)
	}
	var err error
	if org != nil {
		err = s.DB.InTenant(ctx, org.ID, work)
	} else {
		err = s.DB.Tx(ctx, work)
	}
	return outcome, err
}

// sessionPayment finds the payment a session's metadata names, and checks
// that everything the metadata says agrees with it, in the event's
// organisation. With no payment it returns the outcome to record.
func (s *Service) sessionPayment(ctx context.Context, w *eventTx, cs *stripe.CheckoutSession) (*Payment, string, error) {
	if w.org == nil {
		return nil, outcomeUnknownOrg, nil
	}
	id, err := uuid.Parse(cs.Metadata["payment_id"])
	if err != nil {
		return nil, outcomeUnknownPayment, nil
	}
	pay, err := w.store.Payment(ctx, w.org.ID, id)
	if errors.Is(err, db.ErrNotFound) {
		return nil, outcomeUnknownPayment, nil
	}
	if err != nil {
		return nil, "", err
	}
	same := func(key string, want uuid.UUID) bool { return cs.Metadata[key] == want.String() }
	if !same("course_id", pay.CourseID) || !same("user_id", pay.UserID) || cs.Metadata["kind"] != pay.Kind {
		return nil, outcomeUnknownPayment, nil
	}
	if pay.EnrolmentID != nil {
		if !same("enrolment_id", *pay.EnrolmentID) {
			return nil, outcomeUnknownPayment, nil
		}
		e, err := w.courses.EnrolmentByID(ctx, pay.OrgID, *pay.EnrolmentID)
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return nil, "", err
		}
		if e != nil && (e.CourseID != pay.CourseID || e.UserID != pay.UserID) {
			return nil, outcomeUnknownPayment, nil
		}
	}
	if pay.CheckoutSessionID != nil && *pay.CheckoutSessionID != cs.ID {
		return nil, outcomeUnknownPayment, nil
	}
	return pay, "", nil
}

// grant marks a payment paid and opens what it bought, exactly once: the
// payment's status change is the guard. A receipt or a refund that came
// first is applied now.
func (s *Service) grant(ctx context.Context, w *eventTx, pay *Payment, cs *stripe.CheckoutSession) (string, error) {
	var intent *string
	if cs.PaymentIntent != nil && cs.PaymentIntent.ID != "" {
		pi := cs.PaymentIntent.ID
		intent = &pi
	}
	// The course stands as long as its payment does (a payment goes with
	// its course), so it is read before anything is written.
	c, err := w.courses.Course(ctx, pay.OrgID, pay.CourseID)
	if err != nil {
		return "", err
	}
	// What was actually paid, after any promotion code.
	paid, err := w.store.MarkPaid(ctx, pay.OrgID, pay.ID, intent, cs.AmountTotal, w.now)
	if err != nil || !paid {
		return outcomeAlreadyDone, err
	}
	if cs.AmountTotal > 0 {
		pay.AmountMinor = cs.AmountTotal
	}
	outcome := outcomeGranted
	switch pay.Kind {
	case KindSeats:
		seat := &Seat{ID: uuid.Must(uuid.NewV7()), OrgID: pay.OrgID, CourseID: pay.CourseID, PaymentID: pay.ID, Quantity: pay.Quantity, CreatedAt: w.now}
		if err := w.store.AddSeats(ctx, seat); err != nil {
			return "", err
		}
		outcome = outcomeSeatsAdded
	default:
		if pay.EnrolmentID == nil {
			return outcomeUnknownPayment, nil
		}
		if err := s.openPlace(ctx, w, pay, c); err != nil {
			return "", err
		}
	}
	if intent != nil {
		// What arrived before the payment was known applies now: the
		// latest receipt, and a refund.
		receipts, err := w.store.TakeWaiting(ctx, *intent, "charge.succeeded", outcomeDeferredReceipt, outcomeLateReceipt, w.now)
		if err != nil {
			return "", err
		}
		if len(receipts) > 0 {
			if err := w.store.SetReceipt(ctx, pay, receipts[len(receipts)-1].ReceiptURL, w.now); err != nil {
				return "", err
			}
		}
		refunds, err := w.store.TakeWaiting(ctx, *intent, "charge.refunded", outcomeDeferredRefund, outcomeLateRefund, w.now)
		if err != nil {
			return "", err
		}
		if len(refunds) > 0 {
			if _, err := s.refund(ctx, w, pay); err != nil {
				return "", err
			}
			return outcome + "; then " + outcomeLateRefund, nil
		}
	}
	if pay.Kind == KindCourse {
		if err := s.queueAccessOpen(ctx, w.tx, pay, c, w.org.Slug); err != nil {
			return "", err
		}
	}
	return outcome, nil
}

// queueAccessOpen e-mails the buyer that their place is open.
func (s *Service) queueAccessOpen(ctx context.Context, tx bun.IDB, pay *Payment, c *courses.Course, slug string) error {
	u, err := auth.UserByID(ctx, tx, pay.UserID)
	if err != nil {
		return err
	}
	_, err = s.Mail.Queue(ctx, tx, mail.Message{
		OrgID: pay.OrgID, To: u.Email, Template: "course_access_open",
		Data: map[string]any{
			"Name": u.Name, "Course": c.Title, "Amount": pay.Amount(),
			"Link": s.BaseURL + "/o/" + slug + "/courses/" + c.ID.String(),
		},
		DedupeKey: "access-open:" + pay.ID.String(),
	})
	return err
}

// openPlace opens the place a course payment was for (the courses store
// says which, when that place was dropped or replaced meanwhile), and
// links the payment to it.
func (s *Service) openPlace(ctx context.Context, w *eventTx, pay *Payment, c *courses.Course) error {
	open, err := w.courses.OpenPurchased(ctx, w.now, c, pay.UserID, *pay.EnrolmentID)
	if err != nil || open == *pay.EnrolmentID {
		return err
	}
	pay.EnrolmentID = &open
	return w.store.SetEnrolment(ctx, pay.OrgID, pay.ID, open)
}

// refund marks a payment refunded and withdraws what it bought.
func (s *Service) refund(ctx context.Context, w *eventTx, pay *Payment) (string, error) {
	changed, err := w.store.MarkRefunded(ctx, pay.OrgID, pay.ID, w.now)
	if err != nil {
		return "", err
	}
	if !changed {
		return outcomeDuplicate + " (already refunded)", nil
	}
	if pay.Kind == KindSeats {
		return s.refundSeats(ctx, w, pay)
	}
	if pay.EnrolmentID != nil {
		if _, err := w.courses.Revoke(ctx, w.now, pay.OrgID, *pay.EnrolmentID); err != nil {
			return "", err
		}
	}
	return outcomeRefunded, nil
}

// refundSeats withdraws the seats a refunded payment bought. When the
// course's remaining seats no longer cover its assignments, seats are
// taken back from members who have not started, the latest assigned
// first, until they do; members who have started keep their place, and
// their seat is marked kept (it no longer counts against the seats held).
// The outcome names who lost a seat and who kept one.
func (s *Service) refundSeats(ctx context.Context, w *eventTx, pay *Payment) (string, error) {
	lacking, held, err := w.store.WithdrawSeats(ctx, pay.OrgID, pay.ID, pay.CourseID, w.now)
	if err != nil || lacking == 0 {
		return fmt.Sprintf("%s (%d); every assigned seat is still covered", outcomeSeatsRefunded, pay.Quantity), err
	}
	var unassigned, kept []uuid.UUID
	var started []SeatAssignment
	for _, a := range held {
		if lacking == 0 {
			break
		}
		err := w.courses.DeleteUnstarted(ctx, pay.OrgID, a.EnrolmentID)
		switch {
		case errors.Is(err, db.ErrConflict):
			started = append(started, a)
			continue
		case err != nil && !errors.Is(err, db.ErrNotFound):
			return "", err
		}
		if err := w.store.DeleteAssignment(ctx, pay.OrgID, a.ID); err != nil {
			return "", err
		}
		unassigned = append(unassigned, a.UserID)
		lacking--
	}
	for i := 0; lacking > 0 && i < len(started); i++ {
		if err := w.store.KeepAssignment(ctx, pay.OrgID, started[i].ID, w.now); err != nil {
			return "", err
		}
		kept = append(kept, started[i].UserID)
		lacking--
	}
	names := func(ids []uuid.UUID) string {
		out := make([]string, len(ids))
		for i, id := range ids {
			out[i] = id.String()
			if u, err := auth.UserByID(ctx, w.tx, id); err == nil {
				out[i] = u.Name
			}
		}
		return strings.Join(out, ", ")
	}
	outcome := fmt.Sprintf("%s (%d)", outcomeSeatsRefunded, pay.Quantity)
	if len(unassigned) > 0 {
		outcome += "; taken back from members who had not started: " + names(unassigned)
	}
	if len(kept) > 0 {
		outcome += "; kept by members who had started: " + names(kept)
	}
	return outcome, nil
}

// receiptURL is a charge's receipt link, when it is one of Stripe's https
// pages (anything else is not shown to people).
func receiptURL(ch *stripe.Charge) string {
	if strings.HasPrefix(ch.ReceiptURL, "https://") {
		return ch.ReceiptURL
	}
	return ""
}
