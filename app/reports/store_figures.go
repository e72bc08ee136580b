package reports

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
)

// The aggregate queries of the programme report. They read other
// domains' tables and write none (see the package comment). Every query
// is bound to one organisation by its org_id filter and, on PostgreSQL,
// by row-level security as well. Arguments: ?0 the organisation, ?1 and
// ?2 the period's bounds, ?3 the kind filter ('' for every kind).

// period is the scope of the aggregate queries.
type period struct {
	OrgID      uuid.UUID
	Start, End time.Time
	Kind       string
	// Months are the starts of the months the period touches, in the
	// organisation's zone (the first may be before Start).
	Months []time.Time
}

func (p period) args() []any { return []any{p.OrgID, p.Start, p.End, p.Kind} }

// monthOf is the SQL for the month (an index into months, or YYYY-MM)
// of a timestamp column. On PostgreSQL it is the bucket of the month
// boundaries in the organisation's zone (width_bucket: a binary search
// per row; to_char with a zone per row was the report's slowest part);
// SQLite keeps timestamps as UTC text and has no zones, so its months are
// UTC months, read off the text.
func (s *Store) monthOf(col string, p period) (string, []any) {
	if s.DB.Engine == db.Postgres {
		bounds := make([]string, 0, len(p.Months)+1)
		for _, m := range p.Months {
			bounds = append(bounds, `"`+m.UTC().Format("2006-01-02 15:04:05Z07:00")+`"`)
		}
		return "width_bucket(" + col + ", ?::timestamptz[])::text", []any{"{" + strings.Join(bounds, ",") + "}"}
	}
	return "substr(" + col + ", 1, 7)", nil
}

// monthName turns what monthOf selected into YYYY-MM.
func (s *Store) monthName(v string, p period) string {
	if s.DB.Engine != db.Postgres {
		return v
	}
	i, err := strconv.Atoi(v)
	if err != nil || i < 1 || i > len(p.Months) {
		return v
	}
	return p.Months[i-1].Format("2006-01")
}

// minutesBetween is the SQL for the minutes from one timestamp to another.
func (s *Store) minutesBetween(from, to string) string {
	if s.DB.Engine == db.Postgres {
		return "EXTRACT(EPOCH FROM (" + to + " - " + from + ")) / 60"
	}
	return "(julianday(" + to + ") - julianday(" + from + ")) * 1440"
}

type stageCount struct {
	Stage string `bun:"stage"`
	N     int    `bun:"n"`
}

const funnelSQL = `
SELECT 'assessed' AS stage, COUNT(DISTINCT member_id) AS n FROM assessments
 WHERE org_id = ?0 AND submitted_at >= ?1 AND submitted_at < ?2 AND (?3 = '' OR rec_kind = ?3)
UNION ALL
SELECT 'signposted', COUNT(DISTINCT member_id) FROM assessments
 WHERE org_id = ?0 AND decided_at >= ?1 AND decided_at < ?2 AND status IN ('confirmed', 'overridden') AND (?3 = '' OR rec_kind = ?3)
UNION ALL
SELECT 'requested', COUNT(DISTINCT member_id) FROM support_requests
 WHERE org_id = ?0 AND created_at >= ?1 AND created_at < ?2 AND (?3 = '' OR kind = ?3)
UNION ALL
SELECT 'matched', COUNT(DISTINCT p.user_id) FROM relationship_participants AS p
 JOIN relationships AS r ON r.org_id = p.org_id AND r.id = p.relationship_id
 WHERE p.org_id = ?0 AND p.side = 'member' AND p.joined_at >= ?1 AND p.joined_at < ?2 AND r.status <> 'proposed' AND (?3 = '' OR r.kind = ?3)
UNION ALL
SELECT 'active', COUNT(DISTINCT p.user_id) FROM relationship_participants AS p
 JOIN relationships AS r ON r.org_id = p.org_id AND r.id = p.relationship_id
 WHERE p.org_id = ?0 AND p.side = 'member' AND r.started_at IS NOT NULL AND r.started_at < ?2 AND (r.ended_at IS NULL OR r.ended_at >= ?1)
   AND p.joined_at < ?2 AND (p.left_at IS NULL OR p.left_at >= ?1) AND (?3 = '' OR r.kind = ?3)
UNION ALL
SELECT 'concluded', COUNT(DISTINCT p.user_id) FROM relationship_participants AS p
 JOIN relationships AS r ON r.org_id = p.org_id AND r.id = p.relationship_id
 WHERE p.org_id = ?0 AND p.side = 'member' AND r.ended_at >= ?1 AND r.ended_at < ?2 AND r.status IN ('completed', 'ended') AND (?3 = '' OR r.kind = ?3)`

