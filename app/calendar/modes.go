package calendar

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
)

// A session can record that its relationship changed mode during it (a
// coach switching to mentoring for a while, and why). The switches
// themselves belong to the relationships package; the calendar links
// them to the session.

// SessionModes is what a session page shows about modes: the mode the
// relationship works in now and the switches recorded during the session.
type SessionModes struct {
	Primary  relationships.Kind
	Current  relationships.Kind
	Switches []relationships.ModeSwitch
}

// ModesOf loads the mode switches recorded during a session.
func (s *Service) ModesOf(ctx context.Context, orgID uuid.UUID, sess *Session) (*SessionModes, error) {
	rel, err := s.Relationships.Get(ctx, orgID, sess.RelationshipID)
	if err != nil {
		return nil, err
	}
	all, err := s.Relationships.ModeSwitches(ctx, orgID, sess.RelationshipID)
	if err != nil {
		return nil, err
	}
	m := &SessionModes{Primary: rel.Kind, Current: relationships.CurrentMode(rel, all, s.Clock.Now())}
	for _, sw := range all {
		if sw.SessionID != nil && *sw.SessionID == sess.ID {
			m.Switches = append(m.Switches, sw)
		}
	}
	return m, nil
}

// ModeChange is a switch of mode made during a session: to what, why,
// how many minutes into the session (nil: now, for a session under way
// or not begun), and whether the practitioner keeps the
// mode after the session.
type ModeChange struct {
	To     relationships.Kind
	Why    string
	Minute *int
	Keep   bool
}

// ErrMinuteNeeded is returned for a switch without its minute in a
// session that has ended, or with a minute outside the session.
var ErrMinuteNeeded = errors.New("calendar: say how many minutes into the session the mode changed")

// SwitchMode records, for the session's relationship and linked to the
// session, that it switched to another mode and why, at the given minute
// of the session. Unless kept, the switch reverts when the session ends.
// Only a practitioner of the session's relationship may; a cancelled
// session records none. The relationship is the session's own, so the
// switch can never be linked to another relationship's session.
func (s *Service) SwitchMode(ctx context.Context, orgID, sessionID, by uuid.UUID, ch ModeChange) (*relationships.ModeSwitch, error) {
	var sess *Session
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		var err error
		sess, err = s.Store.WithTx(tx).Session(ctx, orgID, sessionID)
		return err
	})
	if err != nil {
		return nil, err
	}
	if sess.Status == StatusCancelled {
		return nil, ErrNotChangeable
	}
	if sess.PractitionerID != by {
		side, err := s.Relationships.Side(ctx, orgID, sess.RelationshipID, by)
		if err != nil {
			return nil, fmt.Errorf("calendar: mode switch in %s by %s: %w", sessionID, by, err)
		}
		if side != relationships.SidePractitioner {
			return nil, fmt.Errorf("calendar: %s is not a practitioner of session %s: %w", by, sessionID, db.ErrNotFound)
		}
	}
	now := s.Clock.Now()
	at := now
	switch {
	case ch.Minute != nil:
		at = sess.StartsAt.Add(time.Duration(*ch.Minute) * time.Minute)
		if at.Before(sess.StartsAt) || !at.Before(sess.EndsAt) {
			return nil, ErrMinuteNeeded
		}
	case !now.Before(sess.EndsAt):
		return nil, ErrMinuteNeeded
	}
	// A switch decided before the session holds from now, so the whole
	// session, until it ends.
	in := relationships.InSession{SessionID: sess.ID, At: at, Ends: sess.EndsAt, Keep: ch.Keep}
	return s.Relationships.SwitchModeInSession(ctx, orgID, sess.RelationshipID, by, in, ch.To, ch.Why)
}

// SessionRelationship says which relationship a session belongs to.
func (s *Service) SessionRelationship(ctx context.Context, orgID, sessionID uuid.UUID) (uuid.UUID, error) {
	var relID uuid.UUID
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		sess, err := s.Store.WithTx(tx).Session(ctx, orgID, sessionID)
		if err != nil {
			return err
		}
		relID = sess.RelationshipID
		return nil
	})
	return relID, err
}
