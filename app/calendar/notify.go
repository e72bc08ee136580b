package calendar

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/mail"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
)

// EmailSession is a session as an e-mail shows it, in the reader's zone.
type EmailSession struct {
	Title, When, Zone, Place, Link string
	// RelationshipLink is the relationship's page: the next session,
	// the agenda, goals, and booking the one after.
	RelationshipLink string
	// Meeting is the link to join, for the session's own people only.
	Meeting string
	Minutes int
}

// EmailData is what the session e-mails get.
type EmailData struct {
	Name     string
	Org      string
	Reason   string
	Sessions []EmailSession
	First    EmailSession
}

// notify e-mails the people of sessions about them, with an .ics
// invitation: METHOD:CANCEL for cancellations, REQUEST otherwise,
// SEQUENCE being the session's version. only, when not nil, lists who is
// told instead of everyone taking part (it may name people who hold no
// seat yet: the members of a group told of a new session). Each reader
// gets the sessions named as they see them ("Coaching with Mel Member").
func (s *Service) notify(ctx context.Context, tx bun.IDB, org *tenancy.Organisation, sessions []Session, template, reason string, only []uuid.UUID) error {
	if len(sessions) == 0 {
		return nil
	}
	method := "REQUEST"
	if template == "session_cancelled" {
		method = "CANCEL"
	}
	users := map[uuid.UUID]*auth.User{}
	load := func(id uuid.UUID) (*auth.User, error) {
		if u, ok := users[id]; ok {
			return u, nil
		}
		u, err := auth.UserByID(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		users[id] = u
		return u, nil
	}
	var recipients []uuid.UUID
	var events []icsEvent
	// joiners are, per session, the people shown its meeting link: the
	// practitioner and the seat holders, not those merely told of it.
	joiners := make([][]uuid.UUID, len(sessions))
	for i := range sessions {
		sess := &sessions[i]
		people, err := s.sessionPeople(ctx, tx, sess)
		if err != nil {
			return err
		}
		if sess.Status != StatusCancelled {
			joiners[i] = slices.Clone(people)
		}
		if sess.Status == StatusCancelled {
			// Everyone who held a seat hears of the cancellation.
			as, err := s.Store.WithTx(tx).Attendees(ctx, sess.OrgID, sess.ID)
			if err != nil {
				return err
			}
			for _, a := range as {
				if a.Status != AttendeeCancelled && !slices.Contains(people, a.UserID) {
					people = append(people, a.UserID)
				}
			}
		}
		ev := icsEvent{Session: *sess, URL: s.sessionURL(org, sess)}
		for _, id := range people {
			u, err := load(id)
			if err != nil {
				return err
			}
			if id == sess.PractitionerID {
				ev.Organizer = person{Name: u.Name, Email: u.Email}
			} else {
				ev.Attendees = append(ev.Attendees, person{Name: u.Name, Email: u.Email})
			}
			if only == nil && !slices.Contains(recipients, id) {
				recipients = append(recipients, id)
			}
		}
		events = append(events, ev)
	}
	for _, id := range only {
		if !slices.Contains(recipients, id) {
			recipients = append(recipients, id)
		}
	}
	rels := make([]uuid.UUID, 0, len(sessions))
	for _, sess := range sessions {
		rels = append(rels, sess.RelationshipID)
	}
	namings, err := s.Relationships.WithTx(tx).Namings(ctx, org.ID, rels)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	for _, id := range recipients {
		u, err := load(id)
		if err != nil {
			return err
		}
		zone := loadZone(u.TimeZone)
		if zone == nil {
			zone = loadZone(org.TimeZone)
		}
		if zone == nil {
			zone = time.UTC
		}
		data := EmailData{Name: u.Name, Org: org.Name, Reason: reason}
		mine := slices.Clone(events)
		for i := range sessions {
			sess := &sessions[i]
			name := sess.Title
			if n, ok := namings[sess.RelationshipID]; ok {
				name = n.NameFor(id)
			}
			mine[i].Name = name
			meeting := ""
			if slices.Contains(joiners[i], id) {
				meeting = sess.MeetingURL
			}
			mine[i].Meeting = meeting
			local := sess.StartsAt.In(zone)
			data.Sessions = append(data.Sessions, EmailSession{
				Title: name, When: local.Format("Mon 2 Jan 2006, 15:04 MST"), Zone: zone.String(),
				Place: sess.Place, Link: s.sessionURL(org, sess), Meeting: meeting, Minutes: sess.Minutes(),
				RelationshipLink: s.BaseURL + "/o/" + org.Slug + "/relationships/" + sess.RelationshipID.String(),
			})
		}
		data.First = data.Sessions[0]
		if _, err := s.Mail.Queue(ctx, tx, mail.Message{
			OrgID: org.ID, To: u.Email, Template: template, Data: data, ICS: buildICS(method, "", mine, now), ICSMethod: method,
		}); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) sessionURL(org *tenancy.Organisation, sess *Session) string {
	return s.BaseURL + "/o/" + org.Slug + "/calendar/sessions/" + sess.ID.String()
}

// sessionPeople are the practitioner and the booked attendees.
func (s *Service) sessionPeople(ctx context.Context, tx bun.IDB, sess *Session) ([]uuid.UUID, error) {
	as, err := s.Store.WithTx(tx).Attendees(ctx, sess.OrgID, sess.ID)
	if err != nil {
		return nil, err
	}
	people := []uuid.UUID{sess.PractitionerID}
	for _, a := range as {
		if a.Status == AttendeeBooked && !slices.Contains(people, a.UserID) {
			people = append(people, a.UserID)
		}
	}
	return people, nil
}
