package dashboard

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
)

// Store reads the dashboard's facts. The dashboard is a read model over
// other domains' tables (requests, proposals, relationships, sessions): it
// writes nothing, and each query is bounded and served by an index that
// starts with org_id. Facts a domain already serves (the next sessions,
// feedback asked, the report's at-risk list) come from that domain instead.
type Store struct {
	DB *db.DB
}

// read runs fn on the tenant's read pool.
func (s *Store) read(ctx context.Context, orgID uuid.UUID, what string, fn func(ctx context.Context, q bun.IDB) error) error {
	if err := s.DB.ReadTenant(ctx, orgID, fn); err != nil {
		return fmt.Errorf("dashboard: %s: %w", what, err)
	}
	return nil
}

// Member reads a member's latest assessment status, their open requests and
// their active relationships with the other side's name.
func (s *Store) Member(ctx context.Context, orgID, userID uuid.UUID) (status string, reqs []Request, rels []Relationship, err error) {
	err = s.read(ctx, orgID, "a member's facts", func(ctx context.Context, q bun.IDB) error {
		type row struct {
			Status string `bun:"status" db:"status"`
		}
		as, err := db.Select[row](ctx, q, `SELECT status FROM assessments WHERE org_id = ? AND member_id = ? ORDER BY created_at DESC LIMIT 1`, orgID, userID)
		if err != nil {
			return err
		}
		if len(as) > 0 {
			status = as[0].Status
		}
		if reqs, err = db.Select[Request](ctx, q, `SELECT id, kind, status FROM support_requests
 WHERE org_id = ? AND member_id = ? AND status IN ('open', 'proposed') ORDER BY created_at LIMIT 5`, orgID, userID); err != nil {
			return err
		}
		// The practitioner named is the first of the relationship's
		// (a group's title is not needed here: members book one-to-ones).
		rels, err = db.Select[Relationship](ctx, q, `SELECT r.id, r.kind, p.side,
 COALESCE((SELECT u.name FROM relationship_participants AS o JOIN users AS u ON u.id = o.user_id
   WHERE o.org_id = r.org_id AND o.relationship_id = r.id AND o.side <> p.side AND o.left_at IS NULL ORDER BY o.joined_at LIMIT 1), '') AS other
 FROM relationship_participants AS p JOIN relationships AS r ON r.org_id = p.org_id AND r.id = p.relationship_id
 WHERE p.org_id = ? AND p.user_id = ? AND p.left_at IS NULL AND r.status = 'active'
 ORDER BY r.started_at LIMIT 10`, orgID, userID)
		return err
	})
	return status, reqs, rels, err
}

// Practitioner reads the proposals waiting for a practitioner's answer and
// the sessions they led that began in the last 30 days and whose attendance
// is unmarked (it may be marked once a session has begun).
func (s *Store) Practitioner(ctx context.Context, orgID, userID uuid.UUID, now time.Time) (props []Proposal, toMark []Session, err error) {
	err = s.read(ctx, orgID, "a practitioner's facts", func(ctx context.Context, q bun.IDB) error {
		if props, err = db.Select[Proposal](ctx, q, `SELECT p.id, r.kind, COALESCE(u.name, '') AS member, p.expires_at
 FROM proposals AS p JOIN support_requests AS r ON r.org_id = p.org_id AND r.id = p.request_id
 LEFT JOIN users AS u ON u.id = r.member_id
 WHERE p.org_id = ? AND p.practitioner_id = ? AND p.status = 'pending' ORDER BY p.expires_at LIMIT 5`, orgID, userID); err != nil {
			return err
		}
		toMark, err = db.Select[Session](ctx, q, `SELECT id, relationship_id, practitioner_id, title, starts_at FROM calendar_sessions
 WHERE org_id = ? AND practitioner_id = ? AND starts_at >= ? AND starts_at <= ? AND status = 'scheduled'
 ORDER BY starts_at DESC LIMIT 5`, orgID, userID, now.AddDate(0, 0, -30).UTC(), now.UTC())
		return err
	})
	return props, toMark, err
}

