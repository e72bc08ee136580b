package busy

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
)

// Store holds all of the busy times' SQL: the connected calendars
// (external_calendars) and their intervals (busy_intervals). A method runs
// in a tenant transaction of its own or, on the store WithTx returns, in
// the caller's.
type Store struct {
	DB *db.DB
	tx bun.IDB
}

// WithTx returns the store working inside tx, which must be scoped to
// the organisation the methods are given.
func (s *Store) WithTx(tx bun.IDB) *Store { return &Store{DB: s.DB, tx: tx} }

func (s *Store) in(ctx context.Context, orgID uuid.UUID, fn func(ctx context.Context, q bun.IDB) error, format string, args ...any) error {
	if err := db.In(ctx, s.DB, s.tx, orgID, fn); err != nil {
		return fmt.Errorf("busy: "+format+": %w", append(args, err)...)
	}
	return nil
}

// Insert records a newly connected calendar.
func (s *Store) Insert(ctx context.Context, c *Calendar) error {
	return s.in(ctx, c.OrgID, func(ctx context.Context, q bun.IDB) error {
		_, err := q.NewInsert().Model(c).Exec(ctx)
		return err
	}, "connect calendar")
}

// Calendars lists a practitioner's calendars, oldest first.
func (s *Store) Calendars(ctx context.Context, orgID, practitionerID uuid.UUID) ([]Calendar, error) {
	var out []Calendar
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(&out).Where("org_id = ? AND practitioner_id = ?", orgID, practitionerID).
			OrderExpr("created_at, id").Scan(ctx)
	}, "calendars of %s", practitionerID)
	return out, err
}

// Get loads one calendar of an organisation.
func (s *Store) Get(ctx context.Context, orgID, id uuid.UUID) (*Calendar, error) {
	c := new(Calendar)
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(c).Where("org_id = ? AND id = ?", orgID, id).Scan(ctx)
	}, "get calendar %s", id)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Lock loads one calendar and holds it (PostgreSQL) until the end of the
// caller's transaction, so that two refreshes of it go one at a time.
func (s *Store) Lock(ctx context.Context, orgID, id uuid.UUID) (*Calendar, error) {
	c := new(Calendar)
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return db.ForUpdate(q.NewSelect().Model(c).Where("org_id = ? AND id = ?", orgID, id)).Scan(ctx)
	}, "lock calendar %s", id)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Delete disconnects a practitioner's calendar; its intervals go with it.
func (s *Store) Delete(ctx context.Context, orgID, practitionerID, id uuid.UUID) error {
	return s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		if _, err := q.NewDelete().Model((*Interval)(nil)).Where("org_id = ? AND calendar_id = ?", orgID, id).Exec(ctx); err != nil {
			return err
		}
		res, err := q.NewDelete().Model((*Calendar)(nil)).Where("org_id = ? AND practitioner_id = ? AND id = ?", orgID, practitionerID, id).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return db.ErrNotFound
		}
		return nil
	}, "disconnect calendar %s", id)
}

// insertBatch keeps each insert under SQLite's limit of bound values.
const insertBatch = 500

// ReplaceIntervals replaces the calendar's intervals with spans and
// stamps the refresh as good, all in the caller's transaction: a refresh
// run twice stores its intervals once.
func (s *Store) ReplaceIntervals(ctx context.Context, c *Calendar, spans []Span, now time.Time) error {
	return s.in(ctx, c.OrgID, func(ctx context.Context, q bun.IDB) error {
		if _, err := q.NewDelete().Model((*Interval)(nil)).Where("org_id = ? AND calendar_id = ?", c.OrgID, c.ID).Exec(ctx); err != nil {
			return err
		}
		rows := make([]Interval, 0, len(spans))
		for _, sp := range spans {
			rows = append(rows, Interval{OrgID: c.OrgID, CalendarID: c.ID, PractitionerID: c.PractitionerID, StartsAt: sp.From.UTC(), EndsAt: sp.To.UTC()})
		}
		for i := 0; i < len(rows); i += insertBatch {
			batch := rows[i:min(i+insertBatch, len(rows))]
			if _, err := q.NewInsert().Model(&batch).Exec(ctx); err != nil {
				return err
			}
		}
		_, err := q.NewUpdate().Model((*Calendar)(nil)).
			Set("attempted_at = ?", now.UTC()).Set("refreshed_at = ?", now.UTC()).
			Set("error_kind = ''").Set("error_message = ''").Set("busy_count = ?", len(spans)).
			Where("org_id = ? AND id = ?", c.OrgID, c.ID).Exec(ctx)
		return err
	}, "store the busy times of %s", c.ID)
}

