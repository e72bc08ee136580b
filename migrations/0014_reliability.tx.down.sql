{{if .AppRole}}
REVOKE SELECT ON bun_migrations FROM {{.AppRole}};
--bun:split
{{end}}
DROP INDEX outbox_open_idx;
--bun:split
ALTER TABLE outbox DROP COLUMN done_at;
--bun:split
DROP INDEX emails_sending_idx;
--bun:split
ALTER TABLE emails DROP COLUMN claim_token;
