package calendar

import (
	"context"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/busy"
	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/mail"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
)

// Service holds the calendar's rules: availability, booking without
// double booking, series, group seats, cancellation and rescheduling
// with notice, attendance, subscriptions and reminders.
type Service struct {
	DB            *db.DB
	Store         *Store
	Clock         clock.Clock
	Mail          *mail.Service
	Relationships *relationships.Store
	Tenancy       *tenancy.Store
	// Busy reads the busy times of practitioners' own calendars.
	Busy    *busy.Service
	Log     *slog.Logger
	BaseURL string
	// ReminderHook, when set, runs inside a reminder's transaction after
	// its e-mails are queued and before it commits (tests use it to kill
	// a worker mid-way).
	// ReminderLateness, when set, is told how long after its due time
	// each reminder went out (the metrics).
	ReminderLateness func(time.Duration)
	ReminderHook     func(ctx context.Context)
	// beforeWrite, when set, runs inside a booking's transaction after its
	// checks and before its writes (tests use it to lose a race).
	beforeWrite func(ctx context.Context)
}

// loadZone is a zone by name, or nil.
func loadZone(name string) *time.Location {
	if name == "" || name == "Local" {
		return nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil
	}
	return loc
}

// personZone is a person's one time zone: their own, else the
// organisation's, else UTC.
func personZone(ctx context.Context, tx bun.IDB, org *tenancy.Organisation, userID uuid.UUID) (*time.Location, error) {
	u, err := auth.UserByID(ctx, tx, userID)
	if err != nil {
		return nil, err
	}
	if loc := loadZone(u.TimeZone); loc != nil {
		return loc, nil
	}
	if loc := loadZone(org.TimeZone); loc != nil {
		return loc, nil
	}
	return time.UTC, nil
}

// slotQuery assembles the practitioner's availability for [from, to).
func (s *Service) slotQuery(ctx context.Context, tx bun.IDB, org *tenancy.Organisation, practitionerID uuid.UUID, length time.Duration, from, to time.Time) (SlotQuery, error) {
	zone, err := personZone(ctx, tx, org, practitionerID)
	if err != nil {
		return SlotQuery{}, err
	}
	store := s.Store.WithTx(tx)
	rules, err := store.Rules(ctx, org.ID, practitionerID)
	if err != nil {
		return SlotQuery{}, err
	}
	overrides, err := store.Overrides(ctx, org.ID, practitionerID, from.In(zone).AddDate(0, 0, -1).Format(time.DateOnly))
	if err != nil {
		return SlotQuery{}, err
	}
	bs, err := store.BookingSettings(ctx, org.ID, practitionerID)
	if err != nil {
		return SlotQuery{}, err
	}
	// Sessions of the whole weeks around the span count toward limits.
	busy, err := store.BusyBetween(ctx, org.ID, practitionerID, from.AddDate(0, 0, -8), to.AddDate(0, 0, 8))
	if err != nil {
		return SlotQuery{}, err
	}
	q := SlotQuery{
		Zone: zone, Length: length,
		BufferBefore: minutes(bs.BufferBeforeMin), BufferAfter: minutes(bs.BufferAfterMin), MinNotice: minutes(bs.MinNoticeMin),
		WindowDays: bs.WindowDays, MaxPerDay: bs.MaxPerDay, MaxPerWeek: bs.MaxPerWeek,
		Now: s.Clock.Now(), From: from, To: to,
	}
	for _, r := range rules {
		q.Rules = append(q.Rules, WeeklyRule{Weekday: time.Weekday(r.Weekday), StartMinute: r.StartMinute, EndMinute: r.EndMinute, Zone: loadZone(r.TimeZone)})
	}
	for _, o := range overrides {
		q.Overrides = append(q.Overrides, DateOverride{Day: o.Day, DayOff: o.DayOff, StartMinute: o.StartMinute, EndMinute: o.EndMinute})
	}
	for _, b := range busy {
		q.Busy = append(q.Busy, Interval{From: b.BusyFrom, To: b.BusyTo})
		q.Starts = append(q.Starts, b.StartsAt)
	}
	if q.Elsewhere, err = s.busyElsewhere(ctx, tx, org.ID, practitionerID, from.AddDate(0, 0, -1), to.AddDate(0, 0, 1)); err != nil {
		return SlotQuery{}, err
	}
	return q, nil
}

// busyElsewhere reads the busy times of the practitioner's own calendars
// overlapping [from, to), in tx.
func (s *Service) busyElsewhere(ctx context.Context, tx bun.IDB, orgID, practitionerID uuid.UUID, from, to time.Time) ([]BusyElsewhere, error) {
	if s.Busy == nil {
		return nil, nil
	}
	bs, err := s.Busy.Between(ctx, tx, orgID, practitionerID, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]BusyElsewhere, 0, len(bs))
	for _, b := range bs {
		out = append(out, BusyElsewhere{Interval: Interval{From: b.From, To: b.To}, FreshUntil: b.FreshUntil})
	}
	return out, nil
}

// BookingWindowDays is how far ahead the practitioner may be booked (0:
// no limit): how far ahead their own calendars are read.
func (s *Service) BookingWindowDays(ctx context.Context, orgID, practitionerID uuid.UUID) (int, error) {
	var days int
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		bs, err := s.Store.WithTx(tx).BookingSettings(ctx, orgID, practitionerID)
		days = bs.WindowDays
		return err
	})
	return days, err
}

func minutes(n int) time.Duration { return time.Duration(n) * time.Minute }
