package calendar

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/outbox"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/workers"
)

// offsets are the organisation's reminder offsets, in minutes.
func offsets(org *tenancy.Organisation) []int {
	if len(org.Settings.ReminderOffsetsMinutes) > 0 {
		return org.Settings.ReminderOffsetsMinutes
	}
	return tenancy.DefaultSettings().ReminderOffsetsMinutes
}

// scheduleReminders records a reminder task per offset for the session's
// current version. An offset already past (a session booked two hours
// ahead has no use for its 24-hour reminder) is not scheduled at all.
func (s *Service) scheduleReminders(ctx context.Context, tx bun.IDB, org *tenancy.Organisation, sess *Session, now time.Time) error {
	for _, off := range offsets(org) {
		if off <= 0 {
			continue
		}
		due := sess.StartsAt.Add(-minutes(off))
		if due.Before(now) {
			continue
		}
		p := workers.SessionReminderPayload{OrgID: org.ID, SessionID: sess.ID, Version: sess.Version, OffsetMinutes: off}
		if err := outbox.Add(ctx, tx, now, workers.NewSessionReminderTask(p, due)); err != nil {
			return err
		}
	}
	return nil
}

// HandleSessionReminder sends one reminder of a session to each person in
// it, at most once per session, offset and person. It does nothing for a
// session that was cancelled or changed since the task was recorded (the
// version differs; the change recorded its own reminders); if it runs
// early (Asynq may start a task up to a second before its time) it
// records itself again for the right time and does nothing now.
func (s *Service) HandleSessionReminder(ctx context.Context, p workers.SessionReminderPayload) error {
	if p.OrgID == uuid.Nil || p.SessionID == uuid.Nil {
		return nil
	}
	org, err := s.Tenancy.OrgByID(ctx, p.OrgID)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	return s.DB.InTenant(ctx, p.OrgID, func(ctx context.Context, tx bun.Tx) error {
		store := s.Store.WithTx(tx)
		sess, err := store.LockSession(ctx, p.OrgID, p.SessionID)
		if errors.Is(err, db.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if sess.Status != StatusScheduled || sess.Version != p.Version {
			return nil
		}
		due := sess.StartsAt.Add(-minutes(p.OffsetMinutes))
		if now.Before(due) {
			return outbox.Add(ctx, tx, now, workers.NewSessionReminderTask(p, due))
		}
		if !now.Before(sess.StartsAt) {
			return nil // the session has begun: a reminder now is pointless
		}
		people, err := s.sessionPeople(ctx, tx, sess)
		if err != nil {
			return err
		}
		sent := false
		for _, userID := range people {
			fresh, err := store.RecordDelivery(ctx, &delivery{
				ID: uuid.Must(uuid.NewV7()), OrgID: p.OrgID, SessionID: sess.ID, OffsetMinutes: p.OffsetMinutes,
				UserID: userID, SessionVersion: sess.Version, DeliveredAt: now,
			})
			if err != nil {
				return err
			}
			if !fresh {
				continue
			}
			if err := s.notify(ctx, tx, org, []Session{*sess}, "session_reminder", "", []uuid.UUID{userID}); err != nil {
				return err
			}
			sent = true
		}
		if sent && s.ReminderLateness != nil {
			s.ReminderLateness(now.Sub(due))
		}
		if s.ReminderHook != nil {
			s.ReminderHook(ctx)
		}
		return nil
	})
}
