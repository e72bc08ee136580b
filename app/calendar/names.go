package calendar

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/relationships"
)

// Sessions are named as their relationships are, for the person who reads
// the name (relationships.Naming.NameFor): a group session by its group's
// title, any other by its kind and the other people in it, "Coaching with
// Mel Member". The title stored on a session ("Coaching session") is only
// the fallback for a session whose relationship cannot be read.

// SessionNames names sessions as viewer sees them, by session id.
func (s *Service) SessionNames(ctx context.Context, orgID, viewer uuid.UUID, sessions []Session) (map[uuid.UUID]string, error) {
	return s.sessionNames(ctx, nil, orgID, func(uuid.UUID) uuid.UUID { return viewer }, sessions)
}

// sessionNames names sessions for the person reader(session id) returns,
// in tx when it is not nil.
func (s *Service) sessionNames(ctx context.Context, tx bun.IDB, orgID uuid.UUID, reader func(sessionID uuid.UUID) uuid.UUID, sessions []Session) (map[uuid.UUID]string, error) {
	out := make(map[uuid.UUID]string, len(sessions))
	if len(sessions) == 0 {
		return out, nil
	}
	ids := make([]uuid.UUID, 0, len(sessions))
	for _, sess := range sessions {
		ids = append(ids, sess.RelationshipID)
	}
	rels := s.Relationships
	if tx != nil {
		rels = rels.WithTx(tx)
	}
	namings, err := rels.Namings(ctx, orgID, ids)
	if err != nil {
		return nil, err
	}
	for _, sess := range sessions {
		if n, ok := namings[sess.RelationshipID]; ok {
			out[sess.ID] = n.NameFor(reader(sess.ID))
		}
	}
	return out, nil
}

// nameFor is one session's name for reader, read in tx.
func (s *Service) nameFor(ctx context.Context, tx bun.IDB, sess *Session, reader uuid.UUID) (string, error) {
	names, err := s.sessionNames(ctx, tx, sess.OrgID, func(uuid.UUID) uuid.UUID { return reader }, []Session{*sess})
	if err != nil {
		return "", err
	}
	return nameOr(names, *sess), nil
}

// nameOr is the session's name in names, else its stored title.
func nameOr(names map[uuid.UUID]string, sess Session) string {
	if n, ok := names[sess.ID]; ok && n != "" {
		return n
	}
	return sess.Title
}

func relIDs(rels []relationships.Relationship) []uuid.UUID {
	out := make([]uuid.UUID, 0, len(rels))
	for _, r := range rels {
		out = append(out, r.ID)
	}
	return out
}
