package calendar

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
)

// Store holds all of the calendar's SQL, split by table: availability
// (rules, overrides, booking settings, session types) here, sessions and
// their attendees in store_sessions.go, feeds in store_feeds.go. Booking
// checks and writes in one transaction, so the service runs the store in
// its own transaction with WithTx.
type Store struct {
	DB  *db.DB
	idb bun.IDB
}

// WithTx returns the store working inside tx (scoped to the organisation
// of every call).
func (s *Store) WithTx(tx bun.IDB) *Store { return &Store{DB: s.DB, idb: tx} }

// in runs fn in the caller's transaction (WithTx) or in one of the
// organisation's own.
func (s *Store) in(ctx context.Context, orgID uuid.UUID, fn func(ctx context.Context, q bun.IDB) error) error {
	return db.In(ctx, s.DB, s.idb, orgID, fn)
}

// storeErr is where the store maps driver errors (db.Classify) and says
// what failed.
func storeErr(what string, err error) error { return db.Wrap(err, "calendar", "%s", what) }

// list runs a select of rows of T in the organisation.
func list[T any](ctx context.Context, s *Store, orgID uuid.UUID, what string, query func(q *bun.SelectQuery) *bun.SelectQuery) ([]T, error) {
	var out []T
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		return query(tx.NewSelect().Model(&out)).Scan(ctx)
	})
	if err != nil {
		return nil, storeErr(what, err)
	}
	return out, nil
}

// Rules lists a practitioner's weekly availability rules.
func (s *Store) Rules(ctx context.Context, orgID, practitionerID uuid.UUID) ([]Rule, error) {
	return list[Rule](ctx, s, orgID, "rules of "+practitionerID.String(), func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("org_id = ? AND practitioner_id = ?", orgID, practitionerID).
			OrderExpr("weekday, start_minute")
	})
}

// AddRule stores a weekly availability rule.
func (s *Store) AddRule(ctx context.Context, r *Rule) error {
	return s.insert(ctx, r.OrgID, r, "add rule")
}

// DeleteRule removes a practitioner's rule, or says db.ErrNotFound.
func (s *Store) DeleteRule(ctx context.Context, orgID, practitionerID, id uuid.UUID) error {
	return s.deleteOwn(ctx, (*Rule)(nil), orgID, practitionerID, id, "rule")
}

// Overrides lists a practitioner's date overrides from a day on.
func (s *Store) Overrides(ctx context.Context, orgID, practitionerID uuid.UUID, fromDay string) ([]Override, error) {
	return list[Override](ctx, s, orgID, "overrides of "+practitionerID.String(), func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("org_id = ? AND practitioner_id = ? AND day >= ?", orgID, practitionerID, fromDay).
			OrderExpr("day, start_minute")
	})
}

// AddOverride stores a date override.
func (s *Store) AddOverride(ctx context.Context, o *Override) error {
	return s.insert(ctx, o.OrgID, o, "add override")
}

// DeleteOverride removes a practitioner's override, or says db.ErrNotFound.
func (s *Store) DeleteOverride(ctx context.Context, orgID, practitionerID, id uuid.UUID) error {
	return s.deleteOwn(ctx, (*Override)(nil), orgID, practitionerID, id, "override")
}

// insert stores model (a row or a slice of rows of the organisation).
func (s *Store) insert(ctx context.Context, orgID uuid.UUID, model any, what string) error {
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		_, err := tx.NewInsert().Model(model).Exec(ctx)
		return err
	})
	return storeErr(what, err)
}

// deleteOwn removes the practitioner's row of model's table with the id,
// or says db.ErrNotFound.
func (s *Store) deleteOwn(ctx context.Context, model any, orgID, practitionerID, id uuid.UUID, what string) error {
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		res, err := tx.NewDelete().Model(model).Where("org_id = ? AND practitioner_id = ? AND id = ?", orgID, practitionerID, id).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return db.ErrNotFound
		}
		return nil
	})
	return storeErr(fmt.Sprintf("delete %s %s", what, id), err)
}

