package calendar

import (
	"context"
	"slices"
	"sort"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
)

// The store's sessions, series, attendees and reminder deliveries.

// BusyBetween lists the practitioner's scheduled sessions whose busy
// range overlaps [from, to), except the given ones.
func (s *Store) BusyBetween(ctx context.Context, orgID, practitionerID uuid.UUID, from, to time.Time, except ...uuid.UUID) ([]Session, error) {
	return list[Session](ctx, s, orgID, "busy times of "+practitionerID.String(), func(q *bun.SelectQuery) *bun.SelectQuery {
		q = q.Where("org_id = ? AND practitioner_id = ? AND status = ?", orgID, practitionerID, StatusScheduled).
			Where("busy_from < ? AND busy_to > ?", to.UTC(), from.UTC())
		if len(except) > 0 {
			q = q.Where("id NOT IN (?)", bun.In(except))
		}
		return q.OrderExpr("starts_at")
	})
}

// AddSeries stores a series.
func (s *Store) AddSeries(ctx context.Context, sr *Series) error {
	return s.insert(ctx, sr.OrgID, sr, "create series")
}

// AddSession stores a session; db.ErrConflict when it overlaps another.
func (s *Store) AddSession(ctx context.Context, sess *Session) error {
	return s.insert(ctx, sess.OrgID, sess, "create session at "+sess.StartsAt.Format(time.RFC3339))
}

// LockSession loads a session for change; on Postgres the row stays
// locked until the transaction ends (SQLite's transaction holds the
// write lock already).
func (s *Store) LockSession(ctx context.Context, orgID, id uuid.UUID) (*Session, error) {
	return s.session(ctx, orgID, id, true)
}

// Session loads a session.
func (s *Store) Session(ctx context.Context, orgID, id uuid.UUID) (*Session, error) {
	return s.session(ctx, orgID, id, false)
}

func (s *Store) session(ctx context.Context, orgID, id uuid.UUID, lock bool) (*Session, error) {
	sess := new(Session)
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		q := tx.NewSelect().Model(sess).Where("org_id = ? AND id = ?", orgID, id)
		if lock {
			q = db.ForUpdate(q)
		}
		return q.Scan(ctx)
	})
	if err != nil {
		return nil, storeErr("session "+id.String(), err)
	}
	return sess, nil
}

// UpdateSession writes the given columns of a session.
func (s *Store) UpdateSession(ctx context.Context, sess *Session, columns ...string) error {
	err := s.in(ctx, sess.OrgID, func(ctx context.Context, tx bun.IDB) error {
		_, err := tx.NewUpdate().Model(sess).Column(columns...).Where("org_id = ? AND id = ?", sess.OrgID, sess.ID).Exec(ctx)
		return err
	})
	return storeErr("update session "+sess.ID.String(), err)
}

// SeriesFrom lists the scheduled sessions of a series from an index on.
func (s *Store) SeriesFrom(ctx context.Context, orgID, seriesID uuid.UUID, fromIndex int) ([]Session, error) {
	return list[Session](ctx, s, orgID, "sessions of series "+seriesID.String(), func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.
			Where("org_id = ? AND series_id = ? AND series_index >= ? AND status = ?", orgID, seriesID, fromIndex, StatusScheduled).
			OrderExpr("series_index")
	})
}

// SessionsOf lists the sessions a person takes part in (as practitioner
// or attendee) that overlap [from, to).
func (s *Store) SessionsOf(ctx context.Context, orgID, userID uuid.UUID, from, to time.Time) ([]Session, error) {
	// Two indexed lookups instead of one OR with a sub-select (which made
	// PostgreSQL walk every session of the organisation): the sessions the
	// person leads, and those they attend. No session is longer than a
	// day, which bounds the start from below so the index range is narrow.
	earliest := from.Add(-maxSessionLength).UTC()
	var led, attended []Session
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		err := tx.NewSelect().Model(&led).
			Where("org_id = ? AND practitioner_id = ? AND starts_at >= ? AND starts_at < ? AND ends_at > ?", orgID, userID, earliest, to.UTC(), from.UTC()).
			Scan(ctx)
		if err != nil {
			return storeErr("sessions led by "+userID.String(), err)
		}
		err = tx.NewSelect().Model(&attended).
			Where("?TableAlias.org_id = ? AND ?TableAlias.starts_at >= ? AND ?TableAlias.starts_at < ? AND ?TableAlias.ends_at > ?", orgID, earliest, to.UTC(), from.UTC()).
			Where("?TableAlias.id IN (SELECT a.session_id FROM session_attendees AS a WHERE a.org_id = ? AND a.user_id = ? AND a.status <> ?)", orgID, userID, AttendeeCancelled).
			Scan(ctx)
		return storeErr("sessions attended by "+userID.String(), err)
	})
	if err != nil {
		return nil, err
	}
	out := mergeSessions(led, attended)
	sort.Slice(out, func(i, j int) bool {
		if !out[i].StartsAt.Equal(out[j].StartsAt) {
			return out[i].StartsAt.Before(out[j].StartsAt)
		}
		return out[i].ID.String() < out[j].ID.String()
	})
	return out, nil
}

