package calendar

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
)

// ChangeInput asks to cancel or move a session.
type ChangeInput struct {
	SessionID uuid.UUID
	ActorID   uuid.UUID
	// Privileged: the session's practitioner side, or an admin.
	Privileged bool
	// OverrideNotice: a privileged person overrides the minimum notice.
	OverrideNotice bool
	Reason         string
	// Following applies the change to this and the following sessions of
	// the series.
	Following bool
	// NewStart is the new time (reschedule only).
	NewStart time.Time
	// IP is where the request came from (the audit log keeps it).
	IP string
}

// noticeCheck applies the organisation's minimum notice to a change of a
// session starting at start; it reports whether the notice was overridden.
func noticeCheck(org *tenancy.Organisation, in ChangeInput, start, now time.Time) (bool, error) {
	notice := time.Duration(org.Settings.MinCancelNoticeHours) * time.Hour
	if !start.Before(now.Add(notice)) {
		return false, nil
	}
	if in.Privileged && in.OverrideNotice {
		return true, nil
	}
	return false, ErrTooLate
}

// targets loads the session and, for "this and following", the later
// scheduled sessions of its series.
func (s *Service) targets(ctx context.Context, tx bun.IDB, orgID uuid.UUID, in ChangeInput) ([]Session, error) {
	sess, err := s.Store.WithTx(tx).LockSession(ctx, orgID, in.SessionID)
	if err != nil {
		return nil, err
	}
	if sess.Status != StatusScheduled {
		return nil, ErrNotChangeable
	}
	if !in.Following || sess.SeriesID == nil {
		return []Session{*sess}, nil
	}
	return s.Store.WithTx(tx).SeriesFrom(ctx, orgID, *sess.SeriesID, sess.SeriesIndex)
}

// Cancel cancels a session (or it and the following ones of its series),
// keeping the reason, and tells everyone affected with a METHOD:CANCEL
// invitation. The version rises, so its reminders do nothing.
func (s *Service) Cancel(ctx context.Context, orgID uuid.UUID, in ChangeInput) error {
	org, err := s.Tenancy.OrgByID(ctx, orgID)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	return s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		sessions, err := s.targets(ctx, tx, orgID, in)
		if err != nil {
			return err
		}
		var changed []Session
		for _, sess := range sessions {
			overridden, err := noticeCheck(org, in, sess.StartsAt, now)
			if err != nil {
				return err
			}
			sess.Status, sess.CancelReason, sess.CancelledBy, sess.CancelledAt = StatusCancelled, in.Reason, &in.ActorID, &now
			sess.OverrideNotice = sess.OverrideNotice || overridden
			sess.Version++
			sess.UpdatedAt = now
			if err := s.Store.WithTx(tx).UpdateSession(ctx, &sess, "status", "cancel_reason", "cancelled_by", "cancelled_at", "override_notice", "version", "updated_at"); err != nil {
				return err
			}
			if overridden {
				detail := fmt.Sprintf("inside the %d-hour minimum notice; reason: %s", org.Settings.MinCancelNoticeHours, in.Reason)
				if err := recordAudit(ctx, tx, orgID, in.ActorID, in.IP, ActionCancelOverride, sessionTarget(&sess), detail, now); err != nil {
					return err
				}
			}
			changed = append(changed, sess)
		}
		return s.notify(ctx, tx, org, changed, "session_cancelled", in.Reason, nil)
	})
}

