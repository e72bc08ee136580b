package calendar

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
)

// All of the calendar's SQL. Functions take the caller's transaction,
// which must be scoped to orgID (db.InTenant): the service decides the
// transaction boundaries, because booking must check and insert in one.

func loadRules(ctx context.Context, tx bun.IDB, orgID, practitionerID uuid.UUID) ([]Rule, error) {
	var out []Rule
	err := tx.NewSelect().Model(&out).Where("org_id = ? AND practitioner_id = ?", orgID, practitionerID).
		OrderExpr("weekday, start_minute").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("calendar: rules of %s: %w", practitionerID, err)
	}
	return out, nil
}

func insertRule(ctx context.Context, tx bun.IDB, r *Rule) error {
	if _, err := tx.NewInsert().Model(r).Exec(ctx); err != nil {
		return fmt.Errorf("calendar: add rule: %w", err)
	}
	return nil
}

func deleteRule(ctx context.Context, tx bun.IDB, orgID, practitionerID, id uuid.UUID) error {
	res, err := tx.NewDelete().Model((*Rule)(nil)).Where("org_id = ? AND practitioner_id = ? AND id = ?", orgID, practitionerID, id).Exec(ctx)
	return deleted(res, err, "rule", id)
}

func loadOverrides(ctx context.Context, tx bun.IDB, orgID, practitionerID uuid.UUID, fromDay string) ([]Override, error) {
	var out []Override
	err := tx.NewSelect().Model(&out).Where("org_id = ? AND practitioner_id = ? AND day >= ?", orgID, practitionerID, fromDay).
		OrderExpr("day, start_minute").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("calendar: overrides of %s: %w", practitionerID, err)
	}
	return out, nil
}

func insertOverride(ctx context.Context, tx bun.IDB, o *Override) error {
	if _, err := tx.NewInsert().Model(o).Exec(ctx); err != nil {
		return fmt.Errorf("calendar: add override: %w", err)
	}
	return nil
}

func deleteOverride(ctx context.Context, tx bun.IDB, orgID, practitionerID, id uuid.UUID) error {
	res, err := tx.NewDelete().Model((*Override)(nil)).Where("org_id = ? AND practitioner_id = ? AND id = ?", orgID, practitionerID, id).Exec(ctx)
	return deleted(res, err, "override", id)
}

