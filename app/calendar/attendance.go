package calendar

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/outbox"
	"github.com/leadershiptoolbox/toolbox/workers"
)

// Outcomes a practitioner marks after a session.
var Outcomes = []string{StatusCompleted, StatusNoShow, StatusCancelledLate}

// MarkAttendance records the outcome of a session that has started and,
// for group sessions, each attendee's own attendance (userID → attended
// or no_show). Completed sessions count toward hours, and ask their
// attendees for feedback (an outbox task: marked twice, asked once).
func (s *Service) MarkAttendance(ctx context.Context, orgID, sessionID uuid.UUID, outcome string, each map[uuid.UUID]string) error {
	if !slices.Contains(Outcomes, outcome) {
		return fmt.Errorf("calendar: outcome %q: %w", outcome, ErrNotChangeable)
	}
	now := s.Clock.Now()
	return s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		store := s.Store.WithTx(tx)
		sess, err := store.LockSession(ctx, orgID, sessionID)
		if err != nil {
			return err
		}
		if sess.Status == StatusCancelled {
			return ErrNotChangeable
		}
		if sess.StartsAt.After(now) {
			return ErrNotYet
		}
		sess.Status, sess.UpdatedAt = outcome, now
		if err := store.UpdateSession(ctx, sess, "status", "updated_at"); err != nil {
			return err
		}
		as, err := store.Attendees(ctx, orgID, sessionID)
		if err != nil {
			return err
		}
		for i := range as {
			a := &as[i]
			if a.Status == AttendeeCancelled || a.Status == AttendeeWaitlisted {
				continue
			}
			st, ok := each[a.UserID]
			if !ok || (st != AttendeeAttended && st != AttendeeNoShow) {
				st = AttendeeAttended
				if outcome != StatusCompleted {
					st = AttendeeNoShow
				}
			}
			a.Status, a.UpdatedAt = st, now
			if err := store.UpdateAttendee(ctx, a); err != nil {
				return err
			}
		}
		if outcome == StatusCompleted {
			return outbox.Add(ctx, tx, now, workers.NewAskFeedbackTask(orgID, sessionID))
		}
		return nil
	})
}
