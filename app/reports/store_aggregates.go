package reports

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
)

// The report's sessions and people per month on PostgreSQL read the
// pre-aggregates that triggers keep (migration 0021: report_session_months,
// report_person_months, report_people_months) for the months wholly
// inside the period, and the sessions themselves only at its edges (a
// period starting or ending mid-month). SQLite, and Store.Raw, count
// from the sessions throughout.

func (s *Store) aggregated() bool { return s.DB.Engine == db.Postgres && !s.Raw }

// split divides a period into the months wholly inside it and the ranges
// at its edges that are not (all of it when no month is whole).
func (p period) split() (whole []time.Time, edges [][2]time.Time) {
	for _, m := range p.Months {
		if !m.Before(p.Start) && !m.AddDate(0, 1, 0).After(p.End) {
			whole = append(whole, m)
		}
	}
	if len(whole) == 0 {
		return nil, [][2]time.Time{{p.Start, p.End}}
	}
	first, last := whole[0], whole[len(whole)-1].AddDate(0, 1, 0)
	if p.Start.Before(first) {
		edges = append(edges, [2]time.Time{p.Start, first})
	}
	if last.Before(p.End) {
		edges = append(edges, [2]time.Time{last, p.End})
	}
	return whole, edges
}

func (p period) within(e [2]time.Time) period {
	p.Start, p.End = e[0], e[1]
	return p
}

// sessionMonths counts the period's sessions by month, kind and outcome.
func (s *Store) sessionMonths(ctx context.Context, q bun.IDB, p period) ([]monthRow, error) {
	if !s.aggregated() {
		return s.sessionMonthsRaw(ctx, q, p)
	}
	whole, edges := p.split()
	var out []monthRow
	for _, e := range edges {
		rows, err := s.sessionMonthsRaw(ctx, q, p.within(e))
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
	}
	if len(whole) == 0 {
		return out, nil
	}
	var rows []monthRow
	err := q.NewRaw(`SELECT to_char(month, 'YYYY-MM') AS month, kind, status, sessions, minutes FROM report_session_months
 WHERE org_id = ? AND month >= ?::date AND month <= ?::date AND (? = '' OR kind = ?) AND sessions > 0`,
		p.OrgID, whole[0].Format(time.DateOnly), whole[len(whole)-1].Format(time.DateOnly), p.Kind, p.Kind).Scan(ctx, &rows)
	return append(out, rows...), storeErr("sessions by month (pre-aggregated)", err)
}

// sessionPeople counts the people in each month, kind and outcome, and
// the people of each outcome over the whole period (month and kind
// empty).
func (s *Store) sessionPeople(ctx context.Context, q bun.IDB, p period) ([]monthRow, error) {
	if !s.aggregated() {
		return s.sessionPeopleRaw(ctx, q, p)
	}
	whole, edges := p.split()
	if len(whole) == 0 {
		return s.sessionPeopleRaw(ctx, q, p)
	}
	var out []monthRow
	for _, e := range edges {
		rows, err := s.sessionPeopleRaw(ctx, q, p.within(e))
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if r.Month != "" {
				out = append(out, r)
			}
		}
	}
	from, to := whole[0].Format(time.DateOnly), whole[len(whole)-1].Format(time.DateOnly)
	var rows []monthRow
	err := q.NewRaw(`SELECT to_char(month, 'YYYY-MM') AS month, kind, status, people FROM report_people_months
 WHERE org_id = ? AND month >= ?::date AND month <= ?::date AND (? = '' OR kind = ?) AND people > 0`, p.OrgID, from, to, p.Kind, p.Kind).Scan(ctx, &rows)
	if err != nil {
		return nil, storeErr("people by month (pre-aggregated)", err)
	}
	out = append(out, rows...)
	// The people over the whole period: the whole months' people and
	// those seen at the edges, each counted once.
	ranges := [2][2]time.Time{{p.Start, p.Start}, {p.Start, p.Start}}
	copy(ranges[:], edges)
	var period []monthRow
	err = q.NewRaw(`WITH seen AS (
  SELECT status, user_id FROM report_person_months
  WHERE org_id = ?0 AND month >= ?1::date AND month <= ?2::date AND (?3 = '' OR kind = ?3) AND n > 0
  UNION ALL
  SELECT s.status, a.user_id
  FROM calendar_sessions AS s JOIN session_attendees AS a ON a.org_id = s.org_id AND a.session_id = s.id AND a.status IN ('attended', 'no_show')
  WHERE s.org_id = ?0 AND ((s.starts_at >= ?4 AND s.starts_at < ?5) OR (s.starts_at >= ?6 AND s.starts_at < ?7)) AND (?3 = '' OR s.kind = ?3)
    AND s.status IN ('completed', 'no_show', 'cancelled_late') AND (s.status <> 'completed' OR a.status = 'attended'))
SELECT '' AS month, '' AS kind, status, COUNT(DISTINCT user_id) AS people FROM seen GROUP BY status`,
		p.OrgID, from, to, p.Kind, ranges[0][0], ranges[0][1], ranges[1][0], ranges[1][1]).Scan(ctx, &period)
	return append(out, period...), storeErr("people over the period (pre-aggregated)", err)
}
