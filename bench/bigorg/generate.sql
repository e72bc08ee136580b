-- bench/bigorg/generate.sql grows an existing organisation into a large one
-- in bulk, in one transaction of set-based inserts (generate_series), not
-- through the request path: by default 20,000 people (400 of them
-- practitioners), 4,000 coaching relationships with their agreements, a
-- weekly session for each over five years (four past, one ahead: about a
-- million sessions) with their attendees, the reminders already sent, a
-- shared note on every fourth past session, 5,000 enrolments on the
-- organisation's first course, and the audit rows all of that would have
-- left (invitations, acceptances, sign-ins). Then VACUUM (ANALYZE).
--
--   psql -v slug=bench -v people=20000 -v practitioners=400 -f bench/bigorg/generate.sql
--
-- It connects as the database's owner (row-level security does not apply
-- to bulk loading by the owner role). bench/bigorg.sh runs it after signing
-- the organisation up through the real forms; each practitioner has ten
-- relationships, so people must be at least 11 × practitioners.
\set ON_ERROR_STOP on
\timing on
BEGIN;

CREATE TEMP TABLE big_org ON COMMIT DROP AS
SELECT id, time_zone FROM organisations WHERE slug = :'slug';
DO $$ BEGIN
  IF (SELECT count(*) FROM big_org) <> 1 THEN RAISE EXCEPTION 'no organisation with that slug'; END IF;
END $$;

-- People: varied names (search has something to find), joined over five years.
CREATE TEMP TABLE big_people ON COMMIT DROP AS
SELECT n, gen_random_uuid() AS id,
       (ARRAY['Ada','Ben','Chloe','Dev','Elif','Femi','Grace','Hiro','Ines','Jon','Kemi','Luca','Maya','Nils',
              'Olu','Priya','Quinn','Rosa','Sami','Tess','Umar','Vera','Wei','Xena','Yusuf','Zara'])[1 + n % 26]
       || ' ' ||
       (ARRAY['Adams','Bauer','Chen','Diaz','Evans','Fischer','Garcia','Hughes','Ibrahim','Jones','Kowalski',
              'Larsen','Murphy','Nakamura','Okafor','Patel','Quigley','Rossi','Smith','Taylor','Ueda','Varga',
              'Williams','Xu','Young','Zhang','Novak','Moreau','Silva'])[1 + (n / 26) % 29]
       || ' ' || n AS name,
       now() - (n::float8 / :people) * interval '5 years' - interval '1 day' AS joined_at
FROM generate_series(1, :people) AS n;

INSERT INTO users (id, email, name, password_hash, time_zone, verified_at, created_at)
SELECT id, format('big%s@example.test', n), name, '!bulk-loaded, no password', '', joined_at, joined_at
FROM big_people;

INSERT INTO memberships (id, org_id, user_id, role, kinds, status, created_at, updated_at)
SELECT gen_random_uuid(), o.id, p.id,
       CASE WHEN p.n <= :practitioners THEN 'practitioner' ELSE 'member' END,
       CASE WHEN p.n <= :practitioners THEN 'coach' ELSE '' END,
       CASE WHEN p.n % 50 = 0 THEN 'deactivated' ELSE 'active' END,
       p.joined_at, p.joined_at
FROM big_people p, big_org o;

-- Relationships: practitioner p coaches members p*10+1 … p*10+10 (numbered
-- after the practitioners), each in a weekly slot of their own.
CREATE TEMP TABLE big_rels ON COMMIT DROP AS
SELECT gen_random_uuid() AS id, pr.id AS practitioner_id, m.id AS member_id, k AS slot,
       greatest(pr.joined_at, m.joined_at) AS started_at
FROM big_people pr
CROSS JOIN generate_series(0, 9) AS k
JOIN big_people m ON m.n = :practitioners + (pr.n - 1) * 10 + k + 1
WHERE pr.n <= :practitioners;

INSERT INTO relationships (id, org_id, kind, format, status, title, started_at, created_at, updated_at)
SELECT r.id, o.id, 'coaching', 'one_to_one', 'active', '', r.started_at, r.started_at, r.started_at
FROM big_rels r, big_org o;

INSERT INTO relationship_participants (id, org_id, relationship_id, user_id, side, joined_at)
SELECT gen_random_uuid(), o.id, r.id, r.practitioner_id, 'practitioner', r.started_at FROM big_rels r, big_org o
UNION ALL
SELECT gen_random_uuid(), o.id, r.id, r.member_id, 'member', r.started_at FROM big_rels r, big_org o;

INSERT INTO agreements (id, org_id, relationship_id, purpose, cadence_days, session_minutes, place,
                        practitioner_accepted_at, member_accepted_at, created_at, updated_at)
SELECT gen_random_uuid(), o.id, r.id, 'Grow as a leader', 7, 60, 'Room 1',
       r.started_at, r.started_at, r.started_at, r.started_at
FROM big_rels r, big_org o;

-- Sessions: one a week per relationship for 260 weeks, from four years ago
-- to a year ahead, on weekday slot/2 at 10:00 or 14:00 in the
-- organisation's zone (so one practitioner's sessions never overlap).
CREATE TEMP TABLE big_sessions ON COMMIT DROP AS
SELECT gen_random_uuid() AS id, r.id AS relationship_id, r.practitioner_id, r.member_id, s.starts_at,
       s.starts_at < now() AS past, w
