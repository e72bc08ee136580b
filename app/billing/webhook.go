package billing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/courses"
	"github.com/leadershiptoolbox/toolbox/app/db"
)

// maxWebhookBody bounds what the webhook reads; Stripe events are far
// smaller.
const maxWebhookBody = 64 << 10

// webhookTolerance is how old a signed payload may be.
const webhookTolerance = 5 * time.Minute

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

// receiveWebhook is POST /webhooks/stripe: verify, store once, process,
// answer. Bad signatures are 400 and change nothing; everything verified
// is acknowledged with 200, even when it names nothing we know, so that
// Stripe does not retry it forever. Only our own failures are 500 (Stripe
// then retries, and the event is processed then).
func (h *Handlers) receiveWebhook(c *gin.Context) {
	s := h.Service
	if s.WebhookSecret == "" {
		c.JSON(http.StatusBadRequest, gin.H{"error": "webhooks are not configured"})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxWebhookBody))
	if err != nil {
		c.JSON(http.StatusBadRequest, gin.H{"error": "body too large or unreadable"})
		return
	}
	ev, err := webhook.ConstructEventWithOptions(body, c.GetHeader("Stripe-Signature"), s.WebhookSecret,
		webhook.ConstructEventOptions{Tolerance: webhookTolerance, IgnoreAPIVersionMismatch: true})
	if err != nil {
		s.Log.Warn("stripe webhook refused", "err", err)
		c.JSON(http.StatusBadRequest, gin.H{"error": "invalid signature or payload"})
		return
	}
	outcome, err := s.HandleEvent(c.Request.Context(), ev)
	if err != nil {
		s.Log.Error("stripe webhook failed", "event", ev.ID, "type", ev.Type, "err", err)
		c.JSON(http.StatusInternalServerError, gin.H{"error": "processing failed; please retry"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"received": true, "outcome": outcome})
}

// HandleEvent processes a verified event exactly once. The event row is
// claimed (INSERT … ON CONFLICT DO NOTHING on its unique id) in the same
// transaction as the work it causes: a second delivery, concurrent or
// later, finds the row and does nothing. The transaction is scoped to the
// organisation named by the event, and every object the event names is
// looked up within that organisation, so one organisation's event cannot
// touch another's data.
func (s *Service) HandleEvent(ctx context.Context, ev stripe.Event) (string, error) {
	now := s.Clock.Now()
	row := &StripeEvent{ID: uuid.Must(uuid.NewV7()), EventID: ev.ID, Type: string(ev.Type), ReceivedAt: now}
	var session *stripe.CheckoutSession
	var charge, receipt *stripe.Charge
	var orgID uuid.UUID
	switch ev.Type {
	case "checkout.session.completed", "checkout.session.async_payment_succeeded",
		"checkout.session.async_payment_failed", "checkout.session.expired":
		session = new(stripe.CheckoutSession)
		if err := json.Unmarshal(ev.Data.Raw, session); err != nil {
			session = nil
			break
		}
		orgID, _ = uuid.Parse(session.Metadata["org_id"])
		if session.PaymentIntent != nil && session.PaymentIntent.ID != "" {
			pi := session.PaymentIntent.ID
			row.PaymentIntentID = &pi
		}
	case "charge.refunded", "charge.succeeded":
		ch := new(stripe.Charge)
		if err := json.Unmarshal(ev.Data.Raw, ch); err != nil {
			break
		}
		if ev.Type == "charge.succeeded" {
			receipt = ch
			row.ReceiptURL = receiptURL(ch)
		} else {
			charge = ch
		}
		if ch.PaymentIntent != nil && ch.PaymentIntent.ID != "" {
			pi := ch.PaymentIntent.ID
			row.PaymentIntentID = &pi
			org, err := s.Store.OrgByIntent(ctx, pi)
			switch {
			case err == nil:
				orgID = org
			case errors.Is(err, db.ErrNotFound):
				orgID, _ = uuid.Parse(ch.Metadata["org_id"])
			default:
				return "", err
			}
		}
	}
	slug := ""
	if orgID != uuid.Nil {
		org, err := s.Tenancy.OrgByID(ctx, orgID)
		switch {
		case errors.Is(err, db.ErrNotFound):
			orgID = uuid.Nil
		case err != nil:
			return "", err
		default:
			slug = org.Slug
			row.OrgID = &orgID
		}
	}

	outcome := ""
	work := func(ctx context.Context, tx bun.Tx) error {
		claimed, err := claimEvent(ctx, tx, row)
		if err != nil {
			return err
		}
		if !claimed {
			outcome = outcomeDuplicate
			return nil
		}
		switch {
		case session != nil && orgID != uuid.Nil:
			outcome, err = s.applySession(ctx, tx, now, ev.Type, session, orgID, slug)
		case charge != nil && orgID != uuid.Nil:
			outcome, err = s.applyRefund(ctx, tx, now, charge, orgID)
		case receipt != nil && orgID != uuid.Nil:
			outcome, err = s.applyReceipt(ctx, tx, now, receipt, orgID)
		case charge != nil && charge.Refunded && row.PaymentIntentID != nil:
			outcome = outcomeDeferredRefund
		case receipt != nil && row.ReceiptURL != "" && row.PaymentIntentID != nil:
			// The charge came before its checkout.session.completed: the
			// link waits on the event row until the payment is known.
			outcome = outcomeDeferredReceipt
		case receipt != nil:
			outcome = outcomeNoReceipt
		case session != nil || charge != nil:
			outcome = outcomeUnknownOrg
		default:
			outcome = outcomeIgnored
		}
		if err != nil {
			return err
		}
		return finishEvent(ctx, tx, row.ID, outcome, now)
	}
	var err error
	if orgID != uuid.Nil {
		err = s.DB.InTenant(ctx, orgID, work)
	} else {
		err = s.DB.Tx(ctx, work)
	}
	if err != nil {
		return "", fmt.Errorf("billing: event %s (%s): %w", ev.ID, ev.Type, err)
	}
	if outcome == outcomeUnknownOrg || outcome == outcomeUnknownPayment {
		s.Log.Warn("stripe event names nothing we know; recorded for the operator", "event", ev.ID, "type", ev.Type, "outcome", outcome)
	}
	return outcome, nil
}

