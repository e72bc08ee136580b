package feedback

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
)

// Store holds the feedback's SQL.
type Store struct {
	DB  *db.DB
	idb bun.IDB
}

// WithTx returns the store working inside tx (scoped to the organisation
// of every call).
func (s *Store) WithTx(tx bun.IDB) *Store { return &Store{DB: s.DB, idb: tx} }

func storeErr(what string, err error) error { return db.Wrap(err, "feedback", "%s", what) }

// Ask records requests for feedback; a person already asked about the
// session is not asked again. It returns the requests it recorded.
func (s *Store) Ask(ctx context.Context, orgID uuid.UUID, asks []Feedback) ([]Feedback, error) {
	var out []Feedback
	err := db.In(ctx, s.DB, s.idb, orgID, func(ctx context.Context, tx bun.IDB) error {
		for _, f := range asks {
			f.OrgID = orgID
			res, err := tx.NewInsert().Model(&f).On("CONFLICT (org_id, session_id, author_id) DO NOTHING").Exec(ctx)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err == nil && n == 1 {
				out = append(out, f)
			}
		}
		return nil
	})
	return out, storeErr("ask", err)
}

// Get loads one request for feedback.
func (s *Store) Get(ctx context.Context, orgID, id uuid.UUID) (*Feedback, error) {
	f := new(Feedback)
	err := db.In(ctx, s.DB, s.idb, orgID, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(f).Where("org_id = ? AND id = ?", orgID, id).Scan(ctx)
	})
	if err != nil {
		return nil, storeErr("get "+id.String(), err)
	}
	return f, nil
}

// SaveAnswer records an answer to a request not yet answered; it reports
// false when the request was answered already (the first answer stands).
func (s *Store) SaveAnswer(ctx context.Context, orgID, id uuid.UUID, a Answer, at time.Time) (bool, error) {
	saved := false
	err := db.In(ctx, s.DB, s.idb, orgID, func(ctx context.Context, tx bun.IDB) error {
		res, err := tx.NewUpdate().Model((*Feedback)(nil)).Set("rating = ?", a.Rating).Set("fit = ?", a.Fit).Set("comment = ?", a.Comment).
			Set("answered_at = ?", at).Where("org_id = ? AND id = ? AND answered_at IS NULL", orgID, id).Exec(ctx)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		saved = n == 1
		return err
	})
	return saved, storeErr("answer", err)
}

// Pending lists a person's unanswered requests, newest first.
func (s *Store) Pending(ctx context.Context, orgID, userID uuid.UUID) ([]Feedback, error) {
	var out []Feedback
	err := db.In(ctx, s.DB, s.idb, orgID, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(&out).Where("org_id = ? AND author_id = ? AND answered_at IS NULL", orgID, userID).
			OrderExpr("asked_at DESC").Limit(20).Scan(ctx)
	})
	return out, storeErr("pending", err)
}

// Answered lists the answers given in an organisation (optionally in one
// relationship), newest first: for coordinators where the organisation
// allows, and for the author's own view.
func (s *Store) Answered(ctx context.Context, orgID uuid.UUID, relationshipID, authorID *uuid.UUID, limit int) ([]Feedback, error) {
	var out []Feedback
	err := db.In(ctx, s.DB, s.idb, orgID, func(ctx context.Context, tx bun.IDB) error {
		q := tx.NewSelect().Model(&out).Where("org_id = ? AND answered_at IS NOT NULL", orgID)
		if relationshipID != nil {
			q = q.Where("relationship_id = ?", *relationshipID)
		}
		if authorID != nil {
			q = q.Where("author_id = ?", *authorID)
		}
		return q.OrderExpr("answered_at DESC").Limit(int64(limit)).Scan(ctx)
	})
	return out, storeErr("answers", err)
}

