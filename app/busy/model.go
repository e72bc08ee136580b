// Package busy reads the busy times of practitioners' own calendars (a
// secret iCalendar address or a CalDAV account) so that a coach's dentist
// appointment blocks a slot as a session does. A worker refreshes each
// calendar on a schedule and on demand; only busy intervals are kept,
// never titles, descriptions or attendees. The address and password are
// sealed at rest like private notes. app/calendar asks Between for the
// intervals of a practitioner; a calendar whose last good refresh is older
// than the stale limit stops blocking.
package busy

import (
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Kinds of calendar.
const (
	KindICS    = "ics"
	KindCalDAV = "caldav"
)

// Calendar is one connected calendar of a practitioner.
type Calendar struct {
	bun.BaseModel `bun:"table:external_calendars"`

	ID             uuid.UUID `bun:"id,pk,type:uuid"`
	OrgID          uuid.UUID `bun:"org_id,type:uuid"`
	PractitionerID uuid.UUID `bun:"practitioner_id,type:uuid"`
	Kind           string    `bun:"kind"`
	// Label is what the page shows: the host, and the CalDAV user name.
	Label      string    `bun:"label"`
	Ciphertext []byte    `bun:"ciphertext"`
	Nonce      []byte    `bun:"nonce"`
	KeyID      string    `bun:"key_id"`
	CreatedAt  time.Time `bun:"created_at"`
	// RequestedAt is when a refresh was last asked for; AttemptedAt is the last refresh tried, RefreshedAt the last that
	// worked; ErrorKind and ErrorMessage say why the last one failed
	// (empty once one works again).
	RequestedAt  *time.Time `bun:"requested_at"`
	AttemptedAt  *time.Time `bun:"attempted_at"`
	RefreshedAt  *time.Time `bun:"refreshed_at"`
	ErrorKind    string     `bun:"error_kind"`
	ErrorMessage string     `bun:"error_message"`
	BusyCount    int        `bun:"busy_count"`
}

// Stale reports whether the calendar's intervals no longer block: its
// last good refresh is older than staleAfter, or there was none.
func (c *Calendar) Stale(now time.Time, staleAfter time.Duration) bool {
	return c.RefreshedAt == nil || !now.Before(c.RefreshedAt.Add(staleAfter))
}

// Refreshing reports whether a refresh was asked for and not tried yet.
func (c *Calendar) Refreshing() bool {
	return c.RequestedAt != nil && (c.AttemptedAt == nil || c.AttemptedAt.Before(*c.RequestedAt))
}

// Interval is one stored busy interval [StartsAt, EndsAt).
type Interval struct {
	bun.BaseModel `bun:"table:busy_intervals"`

	OrgID          uuid.UUID `bun:"org_id,type:uuid"`
	CalendarID     uuid.UUID `bun:"calendar_id,type:uuid"`
	PractitionerID uuid.UUID `bun:"practitioner_id,type:uuid"`
	StartsAt       time.Time `bun:"starts_at"`
	EndsAt         time.Time `bun:"ends_at"`
}

// Span is a busy span of time [From, To), as read from a calendar.
type Span struct {
	From, To time.Time
}

// Busy is a busy interval as app/calendar sees it: it blocks while the
// clock is before FreshUntil (its calendar's last good refresh plus the
// stale limit).
type Busy struct {
	From, To   time.Time
	FreshUntil time.Time
}

// Credentials are what is sealed: the secret address of an iCalendar
// feed, or a CalDAV server's address, user name and password.
type Credentials struct {
	URL      string `json:"url"`
	Username string `json:"username,omitempty"`
	Password string `json:"password,omitempty"`
}

// Kinds of refresh failure, each with the sentence the page shows.
const (
	FailAddress      = "address"
	FailUnauthorised = "unauthorised"
	FailTimeout      = "timeout"
	FailTooLarge     = "too_large"
	FailRefused      = "refused"
	FailServer       = "server"
	FailContent      = "content"
	FailInactive     = "inactive"
)

// FetchError is a refresh that failed, with its kind.
type FetchError struct {
	Kind   string
	Detail string
}

func (e *FetchError) Error() string { return "busy: " + e.Kind + ": " + e.Detail }

// failKind is err's kind of failure, or FailServer for anything else.
func failKind(err error) (string, string) {
	var fe *FetchError
	if errors.As(err, &fe) {
		return fe.Kind, fe.Detail
	}
	return FailServer, err.Error()
}

// FailureText is the sentence the page shows for a kind of failure.
func FailureText(kind string) string {
	switch kind {
	case FailAddress:
		return "The address was not found. Check that you copied the whole secret address (or the CalDAV server's address)."
	case FailUnauthorised:
		return "The calendar refused us: the address is no longer valid, or the user name or app password is wrong."
	case FailTimeout:
		return "The calendar's server did not answer in time. We will try again."
	case FailTooLarge:
		return "The calendar is too large (over 10 MB). Publish a calendar with fewer past events, or connect it by CalDAV."
	case FailRefused:
		return "This address may not be used: it points to a private or local network."
	case FailContent:
		return "The address did not give a calendar we can read (iCalendar)."
	case FailInactive:
		return "You are no longer an active member of this organisation, so your calendar is not read."
	}
	return "The calendar's server failed. We will try again."
}
