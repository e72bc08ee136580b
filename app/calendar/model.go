// Package calendar owns practitioners' availability, sessions (one-to-one,
// recurring and group), their attendees, calendar subscriptions and
// session reminders. Sessions belong to relationships (app/relationships).
package calendar

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Session statuses.
const (
	StatusScheduled     = "scheduled"
	StatusCancelled     = "cancelled"
	StatusCompleted     = "completed"
	StatusNoShow        = "no_show"
	StatusCancelledLate = "cancelled_late"
)

// Attendee statuses.
const (
	AttendeeBooked     = "booked"
	AttendeeWaitlisted = "waitlisted"
	AttendeeCancelled  = "cancelled"
	AttendeeAttended   = "attended"
	AttendeeNoShow     = "no_show"
)

// Rule is a stored weekly availability window.
type Rule struct {
	bun.BaseModel `bun:"table:availability_rules"`

	ID             uuid.UUID `bun:"id,pk,type:uuid"`
	OrgID          uuid.UUID `bun:"org_id,type:uuid"`
	PractitionerID uuid.UUID `bun:"practitioner_id,type:uuid"`
	Weekday        int       `bun:"weekday"`
	StartMinute    int       `bun:"start_minute"`
	EndMinute      int       `bun:"end_minute"`
	TimeZone       string    `bun:"time_zone"`
	CreatedAt      time.Time `bun:"created_at"`
}

// Override is a stored date override.
type Override struct {
	bun.BaseModel `bun:"table:availability_overrides"`

	ID             uuid.UUID `bun:"id,pk,type:uuid"`
	OrgID          uuid.UUID `bun:"org_id,type:uuid"`
	PractitionerID uuid.UUID `bun:"practitioner_id,type:uuid"`
	Day            string    `bun:"day"`
	DayOff         bool      `bun:"day_off"`
	StartMinute    int       `bun:"start_minute"`
	EndMinute      int       `bun:"end_minute"`
	CreatedAt      time.Time `bun:"created_at"`
}

// BookingSettings are a practitioner's booking rules.
type BookingSettings struct {
	bun.BaseModel `bun:"table:booking_settings"`

	OrgID           uuid.UUID `bun:"org_id,pk,type:uuid"`
	PractitionerID  uuid.UUID `bun:"practitioner_id,pk,type:uuid"`
	BufferBeforeMin int       `bun:"buffer_before_min"`
	BufferAfterMin  int       `bun:"buffer_after_min"`
	MinNoticeMin    int       `bun:"min_notice_min"`
	WindowDays      int       `bun:"window_days"`
	MaxPerDay       int       `bun:"max_per_day"`
	MaxPerWeek      int       `bun:"max_per_week"`
	// MeetingMode is how the practitioner's sessions are joined remotely
	// (MeetingNone, MeetingRoom, MeetingGenerated); MeetingRoomURL is
	// their own video room for MeetingRoom.
	MeetingMode    string    `bun:"meeting_mode"`
	MeetingRoomURL string    `bun:"meeting_room_url"`
	UpdatedAt      time.Time `bun:"updated_at"`
}

// DefaultBookingSettings apply until a practitioner saves their own.
func DefaultBookingSettings(orgID, practitionerID uuid.UUID) BookingSettings {
	return BookingSettings{OrgID: orgID, PractitionerID: practitionerID, MinNoticeMin: 60, WindowDays: 60, MeetingMode: MeetingNone}
}

// SessionType is an organisation's default length and place per kind.
type SessionType struct {
	bun.BaseModel `bun:"table:session_types"`

	ID        uuid.UUID `bun:"id,pk,type:uuid"`
	OrgID     uuid.UUID `bun:"org_id,type:uuid"`
	Kind      string    `bun:"kind"`
	Minutes   int       `bun:"minutes"`
	Place     string    `bun:"place"`
	CreatedAt time.Time `bun:"created_at"`
}

// Series is a recurring series of sessions.
type Series struct {
	bun.BaseModel `bun:"table:series"`

	ID             uuid.UUID `bun:"id,pk,type:uuid"`
	OrgID          uuid.UUID `bun:"org_id,type:uuid"`
	RelationshipID uuid.UUID `bun:"relationship_id,type:uuid"`
	PractitionerID uuid.UUID `bun:"practitioner_id,type:uuid"`
	IntervalDays   int       `bun:"interval_days"`
	Count          int       `bun:"count"`
	Until          string    `bun:"until"`
	FirstStart     time.Time `bun:"first_start"`
	CreatedAt      time.Time `bun:"created_at"`
}

