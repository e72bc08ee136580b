// Package reportbench generates a large organisation in PostgreSQL with
// generate_series (never through the request path) and benchmarks the
// programme report on it.
package reportbench

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Size is how large an organisation to generate.
type Size struct {
	People   int // members and practitioners; one practitioner in 20
	Sessions int // spread over the relationships, fortnightly, from Start
}

// Start is when the generated programme begins: two years before 2027.
var Start = time.Date(2025, time.January, 6, 0, 0, 0, 0, time.UTC)

// Generate fills the organisation orgID with people, practitioner
// profiles, assessments, support requests and accepted proposals, one
// relationship per member (with its agreement, a goal and its updates),
// sessions with their attendees, feedback on one session in five, and
// course enrolments. idb must be allowed to write every organisation's
// rows (the schema owner or a superuser). Ids are derived from seed and
// the row's number (md5 as a uuid), so rows can refer to each other
// without lookups.
func Generate(ctx context.Context, idb bun.IDB, orgID uuid.UUID, seed string, size Size) error {
	practitioners := max(1, size.People/20)
	members := max(1, size.People-practitioners)
	steps := []struct{ what, sql string }{
		{"users", `INSERT INTO users (id, email, name, password_hash, created_at)
SELECT md5(?1 || 'u' || i)::uuid, 'bench-' || ?1 || '-' || i || '@example.test', 'Person ' || i, '', ?4::timestamptz
FROM generate_series(1, ?2 + ?3) AS i`},
		{"memberships", `INSERT INTO memberships (id, org_id, user_id, role, kinds, status, created_at, updated_at)
SELECT md5(?1 || 'm' || i)::uuid, ?0::uuid, md5(?1 || 'u' || i)::uuid,
  CASE WHEN i <= ?2 THEN 'practitioner' ELSE 'member' END,
  CASE WHEN i > ?2 THEN '' WHEN i % 3 = 0 THEN 'mentor' WHEN i % 3 = 1 THEN 'coach' ELSE 'supervisor' END, 'active', ?4::timestamptz, ?4::timestamptz
FROM generate_series(1, ?2 + ?3) AS i`},
		{"practitioner profiles", `INSERT INTO practitioner_profiles (id, org_id, user_id, kinds, capacity, created_at, updated_at)
SELECT md5(?1 || 'p' || i)::uuid, ?0::uuid, md5(?1 || 'u' || i)::uuid,
  CASE WHEN i % 3 = 0 THEN 'mentor' WHEN i % 3 = 1 THEN 'coach' ELSE 'supervisor' END, 15 + i % 10, ?4::timestamptz, ?4::timestamptz
FROM generate_series(1, ?2) AS i`},
		// Member j is user ?2 + j; their practitioner is user 1 + j % ?2.
		{"assessments", `INSERT INTO assessments (id, org_id, member_id, answers, status, rec_kind, explanation, submitted_at, decided_at, created_at, updated_at)
SELECT md5(?1 || 'a' || j)::uuid, ?0::uuid, md5(?1 || 'u' || (?2 + j))::uuid, '{}', CASE WHEN j % 10 = 0 THEN 'submitted' ELSE 'confirmed' END,
  (ARRAY['mentoring', 'coaching', 'supervision'])[1 + (1 + j % ?2) % 3], '{}',
  ?4::timestamptz + (j % 600) * interval '1 day', CASE WHEN j % 10 = 0 THEN NULL ELSE ?4::timestamptz + (j % 600 + 2) * interval '1 day' END, ?4::timestamptz, ?4::timestamptz
FROM generate_series(1, ?3) AS j`},
		{"support requests", `INSERT INTO support_requests (id, org_id, member_id, kind, format, duration, status, created_at, updated_at)
SELECT md5(?1 || 'q' || j)::uuid, ?0::uuid, md5(?1 || 'u' || (?2 + j))::uuid, (ARRAY['mentoring', 'coaching', 'supervision'])[1 + (1 + j % ?2) % 3],
  'one_to_one', 'short_term', CASE WHEN j % 10 = 0 THEN 'open' ELSE 'matched' END,
  ?4::timestamptz + (j % 600 + 3) * interval '1 day', ?4::timestamptz + (j % 600 + 3) * interval '1 day'
FROM generate_series(1, ?3) AS j WHERE j % 10 <> 0 OR j % 20 = 0`},
		{"proposals", `INSERT INTO proposals (id, org_id, request_id, practitioner_id, score, explanation, status, rank, expires_at, answered_at, created_at)
SELECT md5(?1 || 'x' || j)::uuid, ?0::uuid, md5(?1 || 'q' || j)::uuid, md5(?1 || 'u' || (1 + j % ?2))::uuid, 80, '{}', 'accepted', 1,
  ?4::timestamptz + (j % 600 + 10) * interval '1 day', ?4::timestamptz + (j % 600 + 3 + j % 9) * interval '1 day', ?4::timestamptz
FROM generate_series(1, ?3) AS j WHERE j % 10 <> 0`},
		{"relationships", `INSERT INTO relationships (id, org_id, kind, format, status, started_at, ended_at, created_at, updated_at)
SELECT md5(?1 || 'r' || j)::uuid, ?0::uuid, (ARRAY['mentoring', 'coaching', 'supervision'])[1 + (1 + j % ?2) % 3], 'one_to_one',
  CASE WHEN j % 10 = 0 THEN 'completed' WHEN j % 17 = 0 THEN 'ended' ELSE 'active' END,
  ?4::timestamptz + (j % 30) * interval '1 day', CASE WHEN j % 10 = 0 OR j % 17 = 0 THEN ?4::timestamptz + (700 + j % 30) * interval '1 day' END, ?4::timestamptz, ?4::timestamptz
FROM generate_series(1, ?3) AS j`},
		{"participants", `INSERT INTO relationship_participants (id, org_id, relationship_id, user_id, side, joined_at)
SELECT md5(?1 || 'pm' || j)::uuid, ?0::uuid, md5(?1 || 'r' || j)::uuid, md5(?1 || 'u' || (?2 + j))::uuid, 'member', ?4::timestamptz + (j % 30) * interval '1 day'
FROM generate_series(1, ?3) AS j
UNION ALL
SELECT md5(?1 || 'pp' || j)::uuid, ?0::uuid, md5(?1 || 'r' || j)::uuid, md5(?1 || 'u' || (1 + j % ?2))::uuid, 'practitioner', ?4::timestamptz + (j % 30) * interval '1 day'
FROM generate_series(1, ?3) AS j`},
		{"agreements", `INSERT INTO agreements (id, org_id, relationship_id, cadence_days, session_minutes, practitioner_accepted_at, member_accepted_at, created_at, updated_at)
SELECT md5(?1 || 'g' || j)::uuid, ?0::uuid, md5(?1 || 'r' || j)::uuid, 14, 60, ?4::timestamptz, ?4::timestamptz, ?4::timestamptz, ?4::timestamptz FROM generate_series(1, ?3) AS j`},
		{"goals", `INSERT INTO goals (id, org_id, relationship_id, owner_id, description, progress, created_at, updated_at)
SELECT md5(?1 || 'o' || j)::uuid, ?0::uuid, md5(?1 || 'r' || j)::uuid, md5(?1 || 'u' || (?2 + j))::uuid, 'Goal ' || j, j % 100, ?4::timestamptz, ?4::timestamptz
FROM generate_series(1, ?3) AS j`},
		{"goal updates", `INSERT INTO goal_updates (id, org_id, goal_id, author_id, kind, progress, at)
SELECT md5(?1 || 'ou' || j || '-' || k)::uuid, ?0::uuid, md5(?1 || 'o' || j)::uuid, md5(?1 || 'u' || (?2 + j))::uuid, 'progress', k * 25,
  ?4::timestamptz + (j % 30 + k * 200 + j % 150) * interval '1 day'
FROM generate_series(1, ?3) AS j, generate_series(1, 3) AS k`},
		// Session k belongs to relationship 1 + k % members, fortnightly.
		{"sessions", `INSERT INTO calendar_sessions (id, org_id, relationship_id, practitioner_id, kind, starts_at, ends_at, busy_from, busy_to, time_zone, status, created_at, updated_at)
SELECT md5(?1 || 's' || k)::uuid, ?0::uuid, md5(?1 || 'r' || j)::uuid, md5(?1 || 'u' || (1 + j % ?2))::uuid,
  (ARRAY['mentoring', 'coaching', 'supervision'])[1 + (1 + j % ?2) % 3], t, t + interval '1 hour', t, t + interval '1 hour', 'Europe/London',
  CASE WHEN k % 20 = 0 THEN 'no_show' WHEN k % 33 = 0 THEN 'cancelled_late' ELSE 'completed' END, t, t
FROM (SELECT k, 1 + k % ?3 AS j, ?4::timestamptz + (j_start + (k / ?3) * 14) * interval '1 day' + (j_hour % 10) * interval '1 hour' AS t
  FROM (SELECT k, (1 + k % ?3) % 30 AS j_start, (1 + k % ?3) / 30 AS j_hour FROM generate_series(0, ?5 - 1) AS k) AS s0) AS s`},
		{"attendees", `INSERT INTO session_attendees (id, org_id, session_id, user_id, status, created_at, updated_at)
SELECT md5(?1 || 'sa' || k)::uuid, ?0::uuid, md5(?1 || 's' || k)::uuid, md5(?1 || 'u' || (?2 + 1 + k % ?3))::uuid,
  CASE WHEN k % 20 = 0 THEN 'no_show' ELSE 'attended' END, ?4::timestamptz, ?4::timestamptz
FROM generate_series(0, ?5 - 1) AS k WHERE k % 33 <> 0 OR k % 20 = 0`},
		{"feedback", `INSERT INTO feedback (id, org_id, relationship_id, session_id, author_id, rating, fit, asked_at, answered_at)
SELECT md5(?1 || 'f' || k)::uuid, ?0::uuid, md5(?1 || 'r' || (1 + k % ?3))::uuid, md5(?1 || 's' || k)::uuid, md5(?1 || 'u' || (?2 + 1 + k % ?3))::uuid,
  1 + (k / 5) % 5, CASE WHEN k % 35 = 0 THEN 'not_good' ELSE 'good' END, ?4::timestamptz + (k / ?3) * interval '14 days', ?4::timestamptz + (k / ?3) * interval '14 days' + interval '1 day'
FROM generate_series(0, ?5 - 1) AS k WHERE k % 5 = 0 AND k % 20 <> 0 AND k % 33 <> 0`},
		{"courses", `INSERT INTO courses (id, org_id, title, status, created_at, updated_at)
SELECT md5(?1 || 'c' || i)::uuid, ?0::uuid, 'Course ' || i, 'published', ?4::timestamptz, ?4::timestamptz FROM generate_series(1, 3) AS i`},
		{"enrolments", `INSERT INTO enrolments (id, org_id, course_id, user_id, source, status, created_at, updated_at, completed_at)
SELECT md5(?1 || 'e' || j)::uuid, ?0::uuid, md5(?1 || 'c' || (1 + j % 3))::uuid, md5(?1 || 'u' || (?2 + j))::uuid, 'free',
  CASE WHEN j % 4 = 0 THEN 'completed' ELSE 'active' END, ?4::timestamptz + (j % 700) * interval '1 day', ?4::timestamptz,
  CASE WHEN j % 4 = 0 THEN ?4::timestamptz + (j % 700 + 30) * interval '1 day' END
FROM generate_series(1, ?3) AS j WHERE j % 7 = 0`},
	}
	for _, st := range steps {
		if _, err := idb.NewRaw(st.sql, orgID, seed, practitioners, members, Start, size.Sessions).Exec(ctx); err != nil {
			return fmt.Errorf("reportbench: generate %s: %w", st.what, err)
		}
	}
	if _, err := idb.ExecContext(ctx, "ANALYZE"); err != nil {
		return fmt.Errorf("reportbench: analyze: %w", err)
	}
	return nil
}
