package calendar

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
)

// SessionView is a session with the people in it.
type SessionView struct {
	Session
	Practitioner *auth.User
	Attendees    []AttendeeView
	Booked       int
}

// AttendeeView is an attendee with their name.
type AttendeeView struct {
	Attendee
	Name, Email string
}

// SessionDetail loads a session with its attendees.
func (s *Service) SessionDetail(ctx context.Context, orgID, sessionID uuid.UUID) (*SessionView, error) {
	v := new(SessionView)
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		store := s.Store.WithTx(tx)
		sess, err := store.Session(ctx, orgID, sessionID)
		if err != nil {
			return err
		}
		v.Session = *sess
		if v.Practitioner, err = auth.UserByID(ctx, tx, sess.PractitionerID); err != nil {
			return err
		}
		as, err := store.Attendees(ctx, orgID, sessionID)
		if err != nil {
			return err
		}
		for _, a := range as {
			u, err := auth.UserByID(ctx, tx, a.UserID)
			if err != nil {
				return err
			}
			v.Attendees = append(v.Attendees, AttendeeView{Attendee: a, Name: u.Name, Email: u.Email})
			if a.Status == AttendeeBooked || a.Status == AttendeeAttended || a.Status == AttendeeNoShow {
				v.Booked++
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// Participates reports whether a person takes part in a session: its
// practitioner, an attendee, or a participant of its relationship.
func (s *Service) Participates(ctx context.Context, v *SessionView, userID uuid.UUID) (side string, err error) {
	if v.PractitionerID == userID {
		return relationships.SidePractitioner, nil
	}
	side, err = s.Relationships.Side(ctx, v.OrgID, v.RelationshipID, userID)
	if errors.Is(err, db.ErrNotFound) {
		for _, a := range v.Attendees {
			if a.UserID == userID {
				return relationships.SideMember, nil
			}
		}
		return "", nil
	}
	return side, err
}

// SessionsOf lists the sessions a person takes part in during [from, to).
func (s *Service) SessionsOf(ctx context.Context, orgID, userID uuid.UUID, from, to time.Time) ([]Session, error) {
	var out []Session
	err := s.DB.ReadTenant(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		var err error
		out, err = s.Store.WithTx(q).SessionsOf(ctx, orgID, userID, from, to)
		return err
	})
	return out, err
}

// Upcoming lists the next n scheduled sessions a person takes part in,
// soonest first (the "Next sessions" of their own support page).
func (s *Service) Upcoming(ctx context.Context, orgID, userID uuid.UUID, n int) ([]Session, error) {
	if n <= 0 {
		return []Session{}, nil
	}
	now := s.Clock.Now()
	var out []Session
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		var err error
		out, err = s.Store.WithTx(tx).UpcomingOf(ctx, orgID, userID, now, min(n, 50))
		return err
	})
	return out, err
}

// HeldSessions lists a relationship's sessions that were not cancelled,
// past and coming, first first.
func (s *Service) HeldSessions(ctx context.Context, orgID, relationshipID uuid.UUID) ([]Session, error) {
	var out []Session
	err := s.DB.ReadTenant(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		var err error
		out, err = s.Store.WithTx(q).HeldSessions(ctx, orgID, relationshipID)
		return err
	})
	return out, err
}
