package calendar

import (
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
)

// icsEvent is one session as an iCalendar event.
type icsEvent struct {
	Session   Session
	Organizer person
	Attendees []person
	URL       string
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
		e.SetSummary(s.Title)
		if s.Place != "" {
			e.SetLocation(s.Place)
		}
		if ev.URL != "" {
			e.SetURL(ev.URL)
		}
		desc := s.Title
		if s.CancelReason != "" {
			desc += "\nReason for cancelling: " + s.CancelReason
		}
		e.SetDescription(desc)
		if method == "CANCEL" || s.Status == StatusCancelled {
			e.SetStatus(ics.ObjectStatusCancelled)
		} else {
			e.SetStatus(ics.ObjectStatusConfirmed)
		}
		if ev.Organizer.Email != "" {
			e.SetOrganizer(ev.Organizer.Email, ics.WithCN(ev.Organizer.Name))
		}
		for _, a := range ev.Attendees {
			e.AddAttendee(a.Email, ics.WithCN(a.Name))
		}
		e.AddCategory(strings.ToUpper(s.Kind))
	}
	return cal.Serialize()
}
