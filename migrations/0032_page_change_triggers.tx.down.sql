{{if .Postgres}}
DO $$
DECLARE t text;
BEGIN
  FOR t IN SELECT c.relname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
    WHERE g.tgname = c.relname || '_changed' AND NOT g.tgisinternal
  LOOP
    EXECUTE format('DROP TRIGGER %I ON %I', t || '_changed', t);
  END LOOP;
END
$$;
--bun:split
DROP FUNCTION notify_change();
{{else}}
SELECT 1;
{{end}}
