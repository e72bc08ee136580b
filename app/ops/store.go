package ops

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/audit"
	"github.com/leadershiptoolbox/toolbox/app/db"
)

// Store holds all of the operator side's SQL.
type Store struct {
	DB *db.DB
}

// IsOperator reports whether the person holds the platform role.
func (s *Store) IsOperator(ctx context.Context, userID uuid.UUID) (bool, error) {
	ok, err := s.DB.NewSelect().Model((*Operator)(nil)).Where("user_id = ?", userID).Exists(ctx)
	if err != nil {
		return false, fmt.Errorf("ops: is %s an operator: %w", userID, err)
	}
	return ok, nil
}

// Grant gives the platform role to a person, recorded in the platform
// audit log; it reports whether they did not hold it already.
func (s *Store) Grant(ctx context.Context, userID uuid.UUID, email, by string, now time.Time) (bool, error) {
	fresh := false
	err := s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewInsert().Model(&Operator{UserID: userID, GrantedBy: by, GrantedAt: now.UTC()}).On("CONFLICT (user_id) DO NOTHING").Exec(ctx)
		if err != nil {
			return fmt.Errorf("ops: grant %s: %w", email, err)
		}
		n, _ := res.RowsAffected()
		if fresh = n == 1; !fresh {
			return nil
		}
		return record(ctx, tx, Event{Actor: by, Action: ActionGranted, Target: email, At: now})
	})
	return fresh, err
}

// Revoke takes the platform role away; it reports whether they held it.
func (s *Store) Revoke(ctx context.Context, userID uuid.UUID, email, by string, now time.Time) (bool, error) {
	held := false
	err := s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewDelete().Model((*Operator)(nil)).Where("user_id = ?", userID).Exec(ctx)
		if err != nil {
			return fmt.Errorf("ops: revoke %s: %w", email, err)
		}
		n, _ := res.RowsAffected()
		if held = n == 1; !held {
			return nil
		}
		return record(ctx, tx, Event{Actor: by, Action: ActionRevoked, Target: email, At: now})
	})
	return held, err
}

// Operators lists the people holding the role, by address.
func (s *Store) Operators(ctx context.Context) ([]string, error) {
	var out []string
	err := s.DB.NewSelect().TableExpr("operators AS op").Join("JOIN users AS u ON u.id = op.user_id").
		ColumnExpr("u.email").OrderExpr("u.email").Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("ops: list operators: %w", err)
	}
	return out, nil
}

// record adds a line to the platform audit log in idb.
func record(ctx context.Context, idb bun.IDB, e Event) error {
	if e.ID == uuid.Nil {
		e.ID = uuid.Must(uuid.NewV7())
	}
	e.At = e.At.UTC()
	if _, err := idb.NewInsert().Model(&e).Exec(ctx); err != nil {
		return fmt.Errorf("ops: record %s: %w", e.Action, err)
	}
	return nil
}

// Record adds a line to the platform audit log.
func (s *Store) Record(ctx context.Context, e Event) error { return record(ctx, s.DB, e) }

// Events lists the platform audit log, newest first.
func (s *Store) Events(ctx context.Context, limit int) ([]Event, error) {
	var out []Event
	if err := s.DB.NewSelect().Model(&out).OrderExpr("at DESC, id DESC").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("ops: list platform audit: %w", err)
	}
	return out, nil
}

// sqliteTotals is platform_org_totals (migration 0022) for SQLite, which
// has no row-level security to step around.
const sqliteTotals = `(SELECT o2.id AS org_id,
  (SELECT count(*) FROM memberships m WHERE m.org_id = o2.id AND m.status = 'active') AS people,
  (SELECT count(*) FROM relationships r WHERE r.org_id = o2.id AND r.status = 'active') AS active_relationships,
  (SELECT count(*) FROM calendar_sessions s WHERE s.org_id = o2.id AND s.starts_at >= ? AND s.starts_at < ?
     AND s.status NOT IN ('cancelled', 'cancelled_late')) AS sessions_this_month,
  (SELECT count(*) FROM payments p WHERE p.org_id = o2.id AND p.paid_at IS NOT NULL) AS course_sales,
  (SELECT max(a.at) FROM audit_events a WHERE a.org_id = o2.id) AS last_activity,
  (SELECT coalesce(group_concat(e.email, ', '), '') FROM (SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id
     WHERE m.org_id = o2.id AND m.role = 'owner' AND m.status = 'active' ORDER BY u.email) AS e) AS owners
  FROM organisations AS o2)`

var orgOrder = map[OrgSort]string{
	SortName:         "lower(o.name), o.slug",
	SortNewest:       "o.created_at DESC, o.slug",
	SortPeople:       "t.people DESC, o.slug",
	SortRelations:    "t.active_relationships DESC, o.slug",
	SortSessions:     "t.sessions_this_month DESC, o.slug",
	SortSales:        "t.course_sales DESC, o.slug",
	SortLastActivity: "t.last_activity DESC NULLS LAST, o.slug",
}

