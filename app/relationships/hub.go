package relationships

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/feedback"
)

// The relationship page is its hub: it leads with what comes next (the next
// session, booking, the rhythm kept against the rhythm agreed), then goals,
// notes and past sessions; the agreement, the mode and the status sit in
// sections of their own below. The calendar owns sessions and feedback its
// requests; the page reads them through these interfaces.

// TimelineSession is a session as the relationship page shows it.
type TimelineSession struct {
	ID             uuid.UUID
	StartsAt       time.Time
	EndsAt         time.Time
	Place          string
	Status         string
	Title          string
	PractitionerID uuid.UUID
	Group          bool
}

// Timeline is a relationship's coming sessions (soonest first) and past
// ones (newest first).
type Timeline struct {
	Next, Past []TimelineSession
}

// SessionTimeline lists a relationship's sessions (calendar.Service).
type SessionTimeline interface {
	RelationshipTimeline(ctx context.Context, orgID, relID uuid.UUID, now time.Time, n int) (Timeline, error)
}

// FeedbackAsks lists the feedback a person was asked for and has not given
// (feedback.Store).
type FeedbackAsks interface {
	PendingAsks(ctx context.Context, orgID, userID uuid.UUID, limit int) ([]feedback.Ask, error)
}

// timelineShown is how many coming and past sessions the page reads.
const timelineShown = 8

// Hub is the top of the relationship page: what comes next.
type Hub struct {
	// Next is the next session, nil when none is booked.
	Next *SessionLine
	// Later counts the sessions booked after Next.
	Later int
	// BookHref is the viewer's way to book (a member) or schedule (a
	// practitioner) the next session; "" for those looking on, or while
	// the relationship is not active.
	BookHref, BookLabel string
	// AcceptFirst: sessions wait until the viewer accepts the agreement.
	AcceptFirst bool
	Rhythm      Rhythm
	// Past are the sessions that took place, or should have, newest first.
	Past []SessionLine
}

// SessionLine is one session on the page, with the viewer's actions.
type SessionLine struct {
	ID      uuid.UUID
	When    string // in the viewer's zone: "Tue 10 Mar 2026, 14:00–15:00"
	Place   string
	JoinURL string // the place, when it is a link to a call
	Href    string // the session's page (move, cancel, attendance)
	// MoveHref is set for those taking part while it is to come.
	MoveHref   string
	AgendaHref string
	// Attendance is what happened, in words; Unmarked when the
	// practitioner has still to say.
	Attendance string
	Unmarked   bool
	// MarkHref: the practitioner marks attendance there.
	MarkHref string
	// RateHref: the member rates the session there.
	RateHref string
}

// Rhythm compares the sessions kept with the rhythm agreed.
type Rhythm struct {
	AgreedDays int
	// Held counts the past sessions that took place (not cancelled),
	// of those read.
	Held int
	// AverageDays is the mean gap between them; 0 with fewer than two.
	AverageDays int
	// SinceDays is how long ago the last one was; -1 for none.
	SinceDays int
	// Keeping says whether the rhythm is kept (the mean gap and the time
	// since the last session within half a cadence more than agreed).
	Keeping bool
	Text    string
}

// hubInput is what the hub is built from.
type hubInput struct {
	Base     string // /o/{slug}
	Rel      *Relationship
	Side     string
	Accepted bool // the viewer accepted the agreement (or looks on)
	Cadence  int  // agreed days between sessions
	Timeline Timeline
	Asks     []feedback.Ask
	Now      time.Time
	Zone     *time.Location
}