FROM big_rels r
CROSS JOIN generate_series(0, 259) AS w
CROSS JOIN big_org o
CROSS JOIN LATERAL (
  SELECT ((date_trunc('week', now() AT TIME ZONE o.time_zone) - interval '208 weeks' + w * interval '1 week'
          + (r.slot / 2) * interval '1 day' + (10 + 4 * (r.slot % 2)) * interval '1 hour') AT TIME ZONE o.time_zone) AS starts_at
) s;

INSERT INTO calendar_sessions (id, org_id, relationship_id, practitioner_id, kind, title, starts_at, ends_at,
                               busy_from, busy_to, time_zone, place, status, created_by, created_at, updated_at)
SELECT s.id, o.id, s.relationship_id, s.practitioner_id, 'coaching', '', s.starts_at, s.starts_at + interval '1 hour',
       s.starts_at, s.starts_at + interval '1 hour', o.time_zone, 'Room 1',
       CASE WHEN NOT s.past THEN 'scheduled' WHEN s.w % 20 = 7 THEN 'cancelled' ELSE 'completed' END,
       s.practitioner_id, s.starts_at - interval '14 days', s.starts_at - interval '14 days'
FROM big_sessions s, big_org o;

INSERT INTO session_attendees (id, org_id, session_id, user_id, status, created_at, updated_at)
SELECT gen_random_uuid(), o.id, s.id, s.member_id,
       CASE WHEN NOT s.past THEN 'booked' WHEN s.w % 20 = 7 THEN 'cancelled' ELSE 'attended' END,
       s.starts_at - interval '14 days', s.starts_at - interval '14 days'
FROM big_sessions s, big_org o;

-- The day-before reminder each member was sent for a past session.
INSERT INTO reminder_deliveries (id, org_id, session_id, offset_minutes, user_id, session_version, delivered_at)
SELECT gen_random_uuid(), o.id, s.id, 1440, s.member_id, 1, s.starts_at - interval '1 day'
FROM big_sessions s, big_org o
WHERE s.past AND s.w % 20 <> 7;

INSERT INTO notes (id, org_id, author_id, relationship_id, session_id, visibility, body, created_at)
SELECT gen_random_uuid(), o.id, s.practitioner_id, s.relationship_id, s.id, 'shared',
       'Talked about delegation and the next quarter''s goals; agreed to try two new habits before we meet again.',
       s.starts_at + interval '1 hour'
FROM big_sessions s, big_org o
WHERE s.past AND s.w % 4 = 0;

-- Enrolments on the organisation's first course (bench/lib.sh's bench_org
-- creates the example course), a quarter of the members.
INSERT INTO enrolments (id, org_id, course_id, user_id, source, status, activated_at, started_at, created_at, updated_at)
SELECT gen_random_uuid(), o.id, c.id, p.id, 'free', 'active', p.joined_at, p.joined_at, p.joined_at, p.joined_at
FROM big_people p
CROSS JOIN big_org o
CROSS JOIN LATERAL (SELECT id FROM courses WHERE org_id = o.id ORDER BY created_at LIMIT 1) c
WHERE p.n % 4 = 1;

-- The audit trail: each person's invitation and its acceptance, and five
-- sign-ins each spread over their membership.
INSERT INTO audit_events (id, org_id, actor_id, actor, action, target, detail, ip, at)
SELECT gen_random_uuid(), o.id, NULL, 'Bench', 'invitation.sent', format('big%s@example.test', p.n), 'member', '127.0.0.1',
       p.joined_at - interval '2 days'
FROM big_people p, big_org o
UNION ALL
SELECT gen_random_uuid(), o.id, p.id, p.name, 'invitation.accepted', format('big%s@example.test', p.n), '', '127.0.0.1',
       p.joined_at
FROM big_people p, big_org o
UNION ALL
SELECT gen_random_uuid(), o.id, p.id, p.name, 'auth.sign_in', '', '', '127.0.0.1',
       p.joined_at + (now() - p.joined_at) * (i / 5.0)
FROM big_people p CROSS JOIN generate_series(0, 4) AS i, big_org o;

COMMIT;

-- Fresh statistics and a vacuumed database, as autovacuum would leave
-- them soon after such a load: without the vacuum, the trigram indexes'
-- pending lists hold every name and address loaded (a search reads them
-- all), and no page is all-visible (no index-only scan).
VACUUM (ANALYZE);

SELECT 'people' AS what, count(*) FROM memberships WHERE org_id = (SELECT id FROM organisations WHERE slug = :'slug')
UNION ALL SELECT 'sessions', count(*) FROM calendar_sessions WHERE org_id = (SELECT id FROM organisations WHERE slug = :'slug')
UNION ALL SELECT 'reminders', count(*) FROM reminder_deliveries WHERE org_id = (SELECT id FROM organisations WHERE slug = :'slug')
UNION ALL SELECT 'notes', count(*) FROM notes WHERE org_id = (SELECT id FROM organisations WHERE slug = :'slug')
UNION ALL SELECT 'enrolments', count(*) FROM enrolments WHERE org_id = (SELECT id FROM organisations WHERE slug = :'slug')
UNION ALL SELECT 'audit rows', count(*) FROM audit_events WHERE org_id = (SELECT id FROM organisations WHERE slug = :'slug');