func deleted(res interface{ RowsAffected() (int64, error) }, err error, what string, id uuid.UUID) error {
	if err != nil {
		return fmt.Errorf("calendar: delete %s %s: %w", what, id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("calendar: delete %s %s: %w", what, id, db.ErrNotFound)
	}
	return nil
}

func loadBookingSettings(ctx context.Context, tx bun.IDB, orgID, practitionerID uuid.UUID) (BookingSettings, error) {
	var out []BookingSettings
	err := tx.NewSelect().Model(&out).Where("org_id = ? AND practitioner_id = ?", orgID, practitionerID).Scan(ctx)
	if err != nil {
		return BookingSettings{}, fmt.Errorf("calendar: booking settings of %s: %w", practitionerID, err)
	}
	if len(out) == 0 {
		return DefaultBookingSettings(orgID, practitionerID), nil
	}
	return out[0], nil
}

func saveBookingSettings(ctx context.Context, tx bun.IDB, b *BookingSettings) error {
	_, err := tx.NewInsert().Model(b).On("CONFLICT (org_id, practitioner_id) DO UPDATE").
		Set("buffer_before_min = EXCLUDED.buffer_before_min").Set("buffer_after_min = EXCLUDED.buffer_after_min").
		Set("min_notice_min = EXCLUDED.min_notice_min").Set("window_days = EXCLUDED.window_days").
		Set("max_per_day = EXCLUDED.max_per_day").Set("max_per_week = EXCLUDED.max_per_week").
		Set("updated_at = EXCLUDED.updated_at").Exec(ctx)
	if err != nil {
		return fmt.Errorf("calendar: save booking settings: %w", err)
	}
	return nil
}

// saveMeetingSettings stores the meeting columns of a practitioner's
// booking settings, leaving the others as they are (or their defaults).
func saveMeetingSettings(ctx context.Context, tx bun.IDB, b *BookingSettings) error {
	_, err := tx.NewInsert().Model(b).On("CONFLICT (org_id, practitioner_id) DO UPDATE").
		Set("meeting_mode = EXCLUDED.meeting_mode").Set("meeting_room_url = EXCLUDED.meeting_room_url").
		Set("updated_at = EXCLUDED.updated_at").Exec(ctx)
	if err != nil {
		return fmt.Errorf("calendar: save meeting settings: %w", err)
	}
	return nil
}

func loadSessionType(ctx context.Context, tx bun.IDB, orgID uuid.UUID, kind string) (*SessionType, error) {
	var out []SessionType
	if err := tx.NewSelect().Model(&out).Where("org_id = ? AND kind = ?", orgID, kind).Scan(ctx); err != nil {
		return nil, fmt.Errorf("calendar: session type %s: %w", kind, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("calendar: session type %s: %w", kind, db.ErrNotFound)
	}
	return &out[0], nil
}

// busyBetween lists the practitioner's scheduled sessions whose busy
// range overlaps [from, to), except the given ones.
func busyBetween(ctx context.Context, tx bun.IDB, orgID, practitionerID uuid.UUID, from, to time.Time, except ...uuid.UUID) ([]Session, error) {
	var out []Session
	q := tx.NewSelect().Model(&out).
		Where("org_id = ? AND practitioner_id = ? AND status = ?", orgID, practitionerID, StatusScheduled).
		Where("busy_from < ? AND busy_to > ?", to.UTC(), from.UTC())
	if len(except) > 0 {
		q = q.Where("id NOT IN (?)", bun.In(except))
	}
	if err := q.OrderExpr("starts_at").Scan(ctx); err != nil {
		return nil, fmt.Errorf("calendar: busy times of %s: %w", practitionerID, err)
	}
	return out, nil
}

func insertSeries(ctx context.Context, tx bun.IDB, s *Series) error {
	if _, err := tx.NewInsert().Model(s).Exec(ctx); err != nil {
		return fmt.Errorf("calendar: create series: %w", err)
	}
	return nil
}

func insertSession(ctx context.Context, tx bun.IDB, s *Session) error {
	if _, err := tx.NewInsert().Model(s).Exec(ctx); err != nil {
		return fmt.Errorf("calendar: create session at %s: %w", s.StartsAt.Format(time.RFC3339), db.Classify(err))
	}
	return nil
}

// lockSession loads a session for change; on Postgres the row stays
// locked until the transaction ends (SQLite's transaction holds the
// write lock already).
func lockSession(ctx context.Context, tx bun.IDB, _ db.Engine, orgID, id uuid.UUID) (*Session, error) {
	s := new(Session)
	q := db.ForUpdate(tx.NewSelect().Model(s).Where("org_id = ? AND id = ?", orgID, id))
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("calendar: session %s: %w", id, db.Classify(err))
	}
	return s, nil
}

func getSession(ctx context.Context, tx bun.IDB, orgID, id uuid.UUID) (*Session, error) {
	s := new(Session)
	if err := tx.NewSelect().Model(s).Where("org_id = ? AND id = ?", orgID, id).Scan(ctx); err != nil {
		return nil, fmt.Errorf("calendar: session %s: %w", id, db.Classify(err))
	}
	return s, nil
}

func updateSession(ctx context.Context, tx bun.IDB, s *Session, columns ...string) error {
	if _, err := tx.NewUpdate().Model(s).Column(columns...).Where("org_id = ? AND id = ?", s.OrgID, s.ID).Exec(ctx); err != nil {
		return fmt.Errorf("calendar: update session %s: %w", s.ID, db.Classify(err))
	}
	return nil
}

// seriesFrom lists the scheduled sessions of a series from an index on.
func seriesFrom(ctx context.Context, tx bun.IDB, orgID, seriesID uuid.UUID, fromIndex int) ([]Session, error) {
	var out []Session
	err := tx.NewSelect().Model(&out).
		Where("org_id = ? AND series_id = ? AND series_index >= ? AND status = ?", orgID, seriesID, fromIndex, StatusScheduled).
		OrderExpr("series_index").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("calendar: sessions of series %s: %w", seriesID, err)
	}
	return out, nil
}