// mergeSessions is led followed by the attended sessions not among them.
func mergeSessions(led, attended []Session) []Session {
	out := led
	seen := make(map[uuid.UUID]bool, len(led))
	for _, s := range led {
		seen[s.ID] = true
	}
	for _, s := range attended {
		if !seen[s.ID] {
			out = append(out, s)
		}
	}
	return out
}

// UpcomingOf lists the next n scheduled sessions a person takes part in
// (as practitioner, or as an attendee with a seat or a waitlist place)
// that have not ended by now.
func (s *Store) UpcomingOf(ctx context.Context, orgID, userID uuid.UUID, now time.Time, n int) ([]Session, error) {
	// As SessionsOf: two indexed lookups, each the first n by start, then
	// the first n of both. One OR with a sub-select made PostgreSQL walk
	// every coming session of the organisation in start order, looking
	// for the person's (0.4 s with a million sessions).
	earliest := now.Add(-maxSessionLength).UTC()
	var led, attended []Session
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		err := tx.NewSelect().Model(&led).
			Where("org_id = ? AND practitioner_id = ? AND starts_at >= ? AND ends_at > ? AND status = ?", orgID, userID, earliest, now.UTC(), StatusScheduled).
			OrderExpr("starts_at, id").Limit(int64(n)).Scan(ctx)
		if err != nil {
			return storeErr("next sessions led by "+userID.String(), err)
		}
		err = tx.NewSelect().Model(&attended).
			Where("?TableAlias.org_id = ? AND ?TableAlias.starts_at >= ? AND ?TableAlias.ends_at > ? AND ?TableAlias.status = ?", orgID, earliest, now.UTC(), StatusScheduled).
			Where("?TableAlias.id IN (SELECT a.session_id FROM session_attendees AS a WHERE a.org_id = ? AND a.user_id = ? AND a.status IN (?))",
				orgID, userID, bun.In([]string{AttendeeBooked, AttendeeWaitlisted})).
			OrderExpr("?TableAlias.starts_at, ?TableAlias.id").Limit(int64(n)).Scan(ctx)
		return storeErr("next sessions attended by "+userID.String(), err)
	})
	if err != nil {
		return nil, err
	}
	out := mergeSessions(led, attended)
	slices.SortFunc(out, func(a, b Session) int {
		if c := a.StartsAt.Compare(b.StartsAt); c != 0 {
			return c
		}
		return slices.Compare(a.ID[:], b.ID[:])
	})
	if len(out) > n {
		out = out[:n]
	}
	return out, nil
}

// RelationshipSessions lists a relationship's sessions from a time on.
func (s *Store) RelationshipSessions(ctx context.Context, orgID, relationshipID uuid.UUID, from time.Time) ([]Session, error) {
	return list[Session](ctx, s, orgID, "sessions of relationship "+relationshipID.String(), func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("org_id = ? AND relationship_id = ? AND ends_at > ?", orgID, relationshipID, from.UTC()).
			OrderExpr("starts_at").Limit(100)
	})
}

