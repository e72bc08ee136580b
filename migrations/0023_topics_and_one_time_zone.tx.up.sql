-- Issue 19 (defects b).
--
-- One time zone per person: users.time_zone. The practitioner profile's
-- own zone is copied into the person's where they had chosen none (the
-- most recently saved profile wins for someone practising in several
-- organisations), then dropped, so that previews, calendars, session
-- pages and reminders cannot disagree with the availability page again.
{{if .Postgres}}
-- practitioner_profiles has forced row-level security, which applies to
-- the migrating role too unless it is a superuser: read each
-- organisation's profiles under its own tenant setting.
DO $$
DECLARE o RECORD;
BEGIN
  FOR o IN SELECT id FROM organisations LOOP
    PERFORM set_config('app.org_id', o.id::text, true);
    UPDATE users AS u SET time_zone = p.time_zone
    FROM (SELECT DISTINCT ON (user_id) user_id, time_zone FROM practitioner_profiles
          WHERE org_id = o.id AND time_zone <> '' ORDER BY user_id, updated_at DESC) AS p
    WHERE u.id = p.user_id AND u.time_zone = '';
  END LOOP;
  PERFORM set_config('app.org_id', '', true);
END
$$;
{{else}}
UPDATE users SET time_zone = (
  SELECT p.time_zone FROM practitioner_profiles AS p
  WHERE p.user_id = users.id AND p.time_zone <> '' ORDER BY p.updated_at DESC LIMIT 1)
WHERE time_zone = '' AND EXISTS (
  SELECT 1 FROM practitioner_profiles AS p WHERE p.user_id = users.id AND p.time_zone <> '');
{{end}}
--bun:split
ALTER TABLE practitioner_profiles DROP COLUMN time_zone;
--bun:split
-- Topics: one vocabulary per organisation (app/topics). Requests and
-- practitioner profiles store its keys; every organisation starts with
-- the default needs assessment's topics (topics.Defaults, kept in step
-- with the rows below).
CREATE TABLE topics (
  org_id     {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  key        TEXT NOT NULL,
  label      TEXT NOT NULL,
  synonyms   TEXT NOT NULL DEFAULT '',
  position   INTEGER NOT NULL DEFAULT 0,
  created_at {{.Time}} NOT NULL,
  PRIMARY KEY (org_id, key)
);
--bun:split
INSERT INTO topics (org_id, key, label, synonyms, position, created_at)
SELECT o.id, d.key, d.label, d.synonyms, d.position, o.created_at
FROM organisations AS o CROSS JOIN (
  SELECT 'leadership' AS key, 'Leading people' AS label, 'leadership, leading, management, managing people' AS synonyms, 0 AS position
  UNION ALL SELECT 'career', 'Career and next steps', 'career development, next steps, promotion', 1
  UNION ALL SELECT 'onboarding', 'Settling into a new role', 'new role, induction, newcomer', 2
  UNION ALL SELECT 'teamwork', 'Teamwork', 'team work, teams, team working, collaboration', 3
  UNION ALL SELECT 'conversations', 'Challenging conversations', 'difficult conversations, hard conversations, conflict, feedback conversations', 4
  UNION ALL SELECT 'trust', 'Building trust', 'trust building', 5
  UNION ALL SELECT 'wellbeing', 'Wellbeing and balance', 'well-being, work-life balance, balance, stress', 6
  UNION ALL SELECT 'practice', 'My practice as a coach or mentor', 'reflective practice, coaching practice, mentoring practice', 7
) AS d;
{{if .Postgres}}
--bun:split
ALTER TABLE topics ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE topics FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON topics
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
{{end}}
--bun:split
-- A person changes their e-mail address by a link sent to the new one:
-- the link's row carries the address it confirms.
ALTER TABLE user_tokens ADD COLUMN new_email TEXT NOT NULL DEFAULT '';