func (s *Store) funnel(ctx context.Context, q bun.IDB, p period) (map[string]int, error) {
	var rows []stageCount
	if err := q.NewRaw(funnelSQL, p.args()...).Scan(ctx, &rows); err != nil {
		return nil, storeErr("funnel", err)
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.Stage] = r.N
	}
	return out, nil
}

type requestRow struct {
	MemberID  uuid.UUID  `bun:"member_id"`
	Status    string     `bun:"status"`
	CreatedAt time.Time  `bun:"created_at"`
	MatchedAt *time.Time `bun:"matched_at"`
}

func (s *Store) requests(ctx context.Context, q bun.IDB, p period) ([]requestRow, error) {
	var rows []requestRow
	err := q.NewRaw(`SELECT r.member_id, r.status, r.created_at,
  (SELECT MIN(x.answered_at) FROM proposals AS x WHERE x.org_id = r.org_id AND x.request_id = r.id AND x.status = 'accepted') AS matched_at
 FROM support_requests AS r WHERE r.org_id = ?0 AND r.created_at >= ?1 AND r.created_at < ?2 AND (?3 = '' OR r.kind = ?3)`, p.args()...).Scan(ctx, &rows)
	return rows, storeErr("support requests", err)
}

type monthRow struct {
	Month    string  `bun:"month"`
	Kind     string  `bun:"kind"`
	Status   string  `bun:"status"`
	Sessions int     `bun:"sessions"`
	Minutes  float64 `bun:"minutes"`
	People   int     `bun:"people"`
}

// sessionMonthsRaw counts the period's sessions by month, kind and
// outcome from the sessions themselves.
func (s *Store) sessionMonthsRaw(ctx context.Context, q bun.IDB, p period) ([]monthRow, error) {
	month, margs := s.monthOf("s.starts_at", p)
	var rows []monthRow
	err := q.NewRaw(`SELECT `+month+` AS month, s.kind, s.status, COUNT(*) AS sessions, COALESCE(SUM(`+s.minutesBetween("s.starts_at", "s.ends_at")+`), 0) AS minutes
 FROM calendar_sessions AS s
 WHERE s.org_id = ? AND s.starts_at >= ? AND s.starts_at < ? AND (? = '' OR s.kind = ?) AND s.status IN ('completed', 'no_show', 'cancelled_late')
 GROUP BY 1, 2, 3`, append(margs, p.OrgID, p.Start, p.End, p.Kind, p.Kind)...).Scan(ctx, &rows)
	for i := range rows {
		rows[i].Month = s.monthName(rows[i].Month, p)
	}
	return rows, storeErr("sessions by month", err)
}