// Timeline is a relationship's next n sessions coming (or under way),
// soonest first, and its last n that are over or were marked, newest
// first (two indexed reads on org_id, relationship_id, starts_at).
func (s *Store) Timeline(ctx context.Context, orgID, relID uuid.UUID, now time.Time, n int) (next, past []Session, err error) {
	err = s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		err := tx.NewSelect().Model(&next).Where("org_id = ? AND relationship_id = ? AND ends_at > ? AND status = ?", orgID, relID, now.UTC(), StatusScheduled).
			OrderExpr("starts_at, id").Limit(int64(n)).Scan(ctx)
		if err != nil {
			return err
		}
		return tx.NewSelect().Model(&past).Where("org_id = ? AND relationship_id = ? AND starts_at < ? AND (ends_at <= ? OR status <> ?)", orgID, relID, now.UTC(), now.UTC(), StatusScheduled).
			OrderExpr("starts_at DESC, id DESC").Limit(int64(n)).Scan(ctx)
	})
	if err != nil {
		return nil, nil, storeErr("timeline of relationship "+relID.String(), err)
	}
	return next, past, nil
}

// ParkSessions takes sessions out of the no-overlap rule for the rest of
// the transaction (they are placed again before it commits).
func (s *Store) ParkSessions(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) error {
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		_, err := tx.NewUpdate().Model((*Session)(nil)).Set("status = ?", "moving").
			Where("org_id = ? AND id IN (?)", orgID, bun.In(ids)).Exec(ctx)
		return err
	})
	return storeErr("park sessions", err)
}

// LastSessionStart is the start of the relationship's latest session not
// cancelled (held or booked); the zero time when it has none.
func (s *Store) LastSessionStart(ctx context.Context, orgID, relationshipID uuid.UUID) (time.Time, error) {
	var out []Session
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(&out).Column("starts_at").
			Where("org_id = ? AND relationship_id = ? AND status <> ?", orgID, relationshipID, StatusCancelled).
			OrderExpr("starts_at DESC").Limit(1).Scan(ctx)
	})
	if err != nil {
		return time.Time{}, storeErr("last session of relationship "+relationshipID.String(), err)
	}
	if len(out) == 0 {
		return time.Time{}, nil
	}
	return out[0].StartsAt, nil
}

// HeldSessions lists every session of a relationship that was not
// cancelled, first first (supervision counts them to rotate roles).
func (s *Store) HeldSessions(ctx context.Context, orgID, relationshipID uuid.UUID) ([]Session, error) {
	return list[Session](ctx, s, orgID, "held sessions of relationship "+relationshipID.String(), func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("org_id = ? AND relationship_id = ?", orgID, relationshipID).
			Where("status NOT IN (?)", bun.In([]string{StatusCancelled, StatusCancelledLate})).
			OrderExpr("starts_at, id").Limit(1000)
	})
}

// Attendees lists a session's attendees: seats, then the waitlist in
// order, then those who cancelled.
func (s *Store) Attendees(ctx context.Context, orgID, sessionID uuid.UUID) ([]Attendee, error) {
	return list[Attendee](ctx, s, orgID, "attendees of "+sessionID.String(), func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("org_id = ? AND session_id = ?", orgID, sessionID).
			OrderExpr("CASE status WHEN 'waitlisted' THEN 1 WHEN 'cancelled' THEN 2 ELSE 0 END, waitlist_position, created_at, id")
	})
}

// AddAttendees stores attendees (of one organisation).
func (s *Store) AddAttendees(ctx context.Context, as []Attendee) error {
	if len(as) == 0 {
		return nil
	}
	return s.insert(ctx, as[0].OrgID, &as, "add attendees")
}

// UpdateAttendee writes an attendee's status and waitlist place.
func (s *Store) UpdateAttendee(ctx context.Context, a *Attendee) error {
	err := s.in(ctx, a.OrgID, func(ctx context.Context, tx bun.IDB) error {
		_, err := tx.NewUpdate().Model(a).Column("status", "waitlist_position", "updated_at").
			Where("org_id = ? AND id = ?", a.OrgID, a.ID).Exec(ctx)
		return err
	})
	return storeErr("update attendee "+a.ID.String(), err)
}

// RecordDelivery inserts a reminder delivery unless one exists for the
// session, offset and person; it reports whether it inserted.
func (s *Store) RecordDelivery(ctx context.Context, d *delivery) (bool, error) {
	inserted := false
	err := s.in(ctx, d.OrgID, func(ctx context.Context, tx bun.IDB) error {
		res, err := tx.NewInsert().Model(d).On("CONFLICT (org_id, session_id, offset_minutes, user_id) DO NOTHING").Exec(ctx)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		inserted = n == 1
		return err
	})
	if err != nil {
		return false, storeErr("record reminder delivery", err)
	}
	return inserted, nil
}