// sessionsOf lists the sessions a person takes part in (as practitioner
// or attendee) that overlap [from, to).
func sessionsOf(ctx context.Context, tx bun.IDB, orgID, userID uuid.UUID, from, to time.Time) ([]Session, error) {
	// Two indexed lookups instead of one OR with a sub-select (which made
	// PostgreSQL walk every session of the organisation): the sessions the
	// person leads, and those they attend. No session is longer than a
	// day, which bounds the start from below so the index range is narrow.
	earliest := from.Add(-maxSessionLength).UTC()
	var led, attended []Session
	err := tx.NewSelect().Model(&led).
		Where("org_id = ? AND practitioner_id = ? AND starts_at >= ? AND starts_at < ? AND ends_at > ?", orgID, userID, earliest, to.UTC(), from.UTC()).
		Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("calendar: sessions led by %s: %w", userID, err)
	}
	err = tx.NewSelect().Model(&attended).
		Where("?TableAlias.org_id = ? AND ?TableAlias.starts_at >= ? AND ?TableAlias.starts_at < ? AND ?TableAlias.ends_at > ?", orgID, earliest, to.UTC(), from.UTC()).
		Where("?TableAlias.id IN (SELECT a.session_id FROM session_attendees AS a WHERE a.org_id = ? AND a.user_id = ? AND a.status <> ?)", orgID, userID, AttendeeCancelled).
		Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("calendar: sessions attended by %s: %w", userID, err)
	}
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
	sort.Slice(out, func(i, j int) bool {
		if !out[i].StartsAt.Equal(out[j].StartsAt) {
			return out[i].StartsAt.Before(out[j].StartsAt)
		}
		return out[i].ID.String() < out[j].ID.String()
	})
	return out, nil
}

// maxSessionLength bounds a session's length (types and agreements allow
// at most 10 hours), so that range queries can bound the start time.
const maxSessionLength = 24 * time.Hour

// upcomingOf lists the next n scheduled sessions a person takes part in
// (as practitioner, or as an attendee with a seat or a waitlist place)
// that have not ended by now.
func upcomingOf(ctx context.Context, tx bun.IDB, orgID, userID uuid.UUID, now time.Time, n int) ([]Session, error) {
	// As sessionsOf: two indexed lookups, each the first n by start, then
	// the first n of both. One OR with a sub-select made PostgreSQL walk
	// every coming session of the organisation in start order, looking
	// for the person's (0.4 s with a million sessions).
	earliest := now.Add(-maxSessionLength).UTC()
	var led, attended []Session
	err := tx.NewSelect().Model(&led).
		Where("org_id = ? AND practitioner_id = ? AND starts_at >= ? AND ends_at > ? AND status = ?", orgID, userID, earliest, now.UTC(), StatusScheduled).
		OrderExpr("starts_at, id").Limit(int64(n)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("calendar: next sessions led by %s: %w", userID, err)
	}
	err = tx.NewSelect().Model(&attended).
		Where("?TableAlias.org_id = ? AND ?TableAlias.starts_at >= ? AND ?TableAlias.ends_at > ? AND ?TableAlias.status = ?", orgID, earliest, now.UTC(), StatusScheduled).
		Where("?TableAlias.id IN (SELECT a.session_id FROM session_attendees AS a WHERE a.org_id = ? AND a.user_id = ? AND a.status IN (?))",
			orgID, userID, bun.In([]string{AttendeeBooked, AttendeeWaitlisted})).
		OrderExpr("?TableAlias.starts_at, ?TableAlias.id").Limit(int64(n)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("calendar: next sessions attended by %s: %w", userID, err)
	}
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

// relationshipSessions lists a relationship's sessions from a time on.
func relationshipSessions(ctx context.Context, tx bun.IDB, orgID, relationshipID uuid.UUID, from time.Time) ([]Session, error) {
	var out []Session
	err := tx.NewSelect().Model(&out).Where("org_id = ? AND relationship_id = ? AND ends_at > ?", orgID, relationshipID, from.UTC()).
		OrderExpr("starts_at").Limit(100).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("calendar: sessions of relationship %s: %w", relationshipID, err)
	}
	return out, nil
}

func loadAttendees(ctx context.Context, tx bun.IDB, orgID, sessionID uuid.UUID) ([]Attendee, error) {
	var out []Attendee
	err := tx.NewSelect().Model(&out).Where("org_id = ? AND session_id = ?", orgID, sessionID).
		OrderExpr("CASE status WHEN 'waitlisted' THEN 1 WHEN 'cancelled' THEN 2 ELSE 0 END, waitlist_position, created_at, id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("calendar: attendees of %s: %w", sessionID, err)
	}
	return out, nil
}

func insertAttendees(ctx context.Context, tx bun.IDB, as []Attendee) error {
	if len(as) == 0 {
		return nil
	}
	if _, err := tx.NewInsert().Model(&as).Exec(ctx); err != nil {
		return fmt.Errorf("calendar: add attendees: %w", db.Classify(err))
	}
	return nil
}

