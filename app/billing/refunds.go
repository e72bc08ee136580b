package billing

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/workers"
)

// Refunds: a refund withdraws what its payment gave (a place, or seats),
// and the periodic reconciliation applies refunds that arrived before
// their payment was recorded.

// ReconcileRefunds applies the refunds left deferred whose payment is
// known by now, and returns how many it applied. The grant applies them
// itself; this periodic pass is the safety net for any that slipped by.
func (s *Service) ReconcileRefunds(ctx context.Context) (int, error) {
	waiting, err := s.Store.WaitingEvents(ctx, "", "charge.refunded", outcomeDeferredRefund)
	if err != nil {
		return 0, err
	}
	applied := 0
	for _, ev := range waiting {
		intent := *ev.PaymentIntentID
		orgID, err := s.Store.OrgByIntent(ctx, intent)
		if errors.Is(err, db.ErrNotFound) {
			continue
		}
		if err != nil {
			return applied, err
		}
		err = s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
			w := &eventTx{tx: tx, store: s.Store.WithTx(tx), courses: s.Courses.WithTx(tx), now: s.Clock.Now()}
			if err := w.store.LockPayment(ctx, intent); err != nil {
				return err
			}
			pay, err := w.store.PaymentByIntent(ctx, orgID, intent)
			if err != nil {
				return err
			}
			done, err := s.applyDeferredRefunds(ctx, w, pay, intent)
			if done {
				applied++
			}
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("billing: reconcile refund %s: %w", ev.EventID, err)
		}
	}
	if applied > 0 {
		s.Log.WarnContext(ctx, "billing: deferred refunds applied by reconciliation", "count", applied)
	}
	return applied, nil
}

// HandleReconcileRefunds is the periodic task's handler.
func (s *Service) HandleReconcileRefunds(ctx context.Context, _ workers.Periodic) error {
	_, err := s.ReconcileRefunds(ctx)
	return err
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
	if err := w.store.RevokeSeats(ctx, pay.OrgID, pay.ID, w.now); err != nil {
		return "", err
	}
	free, err := w.store.FreeSeats(ctx, pay.OrgID, pay.CourseID)
	if err != nil || free >= 0 {
		return fmt.Sprintf("%s (%d); every assigned seat is still covered", outcomeSeatsRefunded, pay.Quantity), err
	}
	as, err := w.store.HeldAssignments(ctx, pay.OrgID, pay.CourseID)
	if err != nil {
		return "", err
	}
	name := func(id uuid.UUID) string {
		if u, err := auth.UserByID(ctx, w.tx, id); err == nil {
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
		unassigned = append(unassigned, name(a.UserID))
		free++
	}
	for i := 0; free < 0 && i < len(started); i++ {
		if err := w.store.KeepAssignment(ctx, pay.OrgID, started[i].ID, w.now); err != nil {
			return "", err
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
