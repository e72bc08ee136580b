package calendar

import (
	"strings"
	"time"
	"unicode"

	ics "github.com/arran4/golang-ical"
)

// icsEvent is one session as an iCalendar event.
type icsEvent struct {
	Session Session
	// Name is the session's name for the calendar's reader ("Coaching
	// with Mel Member"); the stored title when empty.
	Name      string
	Organizer person
	Attendees []person
	URL       string
	// Meeting is the session's meeting link, set only for a reader who
	// takes part in it (its practitioner or a seat holder): it becomes
	// the event's URL and LOCATION.
	Meeting string
}

type person struct {
	Name, Email string
}

// uidDomain makes session UIDs globally unique and stable: a session
// keeps its UID for life, so calendar apps update rather than duplicate.
const uidDomain = "@leadershiptoolbox"

// SessionUID is the iCalendar UID of a session.
func SessionUID(s *Session) string { return s.ID.String() + uidDomain }

// buildICS renders events as an iCalendar object. method is REQUEST or
// CANCEL for e-mail invitations, "" for a subscription feed.
func buildICS(method, name string, events []icsEvent, now time.Time) string {
	cal := ics.NewCalendarFor("Leadership Toolbox")
	switch method {
	case "REQUEST":
		cal.SetMethod(ics.MethodRequest)
	case "CANCEL":
		cal.SetMethod(ics.MethodCancel)
	default:
		cal.SetMethod(ics.MethodPublish)
	}
	if name != "" {
		cal.SetXWRCalName(name)
		cal.SetRefreshInterval("PT1H")
	}
	for _, ev := range events {
		s := ev.Session
		e := cal.AddEvent(SessionUID(&s))
		e.SetDtStampTime(now)
		e.SetSequence(s.Version)
		e.SetStartAt(s.StartsAt.UTC())
		e.SetEndAt(s.EndsAt.UTC())
		e.SetModifiedAt(s.UpdatedAt.UTC())
		name := ev.Name
		if name == "" {
			name = s.Title
		}
		e.SetSummary(icsLine(name))
		switch {
		case ev.Meeting != "" && s.Place != "":
			e.SetLocation(icsLine(s.Place + ", " + ev.Meeting))
		case ev.Meeting != "":
			e.SetLocation(icsLine(ev.Meeting))
		case s.Place != "":
			e.SetLocation(icsLine(s.Place))
		}
		desc := icsLine(name)
		if ev.Meeting != "" {
			e.SetURL(icsLine(ev.Meeting))
			desc += "\nJoin: " + icsLine(ev.Meeting)
			if ev.URL != "" {
				desc += "\nSession page: " + ev.URL
			}
		} else if ev.URL != "" {
			e.SetURL(ev.URL)
		}
		if s.CancelReason != "" {
			desc += "\nReason for cancelling: " + icsText(s.CancelReason)
		}
		e.SetDescription(desc)
		if method == "CANCEL" || s.Status == StatusCancelled {
			e.SetStatus(ics.ObjectStatusCancelled)
		} else {
			e.SetStatus(ics.ObjectStatusConfirmed)
		}
		if ev.Organizer.Email != "" {
			e.SetOrganizer(icsLine(ev.Organizer.Email), ics.WithCN(icsParam(ev.Organizer.Name)))
		}
		for _, a := range ev.Attendees {
			e.AddAttendee(icsLine(a.Email), ics.WithCN(icsParam(a.Name)))
		}
		e.AddCategory(strings.ToUpper(s.Kind))
	}
	return cal.Serialize()
}

// The library escapes line feeds in TEXT values but not carriage returns,
// and nothing in parameters: a name or place holding a line break (stored
// before forms refused them, or from anywhere else) must not start a line
// of its own in an invitation.

// icsLine makes a value one line: every control character becomes a space.
func icsLine(v string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, v)
}

// icsText keeps the line breaks of a multi-line value as line feeds (which
// the library escapes) and drops every other control character.
func icsText(v string) string {
	v = strings.ReplaceAll(strings.ReplaceAll(v, "\r\n", "\n"), "\r", "\n")
	return strings.Map(func(r rune) rune {
		if r != '\n' && unicode.IsControl(r) {
			return -1
		}
		return r
	}, v)
}

// icsParam is a parameter value (a CN): one line, and no double quote,
// which no parameter value may hold.
func icsParam(v string) string { return strings.ReplaceAll(icsLine(v), `"`, "'") }
