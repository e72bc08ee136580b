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
-- the code does to it (migrations/grants.txt lists the same, and
-- app/db/grants_test.go compares the two).
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, UPDATE ON agreements TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, UPDATE, DELETE ON assessments TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, UPDATE ON audit_events TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, DELETE ON auth_failures TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, DELETE ON availability_overrides TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, DELETE ON availability_rules TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, UPDATE, DELETE ON booking_settings TO {{.AppRole}};
--bun:split
GRANT SELECT ON bun_migrations TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, DELETE ON calendar_feeds TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, UPDATE ON calendar_sessions TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, DELETE ON certificates TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, UPDATE ON course_lessons TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT ON course_modules TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, UPDATE ON course_quizzes TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, UPDATE ON courses TO {{.AppRole}};
--bun:split
GRANT SELECT, DELETE ON digest_opt_outs TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, UPDATE, DELETE ON emails TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, UPDATE, DELETE ON enrolments TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, UPDATE ON feedback TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, UPDATE ON goal_milestones TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, UPDATE ON goal_updates TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, UPDATE, DELETE ON goals TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, UPDATE ON invitations TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, DELETE ON lesson_progress TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, UPDATE ON library_articles TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, DELETE ON library_files TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, DELETE ON library_shares TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, UPDATE, DELETE ON library_votes TO {{.AppRole}};
--bun:split
GRANT SELECT ON member_counts TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, UPDATE, DELETE ON memberships TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT ON mode_switches TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, UPDATE, DELETE ON notes TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, DELETE ON nudges TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, UPDATE ON organisations TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, UPDATE, DELETE ON outbox TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, UPDATE ON payments TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, UPDATE, DELETE ON practitioner_profiles TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, UPDATE ON proposals TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT ON questionnaires TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, DELETE ON quiz_attempts TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT ON quiz_options TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, DELETE ON quiz_questions TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, UPDATE ON relationship_participants TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, UPDATE ON relationships TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, UPDATE, DELETE ON rematch_requests TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, DELETE ON reminder_deliveries TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, UPDATE ON report_runs TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT ON report_snapshots TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, UPDATE, DELETE ON seat_assignments TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, UPDATE ON seats TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT ON series TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, UPDATE ON session_agendas TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, UPDATE, DELETE ON session_attendees TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, UPDATE, DELETE ON session_types TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, UPDATE, DELETE ON sessions TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT ON status_changes TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, DELETE ON stripe_customers TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, UPDATE ON stripe_events TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, UPDATE, DELETE ON support_requests TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, DELETE ON trained_mentors TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, UPDATE, DELETE ON user_tokens TO {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, UPDATE ON users TO {{.AppRole}};
{{end}}