// Programme reads the people waiting to be matched (assessed, or signposted
// with no proposal yet; the longest waiting first, and how many in all) and the proposals that expire within two days.
func (s *Store) Programme(ctx context.Context, orgID uuid.UUID, now time.Time) (waiting []Waiting, count int, expiring []Expiring, err error) {
	err = s.read(ctx, orgID, "the programme's facts", func(ctx context.Context, q bun.IDB) error {
		// Waiting: assessed and not yet signposted (a coordinator decides),
		// or signposted and not yet proposed to anyone (a match is needed).
		if waiting, err = db.Select[Waiting](ctx, q, `SELECT id, member, kind, created_at, stage FROM (
 SELECT r.id, COALESCE(u.name, '') AS member, r.kind, r.created_at, 'request' AS stage
 FROM support_requests AS r LEFT JOIN users AS u ON u.id = r.member_id WHERE r.org_id = ? AND r.status = 'open'
 UNION ALL
 SELECT a.id, COALESCE(u.name, '') AS member, a.rec_kind AS kind, COALESCE(a.submitted_at, a.created_at) AS created_at, 'assessment' AS stage
 FROM assessments AS a LEFT JOIN users AS u ON u.id = a.member_id WHERE a.org_id = ? AND a.status = 'submitted'
) AS w ORDER BY created_at, id LIMIT ?`, orgID, orgID, shown); err != nil {
			return err
		}
		type n struct {
			N int `bun:"n" db:"n"`
		}
		ns, err := db.Select[n](ctx, q, `SELECT (SELECT COUNT(*) FROM support_requests WHERE org_id = ? AND status = 'open')
 + (SELECT COUNT(*) FROM assessments WHERE org_id = ? AND status = 'submitted') AS n`, orgID, orgID)
		if err != nil {
			return err
		}
		if len(ns) > 0 {
			count = ns[0].N
		}
		expiring, err = db.Select[Expiring](ctx, q, `SELECT r.id AS request_id, COALESCE(m.name, '') AS member, COALESCE(u.name, '') AS practitioner, r.kind, p.expires_at
 FROM support_requests AS r JOIN proposals AS p ON p.org_id = r.org_id AND p.request_id = r.id
 LEFT JOIN users AS m ON m.id = r.member_id LEFT JOIN users AS u ON u.id = p.practitioner_id
 WHERE r.org_id = ? AND r.status = 'proposed' AND p.status = 'pending' AND p.expires_at < ?
 ORDER BY p.expires_at LIMIT ?`, orgID, now.Add(48*time.Hour).UTC(), shown)
		return err
	})
	return waiting, count, expiring, err
}

// Setup reads the organisation's state for its getting-started steps, in
// one round trip of EXISTS lookups.
func (s *Store) Setup(ctx context.Context, orgID uuid.UUID, now time.Time) (Setup, error) {
	type row struct {
		InvitedPractitioners int `bun:"invited_practitioners" db:"invited_practitioners"`
		InvitedMembers       int `bun:"invited_members" db:"invited_members"`
		Assessed             int `bun:"assessed" db:"assessed"`
		Matched              int `bun:"matched" db:"matched"`
		Met                  int `bun:"met" db:"met"`
	}
	var out []row
	err := s.read(ctx, orgID, "getting started", func(ctx context.Context, q bun.IDB) error {
		var err error
		out, err = db.Select[row](ctx, q, `SELECT
 CASE WHEN EXISTS (SELECT 1 FROM invitations WHERE org_id = ? AND role = 'practitioner') THEN 1 ELSE 0 END AS invited_practitioners,
 CASE WHEN EXISTS (SELECT 1 FROM invitations WHERE org_id = ? AND role = 'member') THEN 1 ELSE 0 END AS invited_members,
 CASE WHEN EXISTS (SELECT 1 FROM assessments WHERE org_id = ? AND status IN ('submitted', 'confirmed', 'overridden')) THEN 1 ELSE 0 END AS assessed,
 CASE WHEN EXISTS (SELECT 1 FROM relationships WHERE org_id = ?) THEN 1 ELSE 0 END AS matched,
 CASE WHEN EXISTS (SELECT 1 FROM calendar_sessions WHERE org_id = ? AND starts_at < ? AND status IN ('scheduled', 'completed')) THEN 1 ELSE 0 END AS met`,
			orgID, orgID, orgID, orgID, orgID, now.UTC())
		return err
	})
	if err != nil || len(out) == 0 {
		return Setup{}, err
	}
	r := out[0]
	return Setup{InvitedPractitioners: r.InvitedPractitioners > 0, InvitedMembers: r.InvitedMembers > 0,
		Assessed: r.Assessed > 0, Matched: r.Matched > 0, Met: r.Met > 0}, nil
}
