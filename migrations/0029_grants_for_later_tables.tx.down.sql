{{if .AppRole}}
-- Back to the default four privileges these tables had before 0029.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['conclusion_proposals', 'form_submissions', 'mail_opt_outs', 'operators', 'platform_audit',
    'report_people_months', 'report_person_months', 'report_session_months', 'support_access', 'topics'] LOOP
    IF to_regclass('public.' || t) IS NOT NULL THEN
      EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO %I', t, '{{.AppRole}}');
    END IF;
  END LOOP;
END
$$;
--bun:split
{{end}}
{{if .Postgres}}
DROP POLICY own_rows_update ON support_access;
--bun:split
DROP POLICY own_rows_read ON support_access;
{{end}}