// RecordFailure stamps a failed refresh; the intervals of the last good
// one stay (until they are stale).
func (s *Store) RecordFailure(ctx context.Context, c *Calendar, kind, message string, now time.Time) error {
	return s.in(ctx, c.OrgID, func(ctx context.Context, q bun.IDB) error {
		_, err := q.NewUpdate().Model((*Calendar)(nil)).
			Set("attempted_at = ?", now.UTC()).Set("error_kind = ?", kind).Set("error_message = ?", message).
			Where("org_id = ? AND id = ?", c.OrgID, c.ID).Exec(ctx)
		return err
	}, "record the failure of %s", c.ID)
}

// Due lists the organisation's calendars whose last refresh was tried
// before since (or never).
func (s *Store) Due(ctx context.Context, orgID uuid.UUID, since time.Time) ([]Calendar, error) {
	var out []Calendar
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(&out).Column("id", "org_id", "practitioner_id").
			Where("org_id = ? AND (attempted_at IS NULL OR attempted_at < ?)", orgID, since.UTC()).Scan(ctx)
	}, "calendars due")
	return out, err
}

// Between lists the practitioner's busy intervals that overlap
// [from, to), each with the time until which it blocks (its calendar's
// last good refresh plus staleAfter).
func (s *Store) Between(ctx context.Context, orgID, practitionerID uuid.UUID, from, to time.Time, staleAfter time.Duration) ([]Busy, error) {
	var rows []struct {
		StartsAt    time.Time `bun:"starts_at"`
		EndsAt      time.Time `bun:"ends_at"`
		RefreshedAt time.Time `bun:"refreshed_at"`
	}
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().TableExpr("busy_intervals AS i").
			Join("JOIN external_calendars AS c ON c.org_id = i.org_id AND c.id = i.calendar_id").
			ColumnExpr("i.starts_at, i.ends_at, c.refreshed_at").
			Where("i.org_id = ? AND i.practitioner_id = ?", orgID, practitionerID).
			Where("i.starts_at < ? AND i.ends_at > ?", to.UTC(), from.UTC()).
			Where("c.refreshed_at IS NOT NULL").
			OrderExpr("i.starts_at").Scan(ctx, &rows)
	}, "busy times of %s", practitionerID)
	if err != nil {
		return nil, err
	}
	out := make([]Busy, 0, len(rows))
	for _, r := range rows {
		out = append(out, Busy{From: r.StartsAt, To: r.EndsAt, FreshUntil: r.RefreshedAt.Add(staleAfter)})
	}
	return out, nil
}

// Upcoming counts a calendar's intervals that end after now.
func (s *Store) Upcoming(ctx context.Context, orgID, calendarID uuid.UUID, now time.Time) (int, error) {
	var n int
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		c, err := q.NewSelect().Model((*Interval)(nil)).Where("org_id = ? AND calendar_id = ? AND ends_at > ?", orgID, calendarID, now.UTC()).Count(ctx)
		n = int(c)
		return err
	}, "count the busy times of %s", calendarID)
	return n, err
}

// Reseal seals again, with the newest key, every calendar of an
// organisation whose credentials are sealed with an older one (key
// rotation, `toolbox notes reseal`). It returns how many changed.
func (s *Store) Reseal(ctx context.Context, keys Sealer, orgID uuid.UUID) (int, error) {
	changed := 0
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		var cals []Calendar
		if err := q.NewSelect().Model(&cals).Where("org_id = ? AND key_id <> ?", orgID, keys.Newest()).Scan(ctx); err != nil {
			return err
		}
		for i := range cals {
			c := &cals[i]
			plain, err := keys.Open(sealID(c.ID), c.Ciphertext, c.Nonce, c.KeyID)
			if err != nil {
				return fmt.Errorf("calendar %s: %w", c.ID, err)
			}
			if c.Ciphertext, c.Nonce, c.KeyID, err = keys.Seal(sealID(c.ID), plain); err != nil {
				return err
			}
			if _, err := q.NewUpdate().Model(c).Column("ciphertext", "nonce", "key_id").WherePK().Exec(ctx); err != nil {
				return err
			}
			changed++
		}
		return nil
	}, "reseal calendars")
	return changed, err
}