// applySession handles the checkout.session.* events for a payment of orgID.
func (s *Service) applySession(ctx context.Context, tx bun.IDB, now time.Time, typ stripe.EventType, cs *stripe.CheckoutSession, orgID uuid.UUID, slug string) (string, error) {
	pay, ok, err := s.sessionPayment(ctx, tx, cs, orgID)
	if err != nil || !ok {
		return outcomeUnknownPayment, err
	}
	switch typ {
	case "checkout.session.completed":
		switch cs.PaymentStatus {
		case stripe.CheckoutSessionPaymentStatusPaid, stripe.CheckoutSessionPaymentStatusNoPaymentRequired:
			return s.grant(ctx, tx, now, pay, cs, slug)
		default:
			if _, err := tx.NewUpdate().Model((*Payment)(nil)).Set("status = ?", PaymentProcessing).Set("updated_at = ?", now).
				Where("org_id = ? AND id = ? AND status = ?", orgID, pay.ID, PaymentOpen).Exec(ctx); err != nil {
				return "", err
			}
			return outcomeAwaiting, nil
		}
	case "checkout.session.async_payment_succeeded":
		return s.grant(ctx, tx, now, pay, cs, slug)
	case "checkout.session.async_payment_failed", "checkout.session.expired":
		status, outcome := PaymentFailed, outcomeFailed
		if typ == "checkout.session.expired" {
			status, outcome = PaymentExpired, outcomeExpired
		}
		res, err := tx.NewUpdate().Model((*Payment)(nil)).Set("status = ?", status).Set("updated_at = ?", now).
			Where("org_id = ? AND id = ? AND status IN (?)", orgID, pay.ID, bun.In([]string{PaymentOpen, PaymentProcessing})).Exec(ctx)
		if err != nil {
			return "", err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return outcomeNotPaid + " (payment already settled: " + pay.Status + ")", nil
		}
		if pay.EnrolmentID != nil {
			if _, err := courses.DropPending(ctx, tx, orgID, *pay.EnrolmentID); err != nil {
				return "", err
			}
		}
		if pay.Kind == KindSeats {
			outcome = status + ": no seats added"
		}
		return outcome, nil
	}
	return outcomeIgnored, nil
}

