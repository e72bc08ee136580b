{{if .Postgres}}
-- The page cache (app/pagecache) keeps a rendered page until the
-- organisation's rows change. Every table a page may read announces its
-- committed writes on the toolbox_changed channel, with the organisation
-- the writing transaction was scoped to (app.org_id), or '*' when it was
-- scoped to none (a scan, a bulk load, psql): then every organisation's
-- pages are dropped. NOTIFY is delivered on commit only, and once per
-- transaction for the same payload.
--
-- Left out (app/db.UnwatchedTables, which a test holds this list to):
-- the outbox, sign-in throttling, form keys and sign-in sessions, whose
-- writes change no page. A table created later gets the trigger in its
-- own migration (TestEveryTableAnnouncesItsChanges fails until it does).
CREATE FUNCTION notify_change() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('toolbox_changed', coalesce(nullif(current_setting('app.org_id', true), ''), '*'));
  RETURN NULL;
END
$$;
--bun:split
DO $$
DECLARE t text;
BEGIN
  FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema()
    AND tablename NOT IN ('outbox', 'auth_failures', 'form_submissions', 'sessions', 'bun_migrations', 'bun_migration_locks')
  LOOP
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION notify_change()', t || '_changed', t);
  END LOOP;
END
$$;
{{else}}
-- SQLite runs in one process, which hears its own writes.
SELECT 1;
{{end}}