// sessionPeopleRaw counts, in one pass over the period's sessions and their
// attendees, the people in each month, kind and outcome, and the people
// of each outcome over the whole period (month and kind empty). A held
// session counts those who attended; a missed or late-cancelled one those
// who were booked in.
func (s *Store) sessionPeopleRaw(ctx context.Context, q bun.IDB, p period) ([]monthRow, error) {
	month, margs := s.monthOf("s.starts_at", p)
	var rows []monthRow
	err := q.NewRaw(`WITH seen AS (
  SELECT DISTINCT `+month+` AS month, s.kind, s.status, a.user_id
  FROM calendar_sessions AS s JOIN session_attendees AS a ON a.org_id = s.org_id AND a.session_id = s.id AND a.status IN ('attended', 'no_show')
  WHERE s.org_id = ? AND s.starts_at >= ? AND s.starts_at < ? AND (? = '' OR s.kind = ?) AND s.status IN ('completed', 'no_show', 'cancelled_late')
    AND (s.status <> 'completed' OR a.status = 'attended'))
SELECT month, kind, status, COUNT(*) AS people FROM seen GROUP BY month, kind, status
UNION ALL
SELECT '' AS month, '' AS kind, status, COUNT(*) AS people FROM (SELECT DISTINCT status, user_id FROM seen) AS u GROUP BY status`,
		append(margs, p.OrgID, p.Start, p.End, p.Kind, p.Kind)...).Scan(ctx, &rows)
	for i := range rows {
		if rows[i].Month != "" {
			rows[i].Month = s.monthName(rows[i].Month, p)
		}
	}
	return rows, storeErr("people by month", err)
}

type outcomeRow struct {
	What   string `bun:"what"`
	N      int    `bun:"n"`
	People int    `bun:"people"`
}

// relationshipOutcomes counts, for each way relationships ended in the
// period, the relationships and their members.
func (s *Store) relationshipOutcomes(ctx context.Context, q bun.IDB, p period) ([]outcomeRow, error) {
	var rows []outcomeRow
	err := q.NewRaw(`SELECT r.status AS what, COUNT(DISTINCT r.id) AS n, COUNT(DISTINCT p.user_id) AS people
 FROM relationships AS r LEFT JOIN relationship_participants AS p ON p.org_id = r.org_id AND p.relationship_id = r.id AND p.side = 'member'
 WHERE r.org_id = ?0 AND r.ended_at >= ?1 AND r.ended_at < ?2 AND r.status IN ('completed', 'ended') AND (?3 = '' OR r.kind = ?3)
 GROUP BY r.status`, p.args()...).Scan(ctx, &rows)
	return rows, storeErr("relationship outcomes", err)
}

type loadRow struct {
	UserID   uuid.UUID `bun:"user_id"`
	Kinds    string    `bun:"kinds"`
	Capacity int       `bun:"capacity"`
	Load     int       `bun:"load"`
}

// load is every practitioner's capacity and the members they support now
// in active relationships (of the kind, if filtered).
func (s *Store) load(ctx context.Context, q bun.IDB, p period) (practitioners []loadRow, places int, err error) {
	err = q.NewRaw(`SELECT pr.user_id, pr.kinds, pr.capacity, COALESCE(l.load, 0) AS load
 FROM practitioner_profiles AS pr LEFT JOIN (
   SELECT pp.user_id, COUNT(DISTINCT m.user_id) AS load FROM relationship_participants AS pp
    JOIN relationships AS r ON r.org_id = pp.org_id AND r.id = pp.relationship_id AND r.status = 'active' AND (?1 = '' OR r.kind = ?1)
    JOIN relationship_participants AS m ON m.org_id = r.org_id AND m.relationship_id = r.id AND m.side = 'member' AND m.left_at IS NULL
   WHERE pp.org_id = ?0 AND pp.side = 'practitioner' AND pp.left_at IS NULL
   GROUP BY pp.user_id) AS l ON l.user_id = pr.user_id
 WHERE pr.org_id = ?0`, p.OrgID, p.Kind).Scan(ctx, &practitioners)
	if err != nil {
		return nil, 0, storeErr("practitioners' load", err)
	}
	err = q.NewRaw(`SELECT COUNT(DISTINCT m.user_id) FROM relationship_participants AS m
 JOIN relationships AS r ON r.org_id = m.org_id AND r.id = m.relationship_id AND r.status = 'active' AND (?1 = '' OR r.kind = ?1)
 WHERE m.org_id = ?0 AND m.side = 'member' AND m.left_at IS NULL`, p.OrgID, p.Kind).Scan(ctx, &places)
	return practitioners, places, storeErr("places taken", err)
}