// BookingSettings loads a practitioner's booking settings, or the
// defaults when they saved none.
func (s *Store) BookingSettings(ctx context.Context, orgID, practitionerID uuid.UUID) (BookingSettings, error) {
	var out []BookingSettings
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(&out).Where("org_id = ? AND practitioner_id = ?", orgID, practitionerID).Scan(ctx)
	})
	if err != nil {
		return BookingSettings{}, storeErr("booking settings of "+practitionerID.String(), err)
	}
	if len(out) == 0 {
		return DefaultBookingSettings(orgID, practitionerID), nil
	}
	return out[0], nil
}

// SaveBookingSettings stores the booking columns of a practitioner's
// settings, leaving the meeting ones as they are (or their defaults).
func (s *Store) SaveBookingSettings(ctx context.Context, b *BookingSettings) error {
	err := s.in(ctx, b.OrgID, func(ctx context.Context, tx bun.IDB) error {
		_, err := tx.NewInsert().Model(b).On("CONFLICT (org_id, practitioner_id) DO UPDATE").
			Set("buffer_before_min = EXCLUDED.buffer_before_min").Set("buffer_after_min = EXCLUDED.buffer_after_min").
			Set("min_notice_min = EXCLUDED.min_notice_min").Set("window_days = EXCLUDED.window_days").
			Set("max_per_day = EXCLUDED.max_per_day").Set("max_per_week = EXCLUDED.max_per_week").
			Set("updated_at = EXCLUDED.updated_at").Exec(ctx)
		return err
	})
	return storeErr("save booking settings", err)
}

// SaveMeetingSettings stores the meeting columns of a practitioner's
// booking settings, leaving the others as they are (or their defaults).
func (s *Store) SaveMeetingSettings(ctx context.Context, b *BookingSettings) error {
	err := s.in(ctx, b.OrgID, func(ctx context.Context, tx bun.IDB) error {
		_, err := tx.NewInsert().Model(b).On("CONFLICT (org_id, practitioner_id) DO UPDATE").
			Set("meeting_mode = EXCLUDED.meeting_mode").Set("meeting_room_url = EXCLUDED.meeting_room_url").
			Set("updated_at = EXCLUDED.updated_at").Exec(ctx)
		return err
	})
	return storeErr("save meeting settings", err)
}

// SessionType loads the organisation's session type of a kind, or says
// db.ErrNotFound.
func (s *Store) SessionType(ctx context.Context, orgID uuid.UUID, kind string) (*SessionType, error) {
	var out []SessionType
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		if err := tx.NewSelect().Model(&out).Where("org_id = ? AND kind = ?", orgID, kind).Scan(ctx); err != nil {
			return err
		}
		if len(out) == 0 {
			return db.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return nil, storeErr("session type "+kind, err)
	}
	return &out[0], nil
}

// SessionTypes lists an organisation's session types.
func (s *Store) SessionTypes(ctx context.Context, orgID uuid.UUID) ([]SessionType, error) {
	return list[SessionType](ctx, s, orgID, "session types", func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("org_id = ?", orgID).OrderExpr("kind")
	})
}

// SaveSessionType sets the default length and place of a kind.
func (s *Store) SaveSessionType(ctx context.Context, st *SessionType) error {
	err := s.in(ctx, st.OrgID, func(ctx context.Context, tx bun.IDB) error {
		_, err := tx.NewInsert().Model(st).On("CONFLICT (org_id, kind) DO UPDATE").
			Set("minutes = EXCLUDED.minutes").Set("place = EXCLUDED.place").Exec(ctx)
		return err
	})
	return storeErr("save session type "+st.Kind, err)
}

// DeleteSessionType removes a kind's defaults.
func (s *Store) DeleteSessionType(ctx context.Context, orgID uuid.UUID, kind string) error {
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		_, err := tx.NewDelete().Model((*SessionType)(nil)).Where("org_id = ? AND kind = ?", orgID, kind).Exec(ctx)
		return err
	})
	return storeErr("delete session type "+kind, err)
}

// maxSessionLength bounds a session's length (types and agreements allow
// at most 10 hours), so that range queries can bound the start time.
const maxSessionLength = 24 * time.Hour
