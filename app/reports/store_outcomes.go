package reports

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
)

// The SQL of the scheduled work: nudge keys, proposals to conclude,
// e-mail opt-outs, and the few figures of digests and summaries. Every
// function takes the transaction it runs in, scoped to the organisation.

// nudgeKeys lists the keys of the nudges recorded with a prefix.
func (s *Store) nudgeKeys(ctx context.Context, q bun.IDB, orgID uuid.UUID, prefix string) (map[string]bool, error) {
	var keys []string
	err := q.NewSelect().Table("nudges").Column("key").Where("org_id = ? AND key LIKE ?", orgID, prefix+"%").Scan(ctx, &keys)
	out := make(map[string]bool, len(keys))
	for _, k := range keys {
		out[k] = true
	}
	return out, storeErr("nudge keys", err)
}

// Proposal is a quiet relationship proposed for concluding.
type Proposal struct {
	bun.BaseModel `bun:"table:conclusion_proposals"`

	ID             uuid.UUID  `bun:"id,pk,type:uuid"`
	OrgID          uuid.UUID  `bun:"org_id,type:uuid"`
	RelationshipID uuid.UUID  `bun:"relationship_id,type:uuid"`
	Spell          string     `bun:"spell"`
	ProposedAt     time.Time  `bun:"proposed_at"`
	ConcludeAt     time.Time  `bun:"conclude_at"`
	ObjectedBy     *uuid.UUID `bun:"objected_by,type:uuid"`
	ObjectedAt     *time.Time `bun:"objected_at"`
	ConcludedAt    *time.Time `bun:"concluded_at"`
}

// Open reports whether the proposal still stands.
func (p *Proposal) Open() bool { return p.ObjectedAt == nil && p.ConcludedAt == nil }

// settledProposals lists the proposals objected to, as
// "relationship:spell" (one carried out whose relationship is still
// active is carried out again, so it is not settled).
func (s *Store) settledProposals(ctx context.Context, q bun.IDB, orgID uuid.UUID) (map[string]bool, error) {
	var ps []Proposal
	err := q.NewSelect().Model(&ps).Column("relationship_id", "spell").Where("org_id = ? AND objected_at IS NOT NULL", orgID).Scan(ctx)
	out := make(map[string]bool, len(ps))
	for _, p := range ps {
		out[p.RelationshipID.String()+":"+p.Spell] = true
	}
	return out, storeErr("settled proposals", err)
}

// proposal loads the proposal of a relationship's quiet spell (nil when
// there is none), locked until the transaction ends.
func (s *Store) proposal(ctx context.Context, q bun.IDB, orgID, relID uuid.UUID, spell string) (*Proposal, error) {
	var ps []Proposal
	err := db.ForUpdate(q.NewSelect().Model(&ps).Where("org_id = ? AND relationship_id = ? AND spell = ?", orgID, relID, spell)).Scan(ctx)
	if err != nil || len(ps) == 0 {
		return nil, storeErr("conclusion proposal", err)
	}
	return &ps[0], nil
}