func updateAttendee(ctx context.Context, tx bun.IDB, a *Attendee) error {
	_, err := tx.NewUpdate().Model(a).Column("status", "waitlist_position", "updated_at").
		Where("org_id = ? AND id = ?", a.OrgID, a.ID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("calendar: update attendee %s: %w", a.ID, err)
	}
	return nil
}

// recordDelivery inserts a reminder delivery unless one exists for the
// session, offset and person; it reports whether it inserted.
func recordDelivery(ctx context.Context, tx bun.IDB, d *delivery) (bool, error) {
	res, err := tx.NewInsert().Model(d).On("CONFLICT (org_id, session_id, offset_minutes, user_id) DO NOTHING").Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("calendar: record reminder delivery: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("calendar: record reminder delivery: %w", err)
	}
	return n == 1, nil
}

// Feeds are per person, across organisations: no tenant scope.

func replaceFeed(ctx context.Context, tx bun.IDB, f *Feed) error {
	if _, err := tx.NewDelete().Model((*Feed)(nil)).Where("user_id = ?", f.UserID).Exec(ctx); err != nil {
		return fmt.Errorf("calendar: drop old feed: %w", err)
	}
	if _, err := tx.NewInsert().Model(f).Exec(ctx); err != nil {
		return fmt.Errorf("calendar: create feed: %w", err)
	}
	return nil
}

func deleteFeed(ctx context.Context, idb bun.IDB, userID uuid.UUID) error {
	if _, err := idb.NewDelete().Model((*Feed)(nil)).Where("user_id = ?", userID).Exec(ctx); err != nil {
		return fmt.Errorf("calendar: end feed of %s: %w", userID, err)
	}
	return nil
}

func feedByHash(ctx context.Context, idb bun.IDB, hash string) (*Feed, error) {
	f := new(Feed)
	if err := idb.NewSelect().Model(f).Where("token_hash = ?", hash).Scan(ctx); err != nil {
		return nil, fmt.Errorf("calendar: feed: %w", db.Classify(err))
	}
	return f, nil
}

func feedOf(ctx context.Context, idb bun.IDB, userID uuid.UUID) (*Feed, error) {
	var out []Feed
	if err := idb.NewSelect().Model(&out).Where("user_id = ?", userID).Scan(ctx); err != nil {
		return nil, fmt.Errorf("calendar: feed of %s: %w", userID, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("calendar: feed of %s: %w", userID, db.ErrNotFound)
	}
	return &out[0], nil
}

// parkSessions takes sessions out of the no-overlap rule for the rest of
// the transaction (they are placed again before it commits).
func parkSessions(ctx context.Context, tx bun.IDB, orgID uuid.UUID, ids []uuid.UUID) error {
	_, err := tx.NewUpdate().Model((*Session)(nil)).Set("status = ?", "moving").
		Where("org_id = ? AND id IN (?)", orgID, bun.In(ids)).Exec(ctx)
	if err != nil {
		return fmt.Errorf("calendar: park sessions: %w", err)
	}
	return nil
}

// lastSessionStart is the start of the relationship's latest session not
// cancelled (held or booked); the zero time when it has none.
func lastSessionStart(ctx context.Context, tx bun.IDB, orgID, relationshipID uuid.UUID) (time.Time, error) {
	var out []Session
	err := tx.NewSelect().Model(&out).Column("starts_at").
		Where("org_id = ? AND relationship_id = ? AND status <> ?", orgID, relationshipID, StatusCancelled).
		OrderExpr("starts_at DESC").Limit(1).Scan(ctx)
	if err != nil {
		return time.Time{}, fmt.Errorf("calendar: last session of relationship %s: %w", relationshipID, err)
	}
	if len(out) == 0 {
		return time.Time{}, nil
	}
	return out[0].StartsAt, nil
}

// groupSessions lists every session of a relationship that was not
// cancelled, first first (supervision counts them to rotate roles).
func groupSessions(ctx context.Context, tx bun.IDB, orgID, relationshipID uuid.UUID) ([]Session, error) {
	var out []Session
	err := tx.NewSelect().Model(&out).Where("org_id = ? AND relationship_id = ?", orgID, relationshipID).
		Where("status NOT IN (?)", bun.In([]string{StatusCancelled, StatusCancelledLate})).
		OrderExpr("starts_at, id").Limit(1000).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("calendar: held sessions of relationship %s: %w", relationshipID, err)
	}
	return out, nil
}
