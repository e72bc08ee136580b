{{if .Postgres}}
DROP TRIGGER organisations_invalidate ON organisations;
--bun:split
DROP TRIGGER memberships_invalidate ON memberships;
--bun:split
DROP TRIGGER users_invalidate ON users;
--bun:split
DROP TRIGGER sessions_invalidate ON sessions;
--bun:split
DROP FUNCTION notify_cache_invalidation();
{{else}}
SELECT 1;
{{end}}
