package calendar

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Occurrence problems.
const (
	problemBusy = "clashes with another session"
	// problemBusyElsewhere: a busy time of the practitioner's own calendar.
	problemBusyElsewhere = "the practitioner is busy then"
	problemNotOpen       = "outside the practitioner's open hours"
	problemTooSoon       = "too soon (minimum notice)"
	problemInThePast     = "in the past"
	// problemBeyondWindow: past the practitioner's booking window (days).
	problemBeyondWindow = "beyond the booking window (%d days ahead)"
)

// problem says why one occurrence cannot be booked, or "".
func (s *Service) problem(ctx context.Context, tx bun.IDB, info *relInfo, practitionerID uuid.UUID, length time.Duration, bs BookingSettings, o *Occurrence, direct bool, now time.Time, except ...uuid.UUID) (string, error) {
	if !o.Start.After(now) {
		return problemInThePast, nil
	}
	busy, err := s.Store.WithTx(tx).BusyBetween(ctx, info.Org.ID, practitionerID, o.Start.Add(-minutes(bs.BufferBeforeMin)), o.End.Add(minutes(bs.BufferAfterMin)), except...)
	if err != nil {
		return "", err
	}
	if len(busy) > 0 {
		return problemBusy, nil
	}
	if direct {
		return "", nil
	}
	if o.Start.Before(now.Add(minutes(bs.MinNoticeMin))) {
		return problemTooSoon, nil
	}
	// The booking window holds for every occurrence of a series, not
	// only the first: a member cannot reach past it by repeating.
	if bs.WindowDays > 0 && !o.Start.Before(now.Add(time.Duration(bs.WindowDays)*24*time.Hour)) {
		return fmt.Sprintf(problemBeyondWindow, bs.WindowDays), nil
	}
	// The occurrence must be one of the open slots of its own day.
	q, err := s.slotQuery(ctx, tx, info.Org, practitionerID, length, o.Start.Add(-time.Minute), o.Start.Add(time.Minute))
	if err != nil {
		return "", err
	}
	// The practitioner's own calendars block a booking as a session
	// would (scheduling directly, outside the booking rules, they do not).
	want := Interval{From: o.Start.Add(-minutes(bs.BufferBeforeMin)), To: o.End.Add(minutes(bs.BufferAfterMin))}
	for _, e := range q.elsewhere() {
		if e.overlaps(want) {
			return problemBusyElsewhere, nil
		}
	}
	q.Elsewhere = nil
	q.Step = time.Minute
	// Clashes were checked above (and the database checks them again);
	// here only the open hours, notice, window and limits count, so that
	// a booking that lost a race is told "taken", not "not open".
	q.Busy = nil
	if len(except) > 0 {
		// The sessions being moved do not count toward the limits.
		q.Starts = nil
		others, err := s.Store.WithTx(tx).BusyBetween(ctx, info.Org.ID, practitionerID, o.Start.AddDate(0, 0, -8), o.End.AddDate(0, 0, 8), except...)
		if err != nil {
			return "", err
		}
		for _, b := range others {
			q.Starts = append(q.Starts, b.StartsAt)
		}
	}
	for _, sl := range Slots(q) {
		if sl.Start.Equal(o.Start) {
			return "", nil
		}
	}
	return problemNotOpen, nil
}