// newHub builds the top of the page: the next session with the actions the
// viewer's side may take, the way to book, the rhythm and the past sessions.
func newHub(in hubInput) Hub {
	zone := in.Zone
	if zone == nil {
		zone = time.UTC
	}
	rel := in.Rel.ID.String()
	h := Hub{Rhythm: rhythm(in.Timeline.Past, in.Cadence, in.Now)}
	line := func(s TimelineSession) SessionLine {
		l := SessionLine{ID: s.ID, When: span(s.StartsAt.In(zone), s.EndsAt.In(zone)), Place: s.Place,
			Href: in.Base + "/calendar/sessions/" + s.ID.String()}
		if isLink(s.Place) {
			l.JoinURL = s.Place
		}
		return l
	}
	if len(in.Timeline.Next) > 0 {
		n := line(in.Timeline.Next[0])
		if in.Side != "" {
			n.MoveHref = n.Href
			n.AgendaHref = in.Base + "/library/sessions/" + n.ID.String() + "/agenda"
		}
		h.Next, h.Later = &n, len(in.Timeline.Next)-1
	}
	active := in.Rel.Status == StatusActive
	switch {
	case !active || in.Side == "":
	case !in.Accepted:
		h.AcceptFirst = true
	case in.Side == SideMember && in.Rel.Format == OneToOne:
		h.BookHref, h.BookLabel = in.Base+"/calendar/book/"+rel, "Book a session"
		if h.Next != nil {
			h.BookLabel = "Book another session"
		}
	case in.Side == SidePractitioner:
		h.BookHref, h.BookLabel = in.Base+"/calendar/new?relationship="+rel, "Schedule a session"
	}
	asks := map[int64]uuid.UUID{}
	for _, a := range in.Asks {
		if a.Relation == in.Rel.ID && a.Session != nil {
			asks[a.Session.Unix()] = a.ID
		}
	}
	for _, s := range in.Timeline.Past {
		l := line(s)
		switch s.Status {
		case "completed":
			l.Attendance = "took place"
		case "no_show":
			l.Attendance = "missed"
		case "cancelled_late":
			l.Attendance = "cancelled late"
		case "cancelled":
			l.Attendance = "cancelled"
		default:
			l.Attendance, l.Unmarked = "attendance not marked yet", true
			if in.Side == SidePractitioner {
				l.MarkHref = l.Href
			}
		}
		if id, ok := asks[s.StartsAt.Unix()]; ok && in.Side == SideMember {
			l.RateHref = in.Base + "/feedback/" + id.String()
		}
		h.Past = append(h.Past, l)
	}
	return h
}

// rhythm compares the past sessions that took place with the cadence.
func rhythm(past []TimelineSession, cadence int, now time.Time) Rhythm {
	r := Rhythm{AgreedDays: cadence, SinceDays: -1}
	var held []time.Time // newest first
	for _, s := range past {
		if s.Status != "cancelled" && s.Status != "cancelled_late" {
			held = append(held, s.StartsAt)
		}
	}
	r.Held = len(held)
	day := 24 * time.Hour
	if len(held) > 0 {
		r.SinceDays = int(now.Sub(held[0]) / day)
	}
	if len(held) > 1 {
		r.AverageDays = int((held[0].Sub(held[len(held)-1]) / day)) / (len(held) - 1)
	}
	slack := cadence + cadence/2
	switch {
	case cadence <= 0:
		r.Text = "No rhythm agreed yet."
	case len(held) == 0:
		r.Text = fmt.Sprintf("Agreed: every %d days. No session has taken place yet.", cadence)
	case len(held) == 1:
		r.Keeping = r.SinceDays <= slack
		r.Text = fmt.Sprintf("Agreed: every %d days. One session so far, %s.", cadence, ago(r.SinceDays))
	default:
		r.Keeping = r.AverageDays <= slack && r.SinceDays <= slack
		r.Text = fmt.Sprintf("Agreed: every %d days. Kept: every %d days on average over the last %d sessions; the last %s.", cadence, r.AverageDays, len(held), ago(r.SinceDays))
	}
	return r
}

func ago(days int) string {
	switch days {
	case 0:
		return "today"
	case 1:
		return "yesterday"
	}
	return fmt.Sprintf("%d days ago", days)
}

// span is a session's date and times: "Tue 10 Mar 2026, 14:00–15:00".
func span(from, to time.Time) string {
	return from.Format("Mon 2 Jan 2006, 15:04") + "–" + to.Format("15:04")
}

// isLink says whether a place is a web address (a video call).
func isLink(place string) bool {
	return strings.HasPrefix(place, "https://") || strings.HasPrefix(place, "http://")
}