type courseRow struct {
	Title     string `bun:"title"`
	Enrolled  int    `bun:"enrolled"`
	Completed int    `bun:"completed"`
}

func (s *Store) training(ctx context.Context, q bun.IDB, p period) ([]courseRow, error) {
	var rows []courseRow
	err := q.NewRaw(`SELECT c.title,
  COUNT(DISTINCT CASE WHEN e.created_at >= ?1 AND e.created_at < ?2 THEN e.user_id END) AS enrolled,
  COUNT(DISTINCT CASE WHEN e.completed_at >= ?1 AND e.completed_at < ?2 THEN e.user_id END) AS completed
 FROM courses AS c JOIN enrolments AS e ON e.org_id = c.org_id AND e.course_id = c.id AND e.status <> 'revoked'
 WHERE c.org_id = ?0
 GROUP BY c.id, c.title
 HAVING COUNT(DISTINCT CASE WHEN e.created_at >= ?1 AND e.created_at < ?2 THEN e.user_id END) > 0
     OR COUNT(DISTINCT CASE WHEN e.completed_at >= ?1 AND e.completed_at < ?2 THEN e.user_id END) > 0
 ORDER BY c.title`, p.OrgID, p.Start, p.End).Scan(ctx, &rows)
	return rows, storeErr("training", err)
}

type satisfactionRow struct {
	Kind       string  `bun:"kind"`
	Answers    int     `bun:"answers"`
	People     int     `bun:"people"`
	Average    float64 `bun:"average"`
	Good       int     `bun:"good"`
	FitAnswers int     `bun:"fit_answers"`
}

func (s *Store) satisfaction(ctx context.Context, q bun.IDB, p period) ([]satisfactionRow, error) {
	var rows []satisfactionRow
	err := q.NewRaw(`SELECT r.kind, COUNT(*) AS answers, COUNT(DISTINCT f.author_id) AS people, COALESCE(AVG(f.rating), 0.0) AS average,
  SUM(CASE WHEN f.fit = 'good' THEN 1 ELSE 0 END) AS good, SUM(CASE WHEN f.fit <> '' THEN 1 ELSE 0 END) AS fit_answers
 FROM feedback AS f JOIN relationships AS r ON r.org_id = f.org_id AND r.id = f.relationship_id
 WHERE f.org_id = ?0 AND f.answered_at >= ?1 AND f.answered_at < ?2 AND f.rating > 0 AND (?3 = '' OR r.kind = ?3)
 GROUP BY r.kind ORDER BY r.kind`, p.args()...).Scan(ctx, &rows)
	return rows, storeErr("satisfaction", err)
}

// healthRow is what a relationship's health score is made of.
type healthRow struct {
	ID          uuid.UUID  `bun:"id"`
	Kind        string     `bun:"kind"`
	Title       string     `bun:"title"`
	StartedAt   *time.Time `bun:"started_at"`
	CadenceDays int        `bun:"cadence_days"`
	Held        int        `bun:"held"`
	Goals       int        `bun:"goals"`
	GoalsMoving int        `bun:"goals_moving"`
	Ratings     int        `bun:"ratings"`
	Rating      float64    `bun:"rating"`
}

