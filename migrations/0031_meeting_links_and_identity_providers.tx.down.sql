{{if .Postgres}}
DROP FUNCTION identity_domain_org(text);
--bun:split
{{end}}
DROP TABLE identity_links;
--bun:split
DROP TABLE identity_domains;
--bun:split
DROP TABLE identity_providers;
--bun:split
ALTER TABLE calendar_sessions DROP COLUMN meeting_url;
--bun:split
ALTER TABLE booking_settings DROP COLUMN meeting_room_url;
--bun:split
ALTER TABLE booking_settings DROP COLUMN meeting_mode;
