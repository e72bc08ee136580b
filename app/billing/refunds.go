package billing

import (
	"context"
	"errors"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/workers"
)

// The periodic reconciliation applies refunds that arrived before their
// payment was recorded (the refund itself is in events.go).

// ReconcileRefunds applies the refunds left deferred whose payment is
// known by now, and returns how many it applied. The grant applies them
// itself; this periodic pass is the safety net for any that slipped by.
func (s *Service) ReconcileRefunds(ctx context.Context) (int, error) {
	waiting, err := s.Store.WaitingEvents(ctx, "charge.refunded", outcomeDeferredRefund)
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
			refunds, err := w.store.TakeWaiting(ctx, intent, "charge.refunded", outcomeDeferredRefund, outcomeLateRefund, w.now)
			if err != nil || len(refunds) == 0 {
				return err
			}
			if _, err := s.refund(ctx, w, pay); err != nil {
				return err
			}
			applied++
			return nil
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