// sessionPayment finds the payment a session's metadata names, and checks
// that everything the metadata says agrees with it, in orgID.
func (s *Service) sessionPayment(ctx context.Context, tx bun.IDB, cs *stripe.CheckoutSession, orgID uuid.UUID) (*Payment, bool, error) {
	id, err := uuid.Parse(cs.Metadata["payment_id"])
	if err != nil {
		return nil, false, nil
	}
	pay, err := paymentTx(ctx, tx, orgID, id)
	if errors.Is(err, db.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	same := func(key string, want uuid.UUID) bool { return cs.Metadata[key] == want.String() }
	if !same("course_id", pay.CourseID) || !same("user_id", pay.UserID) || cs.Metadata["kind"] != pay.Kind {
		return nil, false, nil
	}
	if pay.EnrolmentID != nil {
		if !same("enrolment_id", *pay.EnrolmentID) {
			return nil, false, nil
		}
		e, err := courses.EnrolmentByIDTx(ctx, tx, orgID, *pay.EnrolmentID)
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return nil, false, err
		}
		if e != nil && (e.CourseID != pay.CourseID || e.UserID != pay.UserID) {
			return nil, false, nil
		}
	}
	if pay.CheckoutSessionID != nil && *pay.CheckoutSessionID != cs.ID {
		return nil, false, nil
	}
	return pay, true, nil
}

