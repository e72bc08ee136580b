DROP TABLE conclusion_proposals;
--bun:split
CREATE TABLE digest_opt_outs (
  org_id     {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  user_id    {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at {{.Time}} NOT NULL,
  PRIMARY KEY (org_id, user_id)
);
--bun:split
INSERT INTO digest_opt_outs (org_id, user_id, created_at) SELECT org_id, user_id, created_at FROM mail_opt_outs WHERE topic = 'digest';
--bun:split
DROP TABLE mail_opt_outs;
--bun:split
ALTER TABLE agreements DROP COLUMN review_date;
--bun:split
DROP INDEX feedback_check_in_once_idx;
--bun:split
ALTER TABLE feedback DROP COLUMN check_in;
{{if .Postgres}}
--bun:split
DROP TRIGGER organisations_report_zone ON organisations;
--bun:split
DROP TRIGGER session_attendees_report_delete ON session_attendees;
--bun:split
DROP TRIGGER session_attendees_report_update ON session_attendees;
--bun:split
DROP TRIGGER session_attendees_report_insert ON session_attendees;
--bun:split
DROP TRIGGER calendar_sessions_report_delete ON calendar_sessions;
--bun:split
DROP TRIGGER calendar_sessions_report_update ON calendar_sessions;
--bun:split
DROP TRIGGER calendar_sessions_report_insert ON calendar_sessions;
--bun:split
DROP FUNCTION report_zone_changed();
--bun:split
DROP FUNCTION report_rebuild(uuid);
--bun:split
DROP FUNCTION report_attendees_apply();
--bun:split
DROP FUNCTION report_sessions_delete();
--bun:split
DROP FUNCTION report_sessions_apply();
--bun:split
DROP FUNCTION report_person_delta();
--bun:split
DROP POLICY report_maintenance ON session_attendees;
--bun:split
DROP POLICY report_maintenance ON calendar_sessions;
--bun:split
DROP TABLE report_people_months;
--bun:split
DROP TABLE report_person_months;
--bun:split
DROP TABLE report_session_months;
--bun:split
ALTER TABLE digest_opt_outs ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE digest_opt_outs FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON digest_opt_outs
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
{{end}}