// orgsQuery selects organisations with their totals for the calendar
// month (UTC) of now; tail filters, orders and limits, with its args.
func (s *Store) orgsQuery(ctx context.Context, now time.Time, tail string, args ...any) ([]OrgSummary, error) {
	now = now.UTC()
	from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	totals := "platform_org_totals(?, ?)"
	if s.DB.Engine != db.Postgres {
		totals = sqliteTotals
	}
	query := `SELECT o.id, o.slug, o.name, o.created_at, o.suspended_at, o.suspended_reason, t.owners, t.people,
  t.active_relationships, t.sessions_this_month, t.course_sales, t.last_activity
FROM organisations AS o JOIN ` + totals + ` AS t ON t.org_id = o.id ` + tail
	var out []OrgSummary
	if err := s.DB.NewRaw(query, append([]any{from, from.AddDate(0, 1, 0)}, args...)...).Scan(ctx, &out); err != nil {
		return nil, fmt.Errorf("ops: list organisations: %w", err)
	}
	return out, nil
}

// Orgs lists a page of organisations with their totals, and whether
// another page follows.
func (s *Store) Orgs(ctx context.Context, f OrgFilter, now time.Time) ([]OrgSummary, bool, error) {
	order, ok := orgOrder[f.Sort]
	if !ok {
		order = orgOrder[SortName]
	}
	var args []any
	where := ""
	if q := strings.ToLower(strings.TrimSpace(f.Query)); q != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(q) + "%"
		where = `WHERE lower(o.name) LIKE ? ESCAPE '\' OR o.slug LIKE ? ESCAPE '\' OR lower(t.owners) LIKE ? ESCAPE '\'`
		args = append(args, like, like, like)
	}
	args = append(args, PageSize+1, max(f.Page, 0)*PageSize)
	out, err := s.orgsQuery(ctx, now, where+` ORDER BY `+order+` LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, false, err
	}
	more := len(out) > PageSize
	if more {
		out = out[:PageSize]
	}
	return out, more, nil
}

// Org is one organisation with its totals.
func (s *Store) Org(ctx context.Context, id uuid.UUID, now time.Time) (*OrgSummary, error) {
	out, err := s.orgsQuery(ctx, now, `WHERE o.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("ops: organisation %s: %w", id, db.ErrNotFound)
	}
	return &out[0], nil
}

// StartSupport opens an operator's support access to an organisation, in
// the organisation's scope, and records it in its audit log.
func (s *Store) StartSupport(ctx context.Context, a *SupportAccess, ip string) error {
	return s.DB.InTenant(ctx, a.OrgID, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(a).Exec(ctx); err != nil {
			return fmt.Errorf("ops: start support access: %w", err)
		}
		return audit.Record(ctx, tx, audit.Event{
			OrgID: a.OrgID, ActorID: &a.OperatorID, Actor: "Platform support (" + a.Operator + ")", Action: OrgActionSupportStarted,
			Target: "support access until " + a.Until.UTC().Format("2006-01-02 15:04 UTC"), Detail: a.Reason, IP: ip, At: a.StartsAt,
		})
	})
}

// EndSupport closes the operator's open support accesses to an
// organisation, recorded in its audit log; it reports whether one was open.
func (s *Store) EndSupport(ctx context.Context, orgID, operatorID uuid.UUID, operator, ip string, now time.Time) (bool, error) {
	ended := false
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*SupportAccess)(nil)).Set("ended_at = ?", now.UTC()).
			Where("org_id = ? AND operator_id = ? AND ended_at IS NULL AND until > ?", orgID, operatorID, now.UTC()).Exec(ctx)
		if err != nil {
			return fmt.Errorf("ops: end support access: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		ended = true
		return audit.Record(ctx, tx, audit.Event{OrgID: orgID, ActorID: &operatorID, Actor: "Platform support (" + operator + ")",
			Action: OrgActionSupportEnded, Target: "support access", IP: ip, At: now.UTC()})
	})
	return ended, err
}

// ActiveSupport is the operator's open support access to an organisation.
func (s *Store) ActiveSupport(ctx context.Context, orgID, operatorID uuid.UUID, now time.Time) (*SupportAccess, error) {
	a := new(SupportAccess)
	err := s.DB.ReadTenant(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(a).Where("org_id = ? AND operator_id = ? AND ended_at IS NULL AND until > ?", orgID, operatorID, now.UTC()).
			OrderExpr("until DESC").Limit(1).Scan(ctx)
	})
	if err != nil {
		return nil, db.Wrap(err, "ops", "support access to %s", orgID)
	}
	return a, nil
}

// SupportHistory lists an organisation's support accesses, newest first.
func (s *Store) SupportHistory(ctx context.Context, orgID uuid.UUID, limit int) ([]SupportAccess, error) {
	var out []SupportAccess
	err := s.DB.ReadTenant(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(&out).Where("org_id = ?", orgID).OrderExpr("starts_at DESC").Limit(int64(limit)).Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("ops: support history of %s: %w", orgID, err)
	}
	return out, nil
}

// OrgAudit records an event in an organisation's own audit log (its
// owners see suspensions there).
func (s *Store) OrgAudit(ctx context.Context, e audit.Event) error {
	return s.DB.InTenant(ctx, e.OrgID, func(ctx context.Context, tx bun.Tx) error { return audit.Record(ctx, tx, e) })
}

// errNoAccount: grant or revoke named an address without an account.
var errNoAccount = errors.New("ops: no account with that address")