// grant marks a payment paid and opens what it bought, exactly once: the
// payment's status change is the guard.
func (s *Service) grant(ctx context.Context, tx bun.IDB, now time.Time, pay *Payment, cs *stripe.CheckoutSession, slug string) (string, error) {
	var intent *string
	if cs.PaymentIntent != nil && cs.PaymentIntent.ID != "" {
		pi := cs.PaymentIntent.ID
		intent = &pi
	}
	q := tx.NewUpdate().Model((*Payment)(nil)).Set("status = ?", PaymentPaid).Set("paid_at = ?", now).Set("updated_at = ?", now).
		Set("payment_intent_id = ?", intent).
		Where("org_id = ? AND id = ? AND status IN (?)", pay.OrgID, pay.ID, bun.In([]string{PaymentOpen, PaymentProcessing, PaymentExpired, PaymentFailed, PaymentCancelled}))
	if cs.AmountTotal > 0 {
		// What was actually paid, after any promotion code.
		q = q.Set("amount_minor = ?", cs.AmountTotal)
		pay.AmountMinor = cs.AmountTotal
	}
	res, err := q.Exec(ctx)
	if err != nil {
		return "", fmt.Errorf("billing: mark %s paid: %w", pay.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return outcomeAlreadyDone, nil
	}
	c, err := courses.CourseTx(ctx, tx, pay.OrgID, pay.CourseID)
	if err != nil {
		return "", err
	}
	outcome := outcomeGranted
	switch pay.Kind {
	case KindSeats:
		seat := &Seat{ID: uuid.Must(uuid.NewV7()), OrgID: pay.OrgID, CourseID: pay.CourseID, PaymentID: pay.ID, Quantity: pay.Quantity, CreatedAt: now}
		if _, err := tx.NewInsert().Model(seat).On("CONFLICT (org_id, payment_id) DO NOTHING").Exec(ctx); err != nil {
			return "", fmt.Errorf("billing: add seats: %w", err)
		}
		outcome = outcomeSeatsAdded
	default:
		if pay.EnrolmentID == nil {
			return outcomeUnknownPayment, nil
		}
		activated, err := courses.Activate(ctx, tx, now, pay.OrgID, *pay.EnrolmentID)
		if err != nil {
			return "", err
		}
		if !activated {
			// The pending place was dropped (the session expired first) or
			// replaced: the person paid, so open it again.
			e, err := courses.EnrolmentByIDTx(ctx, tx, pay.OrgID, *pay.EnrolmentID)
			if errors.Is(err, db.ErrNotFound) {
				e, err = courses.Enrol(ctx, tx, now, c, pay.UserID, courses.SourcePurchase, courses.EnrolActive)
				if err == nil {
					eid := e.ID
					pay.EnrolmentID = &eid
					_, err = tx.NewUpdate().Model((*Payment)(nil)).Set("enrolment_id = ?", eid).Where("org_id = ? AND id = ?", pay.OrgID, pay.ID).Exec(ctx)
				}
			}
			if errors.Is(err, courses.ErrAlreadyEnrolled) {
				// The person cancelled this checkout and started another,
				// then paid this one after all: open the new pending place.
				err = nil
				if cur, cerr := courses.EnrolmentTx(ctx, tx, pay.OrgID, pay.CourseID, pay.UserID); cerr != nil {
					err = cerr
				} else if cur.Status == courses.EnrolPending {
					if _, err = courses.Activate(ctx, tx, now, pay.OrgID, cur.ID); err == nil {
						_, err = tx.NewUpdate().Model((*Payment)(nil)).Set("enrolment_id = ?", cur.ID).Where("org_id = ? AND id = ?", pay.OrgID, pay.ID).Exec(ctx)
					}
				}
			}
			if err != nil {
				return "", err
			}
		}
	}
	if intent != nil {
		if err := s.applyDeferredReceipts(ctx, tx, now, pay, *intent); err != nil {
			return "", err
		}
		deferred, err := deferredRefundsTx(ctx, tx, *intent)
		if err != nil {
			return "", err
		}
		if len(deferred) > 0 {
			if _, err := s.refundPayment(ctx, tx, now, pay); err != nil {
				return "", err
			}
			for _, d := range deferred {
				if err := finishEvent(ctx, tx, d.ID, outcomeLateRefund, now); err != nil {
					return "", err
				}
			}
			return outcome + "; then " + outcomeLateRefund, nil
		}
	}
	if pay.Kind == KindCourse {
		if err := s.queueAccessOpen(ctx, tx, pay, c, slug); err != nil {
			return "", err
		}
	}
	return outcome, nil
}

// applyRefund handles charge.refunded for a payment of orgID.
func (s *Service) applyRefund(ctx context.Context, tx bun.IDB, now time.Time, ch *stripe.Charge, orgID uuid.UUID) (string, error) {
	if ch.PaymentIntent == nil || ch.PaymentIntent.ID == "" {
		return outcomeUnknownPayment, nil
	}
	pay, err := paymentByIntentTx(ctx, tx, orgID, ch.PaymentIntent.ID)
	if errors.Is(err, db.ErrNotFound) {
		if ch.Refunded {
			return outcomeDeferredRefund, nil
		}
		return outcomePartialRefund, nil
	}
	if err != nil {
		return "", err
	}
	if err := setReceiptTx(ctx, tx, now, pay, receiptURL(ch)); err != nil {
		return "", err
	}
	if !ch.Refunded {
		return outcomePartialRefund, nil
	}
	return s.refundPayment(ctx, tx, now, pay)
}

// refundPayment marks a payment refunded and withdraws what it bought.
func (s *Service) refundPayment(ctx context.Context, tx bun.IDB, now time.Time, pay *Payment) (string, error) {
	res, err := tx.NewUpdate().Model((*Payment)(nil)).Set("status = ?", PaymentRefunded).Set("refunded_at = ?", now).Set("updated_at = ?", now).
		Where("org_id = ? AND id = ? AND status <> ?", pay.OrgID, pay.ID, PaymentRefunded).Exec(ctx)
	if err != nil {
		return "", fmt.Errorf("billing: mark %s refunded: %w", pay.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return outcomeDuplicate + " (already refunded)", nil
	}
	if pay.Kind == KindSeats {
		return s.refundSeats(ctx, tx, now, pay)
	}
	if pay.EnrolmentID != nil {
		if _, err := courses.Revoke(ctx, tx, now, pay.OrgID, *pay.EnrolmentID); err != nil {
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
func (s *Service) refundSeats(ctx context.Context, tx bun.IDB, now time.Time, pay *Payment) (string, error) {
	if _, err := tx.NewUpdate().Model((*Seat)(nil)).Set("revoked_at = ?", now).
		Where("org_id = ? AND payment_id = ? AND revoked_at IS NULL", pay.OrgID, pay.ID).Exec(ctx); err != nil {
		return "", fmt.Errorf("billing: withdraw seats: %w", err)
	}
	free, err := freeSeatsTx(ctx, tx, s.DB.Engine, pay.OrgID, pay.CourseID)
	if err != nil || free >= 0 {
		return fmt.Sprintf("%s (%d); every assigned seat is still covered", outcomeSeatsRefunded, pay.Quantity), err
	}
	var as []SeatAssignment
	if err := tx.NewSelect().Model(&as).Where("org_id = ? AND course_id = ? AND refund_kept_at IS NULL", pay.OrgID, pay.CourseID).
		OrderExpr("assigned_at DESC, id DESC").Scan(ctx); err != nil {
		return "", fmt.Errorf("billing: seat assignments of %s: %w", pay.CourseID, err)
	}
	name := func(id uuid.UUID) string {
		if u, err := auth.UserByID(ctx, tx, id); err == nil {
			return u.Name
		}
		return id.String()
	}
	var unassigned, kept []string
	var started []SeatAssignment
	for _, a := range as {
		if free >= 0 {
			break
		}
		err := courses.DeleteUnstarted(ctx, tx, pay.OrgID, a.EnrolmentID)
		switch {
		case errors.Is(err, db.ErrConflict):
			started = append(started, a)
			continue
		case err != nil && !errors.Is(err, db.ErrNotFound):
			return "", err
		}
		if _, err := tx.NewDelete().Model((*SeatAssignment)(nil)).Where("org_id = ? AND id = ?", pay.OrgID, a.ID).Exec(ctx); err != nil {
			return "", fmt.Errorf("billing: take back seat %s: %w", a.ID, err)
		}
		unassigned = append(unassigned, name(a.UserID))
		free++
	}
	for i := 0; free < 0 && i < len(started); i++ {
		if _, err := tx.NewUpdate().Model((*SeatAssignment)(nil)).Set("refund_kept_at = ?", now).
			Where("org_id = ? AND id = ?", pay.OrgID, started[i].ID).Exec(ctx); err != nil {
			return "", fmt.Errorf("billing: keep seat %s: %w", started[i].ID, err)
		}
		kept = append(kept, name(started[i].UserID))
		free++
	}
	outcome := fmt.Sprintf("%s (%d)", outcomeSeatsRefunded, pay.Quantity)
	if len(unassigned) > 0 {
		outcome += "; taken back from members who had not started: " + strings.Join(unassigned, ", ")
	}
	if len(kept) > 0 {
		outcome += "; kept by members who had started: " + strings.Join(kept, ", ")
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

// setReceiptTx records a payment's receipt link.
func setReceiptTx(ctx context.Context, tx bun.IDB, now time.Time, pay *Payment, url string) error {
	if url == "" || url == pay.ReceiptURL {
		return nil
	}
	_, err := tx.NewUpdate().Model((*Payment)(nil)).Set("receipt_url = ?", url).Set("updated_at = ?", now).
		Where("org_id = ? AND id = ?", pay.OrgID, pay.ID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("billing: record receipt of %s: %w", pay.ID, err)
	}
	pay.ReceiptURL = url
	return nil
}

// applyReceipt handles charge.succeeded for a payment of orgID: its
// receipt link goes on the payment, for the billing history.
func (s *Service) applyReceipt(ctx context.Context, tx bun.IDB, now time.Time, ch *stripe.Charge, orgID uuid.UUID) (string, error) {
	url := receiptURL(ch)
	if url == "" {
		return outcomeNoReceipt, nil
	}
	if ch.PaymentIntent == nil || ch.PaymentIntent.ID == "" {
		return outcomeUnknownPayment, nil
	}
	pay, err := paymentByIntentTx(ctx, tx, orgID, ch.PaymentIntent.ID)
	if errors.Is(err, db.ErrNotFound) {
		return outcomeDeferredReceipt, nil
	}
	if err != nil {
		return "", err
	}
	if err := setReceiptTx(ctx, tx, now, pay, url); err != nil {
		return "", err
	}
	return outcomeReceipt, nil
}

// applyDeferredReceipts puts on a payment just paid the receipt link of a
// charge.succeeded that arrived before it.
func (s *Service) applyDeferredReceipts(ctx context.Context, tx bun.IDB, now time.Time, pay *Payment, intent string) error {
	var evs []StripeEvent
	if err := tx.NewSelect().Model(&evs).Where("payment_intent_id = ? AND type = ? AND outcome = ?", intent, "charge.succeeded", outcomeDeferredReceipt).
		OrderExpr("received_at DESC, id DESC").Scan(ctx); err != nil {
		return fmt.Errorf("billing: deferred receipts of %s: %w", intent, err)
	}
	for i, ev := range evs {
		if i == 0 {
			if err := setReceiptTx(ctx, tx, now, pay, ev.ReceiptURL); err != nil {
				return err
			}
		}
		if err := finishEvent(ctx, tx, ev.ID, outcomeLateReceipt, now); err != nil {
			return err
		}
	}
	return nil
}
