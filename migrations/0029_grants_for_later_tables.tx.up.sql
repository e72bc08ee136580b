{{if .Postgres}}
-- Least privilege for the tables created after migration 0020 (0021
-- outcomes, 0022 ops, 0023 topics, 0028 form submissions), which started
-- with the default four privileges: the application's role keeps only
-- what the code does to each (migrations/grants.txt).
--   conclusion_proposals: proposed, read (FOR UPDATE), objected to and
--     concluded; never deleted (they go with their relationship).
--   mail_opt_outs: read, and replaced (deleted and inserted) when a person
--     changes them or their account is deleted.
--   report_session_months, report_people_months: read by the programme
--     report; written only by 0021's triggers and report_rebuild, which
--     are SECURITY DEFINER (they run as the tables' owner).
--   report_person_months: read, and a person's rows deleted when their
--     account is (personal data); otherwise as above.
--   operators: the role granted (insert), checked and listed, revoked
--     (delete).
--   platform_audit: recorded and read; the actor's name and the person's
--     address replaced when an account is deleted.
--   support_access: opened, read and ended (update).
--   topics: read, replaced (deleted and inserted) and seeded.
--   form_submissions: every one of the four (web.Once).
--
-- An operator's support accesses are in organisations they are usually
-- not a member of: with no tenant set, a person reads their own rows
-- (their export) and anonymises them (their account deleted). The
-- tenant's policy still admits an organisation's own rows.
CREATE POLICY own_rows_read ON support_access FOR SELECT
  USING (operator_id = NULLIF(current_setting('app.user_id', true), '')::uuid);
--bun:split
CREATE POLICY own_rows_update ON support_access FOR UPDATE
  USING (operator_id = NULLIF(current_setting('app.user_id', true), '')::uuid)
  WITH CHECK (operator_id = NULLIF(current_setting('app.user_id', true), '')::uuid);
{{end}}
{{if .AppRole}}
--bun:split
DO $$
DECLARE g record;
BEGIN
  FOR g IN SELECT * FROM (VALUES
    ('conclusion_proposals', 'SELECT, INSERT, UPDATE'),
    ('form_submissions', 'SELECT, INSERT, UPDATE, DELETE'),
    ('mail_opt_outs', 'SELECT, INSERT, DELETE'),
    ('operators', 'SELECT, INSERT, DELETE'),
    ('platform_audit', 'SELECT, INSERT, UPDATE'),
    ('report_people_months', 'SELECT'),
    ('report_person_months', 'SELECT, DELETE'),
    ('report_session_months', 'SELECT'),
    ('support_access', 'SELECT, INSERT, UPDATE'),
    ('topics', 'SELECT, INSERT, DELETE')
  ) AS v(t, privs) LOOP
    IF to_regclass('public.' || g.t) IS NOT NULL THEN
      EXECUTE format('REVOKE ALL ON %I FROM %I', g.t, '{{.AppRole}}');
      EXECUTE format('GRANT %s ON %I TO %I', g.privs, g.t, '{{.AppRole}}');
    END IF;
  END LOOP;
END
$$;
{{end}}
