package calendar

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Join gives a member of the relationship a seat in a group session, or
// a place on its waitlist when every seat is taken.
func (s *Service) Join(ctx context.Context, orgID, sessionID, userID uuid.UUID) (string, error) {
	org, err := s.Tenancy.OrgByID(ctx, orgID)
	if err != nil {
		return "", err
	}
	now := s.Clock.Now()
	status := ""
	err = s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		store := s.Store.WithTx(tx)
		sess, err := store.LockSession(ctx, orgID, sessionID)
		if err != nil {
			return err
		}
		if sess.Status != StatusScheduled || !sess.StartsAt.After(now) {
			return ErrNotChangeable
		}
		as, err := store.Attendees(ctx, orgID, sessionID)
		if err != nil {
			return err
		}
		booked, lastPos := 0, 0
		var mine *Attendee
		for i := range as {
			a := &as[i]
			if a.UserID == userID {
				mine = a
			}
			if a.Status == AttendeeBooked {
				booked++
			}
			lastPos = max(lastPos, a.WaitlistPosition)
		}
		if mine != nil && mine.Status != AttendeeCancelled {
			status = mine.Status
			return nil
		}
		status = AttendeeBooked
		pos := 0
		if booked >= sess.Capacity {
			status, pos = AttendeeWaitlisted, lastPos+1
		}
		if mine != nil {
			mine.Status, mine.WaitlistPosition, mine.UpdatedAt = status, pos, now
			err = store.UpdateAttendee(ctx, mine)
		} else {
			err = store.AddAttendees(ctx, []Attendee{{ID: uuid.Must(uuid.NewV7()), OrgID: orgID, SessionID: sessionID, UserID: userID, Status: status, WaitlistPosition: pos, CreatedAt: now, UpdatedAt: now}})
		}
		if err != nil || status != AttendeeBooked {
			return err
		}
		// A seat taken is a session booked: its invitation goes out.
		return s.notify(ctx, tx, org, []Session{*sess}, "session_booked", "", []uuid.UUID{userID})
	})
	return status, err
}

// Leave gives up a seat (or a waitlist place); a freed seat goes to the
// first person on the waitlist, who is told by e-mail.
func (s *Service) Leave(ctx context.Context, orgID, sessionID, userID uuid.UUID) error {
	org, err := s.Tenancy.OrgByID(ctx, orgID)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	return s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		store := s.Store.WithTx(tx)
		sess, err := store.LockSession(ctx, orgID, sessionID)
		if err != nil {
			return err
		}
		as, err := store.Attendees(ctx, orgID, sessionID)
		if err != nil {
			return err
		}
		var mine, next *Attendee
		for i := range as {
			a := &as[i]
			if a.UserID == userID {
				mine = a
			}
			if a.Status == AttendeeWaitlisted && a.UserID != userID && (next == nil || a.WaitlistPosition < next.WaitlistPosition) {
				next = a
			}
		}
		if mine == nil || mine.Status == AttendeeCancelled {
			return nil
		}
		freed := mine.Status == AttendeeBooked
		mine.Status, mine.WaitlistPosition, mine.UpdatedAt = AttendeeCancelled, 0, now
		if err := store.UpdateAttendee(ctx, mine); err != nil {
			return err
		}
		if !freed || next == nil || sess.Status != StatusScheduled {
			return nil
		}
		next.Status, next.WaitlistPosition, next.UpdatedAt = AttendeeBooked, 0, now
		if err := store.UpdateAttendee(ctx, next); err != nil {
			return err
		}
		return s.notify(ctx, tx, org, []Session{*sess}, "session_seat", "", []uuid.UUID{next.UserID})
	})
}
