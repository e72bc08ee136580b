{{if .Postgres}}
DROP FUNCTION IF EXISTS invitation_org_by_token(text);
--bun:split
DROP FUNCTION IF EXISTS viewer_memberships(uuid);
--bun:split
{{end}}
DROP TABLE audit_events;
--bun:split
DROP TABLE auth_failures;
--bun:split
DROP TABLE user_tokens;
--bun:split
DROP TABLE sessions;
--bun:split
DROP TABLE invitations;
--bun:split
DROP TABLE memberships;
--bun:split
DROP TABLE users;
--bun:split
DROP TABLE organisations;