// health reads every active relationship's rhythm, goals and ratings over
// the windows before asOf.
func (s *Store) health(ctx context.Context, q bun.IDB, orgID uuid.UUID, kind string, asOf time.Time) ([]healthRow, error) {
	var rows []healthRow
	rhythmFrom, goalsFrom := asOf.Add(-RhythmWindow), asOf.Add(-GoalsWindow)
	err := q.NewRaw(`SELECT r.id, r.kind, r.title, r.started_at, COALESCE(a.cadence_days, 14) AS cadence_days,
  COALESCE(h.held, 0) AS held, COALESCE(g.goals, 0) AS goals, COALESCE(gm.moving, 0) AS goals_moving,
  COALESCE(f.ratings, 0) AS ratings, COALESCE(f.rating, 0.0) AS rating
 FROM relationships AS r
 LEFT JOIN agreements AS a ON a.org_id = r.org_id AND a.relationship_id = r.id
 LEFT JOIN (SELECT relationship_id, COUNT(*) AS held FROM calendar_sessions
   WHERE org_id = ?0 AND status = 'completed' AND starts_at >= ?2 AND starts_at < ?1 GROUP BY relationship_id) AS h ON h.relationship_id = r.id
 LEFT JOIN (SELECT relationship_id, COUNT(*) AS goals FROM goals WHERE org_id = ?0 GROUP BY relationship_id) AS g ON g.relationship_id = r.id
 LEFT JOIN (SELECT relationship_id, COUNT(*) AS moving FROM goals AS g WHERE g.org_id = ?0 AND EXISTS (
     SELECT 1 FROM goal_updates AS u WHERE u.org_id = g.org_id AND u.goal_id = g.id AND u.kind IN ('progress', 'milestone') AND u.at >= ?3 AND u.at < ?1)
   GROUP BY relationship_id) AS gm ON gm.relationship_id = r.id
 LEFT JOIN (SELECT relationship_id, COUNT(*) AS ratings, AVG(rating) AS rating FROM feedback
   WHERE org_id = ?0 AND rating > 0 AND answered_at >= ?2 AND answered_at < ?1 GROUP BY relationship_id) AS f ON f.relationship_id = r.id
 WHERE r.org_id = ?0 AND r.status = 'active' AND (?4 = '' OR r.kind = ?4)`, orgID, asOf, rhythmFrom, goalsFrom, kind).Scan(ctx, &rows)
	return rows, storeErr("relationship health", err)
}

type participantName struct {
	RelationshipID uuid.UUID `bun:"relationship_id"`
	Side           string    `bun:"side"`
	Name           string    `bun:"name"`
}

// names lists the current participants of relationships with their names.
func (s *Store) names(ctx context.Context, q bun.IDB, orgID uuid.UUID, ids []uuid.UUID) ([]participantName, error) {
	if len(ids) == 0 {
		return []participantName{}, nil
	}
	var rows []participantName
	err := q.NewRaw(`SELECT p.relationship_id, p.side, u.name FROM relationship_participants AS p JOIN users AS u ON u.id = p.user_id
 WHERE p.org_id = ? AND p.relationship_id IN (?) AND p.left_at IS NULL ORDER BY p.side DESC, u.name`, orgID, bun.In(ids)).Scan(ctx, &rows)
	return rows, storeErr("participants' names", err)
}

// relationshipSessions lists a relationship's sessions with the
// attendance of their members.
func (s *Store) relationshipSessions(ctx context.Context, q bun.IDB, orgID, relID uuid.UUID) ([]SessionRow, error) {
	var rows []SessionRow
	err := q.NewRaw(`SELECT s.id, s.starts_at, s.ends_at, s.status,
  (SELECT COUNT(*) FROM session_attendees AS a WHERE a.org_id = s.org_id AND a.session_id = s.id AND a.status = 'attended') AS attended,
  (SELECT COUNT(*) FROM session_attendees AS a WHERE a.org_id = s.org_id AND a.session_id = s.id AND a.status = 'no_show') AS no_show
 FROM calendar_sessions AS s WHERE s.org_id = ? AND s.relationship_id = ? ORDER BY s.starts_at`, orgID, relID).Scan(ctx, &rows)
	return rows, storeErr("sessions of the relationship", err)
}

// RelationshipSessions is relationshipSessions in its own read.
func (s *Store) RelationshipSessions(ctx context.Context, orgID, relID uuid.UUID) ([]SessionRow, error) {
	var rows []SessionRow
	err := db.In(ctx, s.DB, s.idb, orgID, func(ctx context.Context, tx bun.IDB) error {
		var err error
		rows, err = s.relationshipSessions(ctx, tx, orgID, relID)
		return err
	})
	return rows, err
}