// Reschedule moves a session (or it and the following ones, by the same
// amount) to a new time, within the notice policy and never onto a busy
// time. The version rises: old reminders do nothing, new ones are
// scheduled, and calendar apps update the event (ICS SEQUENCE).
func (s *Service) Reschedule(ctx context.Context, orgID uuid.UUID, in ChangeInput) error {
	org, err := s.Tenancy.OrgByID(ctx, orgID)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	if !in.NewStart.After(now) {
		return ErrNotOffered
	}
	err = s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		store := s.Store.WithTx(tx)
		sessions, err := s.targets(ctx, tx, orgID, in)
		if err != nil {
			return err
		}
		first := sessions[0]
		info, err := s.readRelationship(ctx, tx, org, first.RelationshipID, false)
		if err != nil {
			return err
		}
		zone := loadZone(first.TimeZone)
		if zone == nil {
			zone = time.UTC
		}
		bs, err := store.BookingSettings(ctx, orgID, first.PractitionerID)
		if err != nil {
			return err
		}
		// Following sessions keep their distance in days and their wall-
		// clock time in the practitioner's zone.
		oldLocal, newLocal := first.StartsAt.In(zone), in.NewStart.In(zone)
		dayShift := int(dateOf(newLocal).Sub(dateOf(oldLocal)).Hours() / 24)
		shift := time.Duration(newLocal.Hour()-oldLocal.Hour())*time.Hour + time.Duration(newLocal.Minute()-oldLocal.Minute())*time.Minute
		var ids []uuid.UUID
		for _, sess := range sessions {
			ids = append(ids, sess.ID)
		}
		var changed []Session
		for i, sess := range sessions {
			overridden, err := noticeCheck(org, in, sess.StartsAt, now)
			if err != nil {
				return err
			}
			target := sessionTarget(&sess) // at its old time
			length := sess.EndsAt.Sub(sess.StartsAt)
			start := in.NewStart.UTC()
			if i > 0 {
				l := sess.StartsAt.In(zone).AddDate(0, 0, dayShift)
				start = time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), 0, 0, zone).Add(shift).UTC()
			}
			if err := agreementRefusal(info, start); err != nil {
				return err
			}
			if !in.Privileged {
				// A member moves a session only to an open time, with notice.
				if _, err := noticeCheck(org, in, start, now); err != nil {
					return err
				}
				o := &Occurrence{Index: 0, Start: start, End: start.Add(length)}
				p, err := s.problem(ctx, tx, &relInfo{Org: org}, sess.PractitionerID, length, bs, o, false, now, ids...)
				if err != nil {
					return err
				}
				if p == problemBusy {
					return ErrSlotTaken
				}
				if p != "" {
					return ErrNotOffered
				}
			}
			sess.StartsAt, sess.EndsAt = start, start.Add(length)
			sess.BusyFrom, sess.BusyTo = start.Add(-minutes(bs.BufferBeforeMin)), start.Add(length+minutes(bs.BufferAfterMin))
			busy, err := store.BusyBetween(ctx, orgID, sess.PractitionerID, sess.BusyFrom, sess.BusyTo, ids...)
			if err != nil {
				return err
			}
			if len(busy) > 0 {
				return ErrSlotTaken
			}
			if overridden {
				detail := fmt.Sprintf("inside the %d-hour minimum notice; moved to %s", org.Settings.MinCancelNoticeHours, start.Format("2006-01-02 15:04 UTC"))
				if in.Reason != "" {
					detail += "; reason: " + in.Reason
				}
				if err := recordAudit(ctx, tx, orgID, in.ActorID, in.IP, ActionMoveOverride, target, detail, now); err != nil {
					return err
				}
			}
			sess.OverrideNotice = sess.OverrideNotice || overridden
			sess.Version++
			sess.UpdatedAt = now
			changed = append(changed, sess)
		}
		// Park them all outside the no-overlap rule, then place them, so
		// that a series moving into its own old times never meets itself
		// half-way.
		if err := store.ParkSessions(ctx, orgID, ids); err != nil {
			return err
		}
		for i := range changed {
			if err := store.UpdateSession(ctx, &changed[i], "status", "starts_at", "ends_at", "busy_from", "busy_to", "override_notice", "version", "updated_at"); err != nil {
				if errors.Is(err, db.ErrConflict) {
					return ErrSlotTaken
				}
				return err
			}
			if err := s.scheduleReminders(ctx, tx, org, &changed[i], now); err != nil {
				return err
			}
		}
		return s.notify(ctx, tx, org, changed, "session_moved", in.Reason, nil)
	})
	if errors.Is(err, db.ErrConflict) {
		return ErrSlotTaken
	}
	return err
}

func dateOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
