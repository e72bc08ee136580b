-- Group notes are read from the time a person joined: notes_from, when
-- set, is earlier (a practitioner shared the notes written before).
ALTER TABLE relationship_participants ADD COLUMN notes_from {{.Time}};
{{if .AppRole}}
--bun:split
-- The SECURITY DEFINER look-ups (viewer_memberships, invitation_org_by_token,
-- certificate_org_by_code, payment_org_by_intent) run as the owner of the
-- tables, which row-level security binds too (FORCE) unless it is a
-- superuser: where the migrating role is not one (docker-compose.yml),
-- they found nothing. These policies admit the owner, for reading, and
-- nobody else; the application logs in as a role that is not the owner.
CREATE POLICY definer_lookups ON memberships FOR SELECT TO CURRENT_USER USING (true);
--bun:split
CREATE POLICY definer_lookups ON invitations FOR SELECT TO CURRENT_USER USING (true);
--bun:split
CREATE POLICY definer_lookups ON certificates FOR SELECT TO CURRENT_USER USING (true);
--bun:split
CREATE POLICY definer_lookups ON payments FOR SELECT TO CURRENT_USER USING (true);
--bun:split
-- Least privilege: the application's role keeps on each table only what
-- the code does to it (migrations/grants.txt keeps the list up to date, and
-- app/db/grants_test.go compares it with the database). A table missing
-- here (dropped or created by a later migration) is left as it is.
DO $$
DECLARE g record;
BEGIN
  FOR g IN SELECT * FROM (VALUES
    ('agreements', 'SELECT, INSERT, UPDATE'),
    ('assessments', 'SELECT, INSERT, UPDATE, DELETE'),
    ('audit_events', 'SELECT, INSERT, UPDATE'),
    ('auth_failures', 'SELECT, INSERT, DELETE'),
    ('availability_overrides', 'SELECT, INSERT, DELETE'),
    ('availability_rules', 'SELECT, INSERT, DELETE'),
    ('booking_settings', 'SELECT, INSERT, UPDATE, DELETE'),
    ('bun_migrations', 'SELECT'),
    ('calendar_feeds', 'SELECT, INSERT, DELETE'),
    ('calendar_sessions', 'SELECT, INSERT, UPDATE'),
    ('certificates', 'SELECT, INSERT, DELETE'),
    ('course_lessons', 'SELECT, INSERT, UPDATE'),
    ('course_modules', 'SELECT, INSERT'),
    ('course_quizzes', 'SELECT, INSERT, UPDATE'),
    ('courses', 'SELECT, INSERT, UPDATE'),
    ('digest_opt_outs', 'SELECT, DELETE'),
    ('emails', 'SELECT, INSERT, UPDATE, DELETE'),
    ('enrolments', 'SELECT, INSERT, UPDATE, DELETE'),
    ('feedback', 'SELECT, INSERT, UPDATE'),
    ('goal_milestones', 'SELECT, INSERT, UPDATE'),
    ('goal_updates', 'SELECT, INSERT, UPDATE'),
    ('goals', 'SELECT, INSERT, UPDATE, DELETE'),
    ('invitations', 'SELECT, INSERT, UPDATE'),
    ('lesson_progress', 'SELECT, INSERT, DELETE'),
    ('library_articles', 'SELECT, INSERT, UPDATE'),
    ('library_files', 'SELECT, INSERT, DELETE'),
    ('library_shares', 'SELECT, INSERT, DELETE'),
    ('library_votes', 'SELECT, INSERT, UPDATE, DELETE'),
    ('member_counts', 'SELECT'),
    ('memberships', 'SELECT, INSERT, UPDATE, DELETE'),
    ('mode_switches', 'SELECT, INSERT'),
    ('notes', 'SELECT, INSERT, UPDATE, DELETE'),
    ('nudges', 'SELECT, INSERT, DELETE'),
    ('organisations', 'SELECT, INSERT, UPDATE'),
    ('outbox', 'SELECT, INSERT, UPDATE, DELETE'),
    ('payments', 'SELECT, INSERT, UPDATE'),
    ('practitioner_profiles', 'SELECT, INSERT, UPDATE, DELETE'),
    ('proposals', 'SELECT, INSERT, UPDATE'),
    ('questionnaires', 'SELECT, INSERT'),
    ('quiz_attempts', 'SELECT, INSERT, DELETE'),
    ('quiz_options', 'SELECT, INSERT'),
    ('quiz_questions', 'SELECT, INSERT, DELETE'),
    ('relationship_participants', 'SELECT, INSERT, UPDATE'),
    ('relationships', 'SELECT, INSERT, UPDATE'),
    ('rematch_requests', 'SELECT, INSERT, UPDATE, DELETE'),
    ('reminder_deliveries', 'SELECT, INSERT, DELETE'),
    ('report_runs', 'SELECT, INSERT, UPDATE'),
    ('report_snapshots', 'SELECT, INSERT'),
    ('seat_assignments', 'SELECT, INSERT, UPDATE, DELETE'),
    ('seats', 'SELECT, INSERT, UPDATE'),
    ('series', 'SELECT, INSERT'),
    ('session_agendas', 'SELECT, INSERT, UPDATE'),
    ('session_attendees', 'SELECT, INSERT, UPDATE, DELETE'),
    ('session_types', 'SELECT, INSERT, UPDATE, DELETE'),
    ('sessions', 'SELECT, INSERT, UPDATE, DELETE'),
    ('status_changes', 'SELECT, INSERT'),
    ('stripe_customers', 'SELECT, INSERT, DELETE'),
    ('stripe_events', 'SELECT, INSERT, UPDATE'),
    ('support_requests', 'SELECT, INSERT, UPDATE, DELETE'),
    ('trained_mentors', 'SELECT, INSERT, DELETE'),
    ('user_tokens', 'SELECT, INSERT, UPDATE, DELETE'),
    ('users', 'SELECT, INSERT, UPDATE')
  ) AS v(t, privs) LOOP
    IF to_regclass('public.' || g.t) IS NOT NULL THEN
      EXECUTE format('REVOKE ALL ON %I FROM %I', g.t, '{{.AppRole}}');
      EXECUTE format('GRANT %s ON %I TO %I', g.privs, g.t, '{{.AppRole}}');
    END IF;
  END LOOP;
END
$$;
{{end}}
