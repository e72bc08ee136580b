{{if .Postgres}}
-- Request caches (who is signed in, their memberships) are cleared in
-- every process when the rows behind them change: these triggers notify
-- after each committed write (NOTIFY is delivered on commit only).
CREATE FUNCTION notify_cache_invalidation() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('toolbox_invalidate', TG_TABLE_NAME);
  RETURN NULL;
END
$$;
--bun:split
CREATE TRIGGER sessions_invalidate AFTER UPDATE OR DELETE ON sessions
  FOR EACH STATEMENT EXECUTE FUNCTION notify_cache_invalidation();
--bun:split
CREATE TRIGGER users_invalidate AFTER UPDATE OR DELETE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION notify_cache_invalidation();
--bun:split
CREATE TRIGGER memberships_invalidate AFTER INSERT OR UPDATE OR DELETE ON memberships
  FOR EACH STATEMENT EXECUTE FUNCTION notify_cache_invalidation();
--bun:split
CREATE TRIGGER organisations_invalidate AFTER UPDATE OR DELETE ON organisations
  FOR EACH STATEMENT EXECUTE FUNCTION notify_cache_invalidation();
{{else}}
-- SQLite runs in one process, which invalidates its own caches.
SELECT 1;
{{end}}
