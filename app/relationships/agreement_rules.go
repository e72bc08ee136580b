package relationships

import (
	"time"
)

// BookingRefusal says why a session starting at start may not be booked
// in a relationship under its agreement, or "" when it may: the
// agreement must be accepted by both sides (an edited agreement waits
// for both again), and the session must fall within the agreement's
// dates (from the relationship's start to the end date, inclusive, in
// loc). A relationship without an agreement is not held to one.
func BookingRefusal(rel *Relationship, a *Agreement, start time.Time, loc *time.Location) string {
	if a == nil {
		return ""
	}
	if !a.Accepted() {
		waiting := "both sides"
		switch {
		case a.PractitionerAcceptedAt != nil:
			waiting = "the member"
		case a.MemberAcceptedAt != nil:
			waiting = "the practitioner"
		}
		return "The agreement is waiting for " + waiting + " to accept it; sessions can be booked once both sides have accepted."
	}
	if rel != nil && rel.StartedAt != nil {
		first := rel.StartedAt.In(loc)
		day := time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, loc)
		if start.Before(day) {
			return "The agreement starts on " + day.Format("2 Jan 2006") + "; choose a time from then on."
		}
	}
	if a.EndDate != "" {
		end, err := time.ParseInLocation(time.DateOnly, a.EndDate, loc)
		if err == nil && !start.Before(end.AddDate(0, 0, 1)) {
			return "The agreement ends on " + end.Format("2 Jan 2006") + "; agree a later end date together before booking after it."
		}
	}
	return ""
}

// NextSessionDue is when the next session is due by the agreed rhythm:
// the cadence after the last session held, or after the start when none
// was; nil for a relationship that is not active or has no agreement.
func NextSessionDue(rel *Relationship, a *Agreement, lastHeld *time.Time) *time.Time {
	if rel == nil || a == nil || rel.Status != StatusActive || a.CadenceDays <= 0 {
		return nil
	}
	from := rel.CreatedAt
	if rel.StartedAt != nil {
		from = *rel.StartedAt
	}
	if lastHeld != nil && lastHeld.After(from) {
		from = *lastHeld
	}
	due := from.AddDate(0, 0, a.CadenceDays)
	return &due
}