// Summarise aggregates the answers about relationships a practitioner
// takes part in (or, with practitionerID nil, the whole organisation).
func (s *Store) Summarise(ctx context.Context, orgID uuid.UUID, practitionerID *uuid.UUID) (Summary, error) {
	var row struct {
		Answers int     `bun:"answers"`
		Average float64 `bun:"average"`
		Good    int     `bun:"good"`
	}
	err := db.In(ctx, s.DB, s.idb, orgID, func(ctx context.Context, tx bun.IDB) error {
		q := `SELECT COUNT(*) AS answers, COALESCE(AVG(f.rating), 0.0) AS average, SUM(CASE WHEN f.fit = 'good' THEN 1 ELSE 0 END) AS good
 FROM feedback AS f WHERE f.org_id = ? AND f.answered_at IS NOT NULL`
		args := []any{orgID}
		if practitionerID != nil {
			q += ` AND EXISTS (SELECT 1 FROM relationship_participants AS p WHERE p.org_id = f.org_id AND p.relationship_id = f.relationship_id
   AND p.user_id = ? AND p.side = 'practitioner')`
			args = append(args, *practitionerID)
		}
		return tx.NewRaw(q, args...).Scan(ctx, &row)
	})
	if err != nil {
		return Summary{}, storeErr("summary", err)
	}
	sum := Summary{Answers: row.Answers, AverageRating: float64(int(row.Average*10+0.5)) / 10}
	if row.Answers > 0 {
		sum.GoodFitPercent = (row.Good*100 + row.Answers/2) / row.Answers
	}
	return sum, nil
}

// Trend is the average rating per month of a relationship's answers,
// each month with its count.
type Trend struct {
	Month   string  `bun:"month"`
	Answers int     `bun:"answers"`
	Average float64 `bun:"average"`
}

// MonthlyTrend lists a relationship's answers by month (UTC), oldest
// first.
func (s *Store) MonthlyTrend(ctx context.Context, orgID, relationshipID uuid.UUID) ([]Trend, error) {
	month := "substr(answered_at, 1, 7)"
	if s.DB.Engine == db.Postgres {
		month = "to_char(answered_at AT TIME ZONE 'UTC', 'YYYY-MM')"
	}
	var out []Trend
	err := db.In(ctx, s.DB, s.idb, orgID, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewRaw(`SELECT `+month+` AS month, COUNT(*) AS answers, AVG(rating) AS average FROM feedback
 WHERE org_id = ? AND relationship_id = ? AND answered_at IS NOT NULL GROUP BY 1 ORDER BY 1`, orgID, relationshipID).Scan(ctx, &out)
	})
	return out, storeErr("trend", err)
}

// completedSession is a completed session's relationship and the people
// who attended it.
type completedSession struct {
	RelationshipID uuid.UUID
	Attended       []uuid.UUID
}

// attended reads a session that is completed (nil when it is not, or is
// gone) and who attended it.
func (s *Store) attended(ctx context.Context, orgID, sessionID uuid.UUID) (*completedSession, error) {
	var out *completedSession
	err := db.In(ctx, s.DB, s.idb, orgID, func(ctx context.Context, tx bun.IDB) error {
		var rel []uuid.UUID
		if err := tx.NewRaw(`SELECT relationship_id FROM calendar_sessions WHERE org_id = ? AND id = ? AND status = 'completed'`, orgID, sessionID).Scan(ctx, &rel); err != nil {
			return err
		}
		if len(rel) == 0 {
			return nil
		}
		out = &completedSession{RelationshipID: rel[0]}
		return tx.NewRaw(`SELECT user_id FROM session_attendees WHERE org_id = ? AND session_id = ? AND status = 'attended' ORDER BY user_id`, orgID, sessionID).
			Scan(ctx, &out.Attended)
	})
	return out, storeErr("attendance of "+sessionID.String(), err)
}

// Ask is an unanswered request with the start of its session, for the
// card on My support.
type Ask struct {
	ID       uuid.UUID  `bun:"id"`
	AskedAt  time.Time  `bun:"asked_at"`
	Session  *time.Time `bun:"session_at"`
	CheckIn  string     `bun:"check_in"`
	Relation uuid.UUID  `bun:"relationship_id"`
}

