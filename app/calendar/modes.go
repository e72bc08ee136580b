package calendar

import (
	"context"
	"fmt"

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
	m := &SessionModes{Primary: rel.Kind, Current: relationships.CurrentMode(rel, all)}
	for _, sw := range all {
		if sw.SessionID != nil && *sw.SessionID == sess.ID {
			m.Switches = append(m.Switches, sw)
		}
	}
	return m, nil
}

// SwitchMode records, for the session's relationship and linked to the
// session, that it switched to another mode and why. Only a practitioner
// of the session's relationship may; a cancelled session records none.
// The relationship is the session's own, so the switch can never be
// linked to another relationship's session.
func (s *Service) SwitchMode(ctx context.Context, orgID, sessionID, by uuid.UUID, to relationships.Kind, why string) (*relationships.ModeSwitch, error) {
	var sess *Session
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		var err error
		sess, err = getSession(ctx, tx, orgID, sessionID)
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
	return s.Relationships.SwitchMode(ctx, orgID, sess.RelationshipID, by, &sess.ID, s.Clock.Now(), to, why)
}

// SessionRelationship says which relationship a session belongs to.
func (s *Service) SessionRelationship(ctx context.Context, orgID, sessionID uuid.UUID) (uuid.UUID, error) {
	var relID uuid.UUID
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		sess, err := getSession(ctx, tx, orgID, sessionID)
		if err != nil {
			return err
		}
		relID = sess.RelationshipID
		return nil
	})
	return relID, err
}