// Session is one meeting of a relationship.
type Session struct {
	bun.BaseModel `bun:"table:calendar_sessions"`

	ID             uuid.UUID `bun:"id,pk,type:uuid"`
	OrgID          uuid.UUID `bun:"org_id,type:uuid"`
	RelationshipID uuid.UUID `bun:"relationship_id,type:uuid"`
	PractitionerID uuid.UUID `bun:"practitioner_id,type:uuid"`
	Kind           string    `bun:"kind"`
	Title          string    `bun:"title"`
	StartsAt       time.Time `bun:"starts_at"`
	EndsAt         time.Time `bun:"ends_at"`
	BusyFrom       time.Time `bun:"busy_from"`
	BusyTo         time.Time `bun:"busy_to"`
	TimeZone       string    `bun:"time_zone"`
	Place          string    `bun:"place"`
	// MeetingURL is where the session is joined remotely, given when it
	// was booked; shown to its people only (practitioner and seat holders).
	MeetingURL     string     `bun:"meeting_url"`
	Status         string     `bun:"status"`
	Version        int        `bun:"version"`
	SeriesID       *uuid.UUID `bun:"series_id,type:uuid"`
	SeriesIndex    int        `bun:"series_index"`
	Capacity       int        `bun:"capacity"`
	CancelReason   string     `bun:"cancel_reason"`
	CancelledBy    *uuid.UUID `bun:"cancelled_by,type:uuid"`
	CancelledAt    *time.Time `bun:"cancelled_at"`
	OverrideNotice bool       `bun:"override_notice"`
	CreatedBy      *uuid.UUID `bun:"created_by,type:uuid"`
	CreatedAt      time.Time  `bun:"created_at"`
	UpdatedAt      time.Time  `bun:"updated_at"`
}

// IsGroup reports whether the session has seats and a waitlist.
func (s *Session) IsGroup() bool { return s.Capacity > 1 }

// Minutes is the session's length.
func (s *Session) Minutes() int { return int(s.EndsAt.Sub(s.StartsAt) / time.Minute) }

// Attendee is a person's seat (or place on the waitlist) in a session.
type Attendee struct {
	bun.BaseModel `bun:"table:session_attendees"`

	ID               uuid.UUID `bun:"id,pk,type:uuid"`
	OrgID            uuid.UUID `bun:"org_id,type:uuid"`
	SessionID        uuid.UUID `bun:"session_id,type:uuid"`
	UserID           uuid.UUID `bun:"user_id,type:uuid"`
	Status           string    `bun:"status"`
	WaitlistPosition int       `bun:"waitlist_position"`
	CreatedAt        time.Time `bun:"created_at"`
	UpdatedAt        time.Time `bun:"updated_at"`
}

// Feed is a person's private calendar subscription.
type Feed struct {
	bun.BaseModel `bun:"table:calendar_feeds"`

	ID        uuid.UUID `bun:"id,pk,type:uuid"`
	UserID    uuid.UUID `bun:"user_id,type:uuid"`
	TokenHash string    `bun:"token_hash"`
	CreatedAt time.Time `bun:"created_at"`
}

// delivery records one reminder sent.
type delivery struct {
	bun.BaseModel `bun:"table:reminder_deliveries"`

	ID             uuid.UUID `bun:"id,pk,type:uuid"`
	OrgID          uuid.UUID `bun:"org_id,type:uuid"`
	SessionID      uuid.UUID `bun:"session_id,type:uuid"`
	OffsetMinutes  int       `bun:"offset_minutes"`
	UserID         uuid.UUID `bun:"user_id,type:uuid"`
	SessionVersion int       `bun:"session_version"`
	DeliveredAt    time.Time `bun:"delivered_at"`
}

// Errors the calendar reports to its callers.
var (
	// ErrSlotTaken: the time is no longer free (someone else booked it,
	// or it clashes with another session and its buffers).
	ErrSlotTaken = errors.New("calendar: that time is no longer free")
	// ErrNotOffered: the time is not one of the practitioner's open slots.
	ErrNotOffered = errors.New("calendar: that time is not an open slot")
	// ErrTooLate: inside the organisation's minimum notice.
	ErrTooLate = errors.New("calendar: inside the minimum notice")
	// ErrNotChangeable: the session is not scheduled any more.
	ErrNotChangeable = errors.New("calendar: the session is not scheduled any more")
	// ErrNotYet: attendance can be marked once the session has started.
	ErrNotYet = errors.New("calendar: the session has not started yet")
	// ErrEmptySeries: a series that ends before its first session, or
	// whose every occurrence is left out, has nothing to book.
	ErrEmptySeries = errors.New("calendar: the series has no session to book")
	// ErrInactive: the relationship is not active.
	ErrInactive = errors.New("calendar: the relationship is not active")
	// ErrNotLeader: the person chosen to lead a session is not one of
	// its relationship's practitioners.
	ErrNotLeader = errors.New("calendar: the chosen leader is no practitioner of the relationship")
	// ErrTooLong: a session longer than the organisation's usual maximum,
	// not confirmed as meant.
	ErrTooLong = errors.New("calendar: the session is longer than usual and was not confirmed")
)

// Occurrence is one planned session of a series.
type Occurrence struct {
	Index      int
	Start, End time.Time
	// Problem says why it clashes; empty when it fits.
	Problem string
}

// ClashError lists the occurrences of a series that clash.
type ClashError struct {
	Occurrences []Occurrence
}

func (e *ClashError) Error() string {
	var idx []string
	for _, o := range e.Occurrences {
		if o.Problem != "" {
			idx = append(idx, fmt.Sprint(o.Index+1))
		}
	}
	return "calendar: occurrences " + strings.Join(idx, ", ") + " clash"
}

// Clashes returns the clashing occurrences.
func (e *ClashError) Clashes() []Occurrence {
	var out []Occurrence
	for _, o := range e.Occurrences {
		if o.Problem != "" {
			out = append(out, o)
		}
	}
	return out
}