// SessionAt is the start of the session asked about (zero for a
// check-in).
func (a Ask) SessionAt() time.Time {
	if a.Session == nil {
		return time.Time{}
	}
	return *a.Session
}

// PendingAsks lists a person's unanswered requests with their sessions'
// starts, newest first.
func (s *Store) PendingAsks(ctx context.Context, orgID, userID uuid.UUID, limit int) ([]Ask, error) {
	var out []Ask
	err := db.In(ctx, s.DB, s.idb, orgID, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewRaw(`SELECT f.id, f.asked_at, s.starts_at AS session_at, f.check_in, f.relationship_id FROM feedback AS f
 LEFT JOIN calendar_sessions AS s ON s.org_id = f.org_id AND s.id = f.session_id
 WHERE f.org_id = ? AND f.author_id = ? AND f.answered_at IS NULL ORDER BY f.asked_at DESC, f.id DESC LIMIT ?`, orgID, userID, limit).Scan(ctx, &out)
	})
	return out, storeErr("pending asks", err)
}

// checkInPerson is a participant asked at a check-in.
type checkInPerson struct {
	UserID uuid.UUID `bun:"user_id"`
	Name   string    `bun:"name"`
	Email  string    `bun:"email"`
}

// checkInPeople lists the current participants of a relationship that is
// active and started at started, without those who opted out of nudges
// (none when the relationship is not active, or started at another
// time).
func (s *Store) checkInPeople(ctx context.Context, orgID, relID uuid.UUID, started time.Time) ([]checkInPerson, error) {
	var out []checkInPerson
	err := db.In(ctx, s.DB, s.idb, orgID, func(ctx context.Context, tx bun.IDB) error {
		var rel []struct {
			Status    string     `bun:"status"`
			StartedAt *time.Time `bun:"started_at"`
		}
		if err := tx.NewRaw(`SELECT status, started_at FROM relationships WHERE org_id = ? AND id = ?`, orgID, relID).Scan(ctx, &rel); err != nil {
			return err
		}
		if len(rel) == 0 || rel[0].Status != "active" || rel[0].StartedAt == nil || !rel[0].StartedAt.Equal(started) {
			return nil
		}
		return tx.NewRaw(`SELECT p.user_id, u.name, u.email FROM relationship_participants AS p JOIN users AS u ON u.id = p.user_id
 WHERE p.org_id = ? AND p.relationship_id = ? AND p.left_at IS NULL AND u.deleted_at IS NULL
   AND NOT EXISTS (SELECT 1 FROM mail_opt_outs AS o WHERE o.org_id = p.org_id AND o.user_id = p.user_id AND o.topic = 'nudges')
 ORDER BY p.side DESC, u.name`, orgID, relID).Scan(ctx, &out)
	})
	return out, storeErr("check-in people", err)
}

// askCheckIn records a check-in request; false when the person was asked
// at this milestone already.
func (s *Store) askCheckIn(ctx context.Context, f *Feedback) (bool, error) {
	fresh := false
	err := db.In(ctx, s.DB, s.idb, f.OrgID, func(ctx context.Context, tx bun.IDB) error {
		res, err := tx.NewInsert().Model(f).On("CONFLICT (org_id, relationship_id, author_id, check_in) WHERE check_in <> '' DO NOTHING").Exec(ctx)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		fresh = n == 1
		return err
	})
	return fresh, storeErr("ask check-in", err)
}

// isMember reports whether a person takes part in a relationship on the
// member side.
func (s *Store) isMember(ctx context.Context, orgID, relID, userID uuid.UUID) (bool, error) {
	var n int64
	err := db.In(ctx, s.DB, s.idb, orgID, func(ctx context.Context, tx bun.IDB) error {
		var err error
		n, err = tx.NewSelect().Table("relationship_participants").Where("org_id = ? AND relationship_id = ? AND user_id = ? AND side = 'member'", orgID, relID, userID).Count(ctx)
		return err
	})
	return n > 0, storeErr("side", err)
}