// addProposal records a proposal; false when one was recorded for the
// spell already.
func (s *Store) addProposal(ctx context.Context, q bun.IDB, p *Proposal) (bool, error) {
	res, err := q.NewInsert().Model(p).On("CONFLICT (org_id, relationship_id, spell) DO NOTHING").Exec(ctx)
	if err != nil {
		return false, storeErr("record conclusion proposal", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// markConcluded records that a proposal was carried out.
func (s *Store) markConcluded(ctx context.Context, q bun.IDB, p *Proposal, now time.Time) error {
	_, err := q.NewUpdate().Model(p).Set("concluded_at = ?", now).Where("org_id = ? AND id = ? AND concluded_at IS NULL", p.OrgID, p.ID).Exec(ctx)
	return storeErr("carry out conclusion proposal", err)
}

// OpenProposal is a relationship's standing proposal to conclude, if any.
func (s *Store) OpenProposal(ctx context.Context, orgID, relID uuid.UUID) (*Proposal, error) {
	var ps []Proposal
	err := db.In(ctx, s.DB, s.idb, orgID, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(&ps).Where("org_id = ? AND relationship_id = ? AND objected_at IS NULL AND concluded_at IS NULL", orgID, relID).
			OrderExpr("proposed_at DESC").Limit(1).Scan(ctx)
	})
	if err != nil || len(ps) == 0 {
		return nil, storeErr("open conclusion proposal", err)
	}
	return &ps[0], nil
}

// Object records a participant's objection to every standing proposal to
// conclude a relationship; it reports whether there was one.
func (s *Store) Object(ctx context.Context, orgID, relID, by uuid.UUID, now time.Time) (bool, error) {
	objected := false
	err := db.In(ctx, s.DB, s.idb, orgID, func(ctx context.Context, tx bun.IDB) error {
		res, err := tx.NewUpdate().Model((*Proposal)(nil)).Set("objected_by = ?", by).Set("objected_at = ?", now).
			Where("org_id = ? AND relationship_id = ? AND objected_at IS NULL AND concluded_at IS NULL", orgID, relID).Exec(ctx)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		objected = n > 0
		return err
	})
	return objected, storeErr("object to conclusion", err)
}

// E-mail topics a person may opt out of.
const (
	TopicDigest  = "digest"
	TopicSummary = "summary"
	TopicNudges  = "nudges"
)

// Topics lists them in the order the preferences page shows.
var Topics = []string{TopicDigest, TopicSummary, TopicNudges}

// optedOut lists who in an organisation opted out of a topic.
func (s *Store) optedOut(ctx context.Context, q bun.IDB, orgID uuid.UUID, topic string) (map[uuid.UUID]bool, error) {
	var ids []uuid.UUID
	err := q.NewSelect().Table("mail_opt_outs").Column("user_id").Where("org_id = ? AND topic = ?", orgID, topic).Scan(ctx, &ids)
	out := make(map[uuid.UUID]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, storeErr("opt-outs", err)
}

// OptOuts lists the topics a person opted out of.
func (s *Store) OptOuts(ctx context.Context, orgID, userID uuid.UUID) (map[string]bool, error) {
	var topics []string
	err := db.In(ctx, s.DB, s.idb, orgID, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Table("mail_opt_outs").Column("topic").Where("org_id = ? AND user_id = ?", orgID, userID).Scan(ctx, &topics)
	})
	out := map[string]bool{}
	for _, t := range topics {
		out[t] = true
	}
	return out, storeErr("opt-outs of "+userID.String(), err)
}

// SetOptOuts replaces the topics a person opted out of.
func (s *Store) SetOptOuts(ctx context.Context, orgID, userID uuid.UUID, topics []string, now time.Time) error {
	return storeErr("save opt-outs", db.In(ctx, s.DB, s.idb, orgID, func(ctx context.Context, tx bun.IDB) error {
		if _, err := tx.NewDelete().Table("mail_opt_outs").Where("org_id = ? AND user_id = ?", orgID, userID).Exec(ctx); err != nil {
			return err
		}
		for _, t := range topics {
			if _, err := tx.NewRaw(`INSERT INTO mail_opt_outs (org_id, user_id, topic, created_at) VALUES (?, ?, ?, ?)`, orgID, userID, t, now).Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	}))
}

// activeRel is an active relationship with what the scheduled work needs.
type activeRel struct {
	ID         uuid.UUID  `bun:"id"`
	StartedAt  *time.Time `bun:"started_at"`
	EndedAt    *time.Time `bun:"ended_at"`
	Status     string     `bun:"status"`
	ReviewDate string     `bun:"review_date"`
}

// relationshipsBetween lists the relationships under way at some time in
// [from, to) (started before to, not ended before from); with id, that
// one alone.
func (s *Store) relationshipsBetween(ctx context.Context, q bun.IDB, orgID uuid.UUID, id *uuid.UUID, from, to time.Time) ([]activeRel, error) {
	var rows []activeRel
	query := `SELECT r.id, r.started_at, r.ended_at, r.status, COALESCE(a.review_date, '') AS review_date FROM relationships AS r
 LEFT JOIN agreements AS a ON a.org_id = r.org_id AND a.relationship_id = r.id
 WHERE r.org_id = ? AND r.started_at IS NOT NULL AND r.started_at < ? AND (r.ended_at IS NULL OR r.ended_at >= ?) AND r.status <> 'proposed'`
	args := []any{orgID, to, from}
	if id != nil {
		query += ` AND r.id = ?`
		args = append(args, *id)
	}
	err := q.NewRaw(query+` ORDER BY r.id`, args...).Scan(ctx, &rows)
	return rows, storeErr("relationships under way", err)
}

// participantsOf lists the current participants of relationships, by
// relationship.
func (s *Store) participantsOf(ctx context.Context, q bun.IDB, orgID uuid.UUID) (map[uuid.UUID][]person, error) {
	var rows []struct {
		RelationshipID uuid.UUID `bun:"relationship_id"`
		person
	}
	err := q.NewRaw(`SELECT p.relationship_id, p.user_id, u.name, u.email FROM relationship_participants AS p JOIN users AS u ON u.id = p.user_id
 WHERE p.org_id = ? AND p.left_at IS NULL AND u.deleted_at IS NULL ORDER BY p.relationship_id, p.side DESC, u.name`, orgID).Scan(ctx, &rows)
	out := map[uuid.UUID][]person{}
	for _, r := range rows {
		out[r.RelationshipID] = append(out[r.RelationshipID], r.person)
	}
	return out, storeErr("participants", err)
}

// monthOfRelationship is what a participant's monthly summary says.
type monthOfRelationship struct {
	Held        int        `bun:"held"`
	Minutes     float64    `bun:"minutes"`
	Missed      int        `bun:"missed"`
	NextBooked  *time.Time `bun:"next_booked"`
	Goals       int        `bun:"goals"`
	AvgProgress float64    `bun:"avg_progress"`
}

func (s *Store) relationshipMonth(ctx context.Context, q bun.IDB, orgID, relID uuid.UUID, from, to, now time.Time) (monthOfRelationship, error) {
	var m monthOfRelationship
	err := q.NewRaw(`SELECT
  (SELECT COUNT(*) FROM calendar_sessions WHERE org_id = ?0 AND relationship_id = ?1 AND status = 'completed' AND starts_at >= ?2 AND starts_at < ?3) AS held,
  (SELECT COALESCE(SUM(`+s.minutesBetween("starts_at", "ends_at")+`), 0.0) FROM calendar_sessions WHERE org_id = ?0 AND relationship_id = ?1 AND status = 'completed' AND starts_at >= ?2 AND starts_at < ?3) AS minutes,
  (SELECT COUNT(*) FROM calendar_sessions WHERE org_id = ?0 AND relationship_id = ?1 AND status IN ('no_show', 'cancelled_late') AND starts_at >= ?2 AND starts_at < ?3) AS missed,
  (SELECT MIN(starts_at) FROM calendar_sessions WHERE org_id = ?0 AND relationship_id = ?1 AND status = 'scheduled' AND starts_at > ?4) AS next_booked,
  (SELECT COUNT(*) FROM goals WHERE org_id = ?0 AND relationship_id = ?1) AS goals,
  (SELECT COALESCE(AVG(progress), 0.0) FROM goals WHERE org_id = ?0 AND relationship_id = ?1) AS avg_progress`,
		orgID, relID, from, to, now).Scan(ctx, &m)
	return m, storeErr("the month of a relationship", err)
}

// digestRow is one figure of the weekly digest.
type digestRow struct {
	What string `bun:"what"`
	N    int    `bun:"n"`
}

// weekFigures counts what happened in an organisation in [from, to).
func (s *Store) weekFigures(ctx context.Context, q bun.IDB, orgID uuid.UUID, from, to time.Time) (map[string]int, error) {
	var rows []digestRow
	err := q.NewRaw(`SELECT 'sessions' AS what, COUNT(*) AS n FROM calendar_sessions WHERE org_id = ?0 AND status = 'completed' AND starts_at >= ?1 AND starts_at < ?2
UNION ALL SELECT 'assessed', COUNT(DISTINCT member_id) FROM assessments WHERE org_id = ?0 AND submitted_at >= ?1 AND submitted_at < ?2
UNION ALL SELECT 'requested', COUNT(DISTINCT member_id) FROM support_requests WHERE org_id = ?0 AND created_at >= ?1 AND created_at < ?2
UNION ALL SELECT 'started', COUNT(*) FROM relationships WHERE org_id = ?0 AND started_at >= ?1 AND started_at < ?2
UNION ALL SELECT 'concluded', COUNT(*) FROM relationships WHERE org_id = ?0 AND ended_at >= ?1 AND ended_at < ?2 AND status IN ('completed', 'ended')
UNION ALL SELECT 'active', COUNT(*) FROM relationships WHERE org_id = ?0 AND status = 'active'
UNION ALL SELECT 'answers', COUNT(*) FROM feedback WHERE org_id = ?0 AND answered_at >= ?1 AND answered_at < ?2 AND rating > 0`, orgID, from, to).Scan(ctx, &rows)
	out := map[string]int{}
	for _, r := range rows {
		out[r.What] = r.N
	}
	return out, storeErr("the week's figures", err)
}

// isStaff reports whether a person is an active owner, admin or
// coordinator of the organisation now.
func (s *Store) isStaff(ctx context.Context, q bun.IDB, orgID, userID uuid.UUID) (bool, error) {
	n, err := q.NewSelect().Table("memberships").Where("org_id = ? AND user_id = ? AND status = 'active' AND role IN (?)", orgID, userID,
		bun.In([]string{"owner", "admin", "coordinator"})).Count(ctx)
	return n > 0, storeErr("staff membership", err)
}

// checkIns lists the check-ins asked, as "relationship:name".
func (s *Store) checkIns(ctx context.Context, q bun.IDB, orgID uuid.UUID) (map[string]bool, error) {
	var rows []struct {
		RelationshipID uuid.UUID `bun:"relationship_id"`
		CheckIn        string    `bun:"check_in"`
	}
	err := q.NewRaw(`SELECT DISTINCT relationship_id, check_in FROM feedback WHERE org_id = ? AND check_in <> ''`, orgID).Scan(ctx, &rows)
	out := make(map[string]bool, len(rows))
	for _, r := range rows {
		out[r.RelationshipID.String()+":"+r.CheckIn] = true
	}
	return out, storeErr("check-ins asked", err)
}
